#pragma once
// Decision replay (docs/whatif.md "Publishing and replay", docs/cases.md): a stored decision
// re-evaluated from what it was made with — the case's stored facts (its latest facts version, the
// one the decision was made on), the stored ruleset of the decision and its as-of date, and the
// applicant's awards as they were when it was made — and compared with what is stored, so that a
// decision changed in the database (or by a different evaluator) is found and named.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "model/date.hpp"
#include "service/codec.hpp"
#include "store/case_repository.hpp"

namespace subsidy::service {

struct ReplayDifference {
  std::string what;      // "outcome", "amount_fen" (the case's columns) or a path in the decision JSON: "programs.R14.amount_fen"
  std::string stored;    // the stored value ("(none)" when absent)
  std::string replayed;  // the value the replay gives ("(none)" when absent)
};

enum class ReplayStatus {
  identical,    // the replay gives exactly the stored decision
  differs,      // it does not: `differences` says where
  no_decision,  // the case has no decision to replay
  unreplayable  // the decision cannot be replayed here: `problem` says why (ruleset not stored, facts no longer decode)
};
const char* replay_status_name(ReplayStatus s);  // "identical", "differs", "no_decision", "unreplayable"

struct ReplayResult {
  store::CaseId id = 0;
  std::string application_id, programme;
  ReplayStatus status = ReplayStatus::no_decision;
  std::string ruleset_hash;  // of the stored decision
  model::Days as_of = 0;
  int facts_version = 0;
  std::string decided_at;  // the event that made the decision (submit or correct), UTC
  std::vector<ReplayDifference> differences;  // at most kReplayDifferences, then one "…" entry
  std::string problem;
};
inline constexpr std::size_t kReplayDifferences = 50;

// Replays one case's decision (NotFoundError for an unknown case). `codec` reads the facts and writes
// the decision as the service does (json::codec()).
ReplayResult replay_case(store::CaseRepository& repo, store::CaseId id, const Codec& codec);

struct ReplaySummary {
  std::size_t cases = 0, identical = 0, differs = 0, no_decision = 0, unreplayable = 0;
  std::vector<ReplayResult> findings;  // the differing and unreplayable cases, by id, at most `max_findings`
  std::size_t findings_left_off = 0;   // how many more there were
  bool clean() const { return differs == 0 && unreplayable == 0; }
};
// Replays every case in the database, a page of cases at a time (memory bounded by the page and
// `max_findings`); `progress(done)` after each case.
ReplaySummary replay_all(store::CaseRepository& repo, const Codec& codec, const std::function<void(std::size_t)>& progress = {},
                         std::size_t max_findings = 100);

}  // namespace subsidy::service
