#pragma once
// The role resolution of one case, shared by the transition function (who is responsible when the
// case arrives at a stage, who may take an action) and the service's visibility (every role a case
// resolves to, service::case_roles): guards and role-family members evaluated on the case's facts,
// its decision and its corrections, on a date.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/case_attrs.hpp"
#include "model/date.hpp"
#include "model/facts.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::workflow {

struct GuardValue {
  bool value = false;
  bool error = false;    // could not be evaluated (value is false)
  std::string message;   // then: why, with the date
};

class RoleResolver {
 public:
  // `eligible` / `amount`: what the guards see as `eligible` and the decided amount (0 when not
  // eligible); `corrections`: the corrections the case has had.
  RoleResolver(const Workflow& wf, const model::Facts& facts, bool eligible, std::int64_t amount, int corrections);

  GuardValue guard(std::uint32_t node, model::Days date) const;  // kNoNode: true
  // The role, or the family member its index names for this case (none when the index fact is
  // absent or does not evaluate to a member).
  std::optional<RoleInstance> member(const eval::RoleRefSpec& r, model::Days date) const;
  // A `responsible` or `joint` line: its role when its guard holds.
  std::optional<RoleInstance> resolve_line(const eval::GuardedRoleSpec& line, model::Days date) const;
  // The roles a `by ROLE` names: a family without an index names every member.
  std::vector<std::string> named_by(const eval::RoleRefSpec& r, model::Days date) const;
  // Every role the workflow resolves to for the case at any of its stages: each stage's responsible
  // role (the first line whose guard holds), the joint reviewers whose guards hold, and the roles
  // named by `by`; in stage order, each once.
  std::vector<std::string> all_roles(model::Days date) const;

 private:
  const Workflow& wf_;
  const model::Facts& facts_;
  std::int64_t attrs_[model::kCaseAttrCount] = {};
};

}  // namespace subsidy::workflow
