// MariaDB/MySQL specifics: connecting with bounded waits and the session settings the guarantees in
// docs/storage.md rely on, and classifying the server's error numbers.
#include <soci/mysql/soci-mysql.h>
#include <soci/soci.h>

#include <initializer_list>
#include <string>

#include "soci/connection.hpp"

namespace subsidy::soci_store::detail::mysql {
namespace {

// Server and client error numbers (mysqld_error.h, errmsg.h).
constexpr unsigned kDupEntry = 1062;         // ER_DUP_ENTRY
constexpr unsigned kDupUnique = 1169;        // ER_DUP_UNIQUE
constexpr unsigned kLockWaitTimeout = 1205;  // ER_LOCK_WAIT_TIMEOUT
constexpr unsigned kLockDeadlock = 1213;     // ER_LOCK_DEADLOCK
constexpr unsigned kCheckRead = 1020;        // ER_CHECKREAD: record changed since last read (snapshot isolation)

bool one_of(unsigned n, std::initializer_list<unsigned> set) {
  for (unsigned s : set) {
    if (n == s) return true;
  }
  return false;
}

}  // namespace

void configure(soci::session& sql, const OpenOptions& options) {
  // Strict: a value that does not fit is an error, never truncated; ANSI quoting and || as on the
  // other backends. READ COMMITTED, as on PostgreSQL: the guarded UPDATEs and the FOR UPDATE reads
  // see the latest committed rows (docs/storage.md §5). Lock waits end after busy_timeout.
  sql << "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
         "NO_ENGINE_SUBSTITUTION,ANSI_QUOTES,PIPES_AS_CONCAT'";
  sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
  const long long seconds = (options.busy_timeout.count() + 999) / 1000;
  const std::string wait = std::to_string(seconds < 1 ? 1 : seconds);
  sql << "SET SESSION innodb_lock_wait_timeout = " + wait;
  sql << "SET SESSION lock_wait_timeout = " + wait;
}

std::unique_ptr<soci::session> open(const std::string& connect, const OpenOptions& options) {
  std::string target = connect;
  if (target.find("connect_timeout=") == std::string::npos && options.connect_timeout_s > 0) {
    target += " connect_timeout=" + std::to_string(options.connect_timeout_s);
  }
  if (target.find("charset=") == std::string::npos) target += " charset=utf8mb4";
  auto sql = std::make_unique<soci::session>(soci::mysql, target);
  configure(*sql, options);
  return sql;
}

bool is_duplicate_key(unsigned error_number) { return one_of(error_number, {kDupEntry, kDupUnique}); }

bool is_duplicate_key(const soci::soci_error& e) {
  const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e);
  return my != nullptr && is_duplicate_key(my->err_num_);
}

store::ErrorKind classify(unsigned n) {
  // The client library's own errors (2000–2999: cannot connect, server gone away 2006, connection
  // lost 2013, …), and the server's: too many connections, access denied, unknown database, server
  // shutting down, connection aborted or killed, idle disconnect, lock wait timeout.
  if ((n >= 2000 && n < 3000) || one_of(n, {1040, 1044, 1045, 1049, 1053, 1077, 1152, 1158, 1159, 1160, 1161, 1927,
                                            4031, kLockWaitTimeout})) {
    return store::ErrorKind::unavailable;
  }
  if (one_of(n, {kDupEntry, kDupUnique, kLockDeadlock, kCheckRead})) return store::ErrorKind::conflict;
  // Table or index files damaged (incorrect key file, crashed table, corrupted index).
  if (one_of(n, {126, 127, 1034, 1035, 1194, 1195, 1712})) return store::ErrorKind::corrupt;
  return store::ErrorKind::backend;
}

store::ErrorKind classify(const soci::soci_error& e, soci::session* sql) {
  const auto* my = dynamic_cast<const soci::mysql_soci_error*>(&e);
  store::ErrorKind kind = store::ErrorKind::backend;
  if (my != nullptr) {
    kind = classify(my->err_num_);
  } else if (e.get_error_category() == soci::soci_error::connection_error) {
    kind = store::ErrorKind::unavailable;
  }
  if (kind == store::ErrorKind::backend && sql != nullptr && !sql->is_connected()) return store::ErrorKind::unavailable;
  return kind;
}

}  // namespace subsidy::soci_store::detail::mysql
