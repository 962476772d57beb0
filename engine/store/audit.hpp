#pragma once
// Verifying the event chains. Pure functions shared by every repository implementation: the
// repository reads the stored events (ordered by seq) and the case's recorded chain head, and
// verify_chain names every altered, deleted or reordered event.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "store/event.hpp"

namespace subsidy::store {

enum class FindingKind : std::uint8_t {
  altered,      // an event's content no longer matches its hash (or it is not part of the chain)
  deleted,      // an event is missing: a gap in seq, or fewer events than the case recorded
  reordered,    // an intact event stored at a different seq than it was written with
  broken_link,  // an event's prev_hash does not match its predecessor (re-hashed edit, edited link)
};
const char* finding_kind_name(FindingKind k);  // "altered", "deleted", "reordered", "broken_link"

struct AuditFinding {
  CaseId case_id = 0;
  std::int64_t seq = 0;  // the stored seq concerned (for `deleted`: the missing seq)
  FindingKind kind = FindingKind::altered;
  std::string message;
  bool operator==(const AuditFinding&) const = default;
};

struct AuditReport {
  std::int64_t cases = 0;   // cases whose chains were checked
  std::int64_t events = 0;  // events checked
  std::vector<AuditFinding> findings;
  bool clean() const { return findings.empty(); }
};

// What the case row says about its chain: written in the same transaction as each event.
struct ChainHead {
  std::int64_t count = 0;            // events appended so far
  std::string hash = kGenesisHash;   // hash of the last one
};

// Checks one case's chain. `events` are the stored rows ordered by seq (as read back); findings are
// appended to `out` ordered by seq, then kind. Deleting the last event is caught through `head`.
void verify_chain(CaseId case_id, std::span<const Event> events, const ChainHead& head,
                  std::vector<AuditFinding>& out);

}  // namespace subsidy::store
