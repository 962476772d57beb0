#pragma once
// Budgets per programme and year, their ledger of changes, and disbursed awards.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>

#include "model/money.hpp"
#include "store/errors.hpp"
#include "store/event.hpp"

namespace subsidy::store {

// Invariant, enforced by every operation and by the database: 0 <= reserved, 0 <= consumed,
// reserved + consumed <= total, and reserved / consumed are the sums of the budget's cases' own
// reserved_fen / consumed_fen (every movement is one case's: CaseRepository::reserve/release/consume).
// Approval reserves, rejection/withdrawal releases, disbursement consumes (moves the case's
// reservation to consumed).
struct Budget {
  std::string programme;
  int year = 0;
  model::Fen total_fen = 0;
  model::Fen reserved_fen = 0;
  model::Fen consumed_fen = 0;
  model::Fen available_fen() const { return total_fen - reserved_fen - consumed_fen; }
  bool operator==(const Budget&) const = default;
};

// One entry of a budget's ledger: every change of its total (`set`, through set_budget) and every
// allocation (`allocate`) is an event of the budget (programme, year), hash-chained like a case's
// events (store/event.hpp, store/audit.hpp), so editing, deleting or reordering them is detected.
struct BudgetEvent {
  std::string programme;
  int year = 0;
  std::int64_t seq = 0;       // 1, 2, … per budget; assigned by the repository
  std::string at;             // UTC ISO-8601; stamped by the repository when empty
  std::string actor;          // who changed it (required, not blank)
  std::string action;         // "set" | "allocate"
  model::Fen total_fen = 0;   // the budget's total after the event; assigned by the repository
  std::string note;
  std::string payload_json;   // "" or a JSON value (allocate: method, demand, available, cases)
  std::string prev_hash;      // assigned by the repository
  std::string hash;           // assigned by the repository: budget_event_hash(*this)
  bool operator==(const BudgetEvent&) const = default;
};
inline constexpr const char* kBudgetSet = "set";
inline constexpr const char* kBudgetAllocate = "allocate";

// The exact bytes that are hashed (the scheme of canonical_event, with its own version line) and
// their lower-case hex digest with `a` (the database's algorithm, store/event.hpp).
std::string canonical_budget_event(const BudgetEvent& e);
std::string budget_event_hash(const BudgetEvent& e, HashAlgorithm a = HashAlgorithm::sha256);

// std::invalid_argument unless `actor` has a non-blank character; `what` names the operation.
void require_actor(std::string_view actor, const char* what);
// What append_budget_event accepts: an actor, and an action other than blank or `set`
// (std::invalid_argument otherwise).
void require_budget_event(const BudgetEvent& e);

// "R14/2024": how messages name a budget.
std::string budget_name(const std::string& programme, int year);
// The refusal of every backend when a case would release or pay out (`verb`) more than it holds.
ConflictError held_too_little(CaseId id, const std::string& programme, int year, const char* verb, model::Fen amount,
                              model::Fen held);

// A disbursed award. `applicant` is the organisation identifier (统一社会信用代码 or the
// applicant's own key), so later applications by the same organisation see it.
struct Award {
  std::int64_t id = 0;                     // assigned by record_award
  std::string applicant;
  std::string programme;
  int year = 0;                            // the call year the award belongs to
  model::Fen amount_fen = 0;
  std::optional<std::string> achievement;  // the funded achievement (same achievement twice is excluded)
  std::optional<CaseId> case_id;           // the case that paid it (none for imported history)
  std::string disbursed_at;                // UTC ISO-8601 or a date; stamped when empty
  bool operator==(const Award&) const = default;
};

// Which awards list_awards returns: every field that is set must match.
struct AwardFilter {
  std::optional<std::string> applicant;
  std::optional<std::string> programme;
  std::optional<int> year;
};
bool matches(const AwardFilter& f, const Award& a);

// What earlier awards mean for a new evaluation in `year` (fed back as facts by the CLI).
struct AwardHistory {
  std::set<std::string> programmes;          // every programme ever awarded (prior_awards)
  std::set<std::string> achievements;        // achievements already funded
  std::map<std::string, model::Fen> paid_in_year;  // programme → amount awarded for `year`
  model::Fen total_in_year = 0;
};
AwardHistory summarise_awards(std::span<const Award> awards, int year);

}  // namespace subsidy::store
