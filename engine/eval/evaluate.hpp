#pragma once
// The pure evaluator: const, thread-safe, no I/O, no logging. With `explain == nullptr` it records
// nothing beyond the Decision (the batch hot path).
#include <cstdint>
#include <string>
#include <vector>

#include "eval/ruleset.hpp"
#include "model/decision.hpp"
#include "model/facts.hpp"

namespace subsidy::eval {

struct ParamUse {
  std::uint32_t param = 0;
  std::uint32_t value_index = 0;  // index into Param::values (gives value, from-date, status, source)
};
struct TableHit {
  std::uint32_t table = 0;
  std::int32_t row = -1;  // -1: no row matched
};
struct AmountStep {
  enum class Kind : std::uint8_t { Formula, Exception, Minimum, Cap, GroupCap, PayHighest } kind = Kind::Formula;
  std::int64_t before = 0, after = 0;  // 分
  std::uint32_t ref = 0;               // exception or group index
};
struct ProgramExplanation {
  std::vector<std::uint8_t> requirement_met;  // per requirement: 1 met, 0 failed
  std::vector<ParamUse> params;               // parameter values used, in first-use order
  std::vector<TableHit> tables;
  std::vector<AmountStep> steps;
  std::string error;                          // evaluation error text (outcome error), in the explanation's language
};
struct Explanation {
  Days as_of = 0;
  bool english = false;  // the language of `ProgramExplanation::error`
  std::vector<ProgramExplanation> programs;
};

enum class EvalError : std::uint8_t { none, overflow, no_table_row, param_not_in_force, division_by_zero };
const char* error_kind_name(EvalError e);

// The result of evaluating a node: a value, or the error and the node where it happened. The
// evaluator's only error channel: every caller sees the error in the value it gets back.
template <class T>
struct Result {
  T value{};
  EvalError error = EvalError::none;
  std::uint32_t error_node = kNoNode;
  bool ok() const { return error == EvalError::none; }
};

// A sentence naming what failed for an `error` outcome — the expression as written and its
// file:line:col, the table or parameter, and the group whose cap failed — in Chinese or English.
std::string error_message(const Ruleset& rs, const model::ProgramResult& r, bool english = true);
// The same for an error of one node (workflow guards).
std::string error_message(const Ruleset& rs, EvalError kind, std::uint32_t node, bool english = true);
// The source text of `span` with runs of whitespace collapsed, and its "file:line:col".
std::string source_text(const Ruleset& rs, const diag::Span& span);
std::string source_location(const Ruleset& rs, const diag::Span& span);

// Which programmes to evaluate (all when null or empty); unselected programmes get
// Outcome::not_in_effect and encoders leave them out. Size == programs.size() when non-empty.
using Selection = std::vector<std::uint8_t>;

// `explain->english` picks the language of the error texts it records.
void evaluate(const Ruleset& rs, const model::Facts& facts, Days as_of, model::Decision& out,
              const Selection* selection = nullptr, Explanation* explain = nullptr);

// The same, always interpreting the lowered nodes (never the compiled form of eval/compiled.hpp):
// the reference the compiled form is tested against, and a way to rule it out when diagnosing.
void evaluate_plain(const Ruleset& rs, const model::Facts& facts, Days as_of, model::Decision& out,
                    const Selection* selection = nullptr, Explanation* explain = nullptr);

inline model::Decision evaluate(const Ruleset& rs, const model::Facts& facts, Days as_of) {
  model::Decision d;
  evaluate(rs, facts, as_of, d);
  return d;
}

// One lowered expression (a workflow guard or role index) for one applicant on one date: the same
// evaluator as programmes use. `case_attrs` holds model::kCaseAttrCount values (by model::CaseAttr)
// or is null. Pure and thread-safe.
using NodeValue = Result<std::int64_t>;
NodeValue evaluate_node(const Ruleset& rs, std::uint32_t node, const model::Facts& facts, Days as_of,
                        const std::int64_t* case_attrs);

// A parameter's value as explanations show it: "12.5%", "100000.00元", a date, true/false, an integer.
std::string param_value_text(const Param& p, std::int64_t v);

// Human-readable explanation for officers, in Chinese (`english == false`) or English.
std::string explain_text(const Ruleset& rs, const model::Decision& d, const Explanation& ex, bool english,
                         const Selection* selection = nullptr);

}  // namespace subsidy::eval
