#pragma once
// Adapter-internal: one SOCI session on any of the backends, the few SQL differences between them, and
// the translation of SOCI errors into typed store errors. Included by the adapter's own tests
// (raw SQL for tamper tests); not part of the public API (soci_store.hpp is).
#include <soci/session.h>

#include <memory>
#include <string>

#include "soci/soci_store.hpp"
#include "store/errors.hpp"
#include "store/event.hpp"

namespace soci {
class soci_error;
class statement;
}  // namespace soci

namespace subsidy::soci_store::detail {

// The SQL that differs per backend: every difference between SQLite, PostgreSQL and MariaDB/MySQL
// is here (connection.cpp) or in the backend's own file (sqlite.cpp, postgresql.cpp, mysql.cpp).
struct Dialect {
  const char* begin_write;      // SQLite takes the write lock up front, so transactions never deadlock on upgrade
  const char* snapshot_isolation;  // run before begin_read ("" unless the next transaction's isolation must be set first)
  const char* begin_read;       // a consistent snapshot for multi-statement reads (audit verification)
  const char* for_update;       // row lock on SELECT inside a write transaction ("" on SQLite: the database lock suffices)
  bool insert_returning;        // INSERT … RETURNING id (PostgreSQL) or the last insert id (SQLite, MySQL)
  const char* skip_locked;      // row lock that skips rows another transaction holds ("" on SQLite)
  // Appended to an INSERT whose key may exist already, {key} filled in: "ON CONFLICT ({key}) DO
  // NOTHING", or "" where a duplicate key fails the statement alone (MySQL); insert_new() hides which.
  const char* on_conflict_do_nothing;
  // Whether the schema_migrations table exists (one count).
  const char* migrations_table_exists;
  // Serialises concurrent migrators; returns 1 once held ("": BEGIN IMMEDIATE serialises already).
  // Released by migration_unlock after the migration's COMMIT or ROLLBACK ("": with the transaction).
  const char* migration_lock;
  const char* migration_unlock;
  // Substituted in migrations: {{ID_PRIMARY_KEY}}; {{KEY_TEXT}} (text in a key or index); the word
  // TEXT (unbounded text); appended to every CREATE TABLE (character set, collation).
  const char* id_primary_key;
  const char* key_text;
  const char* long_text;
  const char* table_options;
  // Substituted for {{JSON_TEXT(column, key)}} in migrations, with {col} and {key} filled in: the
  // string at `key` of the JSON object in `column`, NULL when the column is not a JSON object or
  // the value is missing or not a string.
  const char* json_text;
};
const Dialect& dialect(Backend b);

struct Connection {
  Backend backend = Backend::sqlite;  // the SQL dialect
  bool odbc = false;                  // through SOCI's ODBC backend instead of the database's own
  std::string display;  // the redacted URL, for messages
  std::unique_ptr<soci::session> sql;
  // The database's chain hash (settings.audit_hash, migration 010; sha256 when absent), read at open.
  store::HashAlgorithm hash = store::HashAlgorithm::sha256;
  const Dialect& sql_dialect() const { return dialect(backend); }
};

// Opens a session and configures it (SQLite: WAL, busy timeout, foreign keys, synchronous=FULL;
// PostgreSQL: connect/lock timeouts, UTF-8; MySQL: the same, plus strict ANSI SQL mode and READ
// COMMITTED). UnavailableError (or CorruptError) on failure.
Connection connect(const std::string& url, const OpenOptions& options);

// Starts the read-only snapshot transaction of begin_read.
void begin_snapshot(Connection& c);

// The dialect's on_conflict_do_nothing for the key columns `key` ("programme, year").
std::string on_conflict_do_nothing(const Connection& c, const char* key);
// Executes an INSERT that ends with on_conflict_do_nothing(c, key): true when it stored its
// row, false when a row with the same key exists already (nothing written).
bool insert_new(Connection& c, soci::statement& st);

// The id the last INSERT on `c` generated for `table`'s {{ID_PRIMARY_KEY}} (where the dialect has
// no insert_returning).
long long last_insert_id(Connection& c, const char* table);

// Call inside a catch block: rethrows StoreErrors unchanged and SOCI errors as the matching
// StoreError (Unavailable, Conflict, Corrupt, Backend), with `context` and the backend's message.
[[noreturn]] void rethrow_translated(const Connection& c, const std::string& context);

// Completes a statement whose into/use elements were exchanged. `reuse`: prepared for repeated
// execution (PostgreSQL: a named server-side statement); otherwise executed once (reads).
void prepare_statement(soci::statement& st, const std::string& query, bool reuse);

// Backend specifics (sqlite.cpp, postgresql.cpp, mysql.cpp, odbc.cpp).
namespace sqlite {
std::unique_ptr<soci::session> open(const std::string& path, const OpenOptions& options);
store::ErrorKind classify(const soci::soci_error& e);
}  // namespace sqlite
namespace postgresql {
std::unique_ptr<soci::session> open(const std::string& uri, const OpenOptions& options);
void configure(soci::session& sql, const OpenOptions& options);  // the session settings, after connecting
store::ErrorKind classify(const std::string& sqlstate);
store::ErrorKind classify(const soci::soci_error& e, soci::session* sql);
}  // namespace postgresql
namespace mysql {
std::unique_ptr<soci::session> open(const std::string& connect, const OpenOptions& options);
void configure(soci::session& sql, const OpenOptions& options);  // the session settings, after connecting
store::ErrorKind classify(unsigned error_number);
store::ErrorKind classify(const soci::soci_error& e, soci::session* sql);
bool is_duplicate_key(unsigned error_number);      // ER_DUP_ENTRY (1062), ER_DUP_UNIQUE
bool is_duplicate_key(const soci::soci_error& e);
}  // namespace mysql
// A database of dialect `dialect` through its ODBC driver (odbc.cpp).
namespace odbc {
std::unique_ptr<soci::session> open(const std::string& connect, Backend dialect, const OpenOptions& options);
store::ErrorKind classify(const soci::soci_error& e, soci::session* sql, Backend dialect);
bool is_duplicate_key(const soci::soci_error& e, Backend dialect);
}  // namespace odbc

}  // namespace subsidy::soci_store::detail
