// The steps of migrations that SQL cannot do, run after the migration's statements in its
// transaction.
#include "soci/budget_ledger.hpp"
#include "soci/migrations.hpp"

namespace subsidy::soci_store::detail {

void run_migration_code(Connection& c, int version, const std::string& now) {
  switch (version) {
    case 4: start_budget_ledgers(c, now); break;  // 004_budget_ledger_rulesets: hashed `set` events
    default: break;
  }
}

}  // namespace subsidy::soci_store::detail
