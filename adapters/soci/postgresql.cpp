// PostgreSQL specifics: connecting with bounded waits, and classifying SQLSTATEs.
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <string>

#include "soci/connection.hpp"

namespace subsidy::soci_store::detail::postgresql {

void configure(soci::session& sql, const OpenOptions& options) {
  sql << "SET client_encoding = 'UTF8'";
  sql << "SET lock_timeout = " + std::to_string(options.busy_timeout.count());
}

std::unique_ptr<soci::session> open(const std::string& uri, const OpenOptions& options) {
  std::string target = uri;
  if (target.find("connect_timeout=") == std::string::npos && options.connect_timeout_s > 0) {
    target += target.find('?') == std::string::npos ? '?' : '&';
    target += "connect_timeout=" + std::to_string(options.connect_timeout_s);
  }
  auto sql = std::make_unique<soci::session>(soci::postgresql, target);
  configure(*sql, options);
  return sql;
}

store::ErrorKind classify(const std::string& state) {
  const std::string klass = state.substr(0, 2);
  if (klass == "08" || klass == "53" || klass == "57" || state == "55P03") return store::ErrorKind::unavailable;
  if (state == "40001" || state == "40P01" || state == "23505") return store::ErrorKind::conflict;
  if (state == "XX001" || state == "XX002") return store::ErrorKind::corrupt;
  return store::ErrorKind::backend;
}

store::ErrorKind classify(const soci::soci_error& e, soci::session* sql) {
  // A broken connection first: whatever the statement error says, the server is gone.
  if (sql != nullptr && !sql->is_connected()) return store::ErrorKind::unavailable;
  const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e);
  if (pg == nullptr) {
    return e.get_error_category() == soci::soci_error::connection_error ? store::ErrorKind::unavailable
                                                                        : store::ErrorKind::backend;
  }
  return classify(pg->sqlstate());
}

}  // namespace subsidy::soci_store::detail::postgresql
