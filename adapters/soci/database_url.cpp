// Database URLs: which backend, and where.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <utility>
#include <string>

#include "soci/soci_store.hpp"
#include "store/errors.hpp"

namespace subsidy::soci_store {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

[[noreturn]] void bad_mysql_url(const std::string& url, const std::string& why) {
  throw store::UnavailableError("database URL '" + redact_url(url) + "': " + why +
                                " (use mysql://USER:PASSWORD@HOST:PORT/DB or SOCI's mysql://db=DB user=USER …)");
}

std::string percent_decode(const std::string& url, const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      bad_mysql_url(url, "'%' must be followed by two hexadecimal digits");
    }
    out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
    i += 2;
  }
  return out;
}

// A value of SOCI's MySQL connection string: quoted, with ' and \ escaped by a backslash.
std::string soci_value(const std::string& v) {
  std::string out = "'";
  for (char ch : v) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

// SOCI's own form: "db=… user=…" (a parameter name, then '=').
bool is_soci_connect_string(const std::string& rest) {
  std::size_t i = 0;
  while (i < rest.size() && (std::isalpha(static_cast<unsigned char>(rest[i])) || rest[i] == '_')) ++i;
  while (i < rest.size() && rest[i] == ' ') ++i;
  return i > 0 && i < rest.size() && rest[i] == '=';
}

// mysql://USER:PASSWORD@HOST:PORT/DB?OPTION=VALUE&… → host=… port=… user=… password=… db=… OPTION=…
std::string mysql_connect_string(const std::string& url, const std::string& rest) {
  if (is_soci_connect_string(rest)) return rest;
  std::string authority = rest, path, query;
  if (auto q = authority.find('?'); q != std::string::npos) {
    query = authority.substr(q + 1);
    authority.erase(q);
  }
  if (auto slash = authority.find('/'); slash != std::string::npos) {
    path = authority.substr(slash + 1);
    authority.erase(slash);
  }
  std::string out;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!out.empty()) out += ' ';
    out += key + "=" + soci_value(value);
  };
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    authority.erase(0, at + 1);
    const auto colon = userinfo.find(':');
    add("user", percent_decode(url, userinfo.substr(0, colon)));
    if (colon != std::string::npos) add("password", percent_decode(url, userinfo.substr(colon + 1)));
  }
  std::string host = authority, port;
  if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5) {
      bad_mysql_url(url, "the port must be a number");
    }
  }
  if (!host.empty()) add("host", percent_decode(url, host));
  if (!port.empty()) add("port", port);
  const std::string db = percent_decode(url, path);
  if (db.empty() || db.find('/') != std::string::npos) bad_mysql_url(url, "name one database after the host: /DB");
  add("db", db);
  for (std::size_t start = 0; start < query.size();) {
    auto amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    const std::string item = query.substr(start, amp - start);
    start = amp + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    static constexpr const char* kKnown[] = {"unix_socket", "sslca", "sslcert", "sslkey", "charset",
                                             "connect_timeout", "read_timeout", "write_timeout"};
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known || eq == std::string::npos) {
      bad_mysql_url(url, "unknown option '" + key +
                             "' (known: unix_socket, sslca, sslcert, sslkey, charset, connect_timeout, read_timeout, "
                             "write_timeout)");
    }
    add(key, percent_decode(url, item.substr(eq + 1)));
  }
  return out;
}

}  // namespace

DatabaseUrl parse_database_url(const std::string& url) {
  if (url.empty()) throw store::UnavailableError("no database given (use --db, SUBSIDY_DB or the default subsidy.db)");
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) return {Backend::postgresql, url};
  for (const char* scheme : {"mysql://", "mariadb://"}) {
    if (starts_with(url, scheme)) return {Backend::mysql, mysql_connect_string(url, url.substr(std::string(scheme).size()))};
  }
  if (starts_with(url, "odbc:")) {
    // odbc:DIALECT:CONNECTION-STRING — an ODBC driver, and the SQL of the database behind it.
    for (const auto& [prefix, dialect] : {std::pair<const char*, Backend>{"odbc:mysql:", Backend::mysql},
                                          {"odbc:mariadb:", Backend::mysql}}) {
      if (starts_with(url, prefix)) {
        const std::string connect = url.substr(std::string(prefix).size());
        if (connect.empty()) break;
        return {dialect, connect, true};
      }
    }
    throw store::UnavailableError("database URL '" + redact_url(url) +
                                  "': use odbc:mysql:CONNECTION-STRING (e.g. odbc:mysql:DSN=subsidy;UID=…;PWD=…)");
  }
  std::string path = url;
  if (starts_with(url, "sqlite://")) {
    path = url.substr(9);
  } else if (starts_with(url, "sqlite:")) {
    path = url.substr(7);
  } else if (auto scheme = url.find("://"); scheme != std::string::npos) {
    throw store::UnavailableError("unsupported database URL scheme '" + url.substr(0, scheme) +
                                  "' (use a file path, sqlite:PATH, postgresql://… or mysql://…)");
  }
  if (path.empty()) throw store::UnavailableError("database URL '" + url + "' names no file");
  return {Backend::sqlite, path};
}

std::string redact_url(const std::string& url) {
  std::string out = url;
  // scheme://user:password@host… → scheme://user:***@host…
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto authority = scheme + 3;
    const auto at = out.find('@', authority);
    const auto slash = out.find('/', authority);
    const auto colon = out.find(':', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash) && colon != std::string::npos &&
        colon < at) {
      out = out.substr(0, colon + 1) + "***" + out.substr(at);
    }
  }
  // …password=secret, pass='se cret' (URL options, SOCI connection strings), PWD={se;cret} (ODBC) → …=***
  std::string lower = out;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const std::string key : {"password=", "pass=", "pwd="}) {
    for (auto p = lower.find(key); p != std::string::npos; p = lower.find(key, p + 1)) {
      if (p > 0 && (std::isalnum(static_cast<unsigned char>(lower[p - 1])) || lower[p - 1] == '_')) continue;
      const auto begin = p + key.size();
      auto end = begin;
      if (end < out.size() && out[end] == '\'') {
        for (++end; end < out.size() && out[end] != '\''; ++end) {
          if (out[end] == '\\') ++end;
        }
        if (end < out.size()) ++end;
      } else if (end < out.size() && out[end] == '{') {
        end = out.find('}', end);
        end = end == std::string::npos ? out.size() : end + 1;
      } else {
        while (end < out.size() && out[end] != ' ' && out[end] != '&' && out[end] != ';') ++end;
      }
      out.replace(begin, std::min(end, out.size()) - begin, "***");
      lower.replace(begin, std::min(end, lower.size()) - begin, "***");
    }
  }
  return out;
}

std::string resolve_database_url(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv(kDatabaseEnv); env != nullptr && *env != '\0') return env;
  return kDefaultDatabase;
}

}  // namespace subsidy::soci_store
