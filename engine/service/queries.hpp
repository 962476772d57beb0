#pragma once
// Read-side use cases every caller shares (the CLI's case list/show, the HTTP API, the desk's inbox):
// the inbox with its filters checked against the rules, a case's running timer, its stage labels
// and the amount it stands for. No I/O of its own.
#include <optional>
#include <string>
#include <vector>

#include "model/date.hpp"
#include "model/money.hpp"
#include "service/cases.hpp"
#include "store/case.hpp"

namespace subsidy::service {

// An officer's inbox: unset / empty fields match everything.
struct InboxQuery {
  std::string stage, role, programme, applicant;
  std::optional<model::Days> overdue_as_of;  // only cases past their due date on this day
  bool include_closed = false;               // closed cases too (default: open ones only)
  store::CaseId after_id = 0;                // keyset paging
  std::size_t limit = 0;                     // 0: no limit
};
// The store filter of `q`, after checking that its stage, role and programme are names the rules
// declare (a role as a plain role or a family member): otherwise ServiceError usage
// (unknown_stage / unknown_role / unknown_programme) with "did you mean", not an empty list.
store::CaseFilter inbox_filter(const Env& env, const InboxQuery& q);
std::vector<store::Case> inbox(const Env& env, const InboxQuery& q);

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
