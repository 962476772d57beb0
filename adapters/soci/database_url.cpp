// Database URLs: which backend, and where.
#include <cstdlib>
#include <string>

#include "soci/soci_store.hpp"
#include "store/errors.hpp"

namespace subsidy::soci_store {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

DatabaseUrl parse_database_url(const std::string& url) {
  if (url.empty()) throw store::UnavailableError("no database given (use --db, SUBSIDY_DB or the default subsidy.db)");
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) return {Backend::postgresql, url};
  std::string path = url;
  if (starts_with(url, "sqlite://")) {
    path = url.substr(9);
  } else if (starts_with(url, "sqlite:")) {
    path = url.substr(7);
  } else if (auto scheme = url.find("://"); scheme != std::string::npos) {
    throw store::UnavailableError("unsupported database URL scheme '" + url.substr(0, scheme) +
                                  "' (use a file path, sqlite:PATH or postgresql://…)");
  }
  if (path.empty()) throw store::UnavailableError("database URL '" + url + "' names no file");
  return {Backend::sqlite, path};
}

std::string redact_url(const std::string& url) {
  // scheme://user:password@host… → scheme://user:***@host…
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto authority = scheme + 3;
  const auto at = url.find('@', authority);
  const auto slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const auto colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string resolve_database_url(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv(kDatabaseEnv); env != nullptr && *env != '\0') return env;
  return kDefaultDatabase;
}

}  // namespace subsidy::soci_store
