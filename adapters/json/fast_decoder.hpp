#pragma once
// The fast path of FactDecoder (internal to adapters/json). Records of one feed list their keys in
// the same order: this decoder learns that order from a record and then expects it, matching each
// key's bytes and writing each value straight into its typed fact slot in one pass over the record,
// without a JSON parser (a key elsewhere is looked up by name, and its record's order becomes the
// one expected). It takes only what it can decode exactly as the strict path would: plain
// strings (no escape), integers of up to 18 digits, money as whole yuan or "1234.56", decimals,
// dates, enumeration values, booleans, sets (up to 64 elements, 16 distinct texts, no space inside
// the array) and null for optional facts. Anything else — an escape, whitespace inside a set, a value
// of another type or out of range, an unknown, duplicate or missing key, invalid UTF-8, trailing
// bytes — and decode() gives up: FactDecoder then decodes the record
// with its strict path, so every error record, and every value of a record the fast path does not
// take, comes from that one place (proven by the differential test, fast_decoder_test.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "eval/ruleset.hpp"
#include "model/facts.hpp"

namespace subsidy::json::detail {

// The elements of the sets of text of a record: how many each slot holds (FactDecoder's finish
// trims the rest into `spare`), and element strings kept for reuse, so that a warm decoder does not
// allocate.
struct SetElements {
  std::vector<std::uint32_t> used;  // per slot
  std::vector<std::string> spare;
  // Stores `s` as vec[at] (at <= vec.size()), reusing a kept string's buffer.
  void put(std::vector<std::string>& vec, std::uint32_t at, std::string_view s) {
    if (at < vec.size()) {
      vec[at].assign(s);
    } else if (!spare.empty()) {
      vec.push_back(std::move(spare.back()));
      spare.pop_back();
      vec.back().assign(s);
    } else {
      vec.emplace_back(s);
    }
  }
};

class FastDecoder {
 public:
  // `required`: the slots that must be present (FactDecoder::required_slots()).
  FastDecoder(const eval::Ruleset& rs, std::vector<std::uint32_t> required);

  // Decodes one record (its bytes only: no padding is read). `out` must have been cleared for the
  // record (FactDecoder's begin) and `id_out` emptied; `sets.used[slot]` receives the number of
  // elements of each set of text (the caller trims the rest). True: `out` and `id_out` hold the record. False:
  // the record is not for the fast path; `out` and `id_out` are then partly written and must be
  // cleared again by the caller before the strict path runs.
  bool decode(std::string_view text, model::Facts& out, std::string& id_out, SetElements& sets);

  std::size_t hits() const { return hits_; }      // records decoded by the fast path
  std::size_t misses() const { return misses_; }  // records it gave up on

 private:
  static constexpr std::uint32_t kId = UINT32_MAX;  // the "id" key in a template
  static constexpr std::uint32_t kNone = UINT32_MAX - 1;
  struct Slot {
    model::Kind kind = model::Kind::Int;
    bool optional = false;
    bool program_ids = false;  // a set of programme ids
    std::uint32_t enum_id = 0;
  };
  struct Key {
    std::uint32_t slot = kId;
    std::string_view name;  // the fact's name (a view into the ruleset) or "id"
  };

  bool parse(const char* p, const char* end, model::Facts& out, std::string& id_out, SetElements& sets);
  bool value(const char*& p, const char* end, std::uint32_t slot, model::Facts& out, std::string& id_out,
             SetElements& sets) const;
  int enum_index(std::uint32_t enum_id, std::string_view s) const;
  bool give_up();

  const eval::Ruleset* rs_;
  std::vector<Slot> slots_;
  std::unordered_map<std::string_view, std::uint32_t> slot_of_;  // fact name → slot (views into rs_)
  std::vector<std::unordered_map<std::string_view, int>> enum_maps_;  // enums with more than 16 values
  std::unordered_set<std::string_view> program_ids_;  // views into rs_
  std::vector<std::uint32_t> required_;
  std::vector<Key> template_;   // the key order of the last record that deviated from it
  std::vector<Key> learned_;    // the key order of the record being decoded, once it deviates
  std::vector<std::uint32_t> seen_;  // generation stamp per slot
  std::uint32_t gen_ = 0;
  std::size_t hits_ = 0, misses_ = 0;
};

}  // namespace subsidy::json::detail
