#include "soci/connection.hpp"

#include <soci/soci.h>

#include <exception>

namespace subsidy::soci_store::detail {
namespace {

// The backend's message without the trailing line breaks libpq adds.
std::string backend_message(const soci::soci_error& e) {
  std::string m = e.get_error_message();
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ' || m.back() == '\t')) m.pop_back();
  return m;
}

}  // namespace

const Dialect& dialect(Backend b) {
  static const Dialect kSqlite{
      "BEGIN IMMEDIATE", "BEGIN", "", false, "INTEGER PRIMARY KEY AUTOINCREMENT", "",
      "CASE WHEN json_valid({col}) THEN CASE json_type({col}, '$.{key}') WHEN 'text' THEN json_extract({col}, '$.{key}') END END"};
  // PostgreSQL 15 has no json_valid(): a column that starts like an object is cast (the engine
  // writes only JSON there, so a failing cast is a corrupt row and fails the migration).
  static const Dialect kPostgres{
      "BEGIN", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", " FOR UPDATE", true, "BIGSERIAL PRIMARY KEY",
      " FOR UPDATE SKIP LOCKED",
      "CASE WHEN {col} LIKE '{%' THEN CASE jsonb_typeof({col}::jsonb -> '{key}') WHEN 'string' THEN {col}::jsonb ->> '{key}' END END"};
  return b == Backend::sqlite ? kSqlite : kPostgres;
}

void prepare_statement(soci::statement& st, const std::string& query, bool reuse) {
  st.alloc();
  st.prepare(query, reuse ? soci::details::st_repeatable_query : soci::details::st_one_time_query);
  st.define_and_bind();
}

Connection connect(const std::string& url, const OpenOptions& options) {
  const DatabaseUrl where = parse_database_url(url);
  Connection c;
  c.backend = where.backend;
  c.display = redact_url(url);
  try {
    c.sql = where.backend == Backend::sqlite ? sqlite::open(where.target, options)
                                             : postgresql::open(where.target, options);
  } catch (const store::StoreError&) {
    throw;
  } catch (const soci::soci_error& e) {
    const store::ErrorKind kind =
        where.backend == Backend::sqlite ? sqlite::classify(e) : store::ErrorKind::unavailable;
    const std::string message = "cannot open database " + c.display + ": " + backend_message(e);
    if (kind == store::ErrorKind::corrupt) throw store::CorruptError(message);
    throw store::UnavailableError(message);
  }
  return c;
}

void rethrow_translated(const Connection& c, const std::string& context) {
  try {
    throw;
  } catch (const store::StoreError&) {
    throw;
  } catch (const soci::soci_error& e) {
    const store::ErrorKind kind =
        c.backend == Backend::sqlite ? sqlite::classify(e) : postgresql::classify(e, c.sql.get());
    const std::string message = context + " (" + c.display + "): " + backend_message(e);
    switch (kind) {
      case store::ErrorKind::unavailable: throw store::UnavailableError(message);
      case store::ErrorKind::conflict: throw store::ConflictError(message);
      case store::ErrorKind::corrupt: throw store::CorruptError(message);
      default: throw store::BackendError(context + " (" + c.display + "): " + e.what());
    }
  }
}

}  // namespace subsidy::soci_store::detail
