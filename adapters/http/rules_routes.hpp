#pragma once
// The rules routes of policy staff (docs/service.md "Rules: what-if, diff, versions, publish"):
//   POST /v1/whatif            a draft (a published version, or rule files inline) against a population
//                              sent inline (JSON Lines) or the stored cases; the report of
//                              `rules whatif --format json`, or with ?format=html the self-contained page
//   POST /v1/rules/diff        the structural diff of a draft against the served rules (or a version)
//   GET  /v1/rules/versions    the published rule versions
//   POST /v1/rules/publish     rule files inline, checked and tested, stored as the next version and
//                              served from then on (the service's RulesHolder)
// Every one needs the scope `policy` (sessions of the roles `policy` and `admin` have it) when the
// service has a database; without one only a what-if of a population is served (as decisions are).
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "eval/diff.hpp"
#include "http/handlers.hpp"
#include "service/publish.hpp"
#include "service/whatif.hpp"

namespace subsidy::http {

// A what-if runs at most this long (then 422 refused/time_limit): an interactive request, not a
// batch — `subsidy rules whatif` has no limit.
inline constexpr std::chrono::seconds kWhatIfTimeLimit{120};
inline constexpr std::size_t kWhatIfMaxSample = 1000;

// What a what-if is asked (the body of POST /v1/whatif, the desk's form).
struct WhatIfRequest {
  std::optional<int> base_version;            // none: the served rules
  std::optional<int> draft_version;           // or `files`
  std::vector<service::InlineFile> files;
  std::optional<std::string> population;      // JSON Lines, or `cases`
  std::optional<service::CaseScope> cases;
  model::Days as_of = 0;
  std::string by;
  std::size_t sample = 20;
  bool english = false;
};
struct WhatIfOutcome {
  service::WhatIfReport report;
  eval::RulesDiff diff;
};
// Runs it: `repo` (null without a database) gives the versions, the cases and the budgets of the
// year. ServiceError usage/no_database when it needs one; input/bad_applicant (details: line) when a
// record of the population does not decode; refused/time_limit past kWhatIfTimeLimit; what
// compile_inline and published_rules throw.
WhatIfOutcome run_whatif(const Services& services, store::CaseRepository* repo, const WhatIfRequest& request);

void add_rules_routes(Router& router, const Services& services);

// The self-contained what-if report page (service::whatif_html) as a response: its inline styles
// allowed, nothing else (Content-Security-Policy), not cached.
Response report_page(std::string html);

// The publication behind POST /v1/rules/publish and the desk's rules page: compiles the files
// (service::compile_inline, with the served rules' calendar unless one is sent; the calendar text
// stored is the one sent, else the latest published version's), publishes them as `who` with `note`,
// and serves the latest published version from then on (RulesHolder::reload; racing publishers
// serve the last one). Throws what service::publish_rules throws.
service::PublishResult publish_inline(const Services& services, store::CaseRepository& repo, std::vector<service::InlineFile> files,
                                      const std::string& note, const std::string& who, model::Days tests_as_of);

}  // namespace subsidy::http
