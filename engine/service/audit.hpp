#pragma once
// The audit of everything that pays (docs/storage.md §4, issue 13): the repository's chain check
// (store::CaseRepository::verify_audit) and, on top of it, the replay of every case's events
// through the workflow transition function and the check of the stored rows against that history:
//
// - each step was legal: its from-stage is the previous event's to-stage, the workflow takes it
//   (the actor's role allowed, guards true on the facts version and the decision of that moment),
//   and it leads where the event says;
// - the case row equals the replayed state (stages, roles, state_json, closed, timer) and what its
//   last event recorded (facts version, decision outcome / amount / ruleset, approved and
//   allocated amounts, the case's reservation and what its payment consumed), and the first event
//   (application id, applicant, programme, call year, workflow);
// - each facts version is the one its event recorded (SHA-256 of the facts);
// - each award is what its case's disbursement consumed, and no case paid has lost its award;
// - each budget's reserved and consumed are the sums over its cases' replayed reservations.
//
// Events written before the events carried their state ("audit" in the payload) are replayed for
// their routing only (counted as `legacy`). Memory: O(number of cases) — cases are read in pages,
// one case's events at a time.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "service/cases.hpp"
#include "store/audit.hpp"
#include "store/checkpoint.hpp"

namespace subsidy::service {

struct AuditOptions {
  std::optional<store::CaseId> only;  // one case (budgets and awards of other cases not checked)
  bool replay = true;                 // false: the chains only (verify_audit)
  // Called after every `progress_every` cases replayed, with (done, total).
  std::function<void(std::int64_t, std::int64_t)> progress;
  std::int64_t progress_every = 5000;
};

// The chains, then (with replay) the replay findings; findings ordered by case, then the budgets'.
store::AuditReport audit(const Env& env, const AuditOptions& o);

// The replay of one case (what `audit` does for each case), findings appended to `out`, at most
// store::kMaxFindingsPerChain of them (then one "… and K more"). `award`: the case's awards.
// Returns false when the case's events carry no state (legacy: routing replayed only).
struct ReplayedMoney {
  model::Fen reserved = 0, consumed = 0;
};
bool replay_case(const Env& env, const store::Case& c, std::span<const store::Event> events,
                 std::span<const store::FactsVersion> facts, std::span<const store::Award> awards,
                 std::vector<store::AuditFinding>& out, ReplayedMoney* money = nullptr);

}  // namespace subsidy::service

namespace subsidy::service {

// A signed checkpoint of every case's chain head and every budget's ledger head as stored now
// (store/checkpoint.hpp), at `created_at`, naming `previous` (checkpoint_hash of the last one, or
// the genesis value). std::invalid_argument for a key that is not an Ed25519 private key.
store::Checkpoint make_checkpoint(store::CaseRepository& repo, const std::string& private_pem, const std::string& created_at,
                                  const std::string& previous);

// Checks checkpoint `c` (its signature with `public_pem`, its entries against its root) and the
// store against it: every case and budget it lists still exists, with at least its events and the
// same event at its head. Findings (kind checkpoint) appended to `report`; a checkpoint whose
// signature or root is wrong is one finding (case 0) and nothing else is compared.
void check_checkpoint(store::CaseRepository& repo, const store::Checkpoint& c, const std::string& public_pem,
                      store::AuditReport& report);

// The scheduled checkpoints of `serve --checkpoint-every` (docs/storage.md §4): checkpoints
// DIR/checkpoint-000001.txt, -000002.txt, … each naming the one before as `previous`. Writes the next
// one (make_checkpoint at `created_at`) unless the newest in `dir` was written less than `fresh`
// ago (another instance wrote it this period). Each file appears whole and once: it is written
// beside and linked to its name, which fails when another instance took that number first — so
// several instances sharing the directory write one chain, without forks. Returns the file written,
// or nullopt when it skipped. std::runtime_error when the directory cannot be read or written,
// std::invalid_argument for a key that is not an Ed25519 private key.
std::optional<std::string> write_scheduled_checkpoint(store::CaseRepository& repo, const std::string& private_pem,
                                                      const std::string& dir, const std::string& created_at,
                                                      std::chrono::milliseconds fresh);
// The newest checkpoint-NNNNNN.txt in `dir` (nullopt when there is none).
std::optional<std::string> newest_checkpoint(const std::string& dir);

}  // namespace subsidy::service
