#include "service/budgets.hpp"

#include <boost/json.hpp>

namespace subsidy::service {

store::BudgetEvent allocation_event(const std::string& programme, int year, Allocation method, const AllocationResult& r,
                                    const std::string& actor) {
  boost::json::array cases;
  for (const AllocationLine& l : r.lines) {
    cases.push_back({{"case", l.id},
                     {"application", l.application_id},
                     {"decided_fen", l.decided},
                     {"before_fen", l.before},
                     {"allocated_fen", l.allocated}});
  }
  const boost::json::object payload{{"method", method == Allocation::pro_rata ? "pro-rata" : "ranked"},
                                    {"demand_fen", r.demand},
                                    {"available_fen", r.available},
                                    {"cases", std::move(cases)}};
  store::BudgetEvent e;
  e.programme = programme;
  e.year = year;
  e.actor = actor;
  e.action = store::kBudgetAllocate;
  e.payload_json = boost::json::serialize(payload);
  return e;
}

std::vector<store::BudgetEvent> budget_history(store::CaseRepository& repo, const std::string& programme, int year) {
  check_year(year);
  auto events = repo.budget_history(programme, year);
  if (events.empty() && !repo.get_budget(programme, year)) {
    throw ServiceError(ErrorKind::not_found, "no_budget", "no budget " + store::budget_name(programme, year),
                       {{"budget", store::budget_name(programme, year)}});
  }
  return events;
}

std::vector<store::Budget> list_budgets(store::CaseRepository& repo, const std::string& programme, std::optional<int> year) {
  if (year) check_year(*year);
  auto all = repo.list_budgets();
  std::erase_if(all, [&](const store::Budget& b) { return (!programme.empty() && b.programme != programme) || (year && b.year != *year); });
  return all;
}

std::vector<store::Award> list_awards(store::CaseRepository& repo, const store::AwardFilter& filter) {
  if (filter.year) check_year(*filter.year);
  return repo.list_awards(filter);
}

}  // namespace subsidy::service
