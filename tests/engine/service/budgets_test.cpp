// The budget ledger and awards use cases (service/budgets.hpp) on the in-memory repository: the
// allocation's ledger event, budget history, awards lists.
#include "service/budgets.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "files/rules_dir.hpp"
#include "model/date.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::service {
namespace {

class BudgetServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << "rules must load: " << prepared_->error;
  }
  Env env() { return Env{*prepared_->rules, repo_}; }

  // An eligible R14 case (200000 yuan) at county review.
  store::CaseId submit_eligible(const std::string& id) {
    std::ifstream in(std::string(SUBSIDY_SOURCE_DIR) + "/tests/cli/data/incubator-agri-corrected.json");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string facts = ss.str();
    facts.replace(facts.find("APP-2024-0001"), 13, id);
    const model::Days date = *model::parse_date("2025-03-03");
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = facts;
    r.date = date;
    auto res = submit(env(), r);
    act(env(), {res.id, "submit", "申报单位", "A", "", date});
    return res.id;
  }

  static files::PreparedFromDisk* prepared_;
  store::InMemoryRepository repo_;
};
files::PreparedFromDisk* BudgetServiceTest::prepared_ = nullptr;

TEST_F(BudgetServiceTest, AnAllocationIsOneLedgerEventWithWhatItDecided) {
  set_budget(env(), "R14", 2025, 50000000, "财政局 李", "年初预算");
  std::vector<store::CaseId> ids;
  for (const char* id : {"P1", "P2", "P3"}) ids.push_back(submit_eligible(id));
  const AllocationResult r = allocate(env(), "R14", 2025, Allocation::pro_rata, "市科技局 王");

  const auto history = budget_history(repo_, "R14", 2025);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].action, "set");
  EXPECT_EQ(history[0].actor, "财政局 李");
  EXPECT_EQ(history[0].note, "年初预算");
  EXPECT_EQ(history[1].action, "allocate");
  EXPECT_EQ(history[1].actor, "市科技局 王");
  EXPECT_EQ(history[1].total_fen, 50000000);
  const boost::json::object p = boost::json::parse(history[1].payload_json).as_object();
  EXPECT_EQ(p.at("method").as_string(), "pro-rata");
  EXPECT_EQ(p.at("demand_fen").as_int64(), 60000000);
  EXPECT_EQ(p.at("available_fen").as_int64(), 50000000);
  EXPECT_EQ(r.demand, 60000000);
  const auto& cases = p.at("cases").as_array();
  ASSERT_EQ(cases.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& c = cases[i].as_object();
    EXPECT_EQ(c.at("case").as_int64(), ids[i]);
    EXPECT_EQ(c.at("application").as_string(), std::string("P") + std::to_string(i + 1));
    EXPECT_EQ(c.at("decided_fen").as_int64(), 20000000);
    EXPECT_EQ(c.at("before_fen").as_int64(), 0);
    EXPECT_EQ(c.at("allocated_fen").as_int64(), 16666600);
  }
  allocate(env(), "R14", 2025, Allocation::ranked, "市科技局 王");
  EXPECT_EQ(budget_history(repo_, "R14", 2025).size(), 3u);
  const store::AuditReport audit = repo_.verify_audit();
  EXPECT_TRUE(audit.clean());
  EXPECT_EQ(audit.budgets, 1);
  EXPECT_EQ(audit.budget_events, 3);
}

TEST_F(BudgetServiceTest, ARefusedAllocationWritesNoLedgerEvent) {
  set_budget(env(), "R14", 2025, 50000000, "财政局", "");
  submit_eligible("P1");
  EXPECT_THROW(allocate(env(), "R14", 2025, Allocation::ranked, " "), ServiceError);
  EXPECT_THROW(allocate(env(), "R14", 2024, Allocation::ranked, "F"), ServiceError);  // no budget for 2024
  EXPECT_EQ(budget_history(repo_, "R14", 2025).size(), 1u);
}

TEST_F(BudgetServiceTest, HistoryOfAnUnknownBudgetIsNotFound) {
  try {
    budget_history(repo_, "R14", 2025);
    FAIL() << "expected not_found";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
    EXPECT_EQ(e.code(), "no_budget");
    EXPECT_STREQ(e.what(), "no budget R14/2025");
  }
  try {
    budget_history(repo_, "R14", 1999);
    FAIL() << "expected usage";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
  }
}

TEST_F(BudgetServiceTest, AwardsAreListedByFilter) {
  repo_.record_award({0, "91150800MA0000001X", "R14", 2024, 500, std::nullopt, std::nullopt, "2024-09-01"});
  repo_.record_award({0, "91150800MA0000002Y", "R08", 2024, 300, std::nullopt, std::nullopt, "2024-10-01"});
  store::AwardFilter f;
  f.programme = "R08";
  ASSERT_EQ(list_awards(repo_, f).size(), 1u);
  EXPECT_EQ(list_awards(repo_, f)[0].applicant, "91150800MA0000002Y");
  EXPECT_EQ(list_awards(repo_, {}).size(), 2u);
  f.year = 3000;
  EXPECT_THROW(list_awards(repo_, f), ServiceError);
}

}  // namespace
}  // namespace subsidy::service
