#pragma once
// Encodes Decisions (and per-record decode errors) as JSON Lines. The wire format is documented in
// docs/integration.md and docs/schema/decision.schema.json. All ruleset strings (programme ids,
// titles, requirement names, clauses, reason texts, parameter values) are escaped once in the
// constructor; append_json() then only appends to `out` — no other heap allocation per record.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"
#include "json/fact_decoder.hpp"
#include "model/decision.hpp"

namespace subsidy::json {

// Appends `s` JSON-escaped (without quotes): `"` `\` and control characters are escaped
// (\b \f \n \r \t, others \u00XX); everything else, UTF-8 included, passes through.
void append_escaped(std::string& out, std::string_view s);

class DecisionEncoder {
 public:
  // `rs` must outlive the encoder. The encoder is immutable after construction and may be shared
  // between threads.
  explicit DecisionEncoder(const eval::Ruleset& rs);

  // Appends one line: the decision for applicant `id` ("" → "id":null), ending in '\n'.
  // `ex` (nullable) adds the explanation fields; `english` picks the language of labels and reason
  // texts (only used with `ex`); `selection` (nullable or empty = all) picks the programmes listed.
  void append_json(std::string& out, std::string_view id, const model::Decision& d, model::Days as_of,
                   const eval::Explanation* ex, bool english, const eval::Selection* selection) const;

  // Appends the compact line of `evaluate --output summary` (docs/integration.md "Summary output"):
  // {"id":"A7","programs":{"R01":{"outcome":"eligible","amount_fen":1234500},…},"total_fen":1234500,
  //  "capped":false,"errors":[]} — the decision's outcomes and amounts only, ending in '\n'.
  void append_summary(std::string& out, std::string_view id, const model::Decision& d,
                      const eval::Selection* selection) const;

  // Appends one error line for an input record that could not be decoded, ending in '\n':
  // {"line":12,"id":"A7","error":{"code":"wrong_type","field":"employees","message":"…"}}
  // ("id" and "field" are null when empty).
  static void append_error(std::string& out, std::size_t line, std::string_view id, const DecodeError& err);

 private:
  struct Str {  // a pre-escaped string, with its quotes: "\"…\""
    std::string q;
  };
  struct Lbl {
    std::string zh, en;  // pre-escaped with quotes
    const std::string& in(bool english) const { return english ? en : zh; }
  };
  struct Req {
    std::string name, clause, condition;  // quoted; clause/condition "" when empty
    Lbl reason;
  };
  struct ProgramText {
    std::string key;  // "\"R01\":"
    Lbl title;
    std::string citation, bureau, source;  // quoted
    const char* status;
    std::vector<Req> reqs;
    // Pre-rendered fragments for the batch path (no explanation): whole entries for refusals by
    // failed-requirement mask (programmes with at most kMaskCache requirements) and by exception,
    // the not-in-effect entry, and the start of an eligible entry up to the amount.
    std::vector<std::string> refused_by_mask;
    std::vector<std::string> refused_by_exception;
    std::string not_in_effect, eligible_prefix;
  };
  static constexpr std::size_t kMaskCache = 8;
  struct ExceptionText {
    std::string name, citation;  // quoted; citation "" when empty
    Lbl reason, label;
  };
  struct GroupText {
    std::string name, citation;  // quoted; citation "" when empty
    Lbl label;
  };
  struct ParamValueText {
    std::string value, from, source;  // quoted
    const char* status;
  };
  struct ParamText {
    std::string name;  // quoted
    std::vector<ParamValueText> values;
  };
  struct TableText {
    std::string name;  // quoted
  };

  void append_program(std::string& out, std::size_t i, const model::ProgramResult& r,
                      const eval::ProgramExplanation* px, bool english) const;
  // The batch path: one pre-rendered fragment when the outcome has one; false otherwise.
  bool append_cached(std::string& out, std::size_t i, const model::ProgramResult& r) const;
  void prerender();
  void append_id(std::string& out, std::string_view id) const;
  // The ids of the selected programmes whose outcome is `error`, comma-separated.
  void append_error_ids(std::string& out, const model::Decision& d, const eval::Selection* selection) const;

  const eval::Ruleset* rs_;
  std::vector<ProgramText> programs_;
  std::vector<ExceptionText> exceptions_;
  std::vector<GroupText> groups_;
  std::vector<ParamText> params_;
  std::vector<TableText> tables_;
};

}  // namespace subsidy::json
