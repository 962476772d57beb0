#pragma once
// The pure transition function of a workflow (docs/workflow.md §6): given the definition, the
// case's state, a step (action, actor, date), the applicant's facts, the programme's decision and
// the working-day calendar, it returns the new state, the events and the deadlines — or a refusal
// with its reason. No I/O, no clock, no logging; thread-safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/facts.hpp"
#include "workflow/calendar.hpp"
#include "workflow/case_state.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::workflow {

// The decision of the case's programme, as guards see it (`eligible`, `decided_amount`).
struct Decision {
  bool eligible = true;
  std::int64_t amount = 0;  // 分; guards see 0 when not eligible
};

struct Context {
  const model::Facts& facts;  // sized to the ruleset's schema
  Decision decision;
  const Calendar& calendar;
};

struct Step {
  std::string action;  // "approve"
  std::string actor;   // a role, e.g. "旗县区科技局[临河区]"
  Days date = 0;
};

enum class EventKind : std::uint8_t {
  created,         // the case entered its start stage
  entered,         // the case moved from `stage` to `to` (by `action` of `role`, or by a timer)
  vote,            // a reviewer voted (detail: approve/reject and who is still to vote)
  joint_decided,   // the joint review's policy decided (detail: approve/reject)
  timer,           // an `after` period ended and moved the case (role "system")
  clock_paused,    // a return for correction stopped the deadline of `stage` (detail: what was left)
  clock_resumed,   // back from correction: the deadline of `to` runs again
  overdue,         // the step was taken after the stage's due date
  no_responsible,  // no `responsible` line applies to this case
  no_transition,   // a joint review decided but no `on approve`/`on reject` transition is enabled
  calendar_gap,    // a date was computed beyond the calendar's data (weekday rule used)
};
const char* event_kind_name(EventKind k);

struct Event {
  EventKind kind = EventKind::entered;
  Days date = 0;
  std::string stage;   // the stage concerned (the one left, voted in, paused…)
  std::string to;      // entered / clock_resumed: the new stage
  std::string action;  // the action, when a step caused it
  std::string role;    // the actor ("system" for timers)
  std::string detail;  // readable details (English)
  // created / entered: who handles the stage reached and its dates (empty for terminal stages).
  std::string responsible;             // the responsible role, or the reviewers of a joint review
  std::optional<Days> due, timer;
};

enum class RefusalKind : std::uint8_t {
  wrong_role,      // the actor may not take this action here
  not_available,   // no transition with this action at this stage
  guard_false,     // the actor's transitions for this action all have false guards
  joint_pending,   // the coordinator tries to decide an open joint review
  already_voted,   // a reviewer votes twice
  case_closed,     // the case is in a terminal stage
  unknown_action,  // not a declared action
  unknown_role,    // not a declared role (or family member)
  out_of_order,    // dated before the case's latest step
  guard_error,     // a guard could not be evaluated (e.g. a parameter not in force)
  not_correctable, // facts may be corrected only before review or in a correction stage
};
const char* refusal_kind_name(RefusalKind k);

struct Refusal {
  RefusalKind kind = RefusalKind::not_available;
  std::string message;  // English, names the stage, roles and guards concerned
};

struct Deadline {
  enum class Kind : std::uint8_t { deadline, timer };
  std::string stage;
  Kind kind = Kind::deadline;
  Days date = 0;
};

struct StepResult {
  CaseState state;  // after the step; when refused: unchanged, except for timers that fired first
  std::vector<Event> events;
  std::optional<Refusal> refusal;
  std::vector<Deadline> deadlines;  // of the resulting state
  bool applied() const { return !refusal; }
};

// A new case entering the workflow's start stage on `date`.
StepResult start(const Workflow& wf, const Context& ctx, Days date);
// Lets time pass until `date`: every `after` period that ended before `date` moves the case.
StepResult advance(const Workflow& wf, const CaseState& state, const Context& ctx, Days date);
// advance() to the step's date, then the step itself (or a refusal).
StepResult apply(const Workflow& wf, const CaseState& state, const Step& step, const Context& ctx);

// An action that can be taken at the case's current stage (docs/workflow.md §6, "Available actions").
struct AvailableAction {
  std::string action;               // "approve"
  std::string stage;                // the stage it is taken at (after timers that ran out)
  std::vector<std::string> roles;   // who may take it, resolved: "旗县区科技局[临河区]"; every one gets the outcome below
  std::vector<std::string> targets; // the stages its transitions lead to (a joint review's vote: those of
                                    // `on approve`/`on reject`; `-> back`: the stage that returned the case)
  bool amount_adjustable = false;   // `approve` at an `amount adjustable` stage: the officer may approve less
  bool allowed = false;             // apply() takes the step now
  std::string leads_to;             // when allowed: the stage the case is in after the step
  std::optional<Refusal> refusal;   // when not allowed: apply()'s refusal (guard_false, guard_error…)
};

// The actions that can be taken at the case's stage on `date`, for `role` (empty: every role), in the
// stage's order (a joint review's votes first). Timers that ran out by `date` are applied first, as
// apply() does. Each entry is decided by apply() itself, so an allowed entry is applied without
// refusal and a refused one is refused with the same text. A closed case has none; so has a role
// that cannot act here (not responsible, not named by `by`, not a reviewer yet to vote).
std::vector<AvailableAction> available_actions(const Workflow& wf, const CaseState& state, const Context& ctx,
                                               std::string_view role, Days date);
std::string to_json(const AvailableAction& a);

// Whether the step that produced `r` approved the case at the workflow's reserving stage
// (Workflow::reserving_stage()): the case left that stage by `approve` — an officer's approval, or
// a joint review's decision to approve. The budget is reserved then (docs/cases.md).
bool reserves_budget(const Workflow& wf, const StepResult& r);

// Whether the applicant's facts may be corrected in `state` (docs/workflow.md §4): only before
// review — at the workflow's start stage — and in a `correction` stage (补正, the case returned to
// the applicant). Anywhere else (under review, in public notice, at or after disbursement) the
// refusal (not_correctable) names the stage and where corrections are possible.
std::optional<Refusal> correction_refusal(const Workflow& wf, const CaseState& state);

// What a case store indexes (store::Case stages/roles/deadlines).
struct CaseSummary {
  std::vector<std::string> stages;       // the current stage
  std::vector<std::string> roles;        // whose inbox the case is in: the responsible role, or the reviewers yet to vote
  std::map<std::string, Days> deadlines;  // stage → due date
  bool terminal = false;
};
CaseSummary summarize(const Workflow& wf, const CaseState& state);

// JSON for integrators and `workflow simulate --format json`: the state as an object (same keys as
// to_json(CaseState)), an event, a whole step result.
std::string to_json(const Event& e);
std::string to_json(const StepResult& r);
std::vector<Deadline> deadlines(const CaseState& state);

// The last day of a period that starts on `from` (`from` not counted): the N-th working day after
// it, or N calendar days later moved to the next working day.
Days period_end(const Calendar& cal, Days from, const eval::PeriodSpec& p);

}  // namespace subsidy::workflow
