// The budget ledger's hash and its verification (pure functions; the repositories are tested in
// tests/adapters/soci/budget_ledger_test.cpp).
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "store/audit.hpp"
#include "store/budget.hpp"

namespace subsidy::store {
namespace {

struct Ledger {
  std::vector<BudgetEvent> events;
  ChainHead head;
};

// set 1000, allocate, set 2000, allocate: a correctly chained ledger of R14/2024.
Ledger build() {
  Ledger l;
  const model::Fen totals[] = {1000, 1000, 2000, 2000};
  for (int i = 1; i <= 4; ++i) {
    BudgetEvent e;
    e.programme = "R14";
    e.year = 2024;
    e.seq = i;
    e.at = "2024-05-0" + std::to_string(i) + "T08:00:00Z";
    e.actor = "财政局 李";
    e.action = i % 2 == 1 ? kBudgetSet : kBudgetAllocate;
    e.total_fen = totals[i - 1];
    e.payload_json = i % 2 == 1 ? "" : R"({"method":"pro_rata"})";
    e.prev_hash = l.head.hash;
    e.hash = budget_event_hash(e);
    l.head = {i, e.hash};
    l.events.push_back(e);
  }
  return l;
}

std::vector<AuditFinding> verify(const Ledger& l, std::optional<model::Fen> total = 2000) {
  std::vector<AuditFinding> out;
  verify_budget_chain("R14", 2024, l.events, l.head, total, out);
  return out;
}

using Found = std::vector<std::pair<std::int64_t, FindingKind>>;
Found kinds(const std::vector<AuditFinding>& f) {
  Found out;
  for (const auto& x : f) {
    EXPECT_EQ(x.budget, "R14/2024");
    EXPECT_EQ(x.case_id, 0);
    out.emplace_back(x.seq, x.kind);
  }
  return out;
}

TEST(BudgetEventHash, EveryFieldIsHashed) {
  const BudgetEvent e = build().events[0];
  EXPECT_EQ(budget_event_hash(e).size(), 64u);
  for (auto change : std::vector<void (*)(BudgetEvent&)>{
           [](BudgetEvent& x) { x.programme = "R15"; }, [](BudgetEvent& x) { x.year = 2025; },
           [](BudgetEvent& x) { x.seq = 2; }, [](BudgetEvent& x) { x.at = "2024-05-01T08:00:01Z"; },
           [](BudgetEvent& x) { x.actor = "someone"; }, [](BudgetEvent& x) { x.action = "allocate"; },
           [](BudgetEvent& x) { x.total_fen = 1001; }, [](BudgetEvent& x) { x.note = "n"; },
           [](BudgetEvent& x) { x.payload_json = "{}"; }, [](BudgetEvent& x) { x.prev_hash = std::string(64, '1'); }}) {
    BudgetEvent changed = e;
    change(changed);
    EXPECT_NE(budget_event_hash(changed), budget_event_hash(e));
  }
  EXPECT_EQ(canonical_budget_event(e).rfind("subsidy.budget_event.v1\n", 0), 0u);  // not a case event's bytes
}

TEST(VerifyBudgetChain, IntactLedgerMatchingItsTotalIsClean) { EXPECT_TRUE(verify(build()).empty()); }

TEST(VerifyBudgetChain, EditedDeletedAndReorderedEventsAreNamed) {
  Ledger edited = build();
  edited.events[1].actor = "someone else";
  EXPECT_EQ(kinds(verify(edited)), (Found{{2, FindingKind::altered}}));

  Ledger deleted = build();
  deleted.events.erase(deleted.events.begin() + 1);
  EXPECT_EQ(kinds(verify(deleted)), (Found{{2, FindingKind::deleted}}));

  Ledger last_deleted = build();
  last_deleted.events.pop_back();
  const auto f = verify(last_deleted);
  EXPECT_EQ(kinds(f), (Found{{4, FindingKind::deleted}}));
  EXPECT_NE(f[0].message.find("the budget recorded 4 events"), std::string::npos) << f[0].message;

  Ledger swapped = build();
  std::swap(swapped.events[1].seq, swapped.events[2].seq);
  std::swap(swapped.events[1], swapped.events[2]);
  EXPECT_EQ(kinds(verify(swapped)), (Found{{2, FindingKind::reordered}, {3, FindingKind::reordered}}));
}

TEST(VerifyBudgetChain, ARehashedEditBreaksTheNextLink) {
  Ledger l = build();
  l.events[1].note = "forged";  // the editor knows the hash function
  l.events[1].hash = budget_event_hash(l.events[1]);
  EXPECT_EQ(kinds(verify(l)), (Found{{3, FindingKind::broken_link}}));
  // Re-hashing the last `set` with another total also leaves the row's total unexplained.
  l = build();
  l.events[2].total_fen = 5000;
  l.events[2].hash = budget_event_hash(l.events[2]);
  EXPECT_EQ(kinds(verify(l)), (Found{{3, FindingKind::budget_mismatch}, {4, FindingKind::broken_link}}));
}

TEST(VerifyBudgetChain, ATotalThatIsNotTheLastSetIsAMismatch) {
  const auto f = verify(build(), 2500);
  EXPECT_EQ(kinds(f), (Found{{3, FindingKind::budget_mismatch}}));
  EXPECT_EQ(f[0].message,
            "the total of R14/2024 is 25.00 yuan but its last `set` event (seq 3) set 20.00 yuan: the total was changed "
            "outside the ledger");
  EXPECT_EQ(std::string(finding_kind_name(FindingKind::budget_mismatch)), "budget_mismatch");

  std::vector<AuditFinding> out;
  verify_budget_chain("R14", 2024, {}, {}, 2000, out);  // a budget with no ledger at all
  EXPECT_EQ(kinds(out), (Found{{0, FindingKind::budget_mismatch}}));
  EXPECT_NE(out[0].message.find("no `set` event"), std::string::npos) << out[0].message;

  const auto gone = verify(build(), std::nullopt);  // the budget row was deleted
  EXPECT_EQ(kinds(gone), (Found{{0, FindingKind::budget_mismatch}}));
  EXPECT_NE(gone[0].message.find("its row was deleted"), std::string::npos) << gone[0].message;
}

TEST(BudgetEvents, NeedAnActorAndAnActionOtherThanSet) {
  EXPECT_THROW(require_actor("", "setting a budget"), std::invalid_argument);
  EXPECT_THROW(require_actor(" \t", "setting a budget"), std::invalid_argument);
  EXPECT_NO_THROW(require_actor("财政局", "setting a budget"));
  BudgetEvent e = build().events[1];
  EXPECT_NO_THROW(require_budget_event(e));
  e.action = kBudgetSet;
  EXPECT_THROW(require_budget_event(e), std::invalid_argument);
  e.action = " ";
  EXPECT_THROW(require_budget_event(e), std::invalid_argument);
  e.action = kBudgetAllocate;
  e.actor = "";
  EXPECT_THROW(require_budget_event(e), std::invalid_argument);
}

TEST(AwardFilter, EverySetFieldMustMatch) {
  const Award a{1, "91150800X", "R14", 2024, 100, std::nullopt, std::nullopt, "2024-06-01"};
  EXPECT_TRUE(matches(AwardFilter{}, a));
  EXPECT_TRUE(matches(AwardFilter{"91150800X", "R14", 2024}, a));
  EXPECT_FALSE(matches(AwardFilter{"91150800Y", std::nullopt, std::nullopt}, a));
  EXPECT_FALSE(matches(AwardFilter{std::nullopt, "R15", std::nullopt}, a));
  EXPECT_FALSE(matches(AwardFilter{std::nullopt, std::nullopt, 2023}, a));
}

}  // namespace
}  // namespace subsidy::store
