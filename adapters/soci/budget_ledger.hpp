#pragma once
// Adapter-internal: the budgets' ledger (table budget_events, chain head in budgets.event_count /
// event_head) on one connection, shared by the repository and migration 004.
#include <string>
#include <vector>

#include "soci/connection.hpp"
#include "store/audit.hpp"
#include "store/budget.hpp"

namespace subsidy::soci_store::detail {

// Inside an open write transaction: appends `e` to the ledger of the budget (e.programme, e.year)
// under the budget row's lock, assigning seq, prev_hash, hash, total_fen (the row's total) and `at`
// (`now` when empty). NotFoundError without the budget.
store::BudgetEvent append_budget_ledger(Connection& c, const store::BudgetEvent& e, const std::string& now);

// The budget's ledger by seq.
std::vector<store::BudgetEvent> read_budget_ledger(Connection& c, const std::string& programme, int year);

// Checks every budget's ledger (and every ledger without its budget) into `report`, by programme
// and year; call inside one read snapshot.
void verify_budget_ledgers(Connection& c, store::AuditReport& report);

// Migration 004: a `set` event by "migration" for every budget that has no ledger yet.
void start_budget_ledgers(Connection& c, const std::string& now);

}  // namespace subsidy::soci_store::detail
