#pragma once
// A case: one application travelling through its workflow, as the repository stores it. Plain data;
// the workflow engine owns the meaning of stages, roles, deadlines and the opaque state payload.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/date.hpp"
#include "model/money.hpp"
#include "store/errors.hpp"

namespace subsidy::store {

// The decision a case was last evaluated to, with what is needed to reproduce it.
struct CaseDecision {
  std::string outcome;        // the case programme's outcome: "eligible", "refused", … (model::outcome_name)
  model::Fen amount_fen = 0;  // the programme's amount in that decision
  std::string ruleset_hash;   // hash of the ruleset that produced it
  model::Days as_of = 0;      // evaluation date
  std::string json;           // the full decision as JSON (opaque to the store)
  bool operator==(const CaseDecision&) const = default;
};

struct Case {
  CaseId id = 0;                       // assigned by create_case
  std::string application_id;          // the applicant's "id"; unique across cases
  // The organisation applying: its 统一社会信用代码, or the application id when it has none (an
  // empty applicant is stored as the application id). Fixed at creation (update_case ignores it).
  std::string applicant;
  // programme and call_year name the budget the case's reservation belongs to: fixed at creation.
  std::string programme;               // programme id, e.g. "RD_POST"
  int call_year = 0;
  std::string workflow;                // workflow name and version the case follows
  int workflow_version = 0;
  std::vector<std::string> stages;     // current stage(s); several during a parallel joint review
  std::vector<std::string> roles;      // roles responsible for the current stages (inbox queries)
  // Who may see the case (the lists' visibility, docs/service.md "Cases API"): every role the case's
  // workflow resolves to for it at any stage (service::case_roles), as resolved with the ruleset
  // whose hash is `visibility_rules` when the case was last written. An empty hash: not resolved (a
  // case stored before migration 007), so readers resolve the roles themselves.
  std::vector<std::string> visible_roles;
  std::string visibility_rules;
  std::string state_json;              // opaque workflow state (pending votes, paused clocks, …)
  std::map<std::string, model::Days> deadlines;  // stage → due date (inclusive)
  std::optional<CaseDecision> decision;
  // What the workflow state says, kept in indexed columns for `case advance` and the open-case lists
  // (the service fills them from workflow::CaseState::timer and workflow::summarize(...).terminal):
  std::optional<model::Days> timer_due;  // last day of the current stage's running `after` period
  bool closed = false;                   // the case is in a terminal stage
  // What the bureaus granted below the decision (docs/cases.md §5): the smaller amount an officer
  // approved where the workflow allows it (`amount adjustable`), and the case's share in the last
  // budget allocation. Unset: the decision's amount. What the case is paid is the smallest of the three.
  std::optional<model::Fen> approved_fen;
  std::optional<model::Fen> allocated_fen;
  // Maintained by the repository (ignored on create/update):
  // the case's own reservation of the budget of its (programme, call year), moved only by
  // CaseRepository::reserve/release/consume: what is reserved for it, and what its payment consumed.
  model::Fen reserved_fen = 0;
  model::Fen consumed_fen = 0;
  std::int64_t version = 0;            // optimistic lock counter: 1 after create, +1 per update
  int facts_version = 0;               // number of the latest facts version
  std::string created_at, updated_at;  // UTC, ISO-8601 ("2024-05-01T08:30:00Z")
  bool operator==(const Case&) const = default;
};

// The earliest deadline among the case's current stages (what "overdue" is measured against).
std::optional<model::Days> next_due(const Case& c);

inline constexpr const char* kFactsSubmitted = "submitted";
inline constexpr const char* kFactsCorrected = "corrected";

// The applicant's facts as submitted (version 1) and every corrected version after it.
struct FactsVersion {
  CaseId case_id = 0;
  int version = 0;         // assigned by the repository: 1, 2, …
  std::string facts_json;  // the facts object exactly as received
  std::string reason;      // kFactsSubmitted, kFactsCorrected
  std::string created_at;  // stamped by the repository when empty
  bool operator==(const FactsVersion&) const = default;
};

// Input of create_cases_batch: a new case with its submitted facts.
struct NewCase {
  Case c;
  FactsVersion facts;
};
struct CreateResult {
  CaseId id = 0;
  bool created = false;  // false: the application id already had a case (`id` is that case)
};

// What a case stands for in money: what was paid (consumed_fen), else what it will be paid — the
// decision's amount when eligible (else 0), cut to approved_fen and allocated_fen when set.
model::Fen payable_fen(const Case& c);
model::Fen shown_fen(const Case& c);

// Whether one of `roles` is a member of the role family value `member`: "临河区" for 旗县区科技局[临河区].
bool names_family_member(const std::vector<std::string>& roles, const std::string& member);

// The order of a case list, over every match (keyset paging): by id; by due date (next_due, a case
// without one after every dated case: kNoDue); by amount (shown_fen). Ties go by id, in the same
// direction, so the order is total.
enum class CaseOrder { id, due, amount };
inline constexpr model::Days kNoDue = 2932896;  // 9999-12-31, the due key of a case without a due date
// The case's key in `order`: its id, its due day (kNoDue when none), its shown_fen.
std::int64_t order_key(const Case& c, CaseOrder order);
// A keyset position: the last case of a page, as (its order_key, its id).
struct CaseCursor {
  std::int64_t key = 0;
  CaseId id = 0;
  bool operator==(const CaseCursor&) const = default;
};

// An officer's inbox and overdue lists. Unset fields match everything; results are ordered by
// `order` (default: by id).
struct CaseFilter {
  std::optional<std::string> stage;      // one of the current stages
  std::optional<std::string> role;       // one of the responsible roles
  std::optional<std::string> programme;
  std::optional<int> call_year;
  std::optional<model::Days> overdue_as_of;  // next_due(case) < this date
  std::optional<std::string> applicant;
  std::optional<bool> closed;                // unset: open and closed cases
  std::optional<model::Days> timer_before;   // timer_due < this date: due to advance on it
  // Only cases visible to one of these roles: one of them is in the case's roles or visible_roles —
  // or the case's visibility was not resolved with the ruleset `visible_rules` (stale: the caller
  // resolves it). Empty: no such condition.
  std::vector<std::string> visible_any;
  std::string visible_rules;
  // Only cases one of whose responsible roles (roles) is one of these; empty: no such condition.
  std::vector<std::string> roles_any;
  std::optional<std::string> id_or_applicant;  // application_id or applicant equals this
  // Only cases one of whose roles or visible_roles is a member of this family value ("临河区":
  // 旗县区科技局[临河区]) — among those resolved with `visible_rules`; the others pass (stale: the
  // caller resolves them). Empty: no such condition.
  std::string county;
  // Only cases whose visibility was (true: not) resolved with the ruleset `visible_rules`.
  std::optional<bool> stale;
  // Only cases that hold money: reserved_fen > 0 or consumed_fen > 0 (the budget page's holders).
  bool holds_money = false;
  CaseId after_id = 0;                   // keyset paging: only ids > after_id
  CaseOrder order = CaseOrder::id;
  bool descending = false;
  std::optional<CaseCursor> after;       // keyset paging in `order`: only cases after this position
  std::size_t limit = 0;                 // 0: no limit
};

bool matches(const CaseFilter& f, const Case& c);

// Rejects (std::invalid_argument) what no repository can store faithfully: an empty application id,
// empty stage or role names, and names containing '|' or a line break (the separators SQL uses).
void validate_case(const Case& c);

}  // namespace subsidy::store
