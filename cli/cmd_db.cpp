// `subsidy db migrate|status` (docs/storage.md §3, docs/cases.md).
#include <cstdio>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "soci/soci_store.hpp"

namespace subsidy::cli {

namespace {

int run_migrate(const std::string& db, const std::string& hash) {
  return guarded([&] {
    std::string url = soci_store::resolve_database_url(db);
    auto r = soci_store::migrate(url);
    std::printf("database %s: schema version %d → %d\n", soci_store::redact_url(url).c_str(), r.from, r.to);
    for (const auto& a : r.applied) std::printf("applied %s\n", a.c_str());
    if (r.applied.empty()) std::printf("nothing to apply: the schema is up to date\n");
    if (!hash.empty()) {
      const auto a = soci_store::choose_audit_hash(url, *store::parse_hash_algorithm(hash));
      std::printf("audit hash: %s (event chains, budget ledgers and checkpoints)\n", store::hash_algorithm_name(a));
    }
    return kExitOk;
  });
}

int run_status(const std::string& db) {
  return guarded([&] {
    std::string url = soci_store::resolve_database_url(db);
    int v = soci_store::schema_version(url);
    int latest = soci_store::latest_schema_version();
    const char* state = v == latest ? "up to date" : v < latest ? "needs `subsidy db migrate`" : "newer than this binary: upgrade subsidy";
    std::printf("database %s: schema version %d, this binary knows %d (%s)\n", soci_store::redact_url(url).c_str(), v, latest, state);
    return v > latest ? kExitDatabase : kExitOk;
  });
}

}  // namespace

void add_db_commands(CLI::App& app, Action& action) {
  auto* dbc = app.add_subcommand("db", "database schema: migrate, status (docs/storage.md)");
  dbc->require_subcommand(1);
  auto db = std::make_shared<std::string>();
  auto* mig = dbc->add_subcommand("migrate", "apply every pending schema migration");
  add_db_option(mig, *db);
  auto hash = std::make_shared<std::string>();
  mig->add_option("--hash", *hash,
                  "the hash of the audit chains and checkpoints of a new database: sha256 (the default) or sm3 (GB/T 32905); "
                  "refused (exit 6) once the database holds events chained with the other")
      ->check(CLI::IsMember({"sha256", "sm3"}));
  mig->callback([&action, db, hash] { action = [db, hash] { return run_migrate(*db, *hash); }; });
  auto* st = dbc->add_subcommand("status", "the database's schema version");
  add_db_option(st, *db);
  st->callback([&action, db] { action = [db] { return run_status(*db); }; });
}

}  // namespace subsidy::cli
