#pragma once
// Read-side use cases every caller shares (the CLI's case list/show, the HTTP API, the desk's inbox):
// the inbox with its filters checked against the rules, a case's running timer, its stage labels
// and the amount it stands for. No I/O of its own.
#include <optional>
#include <string>
#include <vector>

#include "model/date.hpp"
#include "model/money.hpp"
#include "service/auth.hpp"
#include "service/cases.hpp"
#include "store/case.hpp"

namespace subsidy::service {

// An officer's inbox: unset / empty fields match everything.
struct InboxQuery {
  std::string stage, role, programme, applicant;
  std::optional<model::Days> overdue_as_of;  // only cases past their due date on this day
  bool include_closed = false;               // closed cases too (default: open ones only)
  bool only_closed = false;                  // closed cases only
  std::optional<int> call_year;              // only cases of this call year
  bool holds_money = false;                  // only cases holding a reservation or paid (store::CaseFilter)
  store::CaseId after_id = 0;                // keyset paging by id
  store::CaseOrder order = store::CaseOrder::id;  // the order over every match (store::CaseFilter)
  bool descending = false;
  std::optional<store::CaseCursor> after;    // keyset paging in `order`: the `next` of the page before
  std::size_t limit = 0;                     // 0: no limit
};

// The list orders by name — "id", "due", "days_left" (the same order as due: working days left grow
// with the due date), "amount" — for GET /v1/cases, /v1/inbox and the desk's inbox; ServiceError
// usage bad_field (field `sort`) otherwise.
store::CaseOrder parse_order(const std::string& name);
// A page position as its text (the `after` of the next page): the id for the id order, else
// "KEY_ID" — the due date ("2024-06-10", "none") or the amount in fen, then the id — and back:
// ServiceError usage bad_field (field `after`) for text that is not one in `order`.
std::string cursor_text(store::CaseOrder order, const store::CaseCursor& at);
store::CaseCursor parse_cursor(store::CaseOrder order, const std::string& text);
// The store filter of `q`, after checking that its stage, role and programme are names the rules
// declare (a role as a plain role or a family member): otherwise ServiceError usage
// (unknown_stage / unknown_role / unknown_programme) with "did you mean", not an empty list.
store::CaseFilter inbox_filter(const Env& env, const InboxQuery& q);
std::vector<store::Case> inbox(const Env& env, const InboxQuery& q);

// ---------------------------------------------------------------- visibility (docs/service.md "Cases API")

// Every role the case's workflow resolves to for this case, at any of its stages: each stage's
// responsible role (the first `responsible` line whose guard holds, a family member chosen by the
// case's facts: 旗县区科技局[临河区] for a 临河区 case), the joint reviewers whose guards hold, and the
// roles named by `by` (a whole family: each member) — plus the case's current roles. Guards see the
// case's latest facts, its decision and its corrections, on `date`. A case whose programme the rules
// no longer have, or whose facts no longer decode, resolves to its current roles only.
// Read from the case (store::Case::visible_roles) when it was stored with the rules of `env`;
// resolved anew otherwise (resolve_case_roles).
std::vector<std::string> case_roles(const Env& env, const store::Case& c, model::Days date);
// What case_roles stands for, always resolved: guards and family members on the case's facts —
// `facts_json` when given, else its latest stored facts version.
std::vector<std::string> resolve_case_roles(const Env& env, const store::Case& c, model::Days date,
                                            const std::string* facts_json = nullptr);
// Resolves the case's roles (resolve_case_roles) into c.visible_roles, with the hash of env's
// rules: every write of a case (submit, step, timer move, correction, allocation) calls it before
// storing the case, so that lists read who may see it instead of resolving it per case.
void stamp_visibility(const Env& env, store::Case& c, model::Days date, const std::string* facts_json = nullptr);

// Whether `who` may see the case: a principal without role grants (an integrating system) sees
// every case; one with roles sees it when it holds `admin` (kAdminRole) or one of case_roles(c).
bool visible_to(const Env& env, const store::Case& c, const Principal& who, model::Days date);

// The case as `who` may see it: ServiceError not_found/unknown_case — the same for a case that
// does not exist and one `who` may not see, so that its existence does not leak.
store::Case load_visible(const Env& env, store::CaseId id, const Principal& who, model::Days date);

// A page of the cases `who` may see (GET /v1/cases and /v1/inbox).
struct CaseQuery {
  InboxQuery filter;   // stage, role, programme, applicant, overdue, closed; after_id and limit page
  std::string county;  // only cases one of whose roles (case_roles) is a family member for this value, e.g. 临河区
  std::string q;       // only the case of this application id, or the cases of this applicant (统一社会信用代码)
  // The inbox: only cases whose current responsible roles (store::Case::roles) include one `who`
  // holds — or filter.role, which `who` must hold (ServiceError refused/forbidden otherwise).
  bool inbox = false;
  bool with_counts = true;  // false: CasePage::counts stays empty (a caller that pages through every case)
};
struct CasePage {
  std::vector<store::Case> cases;             // in filter.order, at most filter.limit (0: all)
  std::optional<store::CaseCursor> next;      // the `after` of the next page (cursor_text); none on the last
  std::vector<std::pair<std::string, std::size_t>> counts;  // every match (all pages) by current stage, by stage name
};
// ServiceError usage for names the rules do not declare (inbox_filter; unknown_county for a county
// that is no family member).
CasePage find_cases(const Env& env, const CaseQuery& q, const Principal& who, model::Days date);

// ---------------------------------------------------------------- explanation

struct CaseExplanation {
  std::string text;
  // The ruleset the decision was made with was not stored (decided before migration 004): the
  // explanation uses the rules of `env` instead.
  bool with_current_rules = false;
};
// The explanation of the case's decision as it was made: its latest facts re-evaluated at the
// decision's as-of date with the ruleset of the decision (rules_for). None without a decision.
std::optional<CaseExplanation> explain_decision(const Env& env, const store::Case& c, bool english);

// The `after` period a case's stage is running (公示, a correction period): what ends when and
// where the case goes then. From the case's timer column and its workflow; none for a closed case.
struct RunningTimer {
  std::string stage;        // the stage whose period runs, e.g. "publicity"
  std::string stage_label;  // its Chinese label, e.g. "公示" (else the name)
  model::Days ends = 0;     // the period's last day: once it has passed, the case moves on
  std::string then;         // the stage it moves to then, e.g. "disbursement"
  std::string why;          // the timer's Chinese label, e.g. "公示期满无异议" (may be empty)
};
std::optional<RunningTimer> running_timer(const Env& env, const store::Case& c);
// "公示 ends on 2024-06-10, then → disbursement (公示期满无异议)".
std::string timer_text(const RunningTimer& t);
// The stage's Chinese label in the case's workflow ("" when unknown).
std::string stage_label(const Env& env, const store::Case& c, const std::string& stage);
// What the case stands for now: what was paid, else what it will be paid (payable: 0 when refused
// or cut to 0 by an allocation).
model::Fen shown_amount(const store::Case& c);

}  // namespace subsidy::service
