#pragma once
// The structural difference between two compiled rulesets (`subsidy rules diff BASE DRAFT`):
// programmes, parameters (each value with its valid-from date), requirements, tables (rows added,
// removed, changed), exceptions, groups and workflows that were added, removed or changed, each
// with its location on both sides — and the input contract change: facts that became required,
// changed type, appeared or disappeared (what integrators' requests must change). Pure: compares
// the two rulesets' declarations and the source text of their expressions, nothing is evaluated.
#include <string>
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"

namespace subsidy::eval {

enum class Change : std::uint8_t { added, removed, changed };
const char* change_name(Change c);  // "added", "removed", "changed"

struct DiffItem {
  std::string kind;   // programme, requirement, amount, cap, minimum, effective, parameter, parameter value,
                      // table, table row, exception, group, workflow, stage, fact, enum
  Change change = Change::changed;
  std::string name;   // "R10", "R10.has_payment", "tech_buyer_rate from 2021-11-17", "platform_award row 2"
  std::string what;   // for `changed`: which property ("condition", "reason", "value", "rows"…); else ""
  std::string base, draft;        // the text or value on each side ("" where it is absent)
  std::string base_at, draft_at;  // file:line:col on each side ("" where it is absent)
};

// One change of what a caller must send. `breaking`: requests valid for the base may be refused
// by the draft (a fact became required, changed type, was removed, an enum value was removed).
struct ContractChange {
  std::string fact;
  std::string what;  // "now required", "no longer required", "type changed", "added", "removed", "enum values removed", "enum values added"
  std::string base, draft;  // types (or enum values) on each side
  std::string required_by;  // "evaluate" or "case submit": which path requires it now
  bool breaking = false;
  std::string base_at, draft_at;
};

struct RulesDiff {
  std::vector<DiffItem> items;
  std::vector<ContractChange> contract;
  bool empty() const { return items.empty() && contract.empty(); }
};

RulesDiff diff_rulesets(const Ruleset& base, const Ruleset& draft);

}  // namespace subsidy::eval

namespace subsidy::eval {

// Why one programme's result differs between the base and the draft for one applicant: the first
// difference between the two explanations, in evaluation order (effective period, requirements,
// refusing exceptions, the amount formula with its parameters and tables, amount exceptions, minimum,
// cap, group limits). Computed from the structured results and traces, never from text.
struct WhyChanged {
  // programme_added, programme_removed, effective, requirement_fails, requirement_passes,
  // requirement_added, requirement_removed, exception_refuses, exception_no_longer_refuses, parameter,
  // table_row, formula, exception, minimum, cap_binds, cap_released, cap_changed, group_cap, pay_highest,
  // error, other
  std::string kind;
  std::string name;          // the requirement, parameter, table, exception or group concerned
  std::string from, to;      // the values (parameter values, row numbers, formulas, amounts) on each side
  std::string date;          // parameter: the valid-from date of the draft's value
  std::string base_at, draft_at;  // file:line:col on each side ("" where absent)
};
// One sentence, in Chinese or English: "requirement R10.has_payment now fails (…)".
std::string why_text(const WhyChanged& w, bool english);

struct ProgramSide {
  const Ruleset* rs = nullptr;          // null: the programme is not in this ruleset
  std::uint32_t index = 0;
  const model::ProgramResult* result = nullptr;
  const ProgramExplanation* explanation = nullptr;  // from evaluate(…, &explanation)
};
WhyChanged why_changed(const ProgramSide& base, const ProgramSide& draft);

}  // namespace subsidy::eval
