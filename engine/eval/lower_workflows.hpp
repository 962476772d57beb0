#pragma once
// Lowering the checked workflow declarations (roles, actions, workflows) into the Ruleset's
// WorkflowDecls; guards and role indices become expression nodes through the rule lowering.
#include <cstdint>
#include <string>

#include "check/check.hpp"
#include "eval/workflow_spec.hpp"

namespace subsidy::eval::detail {

class GuardLowering {
 public:
  virtual ~GuardLowering() = default;
  virtual std::uint32_t lower(const dsl::ast::Expr& e) = 0;  // the node of a checked expression
  virtual std::string text(const diag::Span& sp) = 0;        // the source text, whitespace collapsed
};

WorkflowDecls lower_workflows(const check::CheckResult& cr, GuardLowering& lo);

}  // namespace subsidy::eval::detail
