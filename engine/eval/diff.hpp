#pragma once
// The structural difference between two compiled rulesets (`subsidy rules diff BASE DRAFT`):
// programmes, parameters (each value with its valid-from date), requirements, tables (rows added,
// removed, changed), exceptions, groups and workflows that were added, removed or changed, each
// with its location on both sides — and the input contract change: facts that became required,
// changed type, appeared or disappeared (what integrators' requests must change). Pure: compares
// the two rulesets' declarations and the source text of their expressions, nothing is evaluated.
#include <string>
#include <vector>

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
