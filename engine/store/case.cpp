#include "store/case.hpp"

#include <algorithm>
#include <stdexcept>

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

bool matches(const CaseFilter& f, const Case& c) {
  auto contains = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  if (c.id <= f.after_id) return false;
  if (f.stage && !contains(c.stages, *f.stage)) return false;
  if (f.role && !contains(c.roles, *f.role)) return false;
  if (f.programme && c.programme != *f.programme) return false;
  if (f.call_year && c.call_year != *f.call_year) return false;
  if (f.applicant && c.applicant != *f.applicant) return false;
  if (f.closed && c.closed != *f.closed) return false;
  if (f.timer_before && (!c.timer_due || *c.timer_due >= *f.timer_before)) return false;
  if (f.overdue_as_of) {
    auto due = next_due(c);
    if (!due || *due >= *f.overdue_as_of) return false;
  }
  if (!f.visible_any.empty() && c.visibility_rules == f.visible_rules &&
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
