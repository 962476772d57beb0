// The role resolution of one case (roles.hpp).
#include "workflow/roles.hpp"

#include <algorithm>

#include "eval/evaluate.hpp"

namespace subsidy::workflow {

using eval::kNoNode;

RoleResolver::RoleResolver(const Workflow& wf, const model::Facts& facts, bool eligible, std::int64_t amount, int corrections)
    : wf_(wf), facts_(facts) {
  attrs_[static_cast<int>(model::CaseAttr::eligible)] = eligible ? 1 : 0;
  attrs_[static_cast<int>(model::CaseAttr::decided_amount)] = eligible ? amount : 0;
  attrs_[static_cast<int>(model::CaseAttr::corrections)] = corrections;
}

GuardValue RoleResolver::guard(std::uint32_t node, model::Days date) const {
  if (node == kNoNode) return {true, false, {}};
  auto v = eval::evaluate_node(wf_.ruleset(), node, facts_, date, attrs_);
  if (v.error == eval::EvalError::none) return {v.value != 0, false, {}};
  return {false, true, eval::error_message(wf_.ruleset(), v.error, v.error_node) + " (evaluated on " + model::format_date(date) + ")"};
}

std::optional<RoleInstance> RoleResolver::member(const eval::RoleRefSpec& r, model::Days date) const {
  if (r.index == kNoNode) return RoleInstance{r.role, -1};
  if (r.presence_slot != kNoNode && !facts_.present[r.presence_slot]) return std::nullopt;
  auto v = eval::evaluate_node(wf_.ruleset(), r.index, facts_, date, attrs_);  // the member: an enum value
  const auto& role = wf_.decls().roles[r.role];
  if (v.error != eval::EvalError::none || role.family_enum < 0) return std::nullopt;
  const auto& e = wf_.ruleset().schema.enums[static_cast<std::size_t>(role.family_enum)];
  if (v.value < 0 || static_cast<std::size_t>(v.value) >= e.values.size()) return std::nullopt;
  return RoleInstance{r.role, static_cast<std::int32_t>(v.value)};
}

std::optional<RoleInstance> RoleResolver::resolve_line(const eval::GuardedRoleSpec& line, model::Days date) const {
  if (!guard(line.guard, date).value) return std::nullopt;
  return member(line.role, date);
}

std::vector<std::string> RoleResolver::named_by(const eval::RoleRefSpec& r, model::Days date) const {
  const auto& role = wf_.decls().roles[r.role];
  if (r.index != kNoNode || role.family_enum < 0) {
    auto m = member(r, date);
    return m ? std::vector<std::string>{wf_.role_name(*m)} : std::vector<std::string>{};
  }
  std::vector<std::string> all;
  const auto& e = wf_.ruleset().schema.enums[static_cast<std::size_t>(role.family_enum)];
  for (std::size_t v = 0; v < e.values.size(); ++v) all.push_back(wf_.role_name({r.role, static_cast<std::int32_t>(v)}));
  return all;
}

std::vector<std::string> RoleResolver::all_roles(model::Days date) const {
  std::vector<std::string> out;
  auto add = [&](std::string r) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
  };
  for (const auto& st : wf_.spec().stages) {
    for (const auto& line : st.responsible)
      if (auto r = resolve_line(line, date)) {
        add(wf_.role_name(*r));
        break;
      }
    for (const auto& line : st.reviewers)
      if (auto r = resolve_line(line, date)) add(wf_.role_name(*r));
    for (const auto& t : st.transitions)
      for (const auto& b : t.by)
        for (auto& r : named_by(b, date)) add(std::move(r));
  }
  return out;
}

}  // namespace subsidy::workflow
