#pragma once
// Published rule versions (docs/whatif.md "Publishing and replay"): a checked and tested ruleset
// stored with a version number, who published it, when and why, which then is the ruleset the
// service and the case commands use when they are not given a rules directory.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eval/run_tests.hpp"
#include "model/date.hpp"
#include "service/codec.hpp"
#include "service/prepared.hpp"
#include "store/case_repository.hpp"

namespace subsidy::service {

struct PublishRequest {
  const CompiledRules* compiled = nullptr;  // the rules as compiled (diagnostics name files by `compiled->sources`)
  std::vector<store::RulesetFile> files;    // their sources (ruleset_hash(files) == compiled->ruleset->hash)
  std::string calendar_text;                // the working-day calendar published with them ("" when none)
  std::string note;                         // why (required)
  std::string who;                          // the OS user (CLI) or the authenticated user (HTTP) (required)
  model::Days tests_as_of = 0;              // the date of tests without `as of`
};
struct PublishResult {
  store::PublishedRuleset published;  // the new version, or the latest one when `unchanged`
  bool unchanged = false;             // the latest published version already is this ruleset: nothing stored
  eval::TestReport tests;
};
// ---- rule files sent inline (POST /v1/whatif, /v1/rules/diff, /v1/rules/publish, the desk's rules page) ----

struct InlineFile {
  std::string path;  // relative, '/'-separated, as in a rules directory: "r14.rules", "2025/rd.rules"
  std::string text;
};
inline constexpr std::size_t kMaxInlineFiles = 500;
inline constexpr std::size_t kMaxInlineBytes = 8u << 20;                      // all texts together
inline constexpr std::string_view kInlineCalendarPath = "calendar/cn-mainland.tsv";  // where a rules directory keeps it

struct InlineRules {
  std::unique_ptr<CompiledRules> compiled;        // never null; diagnostics name the files by their paths
  std::vector<store::RulesetFile> files;          // the .rules files in the order a rules directory loads them
  std::string calendar_text;                      // the calendar sent at kInlineCalendarPath ("" when none)
  std::shared_ptr<const PreparedRules> prepared;  // with that calendar, else `fallback_calendar`
};
// Compiles rule files sent as text exactly as `rules check` compiles a directory holding them: the
// `.rules` files in path order (and a calendar at kInlineCalendarPath). ServiceError
// input/bad_rules_file (details: file) for a path that is empty, absolute, with `.`/`..` segments
// or a backslash, not ending in `.rules`, given twice, or a text with a NUL byte; input/no_rules_files;
// input/rules_too_large past kMaxInlineFiles or kMaxInlineBytes; input/rules_invalid when they do
// not check (details: errors, location — the first error's file:line:col —, diagnostics — all of
// them rendered as `rules check` prints them), also for a calendar with errors.
InlineRules compile_inline(std::vector<InlineFile> files, const workflow::Calendar& fallback_calendar, const Codec& codec);

// Checks the rules (ServiceError rules/rules_invalid with the error count when they have errors),
// runs their tests (ServiceError refused/rule_tests_failed naming each failing test, its file:line,
// expected and actual — nothing is stored then) and stores the ruleset and a new version in one unit
// of work. ServiceError usage for an empty note or who. Publishers racing on one database get
// distinct consecutive version numbers (a publisher that lost the race for a number retries with the
// next one, a few times, then gets ServiceError conflict/concurrent_publish), and one ruleset
// published twice at once is stored once (the other gets `unchanged`).
PublishResult publish_rules(store::CaseRepository& repo, const PublishRequest& r);

// The prepared rules of a published version (the latest when none), compiled from the stored
// sources with the stored calendar, once per process per ruleset hash. ServiceError not_found
// (no_published_version / unknown_version) when there is none.
std::shared_ptr<const PreparedRules> published_rules(store::CaseRepository& repo, std::optional<int> version,
                                                     const Codec& codec);

// A version as JSON (`rules versions --format json`, GET /v1/rules/versions): version, ruleset_hash,
// note, published_by, published_at, test_summary, calendar (whether one was published with it), and
// `unchanged` when given (`rules publish`, POST /v1/rules/publish). One line, no line end.
std::string version_json(const store::PublishedRuleset& v, std::optional<bool> unchanged = std::nullopt);
// {"versions":[…]} of version_json objects, by version.
std::string versions_json(const std::vector<store::PublishedRuleset>& all);

// "12 passed, 0 failed; coverage 5/5 programmes, 30/32 requirements" (what a version records).
std::string test_summary(const eval::Ruleset& rs, const eval::TestReport& rep);

}  // namespace subsidy::service
