#include "soci/connection.hpp"

#include <soci/soci.h>

#include <exception>
#include <stdexcept>

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
      .begin_write = "BEGIN IMMEDIATE",
      .snapshot_isolation = "",
      .begin_read = "BEGIN",
      .for_update = "",
      .insert_returning = false,
      .skip_locked = "",
      .on_conflict_do_nothing = " ON CONFLICT ({key}) DO NOTHING",
      .migrations_table_exists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
      .migration_lock = "",
      .migration_unlock = "",
      .id_primary_key = "INTEGER PRIMARY KEY AUTOINCREMENT",
      .key_text = "TEXT",
      .long_text = "TEXT",
      .table_options = "",
      .json_text = "CASE WHEN json_valid({col}) THEN CASE json_type({col}, '$.{key}') WHEN 'text' THEN "
                   "json_extract({col}, '$.{key}') END END"};
  // PostgreSQL 15 has no json_valid(): a column that starts like an object is cast (the engine
  // writes only JSON there, so a failing cast is a corrupt row and fails the migration).
  static const Dialect kPostgres{
      .begin_write = "BEGIN",
      .snapshot_isolation = "",
      .begin_read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
      .for_update = " FOR UPDATE",
      .insert_returning = true,
      .skip_locked = " FOR UPDATE SKIP LOCKED",
      .on_conflict_do_nothing = " ON CONFLICT ({key}) DO NOTHING",
      .migrations_table_exists = "SELECT count(*) FROM information_schema.tables "
                                 "WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
      .migration_lock = "SELECT 1 FROM pg_advisory_xact_lock(7301, hashtext(current_schema()))",
      .migration_unlock = "",
      .id_primary_key = "BIGSERIAL PRIMARY KEY",
      .key_text = "TEXT",
      .long_text = "TEXT",
      .table_options = "",
      .json_text = "CASE WHEN {col} LIKE '{%' THEN CASE jsonb_typeof({col}::jsonb -> '{key}') WHEN 'string' THEN "
                   "{col}::jsonb ->> '{key}' END END"};
  // MariaDB 10.6+ (MySQL 8 would need utf8mb4_0900_bin): InnoDB tables of utf8mb4 compared byte
  // for byte without padding (utf8mb4_nopad_bin: 'a' <> 'A' <> 'a ', as on SQLite and PostgreSQL); TEXT holds only 64 KiB, so
  // unbounded text is LONGTEXT, and a key cannot be (LONG)TEXT, so key columns are VARCHAR(255).
  // A duplicate key fails only its statement (the transaction goes on), which insert_new() uses.
  // The migration lock is a named session lock, since DDL commits the transaction it runs in.
  static const Dialect kMysql{
      .begin_write = "START TRANSACTION",
      .snapshot_isolation = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
      .begin_read = "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
      .for_update = " FOR UPDATE",
      .insert_returning = false,
      .skip_locked = " FOR UPDATE SKIP LOCKED",
      .on_conflict_do_nothing = "",
      .migrations_table_exists = "SELECT count(*) FROM information_schema.tables "
                                 "WHERE table_schema = DATABASE() AND table_name = 'schema_migrations'",
      .migration_lock = "SELECT GET_LOCK(CONCAT('subsidy.migrate.', DATABASE()), 60)",
      .migration_unlock = "DO RELEASE_LOCK(CONCAT('subsidy.migrate.', DATABASE()))",
      .id_primary_key = "BIGINT AUTO_INCREMENT PRIMARY KEY",
      .key_text = "VARCHAR(255)",
      .long_text = "LONGTEXT",
      .table_options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin",
      .json_text = "CASE WHEN JSON_VALID({col}) THEN CASE JSON_TYPE(JSON_EXTRACT({col}, '$.{key}')) WHEN 'STRING' THEN "
                   "JSON_UNQUOTE(JSON_EXTRACT({col}, '$.{key}')) END END"};
  switch (b) {
    case Backend::sqlite: return kSqlite;
    case Backend::postgresql: return kPostgres;
    case Backend::mysql: return kMysql;
  }
  return kSqlite;
}

void begin_snapshot(Connection& c) {
  if (*c.sql_dialect().snapshot_isolation != '\0') *c.sql << c.sql_dialect().snapshot_isolation;
  *c.sql << c.sql_dialect().begin_read;
}

std::string on_conflict_do_nothing(const Connection& c, const char* key) {
  std::string clause = c.sql_dialect().on_conflict_do_nothing;
  if (auto p = clause.find("{key}"); p != std::string::npos) clause.replace(p, 5, key);
  return clause;
}

bool insert_new(Connection& c, soci::statement& st) {
  if (*c.sql_dialect().on_conflict_do_nothing != '\0') {
    st.execute(true);
    return st.get_affected_rows() == 1;  // 0: ON CONFLICT DO NOTHING
  }
  try {
    st.execute(true);
  } catch (const soci::soci_error& e) {
    if (c.odbc ? odbc::is_duplicate_key(e, c.backend) : mysql::is_duplicate_key(e)) return false;
    throw;
  }
  return true;
}

long long last_insert_id(Connection& c, const char* table) {
  long long id = 0;
  // SOCI's ODBC backend knows the last insert id of MySQL but not of MariaDB's driver.
  if (c.odbc && c.backend == Backend::mysql) {
    *c.sql << "SELECT LAST_INSERT_ID()", soci::into(id);
  } else if (!c.sql->get_last_insert_id(table, id)) {
    throw std::logic_error(std::string("no last insert id for ") + table);
  }
  return id;
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
  c.odbc = where.odbc;
  c.display = redact_url(url);
  try {
    if (where.odbc) {
      c.sql = odbc::open(where.target, where.backend, options);
    } else {
      switch (where.backend) {
        case Backend::sqlite: c.sql = sqlite::open(where.target, options); break;
        case Backend::postgresql: c.sql = postgresql::open(where.target, options); break;
        case Backend::mysql: c.sql = mysql::open(where.target, options); break;
      }
    }
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
    store::ErrorKind kind = store::ErrorKind::backend;
    if (c.odbc) {
      kind = odbc::classify(e, c.sql.get(), c.backend);
    } else {
      switch (c.backend) {
        case Backend::sqlite: kind = sqlite::classify(e); break;
        case Backend::postgresql: kind = postgresql::classify(e, c.sql.get()); break;
        case Backend::mysql: kind = mysql::classify(e, c.sql.get()); break;
      }
    }
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
