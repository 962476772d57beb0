#pragma once
// Shared plumbing of the commands that use the case store (case, budget, db, audit): opening the
// rules, calendar and database, reporting errors (text, or the JSON error object of cli/output.hpp)
// with their exit codes, dates. The JSON of a case is json::case_json (adapters/json/case_json.hpp).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/output.hpp"
#include "files/rules_dir.hpp"
#include "service/cases.hpp"
#include "service/errors.hpp"
#include "service/queries.hpp"
#include "store/case_repository.hpp"

namespace CLI {
class App;
}

namespace subsidy::cli {

struct Session {
  files::PreparedFromDisk rules;
  std::unique_ptr<store::CaseRepository> repo;
  std::optional<service::Env> env;
};

// The documented exit code of a service error kind (docs/integration.md §6).
int exit_code(service::ErrorKind k);

// Opens the database (--db, $SUBSIDY_DB, subsidy.db); StoreError on failure.
std::unique_ptr<store::CaseRepository> open_db(const std::string& db);
// Loads rules + calendar and opens the database; returns an exit code (0: ok), reporting why not
// (as a JSON error object on stdout too when `json`). The rules are current_rules(rules, db).
int open_session(const std::string& rules, const std::string& db, Session& s, bool json = false);

// The rules a case command uses (docs/whatif.md "Publishing and replay"): the directory of --rules
// when given — with a warning on stderr when the database has a published rule version that is
// another ruleset —, else the database's latest published version when it has one, else the
// directory `rules`. `disk.rules` is the prepared rules either way (a published version leaves
// `disk.lr` empty); `disk.error` when the directory cannot be used. ServiceError / StoreError when
// the published version cannot be read.
struct CurrentRules {
  files::PreparedFromDisk disk;
  std::optional<store::PublishedRuleset> published;  // the version used, when one was
};
CurrentRules current_rules(const std::string& rules_option, store::CaseRepository& repo);
// Runs `body`; a ServiceError or StoreError is reported (text on stderr, and the JSON error object
// on stdout when `json`) and mapped to its exit code.
int guarded(const std::function<int()>& body, bool json = false);

// The error object of a service or storage error (docs/integration.md §5.1).
ErrorView error_view(const service::ServiceError& e);
ErrorView error_view(const store::StoreError& e);
// Rules that cannot be used: `lr`'s read error (rules_unreadable), or its diagnostics on stderr and
// `error` with their summary (rules_invalid), else `error` with `code`. Returns kExitRules.
int report_rules_error(const files::LoadedRules& lr, const std::string& error, bool json, const std::string& code = "rules_invalid");

// --date / --as-of: the parsed date, or today (China Standard Time) when empty.
model::Days date_or_today(const std::string& text);
std::string date_check(const std::string& s);
std::optional<std::string> read_text(const std::string& path);  // "-" = stdin

std::string join(const std::vector<std::string>& v, const char* sep);
// The operating-system user running the command (recorded as the actor of local administration).
std::string os_user();

// Common options.
void add_db_option(CLI::App* cmd, std::string& db);
void add_rules_option(CLI::App* cmd, std::string& rules);

}  // namespace subsidy::cli
