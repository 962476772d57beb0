#pragma once
// Checking workflow declarations (docs/workflow.md): names of roles, actions and stages, the
// structure of each stage, and the guards — typed by the rule checker in a guard context, where
// `eligible`, `decided_amount` and `corrections` are also in scope. Graph properties (reachability,
// cycles, dead ends) are checked later, on the lowered workflow, by engine/workflow.
#include <string>

#include "check/check.hpp"

namespace subsidy::check::detail {

// The expression typing of the rule checker, as the workflow checks need it.
class GuardTyper {
 public:
  virtual ~GuardTyper() = default;
  // A guard: must be bool. `what` names it in messages ("the guard of `on approve` in stage `x`").
  virtual void guard(const ast::Expr& e, const std::string& what) = 0;
  // The member of a role family: an expression of the family's enum. An optional fact may stand
  // alone (when it is absent the line does not apply).
  virtual void role_index(const ast::Expr& e, std::uint32_t enum_id, const std::string& what) = 0;
};

// Reports E07xx/W07xx name and structure diagnostics (and type errors of guards).
void check_workflows(CheckResult& result, GuardTyper& typer, diag::Diagnostics& diags);

}  // namespace subsidy::check::detail
