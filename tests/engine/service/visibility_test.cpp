// What the case routes of `subsidy serve` need from the application layer (docs/service.md "Cases
// API"): the roles a case's workflow resolves to with the case's facts, the visibility rule, the
// paged, filtered list and inbox of GET /v1/cases and /v1/inbox, the client's optimistic lock
// (`version`) and an allocation preview — on the in-memory repository with the shipped rules.
#include "service/queries.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/service/incubator_case.hpp"
#include "engine/service/source_file.hpp"
#include "files/rules_dir.hpp"
#include "model/date.hpp"
#include "service/budgets.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::service {
namespace {

using testing_cases::holding;
using testing_cases::incubator_facts;

using testing_files::read;

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

class VisibilityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << prepared_->error;
  }
  Env env() { return Env{*prepared_->rules, repo_}; }
  model::Days day() { return *model::parse_date("2025-03-03"); }

  store::Case submit_case(const std::string& id, const std::string& county, bool in_zone = false) {
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = incubator_facts(id, county, in_zone);
    r.date = day();
    return submit(env(), r).c;
  }
  void submit_step(store::CaseId id) { act(env(), {id, "submit", "申报单位", "A", "", day()}); }

  static files::PreparedFromDisk* prepared_;
  store::InMemoryRepository repo_;
};
files::PreparedFromDisk* VisibilityTest::prepared_ = nullptr;

TEST_F(VisibilityTest, ACaseResolvesToTheRolesOfEveryStageWithItsFacts) {
  auto c = submit_case("APP-V-1", "临河区");
  auto roles = case_roles(env(), c, day());
  for (const char* r : {"申报单位", "旗县区科技局[临河区]", "市科技局", "专家组", "市农牧局", "市财政局"})
    EXPECT_TRUE(has(roles, r)) << r;
  // Another county's bureau, and the sector bureaus the joint review's guards leave out, are not among them.
  EXPECT_FALSE(has(roles, "旗县区科技局[五原县]"));
  EXPECT_FALSE(has(roles, "市林草局"));
  EXPECT_FALSE(has(roles, "农高区管委会"));
  // The first `responsible` line that applies wins: in the zone the committee reviews, not the county.
  auto zone = submit_case("APP-V-2", "临河区", true);
  auto zroles = case_roles(env(), zone, day());
  EXPECT_TRUE(has(zroles, "农高区管委会"));
  EXPECT_FALSE(has(zroles, "旗县区科技局[临河区]"));
}

TEST_F(VisibilityTest, ACountyOfficerSeesOnlyTheCasesOfItsCounty) {
  auto linhe = submit_case("APP-V-1", "临河区");
  auto wuyuan = submit_case("APP-V-2", "五原县");
  const auto officer = holding({"旗县区科技局[临河区]"});
  EXPECT_TRUE(visible_to(env(), linhe, officer, day()));
  EXPECT_FALSE(visible_to(env(), wuyuan, officer, day()));
  // The city bureau sees both; so do an integrating system without roles and an administrator.
  for (const auto& p : {holding({"市科技局"}), holding({}), holding({"旗县区科技局[五原县]", "admin"})}) {
    EXPECT_TRUE(visible_to(env(), linhe, p, day()));
    EXPECT_TRUE(visible_to(env(), wuyuan, p, day()));
  }
  // A case one may not see is the same 404 as one that does not exist.
  for (store::CaseId id : {wuyuan.id, store::CaseId{999}}) {
    try {
      load_visible(env(), id, officer, day());
      ADD_FAILURE() << "case " << id << " was shown";
    } catch (const ServiceError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::not_found);
      EXPECT_EQ(e.code(), "unknown_case");
      EXPECT_EQ(std::string(e.what()), "no case " + std::to_string(id));
    }
  }
  EXPECT_EQ(load_visible(env(), linhe.id, officer, day()).id, linhe.id);
}

TEST_F(VisibilityTest, TheListPagesWithACursorAndCountsEveryMatchByStage) {
  std::vector<store::CaseId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(submit_case("APP-P-" + std::to_string(i), i == 3 ? "五原县" : "临河区").id);
  submit_step(ids[0]);
  const auto officer = holding({"旗县区科技局[临河区]"});
  CaseQuery q;
  q.filter.limit = 2;
  auto page = find_cases(env(), q, officer, day());
  ASSERT_EQ(page.cases.size(), 2u);
  EXPECT_EQ(page.cases[0].id, ids[0]);
  EXPECT_EQ(page.cases[1].id, ids[1]);
  ASSERT_TRUE(page.next);
  EXPECT_EQ(page.next->id, ids[1]);
  // Counts are of every case the officer sees (not the 五原县 one), on every page.
  using Counts = std::vector<std::pair<std::string, std::size_t>>;
  EXPECT_EQ(page.counts, (Counts{{"application", 3}, {"county_review", 1}}));
  q.filter.after = *page.next;
  page = find_cases(env(), q, officer, day());
  ASSERT_EQ(page.cases.size(), 2u);
  EXPECT_EQ(page.cases[0].id, ids[2]);
  EXPECT_EQ(page.cases[1].id, ids[4]);  // ids[3] is 五原县's
  EXPECT_FALSE(page.next);
  EXPECT_EQ(page.counts, (Counts{{"application", 3}, {"county_review", 1}}));

  // The inbox: only what waits for one of the officer's roles now.
  CaseQuery inbox;
  inbox.inbox = true;
  page = find_cases(env(), inbox, officer, day());
  ASSERT_EQ(page.cases.size(), 1u);
  EXPECT_EQ(page.cases[0].id, ids[0]);
  // role= in an inbox must be held.
  inbox.filter.role = "市科技局";
  try {
    find_cases(env(), inbox, officer, day());
    ADD_FAILURE() << "an inbox for a role not held";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), "forbidden");
  }
}

TEST_F(VisibilityTest, CountyAndApplicationFiltersAreChecked) {
  auto linhe = submit_case("APP-F-1", "临河区");
  auto wuyuan = submit_case("APP-F-2", "五原县");
  const auto city = holding({"市科技局"});
  CaseQuery q;
  q.county = "五原县";
  auto page = find_cases(env(), q, city, day());
  ASSERT_EQ(page.cases.size(), 1u);
  EXPECT_EQ(page.cases[0].id, wuyuan.id);
  q.county.clear();
  q.q = "APP-F-1";
  page = find_cases(env(), q, city, day());
  ASSERT_EQ(page.cases.size(), 1u);
  EXPECT_EQ(page.cases[0].id, linhe.id);
  q.q.clear();
  q.county = "五原";
  try {
    find_cases(env(), q, city, day());
    ADD_FAILURE() << "an unknown county was accepted";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.code(), "unknown_county");
    EXPECT_NE(std::string(e.what()).find("did you mean `五原县`"), std::string::npos) << e.what();
  }
}

TEST_F(VisibilityTest, TheExplanationIsOfTheDecisionAsMade) {
  auto c = submit_case("APP-E-1", "临河区");
  auto ex = explain_decision(env(), c, true);
  ASSERT_TRUE(ex);
  EXPECT_FALSE(ex->with_current_rules);
  EXPECT_NE(ex->text.find("R14"), std::string::npos) << ex->text;
}

TEST_F(VisibilityTest, AStepOrCorrectionAgainstAnotherVersionIsAConflictAndChangesNothing) {
  auto c = submit_case("APP-C-1", "临河区");
  ActRequest step{c.id, "submit", "申报单位", "A", "", day()};
  step.expected_version = c.version + 1;
  try {
    act(env(), step);
    ADD_FAILURE() << "a stale version was accepted";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
    EXPECT_EQ(e.code(), "conflict");
  }
  CorrectRequest fix{c.id, incubator_facts("APP-C-1", "五原县"), "A", "", day()};
  fix.expected_version = c.version + 1;
  EXPECT_THROW(correct(env(), fix), ServiceError);
  EXPECT_EQ(repo_.load_case(c.id), c);
  EXPECT_EQ(repo_.events(c.id).size(), 1u);
  step.expected_version = c.version;
  EXPECT_EQ(act(env(), step).c.stages, std::vector<std::string>{"county_review"});
}

TEST_F(VisibilityTest, AnAllocationPreviewComputesTheSharesAndChangesNothing) {
  repo_.set_budget("R14", 2025, 30000000, "财政局", "");  // 300000 for 2 × 200000
  std::vector<store::Case> before;
  for (const char* id : {"APP-A-1", "APP-A-2"}) {
    auto c = submit_case(id, "临河区");
    submit_step(c.id);
    before.push_back(repo_.load_case(c.id));
  }
  const auto budget = repo_.get_budget("R14", 2025);
  const auto ledger = repo_.budget_history("R14", 2025);
  auto preview = allocate(env(), "R14", 2025, Allocation::pro_rata, "F", true);
  ASSERT_EQ(preview.lines.size(), 2u);
  EXPECT_EQ(preview.lines[0].allocated, 15000000);
  EXPECT_EQ(preview.budget.reserved_fen, 30000000);  // as it would be
  EXPECT_EQ(repo_.get_budget("R14", 2025), budget);  // as it is
  EXPECT_EQ(repo_.budget_history("R14", 2025), ledger);
  for (const auto& c : before) EXPECT_EQ(repo_.load_case(c.id), c);
  auto applied = allocate(env(), "R14", 2025, Allocation::pro_rata, "F");
  EXPECT_EQ(applied.budget.reserved_fen, 30000000);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 30000000);
}

TEST_F(VisibilityTest, BudgetsAreListedByProgrammeAndYear) {
  repo_.set_budget("R14", 2024, 100, "F", "");
  repo_.set_budget("R14", 2025, 200, "F", "");
  repo_.set_budget("R02", 2025, 300, "F", "");
  auto totals = [&](const std::string& programme, std::optional<int> year) {
    std::vector<model::Fen> out;
    for (const auto& b : list_budgets(repo_, programme, year)) out.push_back(b.total_fen);
    return out;
  };
  EXPECT_EQ(totals("", std::nullopt), (std::vector<model::Fen>{300, 100, 200}));  // by programme, year
  EXPECT_EQ(totals("R14", std::nullopt), (std::vector<model::Fen>{100, 200}));
  EXPECT_EQ(totals("", 2025), (std::vector<model::Fen>{300, 200}));
  EXPECT_EQ(totals("R14", 2024), (std::vector<model::Fen>{100}));
  EXPECT_THROW(list_budgets(repo_, "", 1900), ServiceError);
}

}  // namespace
}  // namespace subsidy::service
