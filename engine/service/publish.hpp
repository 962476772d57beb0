#pragma once
// Published rule versions (docs/whatif.md "Publishing and replay"): a checked and tested ruleset
// stored with a version number, who published it, when and why, which then is the ruleset the
// service and the case commands use when they are not given a rules directory.
#include <memory>
#include <optional>
#include <string>
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
// Checks the rules (ServiceError rules/rules_invalid with the error count when they have errors),
// runs their tests (ServiceError refused/rule_tests_failed naming each failing test, its file:line,
// expected and actual — nothing is stored then) and stores the ruleset and a new version in one unit
// of work. ServiceError usage for an empty note or who.
PublishResult publish_rules(store::CaseRepository& repo, const PublishRequest& r);

// The prepared rules of a published version (the latest when none), compiled from the stored
// sources with the stored calendar, once per process per ruleset hash. ServiceError not_found
// (no_published_version / unknown_version) when there is none.
std::shared_ptr<const PreparedRules> published_rules(store::CaseRepository& repo, std::optional<int> version,
                                                     const Codec& codec);

// "12 passed, 0 failed; coverage 5/5 programmes, 30/32 requirements" (what a version records).
std::string test_summary(const eval::Ruleset& rs, const eval::TestReport& rep);

}  // namespace subsidy::service
