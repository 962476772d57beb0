// The case orchestration (cli/case_service.hpp) on the in-memory repository: submission,
// idempotency, budget hooks (reserve on approve, refusal when it does not fit, release on
// rejection), awards feedback, allocation.
#include "cli/case_service.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cli/exit_codes.hpp"
#include "cli/load_rules.hpp"
#include "model/date.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::cli::cases {
namespace {

std::string read(const std::string& rel) {
  std::ifstream in(std::string(SUBSIDY_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string with_id(std::string facts, const std::string& id) {
  auto at = facts.find("APP-2024-0001");
  return facts.replace(at, 13, id);
}

class CaseServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rules_ = load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/rules").release();
    ASSERT_TRUE(rules_->ruleset) << "rules must load";
    auto id = rules_->sources.add("cal", read("rules/calendar/cn-mainland.tsv"));
    diag::Diagnostics d;
    cal_ = new workflow::Calendar(workflow::Calendar::parse(rules_->sources, id, d));
  }
  Env env() { return Env{*rules_->ruleset, *rules_->workflows, *cal_, repo_}; }
  model::Days day(const char* s) { return *model::parse_date(s); }

  store::CaseId submit_eligible(const std::string& id, const char* date = "2025-03-03") {
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = with_id(read("tests/cli/data/incubator-agri-corrected.json"), id);
    r.date = day(date);
    auto res = submit(env(), r);
    act(env(), {res.id, "submit", "申报单位", "A", "", day(date)});
    return res.id;
  }

  static LoadedRules* rules_;
  static workflow::Calendar* cal_;
  store::InMemoryRepository repo_;
};
LoadedRules* CaseServiceTest::rules_ = nullptr;
workflow::Calendar* CaseServiceTest::cal_ = nullptr;

TEST_F(CaseServiceTest, SubmitStoresCaseFactsAndFirstEventAndIsIdempotent) {
  SubmitRequest r;
  r.programme = "R14";
  r.facts_json = read("tests/cli/data/incubator-agri.json");
  r.applicant = "ORG1";
  r.date = day("2024-05-06");
  auto a = submit(env(), r);
  EXPECT_TRUE(a.created);
  EXPECT_EQ(a.c.stages, std::vector<std::string>{"application"});
  EXPECT_EQ(a.c.call_year, 2024);
  ASSERT_TRUE(a.c.decision);
  EXPECT_EQ(a.c.decision->outcome, "refused");
  EXPECT_EQ(repo_.facts_versions(a.id).size(), 1u);
  EXPECT_EQ(repo_.events(a.id).size(), 1u);
  EXPECT_EQ(applicant_of(repo_, a.id), "ORG1");
  auto b = submit(env(), r);
  EXPECT_FALSE(b.created);
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(repo_.events(a.id).size(), 1u);
}

TEST_F(CaseServiceTest, ApproveReservesAndRefusesBeyondTheBudget) {
  repo_.set_budget("R14", 2025, 30000000);  // room for one 200000-yuan grant
  auto c1 = submit_eligible("A1"), c2 = submit_eligible("A2");
  auto r1 = act(env(), {c1, "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")});
  EXPECT_EQ(r1.c.amount_fen, 20000000);
  try {
    act(env(), {c2, "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")});
    FAIL() << "expected a refusal";
  } catch (const CaseError& e) {
    EXPECT_EQ(e.code(), kExitRefused);
    EXPECT_NE(std::string(e.what()).find("available"), std::string::npos);
  }
  auto after = repo_.load_case(c2);
  EXPECT_EQ(after.stages, std::vector<std::string>{"county_review"});  // unchanged
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 20000000);
  // rejection releases
  act(env(), {c1, "reject", "市科技局", "L", "", day("2025-03-05")});
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);
  EXPECT_EQ(repo_.load_case(c1).amount_fen, 0);
}

TEST_F(CaseServiceTest, RefusedActionsAndWrongRolesExitEight) {
  auto c = submit_eligible("A3");
  try {
    act(env(), {c, "approve", "市林草局", "X", "", day("2025-03-04")});
    FAIL();
  } catch (const CaseError& e) {
    EXPECT_EQ(e.code(), kExitRefused);
  }
}

TEST_F(CaseServiceTest, ExpiredCorrectionClosesTheCaseAndReleasesEvenWhenTheStepIsRefused) {
  repo_.set_budget("R14", 2025, 100000000);
  auto c = submit_eligible("A4");
  act(env(), {c, "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")});
  act(env(), {c, "return", "市科技局", "L", "", day("2025-03-05")});
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 20000000);
  try {
    act(env(), {c, "resubmit", "申报单位", "A", "", day("2025-04-01")});
    FAIL() << "the correction period is over";
  } catch (const CaseError& e) {
    EXPECT_EQ(e.code(), kExitRefused);
  }
  EXPECT_EQ(repo_.load_case(c).stages, std::vector<std::string>{"closed"});
  EXPECT_EQ(repo_.events(c).back().action, "timer");
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);
}

TEST_F(CaseServiceTest, AwardsAreFedBackAsFacts) {
  const auto& rs = *rules_->ruleset;
  model::Facts f(rs.schema.facts.size());
  std::vector<store::Award> awards = {{0, "ORG", "R01", 2024, 1000000, {}, {}, ""},
                                      {0, "ORG", "R14", 2022, 500000, {}, {}, ""},
                                      {0, "ORG", "R02", 2024, 300000, {}, store::CaseId{9}, ""}};
  feed_awards(rs, awards, 2024, 0, f);
  const auto* prior = rs.schema.find_fact("prior_awards");
  EXPECT_EQ(f.sets[prior->slot].size(), 3u);
  EXPECT_EQ(f.values[rs.schema.find_fact("rd_awarded_this_year")->slot], 1300000);
  EXPECT_EQ(f.values[rs.schema.find_fact("last_funded_year")->slot], 2024);
  model::Facts g(rs.schema.facts.size());
  feed_awards(rs, awards, 2024, 9, g);  // the case's own award is ignored
  EXPECT_EQ(g.values[rs.schema.find_fact("rd_awarded_this_year")->slot], 1000000);
}

TEST_F(CaseServiceTest, ProRataAllocationFloorsToYuanAndRankedFundsWholeAmounts) {
  repo_.set_budget("R14", 2025, 50000000);  // 500000 for 3 × 200000
  for (const char* id : {"P1", "P2", "P3"}) submit_eligible(id);
  auto pr = allocate(env(), "R14", 2025, Allocation::pro_rata, "F", day("2025-03-06"));
  ASSERT_EQ(pr.lines.size(), 3u);
  for (const auto& l : pr.lines) EXPECT_EQ(l.allocated, 16666600);
  EXPECT_EQ(pr.budget.reserved_fen, 3 * 16666600);
  auto rk = allocate(env(), "R14", 2025, Allocation::ranked, "F", day("2025-03-06"));
  EXPECT_EQ(rk.lines[0].allocated, 20000000);
  EXPECT_EQ(rk.lines[1].allocated, 20000000);
  EXPECT_EQ(rk.lines[2].allocated, 0);
  EXPECT_EQ(rk.budget.reserved_fen, 40000000);
}

}  // namespace
}  // namespace subsidy::cli::cases
