#pragma once
// Adapter-internal: the numbered schema migrations (migrations/NNN_name.sql, embedded at build
// time) and the runner that applies them, each in its own transaction, recording them in
// schema_migrations(version, name, applied_at).
#include <string>
#include <vector>

#include "soci/connection.hpp"
#include "soci/soci_store.hpp"

namespace subsidy::soci_store::detail {

struct MigrationSource {
  int version;
  const char* name;
  const char* sql;  // may contain {{ID_PRIMARY_KEY}} (001_init.sql) and {{JSON_TEXT(column, key)}} (003)
};
const std::vector<MigrationSource>& migration_sources();  // generated: migrations_sql.cpp

// The statements of one migration for one backend: tokens substituted, comments stripped.
std::vector<std::string> migration_statements(const MigrationSource& m, Backend backend);

// The part of migration `version` written in C++ (soci/migration_code.cpp), if any; runs after its
// statements, in its transaction.
void run_migration_code(Connection& c, int version, const std::string& now);

int read_schema_version(Connection& c);  // 0 when the database has no schema_migrations table
MigrationReport apply_migrations(Connection& c, const OpenOptions& options);
// At open: SchemaTooNewError or SchemaTooOldError (a fresh SQLite file is migrated instead).
void check_schema(Connection& c, const OpenOptions& options);

}  // namespace subsidy::soci_store::detail
