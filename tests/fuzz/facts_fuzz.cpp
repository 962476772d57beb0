// Fuzz target `facts`: the applicant decoder (adapters/json/fact_decoder.cpp) against the shipped
// ruleset, on arbitrary bytes. The ruleset is compiled once, from $SUBSIDY_RULES_DIR when set,
// otherwise from the source tree's rules/ (SUBSIDY_SOURCE_DIR, fixed at build time).
//
// Per input: the whole input is decoded as one record, both by copy and in place (with exactly
// FactDecoder::kPadding readable bytes after it) — the two must agree; a decoded record is
// evaluated (with an explanation) and encoded as a decision line. Then every line of the input is
// decoded as a JSON Lines record by a decoder reused across records, with one programme selected
// and routed through its workflow (so the required fields differ). Disagreements and refusals
// without a code trap.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "files/rules_dir.hpp"
#include "eval/evaluate.hpp"
#include "json/decision_encoder.hpp"
#include "json/fact_decoder.hpp"
#include "model/date.hpp"

namespace {

using namespace subsidy;

struct Shipped {
  std::unique_ptr<files::LoadedRules> rules;
  std::unique_ptr<json::FactDecoder> all;                    // every programme selected
  std::vector<eval::Selection> selections;                   // one programme each
  std::vector<std::unique_ptr<json::FactDecoder>> selected;  // decoders for them, routing facts required
  std::unique_ptr<json::DecisionEncoder> encoder;
};

Shipped& shipped() {
  static Shipped s = [] {
    Shipped out;
    const char* env = std::getenv("SUBSIDY_RULES_DIR");
    std::string dir = env && *env ? env : SUBSIDY_SOURCE_DIR "/rules";
    out.rules = files::load_rules(dir);
    if (!out.rules->ruleset) {
      std::fprintf(stderr, "fuzz facts: the rules in `%s` do not compile\n", dir.c_str());
      files::print_diagnostics(*out.rules);
      std::abort();
    }
    const eval::Ruleset& rs = *out.rules->ruleset;
    out.all = std::make_unique<json::FactDecoder>(rs);
    out.selections.resize(rs.programs.size(), eval::Selection(rs.programs.size(), 0));
    for (std::size_t p = 0; p < rs.programs.size(); ++p) out.selections[p][p] = 1;
    for (const auto& sel : out.selections)
      out.selected.push_back(std::make_unique<json::FactDecoder>(rs, eval::FactUse{&sel, true}));
    out.encoder = std::make_unique<json::DecisionEncoder>(rs);
    return out;
  }();
  return s;
}

bool same_facts(const model::Facts& a, const model::Facts& b) {
  return a.values == b.values && a.present == b.present && a.texts == b.texts && a.sets == b.sets &&
         a.enum_sets == b.enum_sets;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Shipped& s = shipped();
  const eval::Ruleset& rs = *s.rules->ruleset;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  model::Facts copied, in_place;
  json::DecodeError copied_err, in_place_err;
  std::string copied_id, in_place_id;
  const bool ok = s.all->decode(input, copied, copied_err, copied_id);
  // In place: the record followed by exactly kPadding readable bytes (ASan sees any read beyond).
  std::unique_ptr<char[]> padded(new char[size + json::FactDecoder::kPadding]);
  if (size) std::memcpy(padded.get(), data, size);
  std::memset(padded.get() + size, 'x', json::FactDecoder::kPadding);
  const bool ok_in_place = s.all->decode(std::string_view(padded.get(), size), json::FactDecoder::kPadding, in_place,
                                         in_place_err, in_place_id);
  if (ok != ok_in_place || copied_id != in_place_id) __builtin_trap();
  if (!ok && (copied_err.code.empty() || copied_err.code != in_place_err.code || copied_err.field != in_place_err.field ||
              copied_err.offset != in_place_err.offset))
    __builtin_trap();
  if (ok && !same_facts(copied, in_place)) __builtin_trap();

  if (ok) {
    const model::Days as_of = *model::make_date(2024, 6, 28);
    model::Decision decision;
    eval::Explanation explanation;
    eval::evaluate(rs, copied, as_of, decision, nullptr, &explanation);
    std::string line;
    s.encoder->append_json(line, copied_id, decision, as_of, &explanation, true, nullptr);
    s.encoder->append_json(line, copied_id, decision, as_of, nullptr, false, nullptr);
    (void)eval::explain_text(rs, decision, explanation, false);
  } else {
    std::string line;
    json::DecisionEncoder::append_error(line, 1, copied_id, copied_err);
  }

  // JSON Lines: each line through one reused decoder and Facts, like a batch worker.
  json::FactDecoder& dec = *s.selected[size % s.selected.size()];
  model::Facts facts;
  json::DecodeError err;
  std::string id;
  for (std::size_t begin = 0; begin <= size;) {
    std::size_t end = input.find('\n', begin);
    if (end == std::string_view::npos) end = size;
    if (!dec.decode(input.substr(begin, end - begin), facts, err, id) && err.code.empty()) __builtin_trap();
    begin = end + 1;
  }
  return 0;
}
