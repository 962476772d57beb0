// ODBC: a MariaDB/MySQL database reached through its ODBC driver (unixODBC, Debian's odbc-mariadb)
// instead of SOCI's own MySQL backend: the same dialect and session settings, the driver's
// connection string, and the server's error numbers as the driver reports them.
#include <soci/odbc/soci-odbc.h>
#include <soci/soci.h>

#include <cctype>
#include <stdexcept>
#include <string>

#include "soci/connection.hpp"

namespace subsidy::soci_store::detail::odbc {
namespace {

constexpr long kFoundRows = 2;  // MariaDB Connector/ODBC OPTION flag: UPDATE counts matched rows, as SOCI's MySQL backend

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// The connection string with the FOUND_ROWS flag set in its OPTION attribute (added when missing):
// the guarded UPDATEs read "no row matched" from the row count (docs/storage.md §5).
std::string with_found_rows(const std::string& connect) {
  const std::string u = upper(connect);
  for (auto p = u.find("OPTION="); p != std::string::npos; p = u.find("OPTION=", p + 1)) {
    if (p > 0 && u[p - 1] != ';' && u[p - 1] != ' ') continue;
    const auto begin = p + 7;
    const auto end = connect.find(';', begin);
    const std::string value = connect.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    long flags = 0;
    try {
      flags = std::stol(value);
    } catch (const std::exception&) {
      throw store::UnavailableError("ODBC connection string: OPTION=" + value + " is not a number");
    }
    return connect.substr(0, begin) + std::to_string(flags | kFoundRows) +
           (end == std::string::npos ? "" : connect.substr(end));
  }
  return connect + (connect.empty() || connect.back() == ';' ? "" : ";") + "OPTION=" + std::to_string(kFoundRows);
}

}  // namespace

std::unique_ptr<soci::session> open(const std::string& connect, Backend dialect, const OpenOptions& options) {
  if (dialect != Backend::mysql) throw std::logic_error("ODBC is supported for the MySQL dialect only");
  soci::connection_parameters parameters(soci::odbc, with_found_rows(connect));
  // Never a login dialog: a failed connection is an error naming why (SQL_DRIVER_NOPROMPT).
  parameters.set_option(soci::odbc_option_driver_complete, std::to_string(SQL_DRIVER_NOPROMPT).c_str());
  auto sql = std::make_unique<soci::session>(parameters);
  mysql::configure(*sql, options);
  return sql;
}

store::ErrorKind classify(const soci::soci_error& e, soci::session* sql, Backend dialect) {
  store::ErrorKind kind = store::ErrorKind::backend;
  if (const auto* o = dynamic_cast<const soci::odbc_soci_error*>(&e); o != nullptr && dialect == Backend::mysql) {
    const std::string state = reinterpret_cast<const char*>(o->odbc_error_code());
    kind = mysql::classify(static_cast<unsigned>(o->native_error_code()));
    if (kind == store::ErrorKind::backend && (state.rfind("08", 0) == 0 || state == "HYT00" || state == "HYT01")) {
      kind = store::ErrorKind::unavailable;  // the driver's own: link failure, timeouts
    }
  } else if (e.get_error_category() == soci::soci_error::connection_error) {
    kind = store::ErrorKind::unavailable;
  }
  if (kind == store::ErrorKind::backend && sql != nullptr && !sql->is_connected()) return store::ErrorKind::unavailable;
  return kind;
}

bool is_duplicate_key(const soci::soci_error& e, Backend dialect) {
  const auto* o = dynamic_cast<const soci::odbc_soci_error*>(&e);
  return o != nullptr && dialect == Backend::mysql && mysql::is_duplicate_key(static_cast<unsigned>(o->native_error_code()));
}

}  // namespace subsidy::soci_store::detail::odbc
