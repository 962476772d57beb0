// Shared plumbing of the case-store commands (see case_cli.hpp).
#include "cli/case_cli.hpp"

#include <pwd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "model/date.hpp"
#include "service/publish.hpp"
#include "json/codec.hpp"
#include "soci/soci_store.hpp"

namespace subsidy::cli {

std::optional<std::string> read_text(const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<store::CaseRepository> open_db(const std::string& db) {
  return soci_store::open_repository(soci_store::resolve_database_url(db));
}

int exit_code(service::ErrorKind k) {
  switch (k) {
    case service::ErrorKind::usage: return kExitUsage;
    case service::ErrorKind::input: return kExitInput;
    case service::ErrorKind::rules: return kExitRules;
    case service::ErrorKind::refused: return kExitRefused;
    case service::ErrorKind::conflict: return kExitConflict;
    case service::ErrorKind::not_found: return kExitInput;
    case service::ErrorKind::database: return kExitDatabase;
    case service::ErrorKind::internal: return kExitInternal;
  }
  return kExitInternal;
}

int report_rules_error(const files::LoadedRules& lr, const std::string& error, bool json, const std::string& code) {
  if (!lr.error.empty()) return report_error({"rules", "rules_unreadable", lr.error, {}, kExitRules}, json);
  if (!lr.diags.has_errors()) return report_error({"rules", code, error, {}, kExitRules}, json);
  files::print_diagnostics(lr);
  return report_error({"rules", "rules_invalid", error + ": " + diag::summary(lr.diags),
                       {{"errors", std::to_string(lr.diags.error_count())}}, kExitRules},
                      json);
}

CurrentRules current_rules(const std::string& rules_option, store::CaseRepository& repo) {
  CurrentRules out;
  if (rules_option.empty())
    if (auto p = repo.published_ruleset()) {
      out.disk.rules = service::published_rules(repo, p->version, json::codec());
      out.published = std::move(p);
      return out;
    }
  out.disk = files::prepare(rules_option.empty() ? "rules" : rules_option);
  if (!rules_option.empty() && out.disk.rules)
    if (auto p = repo.published_ruleset(); p && p->ruleset_hash != out.disk.rules->hash())
      std::fprintf(stderr,
                   "warning: --rules %s (ruleset %s) is not the published rule version %d (ruleset %s); using --rules\n",
                   rules_option.c_str(), out.disk.rules->hash().substr(0, 12).c_str(), p->version,
                   p->ruleset_hash.substr(0, 12).c_str());
  return out;
}

int open_session(const std::string& rules, const std::string& db, Session& s, bool json) {
  return guarded(
      [&] {
        s.repo = open_db(db);
        s.rules = current_rules(rules, *s.repo).disk;
        if (!s.rules.rules)
          return report_rules_error(*s.rules.lr, s.rules.error, json,
                                    s.rules.calendar.error.empty() ? "no_calendar" : "calendar_unreadable");
        s.env.emplace(*s.rules.rules, *s.repo);
        return kExitOk;
      },
      json);
}

ErrorView error_view(const service::ServiceError& e) {
  const int rc = exit_code(e.kind());
  return {service::error_kind_name(e.kind()), e.code(), e.what(), e.details(), rc};
}

ErrorView error_view(const store::StoreError& e) { return error_view(service::to_service_error(e)); }

int guarded(const std::function<int()>& body, bool json) {
  try {
    return body();
  } catch (const service::ServiceError& e) {
    return report_error(error_view(e), json);
  } catch (const store::StoreError& e) {
    return report_error(error_view(e), json);
  }
}

model::Days date_or_today(const std::string& text) { return text.empty() ? model::today_cst() : *model::parse_date(text); }

std::string date_check(const std::string& s) { return model::parse_date(s) ? std::string() : "not a date (YYYY-MM-DD): " + s; }

std::string os_user() {
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name && *pw->pw_name) return std::string("os:") + pw->pw_name;
  return "os:uid " + std::to_string(::geteuid());
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : sep) + x;
  return out;
}

void add_db_option(CLI::App* cmd, std::string& db) {
  cmd->add_option("--db", db, "database URL: a SQLite file or postgresql://… (default: $SUBSIDY_DB, else subsidy.db)");
}
void add_rules_option(CLI::App* cmd, std::string& rules) {
  rules.clear();  // not given: the database's published rule version, else `rules` (current_rules)
  cmd->add_option("--rules", rules,
                  "rules directory (default: the latest rule version published in the database, else rules; see `rules versions`)");
}

}  // namespace subsidy::cli
