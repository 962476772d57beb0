#pragma once
// Verifying the event chains of cases and of budget ledgers. Pure functions shared by every
// repository implementation: the repository reads the stored events (ordered by seq) and the
// recorded chain head, and verify_chain / verify_budget_chain name every altered, deleted or
// reordered event.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/money.hpp"
#include "store/budget.hpp"
#include "store/event.hpp"

namespace subsidy::store {

enum class FindingKind : std::uint8_t {
  altered,      // an event's content no longer matches its hash (or it is not part of the chain)
  deleted,      // an event is missing: a gap in seq, or fewer events than the case recorded
  reordered,    // an intact event stored at a different seq than it was written with
  broken_link,  // an event's prev_hash does not match its predecessor (re-hashed edit, edited link)
  budget_mismatch,  // a budget's total is not what its last `set` event set (or it has no such event); its
                    // reserved / consumed are not the sums of its cases' replayed reservations
  illegal_step,     // replay: a step the workflow would not take (role, guard, from-stage, where it leads)
  state_mismatch,   // replay: the case row (or a facts version) differs from what its events recorded
  award_mismatch,   // replay: an award differs from its case's disbursement, or is missing, or has no case
  checkpoint,       // against a signed checkpoint: a case's chain before it was rewritten, truncated or deleted
};
// "altered", "deleted", "reordered", "broken_link", "budget_mismatch", "illegal_step", "state_mismatch",
// "award_mismatch", "checkpoint"
const char* finding_kind_name(FindingKind k);

struct AuditFinding {
  CaseId case_id = 0;    // the case concerned; 0 for a budget's finding
  std::int64_t seq = 0;  // the stored seq concerned (for `deleted`: the missing seq; 0 when none)
  FindingKind kind = FindingKind::altered;
  std::string message;
  std::string budget;    // the budget concerned, "R14/2024" (budget_name); empty for a case's finding
  bool operator==(const AuditFinding&) const = default;
};

struct AuditReport {
  std::int64_t cases = 0;          // cases whose chains were checked
  std::int64_t events = 0;         // case events checked
  std::int64_t budgets = 0;        // budget ledgers checked (none when one case was asked for)
  std::int64_t budget_events = 0;  // budget events checked
  std::int64_t replayed = 0;       // cases replayed through their workflow (service::audit)
  std::int64_t legacy = 0;         // of those, cases whose events carry no state: routing replayed only
  std::int64_t awards = 0;         // awards checked against their cases
  std::vector<AuditFinding> findings;  // the cases' (by case), then the budgets' (by programme, year)
  bool clean() const { return findings.empty(); }
};

// At most this many findings are listed per chain (a case's or a budget's ledger); when there are
// more, one last finding (of the kind of the first one left out) says how many more were left out.
// A run of missing seqs is always one `deleted` finding naming its range.
inline constexpr std::size_t kMaxFindingsPerChain = 100;

// What the case row (or the budget row) says about its chain: written in the same transaction as
// each event.
struct ChainHead {
  std::int64_t count = 0;            // events appended so far
  std::string hash = kGenesisHash;   // hash of the last one
  bool operator==(const ChainHead&) const = default;
};

// Checks one case's chain. `events` are the stored rows ordered by seq (as read back); findings are
// appended to `out` ordered by seq, then kind. Deleting the last event is caught through `head`.
// `hash`: the database's algorithm (CaseRepository::hash_algorithm).
void verify_chain(CaseId case_id, std::span<const Event> events, const ChainHead& head,
                  std::vector<AuditFinding>& out, HashAlgorithm hash = HashAlgorithm::sha256);

// Checks one budget's ledger the same way, and that the budget's stored total (`total`; nullopt
// when the ledger's budget row no longer exists) is what its last `set` event set: budget_mismatch
// otherwise, and when the budget has no `set` event at all.
void verify_budget_chain(const std::string& programme, int year, std::span<const BudgetEvent> events,
                         const ChainHead& head, std::optional<model::Fen> total, std::vector<AuditFinding>& out,
                         HashAlgorithm hash = HashAlgorithm::sha256);

}  // namespace subsidy::store
