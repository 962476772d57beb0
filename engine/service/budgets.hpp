#pragma once
// Budget ledger and awards queries of the application layer (docs/cases.md §5, "Budget history"
// and "Awards"): what the budget office and integrating systems read. No printing; failures are
// ServiceError or store::StoreError. The use cases that change budgets (set_budget, allocate) are
// in service/cases.hpp.
#include <optional>
#include <string>
#include <vector>

#include "service/cases.hpp"
#include "store/case_repository.hpp"

namespace subsidy::service {

// The ledger entry of an allocation (written in the allocation's unit of work): action `allocate`,
// payload {"method","demand_fen","available_fen","cases":[{"case","application","decided_fen",
// "before_fen","allocated_fen"}…]}.
store::BudgetEvent allocation_event(const std::string& programme, int year, Allocation method, const AllocationResult& r,
                                    const std::string& actor);

// The ledger of a budget by seq. ServiceError not_found ("no_budget") when there is no such budget;
// usage ("bad_year") for an impossible year.
std::vector<store::BudgetEvent> budget_history(store::CaseRepository& repo, const std::string& programme, int year);

// The budgets of `programme` ("": every programme) and `year` (none: every year), by programme
// and year. ServiceError usage ("bad_year") for an impossible year.
std::vector<store::Budget> list_budgets(store::CaseRepository& repo, const std::string& programme, std::optional<int> year);

// The awards that match `filter` (by year, id). ServiceError usage ("bad_year") for an impossible year.
std::vector<store::Award> list_awards(store::CaseRepository& repo, const store::AwardFilter& filter);

}  // namespace subsidy::service
