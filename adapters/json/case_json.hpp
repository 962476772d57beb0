#pragma once
// The JSON of cases and what surrounds them — a case, its events, a decision, budgets and their
// ledger, an allocation, awards, an audit report, the next actions — written the same way for the
// CLI (`--format json`) and the HTTP service (docs/service.md "Cases API", docs/cases.md). Money is
// in integer 分 (`…_fen`) with a yuan string for people where shown.
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "model/date.hpp"
#include "service/budgets.hpp"
#include "service/cases.hpp"
#include "service/queries.hpp"
#include "store/audit.hpp"
#include "store/budget.hpp"
#include "store/case.hpp"
#include "store/event.hpp"
#include "workflow/transition.hpp"

namespace subsidy::json {

// A case: id, application, programme, stages, roles, deadlines, due (and `overdue` on `today`),
// closed, its running timer (with `env`), decision, the amounts and versions.
boost::json::object case_object(const store::Case& c, std::optional<model::Days> today = std::nullopt,
                                const service::Env* env = nullptr);
std::string case_json(const store::Case& c, std::optional<model::Days> today = std::nullopt, const service::Env* env = nullptr);

// {outcome, amount_fen, amount, as_of, ruleset_hash}.
boost::json::object decision_object(const store::CaseDecision& d);

// One event of a case's history: case, seq, date (the workflow date of the step, or null), at,
// actor, role, action, from, to, note, and — for an approval of a smaller amount — amount_fen,
// amount and reason; then payload, prev_hash, hash.
boost::json::object event_object(const store::Event& e);

// {stage, stage_label, ends, then, why, text} of a running 公示 or correction period.
boost::json::object timer_object(const service::RunningTimer& t);

// A next action (workflow::AvailableAction, as `case show` lists it), and a workflow event.
boost::json::value action_value(const workflow::AvailableAction& a);
boost::json::value workflow_event_value(const workflow::Event& e);

boost::json::object budget_object(const store::Budget& b);
boost::json::object budget_event_object(const store::BudgetEvent& e);
// {demand_fen, available_fen, lines:[{case, application_id, decided_fen, before_fen, allocated_fen}…], budget}.
boost::json::object allocation_object(const service::AllocationResult& r);

boost::json::object award_object(const store::Award& a);

// The text of member `key` of the JSON object `object_json`, exactly as written (what a case stores
// as the applicant's facts); none when the object has no such member. `object_json` must be valid
// JSON (parse it first: this does not report where it is not).
std::optional<std::string> member_text(std::string_view object_json, std::string_view key);

// {clean, cases, events, budgets, budget_events, findings:[{case|budget, seq, kind, message}…]}.
boost::json::object audit_object(const store::AuditReport& r);

}  // namespace subsidy::json
