#pragma once
// An applicant's facts, slot-indexed by the Schema. Reusable: clear() keeps capacity so a batch
// worker decodes record after record without heap churn.
#include <cstdint>
#include <string>
#include <vector>

#include "model/schema.hpp"

namespace subsidy::model {

struct Facts {
  std::vector<std::int64_t> values;             // one per fact slot
  std::vector<std::uint8_t> present;            // 1 when the fact was supplied (optional facts may be absent)
  std::vector<std::string> texts;               // text facts, by slot
  std::vector<std::vector<std::string>> sets;   // set of text facts, by slot
  std::vector<std::uint64_t> enum_sets;         // set of enum facts as bit masks, by slot

  explicit Facts(std::size_t slots = 0) { resize(slots); }
  void resize(std::size_t slots) {
    values.assign(slots, 0);
    present.assign(slots, 0);
    texts.resize(slots);
    sets.resize(slots);
    enum_sets.assign(slots, 0);
  }
  void clear() {
    std::fill(values.begin(), values.end(), 0);
    std::fill(present.begin(), present.end(), 0);
    std::fill(enum_sets.begin(), enum_sets.end(), 0);
    for (auto& t : texts) t.clear();
    for (auto& s : sets) s.clear();
  }
  void set(std::uint32_t slot, std::int64_t v) {
    values[slot] = v;
    present[slot] = 1;
  }
  void set_text(std::uint32_t slot, std::string v) {
    texts[slot] = std::move(v);
    present[slot] = 1;
  }
};

}  // namespace subsidy::model
