#include "soci/migrations.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>
#include <utility>

namespace subsidy::soci_store {
namespace detail {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string migration_label(const MigrationSource& m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%03d_", m.version);
  return buf + std::string(m.name);
}

bool has_migrations_table(Connection& c) {
  long long n = 0;
  *c.sql << c.sql_dialect().migrations_table_exists, soci::into(n);
  return n > 0;
}

// Replaces every whole word `word` (not part of a longer identifier) by `by`.
void replace_word(std::string& text, const std::string& word, const std::string& by) {
  auto is_ident = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  for (auto p = text.find(word); p != std::string::npos; p = text.find(word, p)) {
    const bool alone = (p == 0 || !is_ident(text[p - 1])) &&
                       (p + word.size() == text.size() || !is_ident(text[p + word.size()]));
    if (!alone) {
      p += word.size();
      continue;
    }
    text.replace(p, word.size(), by);
    p += by.size();
  }
}

// The migration lock of the dialect, if any: UnavailableError when another migrator keeps it.
void lock_migrations(Connection& c) {
  const char* lock = c.sql_dialect().migration_lock;
  if (*lock == '\0') return;
  long long held = 0;
  soci::indicator ind = soci::i_null;
  *c.sql << lock, soci::into(held, ind);
  if (ind != soci::i_ok || held != 1) {
    throw store::UnavailableError("another process is migrating " + c.display + " and did not finish within 60 s");
  }
}

void unlock_migrations(Connection& c) {
  if (*c.sql_dialect().migration_unlock != '\0') *c.sql << c.sql_dialect().migration_unlock;
}

int max_version(Connection& c) {
  long long v = 0;
  soci::indicator ind = soci::i_null;
  *c.sql << "SELECT MAX(version) FROM schema_migrations", soci::into(v, ind);
  return ind == soci::i_ok ? static_cast<int>(v) : 0;
}

}  // namespace

std::vector<std::string> migration_statements(const MigrationSource& m, Backend backend) {
  std::string text;
  std::string sql = m.sql;
  for (std::size_t pos = 0; pos < sql.size();) {  // strip "--" comments, line by line
    auto eol = sql.find('\n', pos);
    if (eol == std::string::npos) eol = sql.size();
    std::string line = sql.substr(pos, eol - pos);
    if (auto dash = line.find("--"); dash != std::string::npos) line.erase(dash);
    text += line;
    text += '\n';
    pos = eol + 1;
  }
  const Dialect& d = dialect(backend);
  replace_word(text, "TEXT", d.long_text);  // before the tokens: {{KEY_TEXT}} and JSON_TEXT are not the word
  for (const auto& [token, value] : {std::pair<std::string, std::string>{"{{ID_PRIMARY_KEY}}", d.id_primary_key},
                                     {"{{KEY_TEXT}}", d.key_text}}) {
    for (auto p = text.find(token); p != std::string::npos; p = text.find(token, p + value.size())) {
      text.replace(p, token.size(), value);
    }
  }
  const std::string json_open = "{{JSON_TEXT(", json_close = ")}}";
  for (auto p = text.find(json_open); p != std::string::npos; p = text.find(json_open, p)) {
    const auto close = text.find(json_close, p);
    const auto comma = text.find(',', p);
    if (close == std::string::npos || comma == std::string::npos || comma > close) {
      throw std::logic_error("migration " + migration_label(m) + ": {{JSON_TEXT(column, key)}} needs a column and a key");
    }
    const std::string column = trim(text.substr(p + json_open.size(), comma - p - json_open.size()));
    const std::string key = trim(text.substr(comma + 1, close - comma - 1));
    std::string expr = d.json_text;
    for (const auto& [placeholder, value] : {std::pair<std::string, std::string>{"{col}", column}, {"{key}", key}}) {
      for (auto q = expr.find(placeholder); q != std::string::npos; q = expr.find(placeholder, q + value.size()))
        expr.replace(q, placeholder.size(), value);
    }
    text.replace(p, close + json_close.size() - p, expr);
    p += expr.size();
  }
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto semi = text.find(';'); ; semi = text.find(';', start)) {
    std::string stmt = trim(text.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
    if (stmt.rfind("CREATE TABLE", 0) == 0) stmt += d.table_options;
    if (!stmt.empty()) out.push_back(std::move(stmt));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  return out;
}

int read_schema_version(Connection& c) {
  try {
    return has_migrations_table(c) ? max_version(c) : 0;
  } catch (...) {
    rethrow_translated(c, "cannot read the schema version");
  }
}

MigrationReport apply_migrations(Connection& c, const OpenOptions& options) {
  const int latest = latest_schema_version();
  MigrationReport report;
  report.from = read_schema_version(c);
  if (report.from > latest) throw store::SchemaTooNewError(report.from, latest);
  int current = report.from;
  for (const MigrationSource& m : migration_sources()) {
    if (m.version <= current) continue;
    bool open = false, locked = false;
    try {
      *c.sql << c.sql_dialect().begin_write;
      open = true;
      lock_migrations(c);  // serialise concurrent migrators of this schema (SQLite: BEGIN IMMEDIATE already does)
      locked = true;
      *c.sql << std::string("CREATE TABLE IF NOT EXISTS schema_migrations ("
                            "version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)") +
                    c.sql_dialect().table_options;
      current = max_version(c);
      if (current > latest) {
        *c.sql << "ROLLBACK";
        open = false;
        throw store::SchemaTooNewError(current, latest);
      }
      if (current >= m.version) {  // another process applied it meanwhile
        *c.sql << "COMMIT";
        open = false;
        unlock_migrations(c);
        locked = false;
        continue;
      }
      for (const std::string& stmt : migration_statements(m, c.backend)) *c.sql << stmt;
      std::string now = options.clock();
      run_migration_code(c, m.version, now);
      long long version = m.version;
      std::string name = m.name;
      *c.sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)", soci::use(version),
          soci::use(name), soci::use(now);
      *c.sql << "COMMIT";
      open = false;
      unlock_migrations(c);
      locked = false;
      current = m.version;
      report.applied.push_back(migration_label(m));
    } catch (...) {
      if (open) {
        try {
          *c.sql << "ROLLBACK";
        } catch (...) {
        }
      }
      if (locked) {
        try {
          unlock_migrations(c);
        } catch (...) {
        }
      }
      rethrow_translated(c, "migration " + migration_label(m) + " failed");
    }
  }
  report.to = current;
  return report;
}

void check_schema(Connection& c, const OpenOptions& options) {
  const int latest = latest_schema_version();
  const int version = read_schema_version(c);
  if (version == latest) return;
  if (version > latest) throw store::SchemaTooNewError(version, latest);
  if (version == 0 && c.backend == Backend::sqlite && options.migrate_fresh_sqlite) {
    apply_migrations(c, options);
    return;
  }
  throw store::SchemaTooOldError(version, latest);
}

}  // namespace detail

int latest_schema_version() {
  int latest = 0;
  for (const auto& m : detail::migration_sources()) latest = std::max(latest, m.version);
  return latest;
}

}  // namespace subsidy::soci_store
