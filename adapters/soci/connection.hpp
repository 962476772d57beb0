#pragma once
// Adapter-internal: one SOCI session on either backend, the few SQL differences between them, and
// the translation of SOCI errors into typed store errors. Included by the adapter's own tests
// (raw SQL for tamper tests); not part of the public API (soci_store.hpp is).
#include <soci/session.h>

#include <memory>
#include <string>

#include "soci/soci_store.hpp"
#include "store/errors.hpp"

namespace soci {
class soci_error;
class statement;
}  // namespace soci

namespace subsidy::soci_store::detail {

// The SQL that differs per backend.
struct Dialect {
  const char* begin_write;      // SQLite takes the write lock up front, so transactions never deadlock on upgrade
  const char* begin_read;       // a consistent snapshot for multi-statement reads (audit verification)
  const char* for_update;       // row lock on SELECT inside a write transaction ("" on SQLite: the database lock suffices)
  bool insert_returning;        // INSERT … RETURNING id (PostgreSQL) or last_insert_rowid() (SQLite)
  const char* id_primary_key;   // substituted for {{ID_PRIMARY_KEY}} in migrations
  const char* skip_locked;      // row lock that skips rows another transaction holds ("" on SQLite)
  // Substituted for {{JSON_TEXT(column, key)}} in migrations, with {col} and {key} filled in: the
  // string at `key` of the JSON object in `column`, NULL when the column is not a JSON object or
  // the value is missing or not a string.
  const char* json_text;
};
const Dialect& dialect(Backend b);

struct Connection {
  Backend backend = Backend::sqlite;
  std::string display;  // the redacted URL, for messages
  std::unique_ptr<soci::session> sql;
  const Dialect& sql_dialect() const { return dialect(backend); }
};

// Opens a session and configures it (SQLite: WAL, busy timeout, foreign keys, synchronous=FULL;
// PostgreSQL: connect/lock timeouts, UTF-8). UnavailableError (or CorruptError) on failure.
Connection connect(const std::string& url, const OpenOptions& options);

// Call inside a catch block: rethrows StoreErrors unchanged and SOCI errors as the matching
// StoreError (Unavailable, Conflict, Corrupt, Backend), with `context` and the backend's message.
[[noreturn]] void rethrow_translated(const Connection& c, const std::string& context);

// Completes a statement whose into/use elements were exchanged. `reuse`: prepared for repeated
// execution (PostgreSQL: a named server-side statement); otherwise executed once (reads).
void prepare_statement(soci::statement& st, const std::string& query, bool reuse);

// Backend specifics (sqlite.cpp, postgresql.cpp).
namespace sqlite {
std::unique_ptr<soci::session> open(const std::string& path, const OpenOptions& options);
store::ErrorKind classify(const soci::soci_error& e);
}  // namespace sqlite
namespace postgresql {
std::unique_ptr<soci::session> open(const std::string& uri, const OpenOptions& options);
store::ErrorKind classify(const soci::soci_error& e, soci::session* sql);
}  // namespace postgresql

}  // namespace subsidy::soci_store::detail
