#include "store/case.hpp"

#include <algorithm>
#include <compare>
#include <stdexcept>
#include <utility>

namespace subsidy::store {

std::optional<model::Days> next_due(const Case& c) {
  std::optional<model::Days> due;
  for (const auto& stage : c.stages) {
    if (auto it = c.deadlines.find(stage); it != c.deadlines.end()) {
      if (!due || it->second < *due) due = it->second;
    }
  }
  return due;
}

model::Fen payable_fen(const Case& c) {
  if (!c.decision || c.decision->outcome != "eligible") return 0;
  model::Fen a = c.approved_fen ? std::min(c.decision->amount_fen, *c.approved_fen) : c.decision->amount_fen;
  return c.allocated_fen ? std::min(a, *c.allocated_fen) : a;
}

model::Fen shown_fen(const Case& c) { return c.consumed_fen > 0 ? c.consumed_fen : payable_fen(c); }

std::int64_t order_key(const Case& c, CaseOrder order) {
  switch (order) {
    case CaseOrder::due: return next_due(c).value_or(kNoDue);
    case CaseOrder::amount: return shown_fen(c);
    case CaseOrder::id: break;
  }
  return c.id;
}

bool names_family_member(const std::vector<std::string>& roles, const std::string& member) {
  const std::string tail = "[" + member + "]";
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& r) {
    return r.size() > tail.size() && r.compare(r.size() - tail.size(), tail.size(), tail) == 0;
  });
}

bool matches(const CaseFilter& f, const Case& c) {
  auto contains = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (c.id <= f.after_id) return false;
  if (f.after) {
    const CaseCursor at{order_key(c, f.order), c.id};
    const auto pos = std::pair(at.key, at.id) <=> std::pair(f.after->key, f.after->id);
    if (f.descending ? pos >= 0 : pos <= 0) return false;
  }
  const bool fresh = c.visibility_rules == f.visible_rules && !c.visibility_rules.empty();
  if (f.stale && *f.stale == fresh) return false;
  if (!f.roles_any.empty() && std::none_of(f.roles_any.begin(), f.roles_any.end(), [&](const std::string& r) { return contains(c.roles, r); }))
    return false;
  if (f.id_or_applicant && c.application_id != *f.id_or_applicant && c.applicant != *f.id_or_applicant) return false;
  if (!f.county.empty() && fresh && !names_family_member(c.roles, f.county) && !names_family_member(c.visible_roles, f.county))
    return false;
  if (f.stage && !contains(c.stages, *f.stage)) return false;
  if (f.role && !contains(c.roles, *f.role)) return false;
  if (f.programme && c.programme != *f.programme) return false;
  if (f.call_year && c.call_year != *f.call_year) return false;
  if (f.holds_money && c.reserved_fen <= 0 && c.consumed_fen <= 0) return false;
  if (f.applicant && c.applicant != *f.applicant) return false;
  if (f.closed && c.closed != *f.closed) return false;
  if (f.timer_before && (!c.timer_due || *c.timer_due >= *f.timer_before)) return false;
  if (f.overdue_as_of) {
    auto due = next_due(c);
    if (!due || *due >= *f.overdue_as_of) return false;
  }
  if (!f.visible_any.empty() && fresh &&
      std::none_of(f.visible_any.begin(), f.visible_any.end(),
                   [&](const std::string& r) { return contains(c.roles, r) || contains(c.visible_roles, r); }))
    return false;
  return true;
}

void validate_case(const Case& c) {
  if (c.application_id.empty()) throw std::invalid_argument("a case needs an application id");
  auto check = [](const std::string& name, const char* what) {
    if (name.empty() || name.find_first_of("|\r\n") != std::string::npos) {
      throw std::invalid_argument(std::string("invalid ") + what + " name '" + name +
                                  "' (empty, or contains '|' or a line break)");
    }
  };
  for (const auto& s : c.stages) check(s, "stage");
  for (const auto& r : c.roles) check(r, "role");
  for (const auto& r : c.visible_roles) check(r, "role");
  for (const auto& [stage, due] : c.deadlines) check(stage, "deadline stage");
}

}  // namespace subsidy::store
