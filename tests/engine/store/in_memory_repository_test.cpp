// Behaviour specific to the in-memory repository. The behaviour every repository shares is tested
// once, against all implementations, in tests/adapters/soci/repository_test.cpp.
#include "store/in_memory_repository.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace subsidy::store {
namespace {

Case new_case(const std::string& app) {
  Case c;
  c.application_id = app;
  c.programme = "RD_POST";
  c.call_year = 2024;
  c.workflow = "formula";
  c.workflow_version = 1;
  c.stages = {"county_review"};
  c.roles = {"county_bureau"};
  return c;
}

FactsVersion facts() { return {0, 0, R"({"id":"A"})", kFactsSubmitted, ""}; }

Event action(CaseId id, const std::string& what, const std::string& note = "") {
  Event e;
  e.case_id = id;
  e.action = what;
  e.note = note;
  return e;
}

Clock fixed_clock() {
  return [] { return std::string("2024-05-01T08:00:00Z"); };
}

TEST(InMemoryRepository, RollbackRestoresEverything) {
  InMemoryRepository repo(std::make_shared<InMemoryDatabase>(), fixed_clock());
  repo.set_budget("RD_POST", 2024, 1000, "财政局", "");
  {
    Transaction tx(repo);
    const CaseId id = repo.create_case(new_case("A"), facts());
    repo.append_event(action(id, "submit"));
    repo.reserve(id, 600);
  }  // not committed
  EXPECT_FALSE(repo.find_by_application_id("A"));
  EXPECT_EQ(repo.get_budget("RD_POST", 2024)->reserved_fen, 0);
  EXPECT_FALSE(repo.in_transaction());
}

TEST(InMemoryRepository, CommitKeepsEverything) {
  InMemoryRepository repo(std::make_shared<InMemoryDatabase>(), fixed_clock());
  Transaction tx(repo);
  const CaseId id = repo.create_case(new_case("A"), facts());
  repo.append_event(action(id, "submit"));
  tx.commit();
  EXPECT_EQ(repo.load_case(id).created_at, "2024-05-01T08:00:00Z");
  EXPECT_EQ(repo.events(id).size(), 1u);
}

TEST(InMemoryRepository, NestedBeginIsALogicError) {
  InMemoryRepository repo;
  Transaction tx(repo);
  EXPECT_THROW(repo.begin(), std::logic_error);
}

TEST(InMemoryRepository, SharedDatabaseLockTimesOutAsUnavailable) {
  auto db = std::make_shared<InMemoryDatabase>();
  InMemoryRepository a(db), b(db, utc_now, std::chrono::milliseconds(50));
  Transaction tx(a);
  std::thread other([&] {
    try {
      b.set_budget("RD_POST", 2024, 1, "财政局", "");
      ADD_FAILURE() << "expected UnavailableError";
    } catch (const UnavailableError&) {
    }
  });
  other.join();
}

TEST(InMemoryRepository, TamperedStateIsReported) {
  InMemoryRepository repo;
  const CaseId id = repo.create_case(new_case("A"), facts());
  for (int i = 0; i < 3; ++i) repo.append_event(action(id, "act", std::to_string(i)));
  EXPECT_TRUE(repo.verify_audit().clean());
  repo.database()->state.events[id][1].note = "forged";
  const AuditReport r = repo.verify_audit();
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].kind, FindingKind::altered);
  EXPECT_EQ(r.findings[0].seq, 2);
  EXPECT_EQ(r.events, 3);
}

TEST(AwardHistory, Summarises) {
  std::vector<Award> awards = {
      {1, "91150800X", "RD_POST", 2023, 100, "专利A", 1, "2023-12-01"},
      {2, "91150800X", "TECH_BUY", 2024, 50, std::nullopt, 2, "2024-06-01"},
      {3, "91150800X", "RD_POST", 2024, 70, "专利B", std::nullopt, "2024-07-01"},
  };
  const AwardHistory h = summarise_awards(awards, 2024);
  EXPECT_EQ(h.programmes, (std::set<std::string>{"RD_POST", "TECH_BUY"}));
  EXPECT_EQ(h.achievements, (std::set<std::string>{"专利A", "专利B"}));
  EXPECT_EQ(h.paid_in_year.at("RD_POST"), 70);
  EXPECT_EQ(h.paid_in_year.at("TECH_BUY"), 50);
  EXPECT_EQ(h.total_in_year, 120);
}

TEST(CaseFilter, OverdueUsesTheCurrentStagesDeadlines) {
  Case c = new_case("A");
  c.id = 3;
  c.stages = {"city_review", "sector_review"};
  c.deadlines = {{"county_review", 10}, {"city_review", 30}, {"sector_review", 20}};
  EXPECT_EQ(next_due(c), 20);
  CaseFilter f;
  f.overdue_as_of = 20;
  EXPECT_FALSE(matches(f, c));  // due on the 20th is not overdue on the 20th
  f.overdue_as_of = 21;
  EXPECT_TRUE(matches(f, c));
  f.stage = "county_review";
  EXPECT_FALSE(matches(f, c));
}

TEST(ValidateCase, RejectsSeparatorsInNames) {
  Case c = new_case("A");
  c.stages = {"a|b"};
  EXPECT_THROW(validate_case(c), std::invalid_argument);
  c = new_case("");
  EXPECT_THROW(validate_case(c), std::invalid_argument);
}

}  // namespace
}  // namespace subsidy::store
