#include "store/audit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace subsidy::store {
namespace {

// A correctly chained history of n events for case 1, and the head the case row would record.
struct Chain {
  std::vector<Event> events;
  ChainHead head;
};

Chain build(int n, HashAlgorithm hash = HashAlgorithm::sha256) {
  Chain c;
  for (int i = 1; i <= n; ++i) {
    Event e;
    e.case_id = 1;
    e.seq = i;
    e.actor = "officer" + std::to_string(i);
    e.role = "county_bureau";
    e.action = i == 1 ? "submit" : "approve";
    e.to_stage = "stage" + std::to_string(i);
    e.note = "note " + std::to_string(i);
    e.at = "2024-05-0" + std::to_string(i) + "T08:00:00Z";
    e.prev_hash = c.head.hash;
    e.hash = event_hash(e, hash);
    c.head = {i, e.hash};
    c.events.push_back(e);
  }
  return c;
}

std::vector<AuditFinding> verify(const Chain& c) {
  std::vector<AuditFinding> out;
  verify_chain(1, c.events, c.head, out);
  return out;
}

std::vector<std::pair<std::int64_t, FindingKind>> kinds(const std::vector<AuditFinding>& f) {
  std::vector<std::pair<std::int64_t, FindingKind>> out;
  for (const auto& x : f) out.emplace_back(x.seq, x.kind);
  return out;
}

using K = FindingKind;
using Found = std::vector<std::pair<std::int64_t, FindingKind>>;

TEST(VerifyChain, IntactChainHasNoFindings) {
  EXPECT_TRUE(verify(build(5)).empty());
  EXPECT_TRUE(verify(build(0)).empty());
}

TEST(VerifyChain, Sm3ChainVerifiesWithSm3Only) {
  const Chain c = build(5, HashAlgorithm::sm3);
  std::vector<AuditFinding> out;
  verify_chain(1, c.events, c.head, out, HashAlgorithm::sm3);
  EXPECT_TRUE(out.empty());
  // Verified as SHA-256 (a database whose recorded choice was changed): every event is altered.
  out.clear();
  verify_chain(1, c.events, c.head, out, HashAlgorithm::sha256);
  EXPECT_EQ(std::count_if(out.begin(), out.end(), [](const AuditFinding& f) { return f.kind == FindingKind::altered; }), 5);
}

TEST(VerifyChain, Sm3ChainFindsAnEditAndAReorder) {
  Chain c = build(5, HashAlgorithm::sm3);
  c.events[1].note = "forged";
  std::vector<AuditFinding> out;
  verify_chain(1, c.events, c.head, out, HashAlgorithm::sm3);
  EXPECT_EQ(kinds(out), (Found{{2, K::altered}}));
  c = build(5, HashAlgorithm::sm3);
  std::swap(c.events[1].seq, c.events[3].seq);
  std::sort(c.events.begin(), c.events.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
  out.clear();
  verify_chain(1, c.events, c.head, out, HashAlgorithm::sm3);
  EXPECT_EQ(kinds(out), (Found{{2, K::reordered}, {4, K::reordered}}));
}

TEST(VerifyChain, EditedNoteIsAltered) {
  Chain c = build(5);
  c.events[2].note = "forged";
  EXPECT_EQ(kinds(verify(c)), (Found{{3, K::altered}}));
}

TEST(VerifyChain, EditedAndRehashedEventBreaksTheNextLink) {
  Chain c = build(5);
  c.events[2].note = "forged";
  c.events[2].hash = event_hash(c.events[2]);
  EXPECT_EQ(kinds(verify(c)), (Found{{4, K::broken_link}}));
}

TEST(VerifyChain, RehashedLastEventDisagreesWithTheCaseHead) {
  Chain c = build(3);
  c.events[2].note = "forged";
  c.events[2].hash = event_hash(c.events[2]);
  EXPECT_EQ(kinds(verify(c)), (Found{{3, K::broken_link}}));
}

TEST(VerifyChain, DeletedMiddleEvent) {
  Chain c = build(5);
  c.events.erase(c.events.begin() + 2);
  EXPECT_EQ(kinds(verify(c)), (Found{{3, K::deleted}}));
}

TEST(VerifyChain, DeletedFirstAndLastEvents) {
  Chain c = build(5);
  c.events.pop_back();
  c.events.erase(c.events.begin());
  EXPECT_EQ(kinds(verify(c)), (Found{{1, K::deleted}, {5, K::deleted}}));
}

TEST(VerifyChain, SwappedSeqsAreReordered) {
  Chain c = build(5);
  std::swap(c.events[1].seq, c.events[3].seq);  // rows 2 and 4 exchange their seq numbers
  std::sort(c.events.begin(), c.events.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
  const auto f = verify(c);
  EXPECT_EQ(kinds(f), (Found{{2, K::reordered}, {4, K::reordered}}));
  EXPECT_NE(f[0].message.find("written as seq 4"), std::string::npos);
}

TEST(VerifyChain, DeletionHiddenByRenumberingIsFound) {
  Chain c = build(5);
  c.events.erase(c.events.begin() + 2);  // delete 3, then renumber 4→3 and 5→4
  c.events[2].seq = 3;
  c.events[3].seq = 4;
  EXPECT_EQ(kinds(verify(c)), (Found{{3, K::deleted}, {3, K::reordered}, {4, K::reordered}}));
}

TEST(VerifyChain, EventInsertedBeyondTheHeadIsReported) {
  Chain c = build(3);
  Event forged = c.events.back();
  forged.seq = 4;
  forged.prev_hash = c.events.back().hash;
  forged.hash = event_hash(forged);
  c.events.push_back(forged);  // the case row still says 3 events
  EXPECT_EQ(kinds(verify(c)), (Found{{4, K::altered}}));
}

TEST(VerifyChain, EditedLinkIsBroken) {
  Chain c = build(4);
  c.events[0].prev_hash = std::string(64, '1');
  c.events[0].hash = event_hash(c.events[0]);
  const auto f = kinds(verify(c));
  EXPECT_EQ(f, (Found{{1, K::broken_link}, {2, K::broken_link}}));
}

TEST(VerifyChain, HugeSeqGapIsOneFinding) {
  Chain c = build(3);
  Event forged = c.events.back();
  forged.seq = 10'000'000;  // a forged row inserted far beyond the chain, its hash not recomputed
  forged.note = "forged";
  c.events.push_back(forged);
  const auto f = verify(c);
  EXPECT_EQ(kinds(f), (Found{{4, K::deleted}, {10'000'000, K::altered}}));
  EXPECT_NE(f[0].message.find("seq jumps from 3 to 10000000"), std::string::npos) << f[0].message;
}

TEST(VerifyChain, GapAtTheStartNamesItsRange) {
  Chain c = build(6);
  c.events.erase(c.events.begin(), c.events.begin() + 3);
  const auto f = verify(c);
  EXPECT_EQ(kinds(f), (Found{{1, K::deleted}}));
  EXPECT_NE(f[0].message.find("events seq 1 to 3 are missing"), std::string::npos) << f[0].message;
}

TEST(VerifyChain, FindingsPerCaseAreCapped) {
  Chain c = build(3 * static_cast<int>(kMaxFindingsPerChain));
  for (Event& e : c.events) e.note = "forged";  // every event altered
  const auto f = verify(c);
  ASSERT_EQ(f.size(), kMaxFindingsPerChain + 1);
  EXPECT_EQ(f[kMaxFindingsPerChain - 1].seq, static_cast<std::int64_t>(kMaxFindingsPerChain));
  EXPECT_NE(f.back().message.find("and " + std::to_string(2 * kMaxFindingsPerChain) + " more finding"),
            std::string::npos)
      << f.back().message;
}

}  // namespace
}  // namespace subsidy::store
