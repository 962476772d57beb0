// Chain verification, one algorithm for a case's events and a budget's ledger. For each stored event (ordered by seq) we establish the seq it was written
// with ("original seq"): its own seq when its hash matches its content; another seq when the
// content hashes correctly only under that seq (the row was moved: reordered); otherwise it is
// altered and assumed to sit in place. Missing original seqs are deletions; links are checked
// between events whose original seqs are consecutive, so a reorder or a deletion is reported once
// and not again as broken links around it.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/audit.hpp"

namespace subsidy::store {

const char* finding_kind_name(FindingKind k) {
  switch (k) {
    case FindingKind::altered: return "altered";
    case FindingKind::deleted: return "deleted";
    case FindingKind::reordered: return "reordered";
    case FindingKind::broken_link: return "broken_link";
    case FindingKind::budget_mismatch: return "budget_mismatch";
    case FindingKind::illegal_step: return "illegal_step";
    case FindingKind::state_mismatch: return "state_mismatch";
    case FindingKind::award_mismatch: return "award_mismatch";
    case FindingKind::checkpoint: return "checkpoint";
  }
  return "altered";
}

namespace {

enum class State : std::uint8_t { intact, reordered, altered };

// Brute-force search for the original seq of a moved event is bounded so a badly damaged, huge
// chain cannot make verification quadratic; the predecessor-based guess finds ordinary swaps.
constexpr std::int64_t kMaxSeqSearch = 4096;

bool by_seq_then_kind(const AuditFinding& a, const AuditFinding& b) {
  return a.seq != b.seq ? a.seq < b.seq : a.kind < b.kind;
}

std::string hash_of(const Event& e, HashAlgorithm a) { return event_hash(e, a); }
std::string hash_of(const BudgetEvent& e, HashAlgorithm a) { return budget_event_hash(e, a); }

template <class E>
bool hashes_with_seq(const E& e, std::int64_t seq, HashAlgorithm a) {
  E copy = e;
  copy.seq = seq;
  return hash_of(copy, a) == e.hash;
}

// The findings of one chain (a case's or a budget's ledger, named `owner` in messages), ordered by
// seq, then kind; `finding` makes an AuditFinding of (seq, kind, message).
template <class E, class MakeFinding>
void check_chain(std::span<const E> events, const ChainHead& head, const std::string& owner, MakeFinding finding,
                 std::vector<AuditFinding>& out, HashAlgorithm alg) {
  const std::size_t n = events.size();
  std::vector<State> state(n, State::intact);
  std::vector<std::int64_t> orig(n, 0);
  std::unordered_map<std::string, std::size_t> by_hash;
  std::int64_t max_seq = head.count;
  for (std::size_t i = 0; i < n; ++i) {
    by_hash.emplace(events[i].hash, i);
    max_seq = std::max(max_seq, events[i].seq);
  }

  std::vector<AuditFinding> found;
  auto report = [&](std::int64_t seq, FindingKind kind, std::string message) {
    found.push_back(finding(seq, kind, std::move(message)));
  };

  for (std::size_t i = 0; i < n; ++i) {
    const E& e = events[i];
    if (hash_of(e, alg) == e.hash) {
      orig[i] = e.seq;
      continue;
    }
    std::int64_t moved_from = 0;
    std::vector<std::int64_t> guesses;
    if (e.prev_hash == kGenesisHash) guesses.push_back(1);
    if (auto it = by_hash.find(e.prev_hash); it != by_hash.end() && it->second != i) {
      guesses.push_back(events[it->second].seq + 1);
      if (it->second < i && orig[it->second] > 0) guesses.push_back(orig[it->second] + 1);
    }
    for (std::int64_t g : guesses) {
      if (g != e.seq && g > 0 && hashes_with_seq(e, g, alg)) {
        moved_from = g;
        break;
      }
    }
    if (moved_from == 0) {
      const std::int64_t limit = std::min<std::int64_t>(std::max<std::int64_t>(max_seq, static_cast<std::int64_t>(n)) + 1,
                                                        kMaxSeqSearch);
      for (std::int64_t s = 1; s <= limit; ++s) {
        if (s != e.seq && hashes_with_seq(e, s, alg)) {
          moved_from = s;
          break;
        }
      }
    }
    if (moved_from > 0) {
      state[i] = State::reordered;
      orig[i] = moved_from;
      report(e.seq, FindingKind::reordered,
             "event stored as seq " + std::to_string(e.seq) + " was written as seq " + std::to_string(moved_from) +
                 " (events were reordered)");
    } else {
      state[i] = State::altered;
      orig[i] = e.seq;
      report(e.seq, FindingKind::altered,
             "event seq " + std::to_string(e.seq) + " does not match its hash: its content was altered");
    }
  }

  // Where each original seq is stored now; the originals nobody claims were deleted, each run of
  // them one finding (walking the claimed seqs, never every number up to a forged huge seq).
  std::unordered_map<std::int64_t, std::size_t> by_orig;
  std::vector<std::int64_t> claimed;
  claimed.reserve(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (by_orig.emplace(orig[i], i).second) claimed.push_back(orig[i]);
  }
  std::sort(claimed.begin(), claimed.end());
  const bool head_beyond = claimed.empty() || claimed.back() < head.count;
  if (head_beyond) claimed.push_back(head.count + 1);  // the recorded chain's end bounds the last run
  std::int64_t before = 0;
  for (std::size_t k = 0; k < claimed.size(); ++k) {
    const std::int64_t next = claimed[k];
    if (next > before + 1) {
      const std::int64_t first = before + 1, last = next - 1;
      const bool next_stored = !(head_beyond && k + 1 == claimed.size());
      std::string message = first == last ? "event seq " + std::to_string(first) + " is missing (deleted)"
                                          : "events seq " + std::to_string(first) + " to " + std::to_string(last) +
                                                " are missing (deleted)";
      if (before > 0 && next_stored) {
        message += ": seq jumps from " + std::to_string(before) + " to " + std::to_string(next);
      }
      if (first <= head.count) {
        message += "; the " + owner + " recorded " + std::to_string(head.count) + " events";
      }
      report(first, FindingKind::deleted, std::move(message));
    }
    before = next;
  }

  for (std::size_t i = 0; i < n; ++i) {
    const E& e = events[i];
    if (orig[i] > head.count && state[i] != State::altered) {
      report(e.seq, FindingKind::altered,
             "event seq " + std::to_string(e.seq) + " is beyond the " + owner + "'s recorded chain of " +
                 std::to_string(head.count) + " events: it was inserted outside the repository");
      continue;
    }
    if (state[i] == State::altered) continue;  // its prev_hash may be part of what was altered
    const std::int64_t o = orig[i];
    if (o == 1) {
      if (e.prev_hash != kGenesisHash) {
        report(e.seq, FindingKind::broken_link,
               "the first event's prev_hash is not the genesis value (64 zeros): the link was edited");
      }
    } else if (auto it = by_orig.find(o - 1); it != by_orig.end()) {
      if (e.prev_hash != events[it->second].hash) {
        report(e.seq, FindingKind::broken_link,
               "event seq " + std::to_string(e.seq) + " does not link to event seq " +
                   std::to_string(events[it->second].seq) +
                   ": that event was changed and re-hashed, or this link was edited");
      }
    }
    if (o == head.count && e.hash != head.hash) {
      report(e.seq, FindingKind::broken_link,
             "the " + owner + "'s recorded chain head does not match its last event seq " + std::to_string(e.seq) +
                 ": the event was changed and re-hashed");
    }
  }

  std::stable_sort(found.begin(), found.end(), by_seq_then_kind);
  if (found.size() > kMaxFindingsPerChain) {
    const AuditFinding& first_left = found[kMaxFindingsPerChain];
    const std::size_t more = found.size() - kMaxFindingsPerChain;
    AuditFinding summary = finding(first_left.seq, first_left.kind,
                                   "… and " + std::to_string(more) + " more finding" + (more == 1 ? "" : "s") +
                                       " in this " + owner + "'s chain from seq " + std::to_string(first_left.seq) +
                                       " on, not listed");
    found.resize(kMaxFindingsPerChain);
    found.push_back(std::move(summary));
  }
  out.insert(out.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
}

}  // namespace

void verify_chain(CaseId case_id, std::span<const Event> events, const ChainHead& head,
                  std::vector<AuditFinding>& out, HashAlgorithm hash) {
  check_chain(
      events, head, "case",
      [&](std::int64_t seq, FindingKind kind, std::string message) {
        return AuditFinding{case_id, seq, kind, std::move(message), {}};
      },
      out, hash);
}

void verify_budget_chain(const std::string& programme, int year, std::span<const BudgetEvent> events,
                         const ChainHead& head, std::optional<model::Fen> total, std::vector<AuditFinding>& out,
                         HashAlgorithm hash) {
  const std::string name = budget_name(programme, year);
  auto finding = [&](std::int64_t seq, FindingKind kind, std::string message) {
    return AuditFinding{0, seq, kind, std::move(message), name};
  };
  const auto first = static_cast<std::ptrdiff_t>(out.size());
  check_chain(events, head, "budget", finding, out, hash);
  const BudgetEvent* last_set = nullptr;
  for (const BudgetEvent& e : events) {
    if (e.action == kBudgetSet) last_set = &e;
  }
  if (!total) {
    out.push_back(finding(0, FindingKind::budget_mismatch,
                          "the ledger of " + name + " has " + std::to_string(events.size()) +
                              " events but the budget does not exist: its row was deleted"));
  } else if (last_set == nullptr) {
    out.push_back(finding(0, FindingKind::budget_mismatch,
                          "the total of " + name + " (" + model::format_yuan(*total) +
                              " yuan) was never set through its ledger: it has no `set` event"));
  } else if (last_set->total_fen != *total) {
    out.push_back(finding(last_set->seq, FindingKind::budget_mismatch,
                          "the total of " + name + " is " + model::format_yuan(*total) + " yuan but its last `set` event (seq " +
                              std::to_string(last_set->seq) + ") set " + model::format_yuan(last_set->total_fen) +
                              " yuan: the total was changed outside the ledger"));
  }
  std::stable_sort(out.begin() + first, out.end(), by_seq_then_kind);
}

}  // namespace subsidy::store
