#pragma once
// The SOCI storage adapter: opens a CaseRepository on SQLite (a file, the embedded default),
// PostgreSQL or MariaDB/MySQL (shared deployments), and applies the numbered schema migrations.
// No SOCI type appears here; see docs/storage.md for URLs, schema, guarantees and failure behaviour.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/case_repository.hpp"
#include "store/clock.hpp"

namespace subsidy::soci_store {

enum class Backend : std::uint8_t { sqlite, postgresql, mysql };

// Where the database is: a file path for SQLite, the libpq URI for PostgreSQL, SOCI's MySQL
// connection string (`host=… port=… user=… password=… db=…`) for MariaDB/MySQL.
struct DatabaseUrl {
  Backend backend = Backend::sqlite;  // which SQL: the database's dialect
  std::string target;
  bool odbc = false;  // reached through an ODBC driver (target: the ODBC connection string)
};

inline constexpr const char* kDefaultDatabase = "subsidy.db";
inline constexpr const char* kDatabaseEnv = "SUBSIDY_DB";

// "PATH", "sqlite:PATH", "sqlite://PATH" → SQLite; "postgresql://…", "postgres://…" → PostgreSQL;
// "mysql://USER:PASSWORD@HOST:PORT/DB?OPTION=VALUE&…" (percent-encoded), "mariadb://…", or SOCI's
// own "mysql://db=DB user=USER …" → MariaDB/MySQL; "odbc:mysql:ODBC-CONNECTION-STRING" → MariaDB/MySQL
// through an ODBC driver. UnavailableError for an empty URL, another scheme, or a MySQL URL that
// names no database or an option SOCI does not know (docs/storage.md §1).
DatabaseUrl parse_database_url(const std::string& url);
// The URL with any password (user:PASSWORD@, password=…, pass=…, PWD=…) replaced by "***" (for messages and logs).
std::string redact_url(const std::string& url);
// The URL to use: `flag` (--db) when non-empty, else $SUBSIDY_DB when set and non-empty, else "subsidy.db".
std::string resolve_database_url(const std::string& flag);

struct OpenOptions {
  // SQLite: how long a write waits for another process's lock before failing with UnavailableError
  // ("database is locked"). PostgreSQL: lock_timeout for row and table locks. MariaDB/MySQL:
  // innodb_lock_wait_timeout and lock_wait_timeout, in whole seconds (rounded up).
  std::chrono::milliseconds busy_timeout{5000};
  // PostgreSQL, MariaDB/MySQL: connect_timeout (seconds) added to the URL unless it names one.
  int connect_timeout_s = 10;
  // Apply the migrations when a SQLite database has no schema yet (a new file).
  bool migrate_fresh_sqlite = true;
  // Timestamps for created_at / updated_at / events.
  store::Clock clock = store::utc_now;
};

// Opens the database and checks its schema version: SchemaTooNewError when it
// is newer than this binary knows, SchemaTooOldError when it needs `migrate` first (a fresh SQLite
// file is migrated automatically). UnavailableError when the database cannot be reached or opened.
std::unique_ptr<store::CaseRepository> open_repository(const std::string& url, const OpenOptions& options = {});

struct MigrationReport {
  int from = 0;                       // schema version before
  int to = 0;                         // schema version after
  std::vector<std::string> applied;   // "001_init", …
};
// Applies every pending migration, each in its own transaction (safe against concurrent runs).
MigrationReport migrate(const std::string& url, const OpenOptions& options = {});
// The database's schema version (0: no schema yet).
int schema_version(const std::string& url, const OpenOptions& options = {});
// The newest schema version this binary knows.
int latest_schema_version();

// Records `hash` as the database's chain hash (settings.audit_hash, migration 010; docs/storage.md
// §4) and returns it. ConflictError when the database already holds events or budget events chained
// with another one (an existing chain is never re-hashed); SchemaTooOldError before migration 010.
store::HashAlgorithm choose_audit_hash(const std::string& url, store::HashAlgorithm hash, const OpenOptions& options = {});

}  // namespace subsidy::soci_store
