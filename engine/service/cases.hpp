#pragma once
// Case orchestration (docs/cases.md): evaluation with the awards feedback, the workflow transition
// function, budget hooks and the store, each use case's changes in one unit of work. The
// repository and the prepared rules are injected, so the logic runs on any store::CaseRepository
// (SOCI, or the in-memory one in tests) for every caller (cli/, the HTTP service). No printing.
// Failures are ServiceError (service/errors.hpp) or store::StoreError.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"
#include "model/date.hpp"
#include "model/facts.hpp"
#include "service/errors.hpp"
#include "service/prepared.hpp"
#include "store/case_repository.hpp"
#include "workflow/calendar.hpp"
#include "workflow/transition.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::service {

// What every use case needs: the prepared rules and the repository.
struct Env {
  Env(const PreparedRules& r, store::CaseRepository& store)
      : rules(r), rs(r.ruleset()), wfs(r.workflows()), cal(r.calendar()), repo(store) {}
  const PreparedRules& rules;
  const eval::Ruleset& rs;
  const workflow::WorkflowSet& wfs;
  const workflow::Calendar& cal;
  store::CaseRepository& repo;
};

// ---------------------------------------------------------------- evaluation

// Applies the awards feedback (docs/cases.md §4) to decoded facts: prior_awards, every group's
// `already` money fact, last_funded_year. Awards of `exclude_case` (the case itself) are ignored.
void feed_awards(const eval::Ruleset& rs, const std::vector<store::Award>& awards, int call_year,
                 store::CaseId exclude_case, model::Facts& facts);

struct Evaluated {
  std::string application_id;  // the facts' "id"
  model::Facts facts;          // decoded, with the awards feedback
  store::CaseDecision decision;
  workflow::Decision wf_decision;  // eligible / decided amount as guards see them
};
// Decodes `facts_json` for programme `p` (ServiceError input naming the field; "id" is required),
// feeds back the applicant's awards and evaluates at `as_of`. `awards_until` (UTC ISO-8601, for a
// replay): awards disbursed after it are not fed back.
Evaluated evaluate_facts(const Env& env, const Programme& p, const std::string& facts_json, model::Days as_of,
                         const std::string& applicant, store::CaseId exclude_case = 0, const std::string& awards_until = {});
// Decodes stored facts without awards feedback (for the workflow's guards).
model::Facts decode_facts(const Env& env, const Programme& p, const std::string& facts_json);
// Rebuilds the full explanation of a stored decision's facts at `as_of` (text).
std::string explain(const Env& env, const Programme& p, const std::string& facts_json, model::Days as_of,
                    const std::string& applicant, store::CaseId case_id, bool english);

// ---------------------------------------------------------------- submit / import

struct SubmitRequest {
  std::string programme, facts_json, applicant, actor = "申报单位";
  std::optional<model::Days> as_of;  // default: date
  model::Days date = 0;              // the workflow date (today or --date)
};
struct Prepared {  // a case ready to store, with its first event
  store::NewCase nc;
  store::Event event;
  Evaluated ev;
  workflow::StepResult start;
  std::vector<std::string> warnings;  // e.g. an applicant key that fails the GB 32100-2015 check (recorded anyway)
};
Prepared prepare(const Env& env, const Programme& p, const SubmitRequest& r);
// prepare() of many submissions that differ only in their facts (`case import`), with one awards
// look-up for all of them (CaseRepository::awards_of) instead of one per submission: in input
// order, each the Prepared or the ServiceError prepare() would give. ServiceError usage for a blank actor.
struct PreparedOrError {
  std::optional<Prepared> prepared;
  std::optional<ServiceError> error;
};
std::vector<PreparedOrError> prepare_batch(const Env& env, const Programme& p, const SubmitRequest& r,
                                           std::span<const std::string> facts_json);

struct SubmitResult {
  store::CaseId id = 0;
  bool created = false;  // false: the application id already had a case (idempotent)
  store::Case c;
  std::optional<Prepared> prepared;  // when created
};
SubmitResult submit(const Env& env, const SubmitRequest& r);

// Stores one batch in one transaction (create_cases_with_events: the cases and their first events).
// Returns how many were created.
std::size_t store_batch(const Env& env, std::vector<Prepared>& batch);

// ---------------------------------------------------------------- act / correct

struct ActRequest {
  store::CaseId id = 0;
  std::string action, role, actor, note;
  model::Days date = 0;
  // `approve` of a smaller amount (分), where the workflow marks the stage `amount adjustable`; the
  // reason is required and recorded with the event (docs/cases.md §5).
  std::optional<model::Fen> amount = std::nullopt;
  std::string reason = {};
  // The case version the caller saw (an HTTP client's `version`): another stored version → ServiceError conflict.
  std::optional<std::int64_t> expected_version = std::nullopt;
};
struct ActResult {
  store::Case c;                        // after
  workflow::StepResult step;
  std::vector<std::string> budget_notes;  // what happened to the budget ("reserved 50000.00 yuan", "no budget …")
};
// Refusals → ServiceError refused (code: the refusal kind, budget_exceeded, nothing_to_pay); lost
// optimistic lock → store::ConflictError; an empty or blank actor → ServiceError usage.
ActResult act(const Env& env, const ActRequest& r);
// ServiceError conflict unless the client saw this version of the case (nothing expected: no check).
void check_version(const store::Case& c, const std::optional<std::int64_t>& expected);

struct CorrectRequest {
  store::CaseId id = 0;
  std::string facts_json, actor, note;
  model::Days date = 0;
  std::optional<std::int64_t> expected_version = std::nullopt;  // as in ActRequest
};
struct CorrectResult {
  store::Case c;
  store::CaseDecision before, after;
  int facts_version = 0;
  std::vector<std::string> budget_notes;
};
// Only where the workflow allows it (workflow::correction_refusal) → else ServiceError refused; the case's
// reservation follows the new decided amount (docs/cases.md §3).
CorrectResult correct(const Env& env, const CorrectRequest& r);

// ---------------------------------------------------------------- timers

struct AdvanceResult {
  bool moved = false;           // the timers moved the case: one `system` event was stored
  bool skipped_locked = false;  // another unit of work holds the case (PostgreSQL): try again later
  std::string from, to;         // stages before and after (comma-separated)
  std::vector<workflow::Event> events;
  std::vector<std::string> budget_notes;  // the reservation released when the timers closed the case
  model::Fen released_fen = 0;            // how much of it (read under the case's lock)
  store::Case c;                // the case as stored afterwards (not read when skipped_locked)
};
// Lets time pass for one case until `date` (docs/cases.md "advance"): when its `after` period
// (公示, correction period) ended before `date`, the moves are stored as ONE `system` event in a unit
// of work that holds the case's row lock, and a case the timers closed gives its reservation back.
// Exactly once: a case already moved (by another run or a step) is no longer due and is left alone.
AdvanceResult advance_case(const Env& env, store::CaseId id, model::Days date);
// The same for several cases in ONE unit of work (one commit: what makes `case advance` fast), each
// under its row lock and re-checked there; results in the order of `ids`. Any failure (an error of
// one case, a lost lock) rolls back the whole batch and is thrown: retry its cases one by one.
std::vector<AdvanceResult> advance_cases(const Env& env, std::span<const store::CaseId> ids, model::Days date);

// ---------------------------------------------------------------- queries

// The actions `role` (empty: every role) can take on the case on `date`, each with who may take it,
// where it leads and — when its guard says no — the refusal the step would get
// (workflow::available_actions on the case's stored state, facts and payable amount).
// ServiceError usage/unknown_role (with "did you mean") for a role the workflow does not know.
std::vector<workflow::AvailableAction> available_actions(const Env& env, store::CaseId id, const std::string& role,
                                                         model::Days date);

// The prepared rules a stored decision was made with: the current ones when the hash is theirs,
// else the ruleset stored with the decision (compiled once per hash per process, with the current
// calendar and codec); null when that ruleset was never stored (decisions made before migration 004).
std::shared_ptr<const PreparedRules> rules_for(const Env& env, const std::string& ruleset_hash);
// The same without current rules (e.g. `case show` without the rules directory): the stored ruleset only.
std::shared_ptr<const PreparedRules> stored_rules(store::CaseRepository& repo, const std::string& ruleset_hash,
                                                  const Codec& codec, const workflow::Calendar& calendar = {});

// ---------------------------------------------------------------- budget allocation

enum class Allocation { pro_rata, ranked };
struct AllocationLine {
  store::CaseId id = 0;
  std::string application_id;
  model::Fen decided = 0, before = 0, allocated = 0;
};
struct AllocationResult {
  store::Budget budget;  // after
  model::Fen demand = 0, available = 0;
  std::vector<AllocationLine> lines;
};
// Releases the open eligible cases' reservations and shares what is then available (docs/cases.md
// §5). ServiceError usage for an empty actor, an unknown programme or an impossible year; refused
// (no_budget) without a budget. `preview`: the same result (the budget as it would be after), but
// the unit of work is rolled back, so nothing changes.
AllocationResult allocate(const Env& env, const std::string& programme, int year, Allocation method,
                          const std::string& actor, bool preview = false);

// ---------------------------------------------------------------- budgets

// The call years a budget may be set for (docs/cases.md §5); ServiceError usage outside them.
inline constexpr int kFirstYear = 2000, kLastYear = 2100;
void check_year(int year);
// Creates or changes the budget of a programme of the ruleset for a call year; ServiceError usage
// for an unknown programme, an impossible year, a negative total or no actor; BudgetExceededError
// below what is committed. The change is an event of the budget's ledger, with its actor and note.
store::Budget set_budget(const Env& env, const std::string& programme, int year, model::Fen total, const std::string& actor,
                         const std::string& note = {});

// ---------------------------------------------------------------- helpers

// The decided amount of an eligible case, capped by what an officer approved (0 otherwise).
model::Fen approved_amount(const store::Case& c);
// What the case will be paid: approved_amount capped by its share in the last allocation.
model::Fen payable(const store::Case& c);

bool is_terminal(const workflow::Workflow& wf, const std::string& stage);
std::string money(model::Fen fen);  // "50000.00 yuan"-style human amount

}  // namespace subsidy::service
