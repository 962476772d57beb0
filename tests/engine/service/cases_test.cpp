// The case orchestration (service/cases.hpp) on the in-memory repository: submission,
// idempotency, budget hooks (reserve on approve, refusal when it does not fit, release on
// rejection), awards feedback, allocation.
#include "service/cases.hpp"

#include <gtest/gtest.h>

#include "engine/service/source_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "files/rules_dir.hpp"
#include "model/date.hpp"
#include "service/queries.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::service {
namespace {

using testing_files::read;

std::string with_id(std::string facts, const std::string& id) {
  auto at = facts.find("APP-2024-0001");
  return facts.replace(at, 13, id);
}

class CaseServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << "rules must load: " << prepared_->error;
    // The shipped rules with a competitive workflow whose county recommendation reserves the budget
    // (`reserve at county_review`): cases returned for correction then hold a reservation.
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("subsidy-county-reserves-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::copy(std::string(SUBSIDY_SOURCE_DIR) + "/rules", dir, fs::copy_options::recursive);
    std::string wf = read("rules/workflows/competitive.rules");
    const std::string decl = "reserve at collective_decision;";
    ASSERT_NE(wf.find(decl), std::string::npos);
    wf.replace(wf.find(decl), decl.size(), "reserve at county_review;");
    std::ofstream(dir / "workflows" / "competitive.rules", std::ios::binary | std::ios::trunc) << wf;
    county_reserves_ = new files::PreparedFromDisk(files::prepare(dir.string()));
    fs::remove_all(dir);
    ASSERT_TRUE(county_reserves_->rules) << county_reserves_->error;
  }
  Env env() { return Env{*prepared_->rules, repo_}; }
  Env county_env() { return Env{*county_reserves_->rules, repo_}; }
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

  // The approvals [first, steps) of the path from county review (after submit_eligible): county, formal review,
  // experts, site visit, two joint-review votes (6: at collective_decision), the collective
  // decision (7: in public notice), the fund plan after the notice (8: at disbursement).
  void walk(store::CaseId id, std::size_t steps, std::size_t first = 0) {
    static const std::tuple<const char*, const char*, const char*> path[] = {
        {"approve", "旗县区科技局[临河区]", "2025-03-04"}, {"approve", "市科技局", "2025-03-05"}, {"approve", "专家组", "2025-03-06"},
        {"approve", "市科技局", "2025-03-07"}, {"approve", "市农牧局", "2025-03-07"}, {"approve", "市财政局", "2025-03-07"},
        {"approve", "市科技局", "2025-03-10"}, {"approve", "市财政局", "2025-03-18"}};
    for (std::size_t i = first; i < steps; ++i) {
      auto [action, role, date] = path[i];
      act(env(), {id, action, role, "X", "", day(date)});
    }
  }
  // Through every review, the public notice and the fund plan to the disbursement stage.
  void to_disbursement(store::CaseId id) {
    walk(id, 8);
    ASSERT_EQ(repo_.load_case(id).stages, std::vector<std::string>{"disbursement"});
  }
  void disburse(store::CaseId id) { act(env(), {id, "disburse", "市财政局", "F", "", day("2025-03-19")}); }
  // The refusal of `f` (which must throw ServiceError): its exit code and message.
  template <class F>
  std::pair<ErrorKind, std::string> refusal(F f) {
    try {
      f();
    } catch (const ServiceError& e) {
      return {e.kind(), e.what()};
    }
    ADD_FAILURE() << "expected a refusal";
    return {ErrorKind::internal, ""};
  }

  static files::PreparedFromDisk* prepared_;
  static files::PreparedFromDisk* county_reserves_;
  store::InMemoryRepository repo_;
};
files::PreparedFromDisk* CaseServiceTest::prepared_ = nullptr;
files::PreparedFromDisk* CaseServiceTest::county_reserves_ = nullptr;

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
  EXPECT_EQ(repo_.load_case(a.id).applicant, "ORG1");
  ASSERT_TRUE(a.prepared);  // "ORG1" is no 统一社会信用代码: recorded, with a warning
  ASSERT_EQ(a.prepared->warnings.size(), 1u);
  EXPECT_NE(a.prepared->warnings[0].find("GB 32100-2015"), std::string::npos) << a.prepared->warnings[0];
  auto b = submit(env(), r);
  EXPECT_FALSE(b.created);
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(repo_.events(a.id).size(), 1u);
}

TEST_F(CaseServiceTest, ApplicantKeyIsAColumnCheckedAgainstGb32100) {
  SubmitRequest r;
  r.programme = "R14";
  r.date = day("2024-05-06");
  r.facts_json = with_id(read("tests/cli/data/incubator-agri.json"), "K1");
  r.applicant = "914403001922038216";  // valid check character
  auto valid = submit(env(), r);
  ASSERT_TRUE(valid.prepared);
  EXPECT_TRUE(valid.prepared->warnings.empty());
  r.facts_json = with_id(read("tests/cli/data/incubator-agri.json"), "K2");
  r.applicant = "914403001922038217";  // wrong check character: warned, not refused
  auto legacy = submit(env(), r);
  ASSERT_TRUE(legacy.created);
  ASSERT_EQ(legacy.prepared->warnings.size(), 1u);
  r.facts_json = with_id(read("tests/cli/data/incubator-agri.json"), "K3");
  r.applicant.clear();  // no key: the application id, without a warning
  auto none = submit(env(), r);
  EXPECT_TRUE(none.prepared->warnings.empty());
  EXPECT_EQ(none.c.applicant, "K3");
  store::CaseFilter f;
  f.applicant = "914403001922038217";
  auto found = repo_.list_cases(f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, legacy.id);
}

// Issue 9: the county's recommendation reserved the budget, so a county bureau was refused because
// the city's budget was full. The workflow names the reserving stage (competitive: the collective
// decision of 市科技局).
TEST_F(CaseServiceTest, TheWorkflowsReservingStageReservesNotTheCountysRecommendation) {
  repo_.set_budget("R14", 2025, 30000000, "财政局", "");  // room for one 200000-yuan grant
  auto c1 = submit_eligible("A1"), c2 = submit_eligible("A2");
  walk(c1, 1);
  walk(c2, 1);  // the county recommends both, although only one fits
  EXPECT_EQ(repo_.load_case(c1).reserved_fen, 0);
  EXPECT_EQ(repo_.load_case(c2).reserved_fen, 0);
  EXPECT_EQ(env().wfs.for_program("R14")->reserving_stage(), "collective_decision");
  walk(c1, 6, 1);  // joint review done, nothing reserved yet
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);
  auto r1 = act(env(), {c1, "approve", "市科技局", "W", "", day("2025-03-10")});
  EXPECT_EQ(r1.c.reserved_fen, 20000000);
  EXPECT_EQ(r1.c.stages, std::vector<std::string>{"publicity"});
  walk(c2, 6, 1);  // c2 at the collective decision: the budget is full
  auto [kind, message] = refusal([&] { act(env(), {c2, "approve", "市科技局", "W", "", day("2025-03-10")}); });
  EXPECT_EQ(kind, ErrorKind::refused);
  EXPECT_NE(message.find("budget_exceeded"), std::string::npos) << message;
  EXPECT_EQ(repo_.load_case(c2).stages, std::vector<std::string>{"collective_decision"});  // unchanged
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 20000000);
  // where the workflow names the county's stage, its approval reserves (and is refused when full)
  store::InMemoryRepository other;
  Env county{*county_reserves_->rules, other};
  other.set_budget("R14", 2025, 30000000, "财政局", "");
  SubmitRequest r;
  r.programme = "R14";
  r.date = day("2025-03-03");
  std::vector<store::CaseId> ids;
  for (const char* id : {"B1", "B2"}) {
    r.facts_json = with_id(read("tests/cli/data/incubator-agri-corrected.json"), id);
    ids.push_back(submit(county, r).id);
    act(county, {ids.back(), "submit", "申报单位", "A", "", day("2025-03-03")});
  }
  EXPECT_EQ(act(county, {ids[0], "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")}).c.reserved_fen, 20000000);
  EXPECT_EQ(refusal([&] { act(county, {ids[1], "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")}); }).first,
            ErrorKind::refused);
}

// Issue 9: an officer approves a smaller amount where the workflow allows it, with a reason.
TEST_F(CaseServiceTest, AnApprovalOfASmallerAmountWhereTheWorkflowAllowsIt) {
  repo_.set_budget("R14", 2025, 100000000, "财政局", "");
  auto c = submit_eligible("S1");
  walk(c, 1);
  ActRequest county{c, "approve", "市科技局", "W", "", day("2025-03-05")};
  county.amount = 15000000;
  county.reason = "核减";
  auto [k1, m1] = refusal([&] { act(env(), county); });  // formal review: not adjustable
  EXPECT_EQ(k1, ErrorKind::refused);
  EXPECT_NE(m1.find("amount_not_adjustable"), std::string::npos) << m1;
  EXPECT_EQ(repo_.load_case(c).stages, std::vector<std::string>{"formal_review"});
  walk(c, 6, 1);
  ActRequest city{c, "approve", "市科技局", "W", "预算不足", day("2025-03-10")};
  city.amount = 15000000;
  EXPECT_EQ(refusal([&] { act(env(), city); }).first, ErrorKind::usage);  // no reason
  city.reason = "预算有限，按比例核减";
  city.amount = 20000001;
  EXPECT_EQ(refusal([&] { act(env(), city); }).first, ErrorKind::usage);  // more than decided
  city.amount = 0;
  EXPECT_EQ(refusal([&] { act(env(), city); }).first, ErrorKind::usage);  // nothing: reject instead
  city.amount = 15000000;
  auto res = act(env(), city);
  EXPECT_EQ(res.c.stages, std::vector<std::string>{"publicity"});
  EXPECT_EQ(res.c.approved_fen, 15000000);
  EXPECT_EQ(res.c.decision->amount_fen, 20000000);  // the rules' decision is kept
  EXPECT_EQ(payable(res.c), 15000000);
  EXPECT_EQ(res.c.reserved_fen, 15000000);  // the reservation is the approved amount
  const auto ev = repo_.events(c).back();
  EXPECT_NE(ev.payload_json.find("\"approved_fen\":15000000"), std::string::npos) << ev.payload_json;
  EXPECT_NE(ev.payload_json.find("预算有限"), std::string::npos) << ev.payload_json;
  act(env(), {c, "approve", "市财政局", "X", "", day("2025-03-18")});
  disburse(c);
  EXPECT_EQ(repo_.awards_for("S1").at(0).amount_fen, 15000000);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->consumed_fen, 15000000);
}

TEST_F(CaseServiceTest, RefusedActionsAndWrongRolesExitEight) {
  auto c = submit_eligible("A3");
  try {
    act(env(), {c, "approve", "市林草局", "X", "", day("2025-03-04")});
    FAIL();
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
  }
}

TEST_F(CaseServiceTest, ExpiredCorrectionClosesTheCaseAndReleasesEvenWhenTheStepIsRefused) {
  repo_.set_budget("R14", 2025, 100000000, "财政局", "");
  SubmitRequest r;
  r.programme = "R14";
  r.facts_json = with_id(read("tests/cli/data/incubator-agri-corrected.json"), "A4");
  r.date = day("2025-03-03");
  auto c = submit(county_env(), r).id;  // a workflow whose county recommendation reserves
  act(county_env(), {c, "submit", "申报单位", "A", "", day("2025-03-03")});
  act(county_env(), {c, "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")});
  act(county_env(), {c, "return", "市科技局", "L", "", day("2025-03-05")});
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 20000000);
  try {
    act(county_env(), {c, "resubmit", "申报单位", "A", "", day("2025-04-01")});
    FAIL() << "the correction period is over";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
  }
  EXPECT_EQ(repo_.load_case(c).stages, std::vector<std::string>{"closed"});
  EXPECT_EQ(repo_.events(c).back().action, "timer");
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);
}

TEST_F(CaseServiceTest, AwardsAreFedBackAsFacts) {
  const auto& rs = prepared_->rules->ruleset();
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
  repo_.set_budget("R14", 2025, 50000000, "财政局", "");  // 500000 for 3 × 200000
  for (const char* id : {"P1", "P2", "P3"}) submit_eligible(id);
  auto pr = allocate(env(), "R14", 2025, Allocation::pro_rata, "F");
  ASSERT_EQ(pr.lines.size(), 3u);
  for (const auto& l : pr.lines) EXPECT_EQ(l.allocated, 16666600);
  EXPECT_EQ(pr.budget.reserved_fen, 3 * 16666600);
  auto rk = allocate(env(), "R14", 2025, Allocation::ranked, "F");
  EXPECT_EQ(rk.lines[0].allocated, 20000000);
  EXPECT_EQ(rk.lines[1].allocated, 20000000);
  EXPECT_EQ(rk.lines[2].allocated, 0);
  EXPECT_EQ(rk.budget.reserved_fen, 40000000);
}

// Issue 8: correcting a disbursed case turned its decision into "refused 0元" and released 20万
// that another case had reserved (400,000 committed against 200,000).
TEST_F(CaseServiceTest, CorrectingADisbursedCaseIsRefusedAndMovesNoMoney) {
  repo_.set_budget("R14", 2025, 40000000, "财政局", "");
  auto paid = submit_eligible("D1"), other = submit_eligible("D2");
  to_disbursement(paid);
  disburse(paid);
  walk(other, 7);  // the collective decision reserves 200000
  const auto before = repo_.load_case(paid);
  auto [code, message] = refusal([&] {
    correct(env(), {paid, with_id(read("tests/cli/data/incubator-agri.json"), "D1"), "李四", "", day("2025-03-20")});
  });
  EXPECT_EQ(code, ErrorKind::refused);
  EXPECT_NE(message.find("refused [not_correctable]"), std::string::npos) << message;
  EXPECT_NE(message.find("`disbursed`"), std::string::npos) << message;
  EXPECT_NE(message.find("`awaiting_correction`"), std::string::npos) << message;
  EXPECT_EQ(repo_.load_case(paid), before);  // decision, facts version, reservation: unchanged
  EXPECT_EQ(repo_.facts_versions(paid).size(), 1u);
  auto b = *repo_.get_budget("R14", 2025);
  EXPECT_EQ(b.consumed_fen, 20000000);
  EXPECT_EQ(b.reserved_fen, 20000000);
  EXPECT_EQ(repo_.load_case(other).reserved_fen, 20000000);
}

TEST_F(CaseServiceTest, CorrectionsOnlyBeforeReviewAndWhileReturnedForCorrection) {
  repo_.set_budget("R14", 2025, 100000000, "财政局", "");
  SubmitRequest r;
  r.programme = "R14";
  r.facts_json = with_id(read("tests/cli/data/incubator-agri.json"), "E1");
  r.date = day("2025-03-03");
  auto id = submit(env(), r).id;
  auto corrected = with_id(read("tests/cli/data/incubator-agri-corrected.json"), "E1");
  auto refused = with_id(read("tests/cli/data/incubator-agri.json"), "E1");
  EXPECT_EQ(correct(env(), {id, corrected, "A", "", day("2025-03-03")}).after.outcome, "eligible");  // before review
  act(env(), {id, "submit", "申报单位", "A", "", day("2025-03-03")});
  auto [code, message] = refusal([&] { correct(env(), {id, refused, "A", "", day("2025-03-04")}); });  // under review
  EXPECT_EQ(code, ErrorKind::refused);
  EXPECT_NE(message.find("`county_review`"), std::string::npos) << message;
  act(env(), {id, "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")});  // reserves 200000
  act(env(), {id, "return", "市科技局", "L", "", day("2025-03-05")});
  auto res = correct(env(), {id, refused, "L", "", day("2025-03-06")});  // returned for correction
  EXPECT_EQ(res.after.outcome, "refused");
  EXPECT_EQ(res.c.reserved_fen, 0);  // the reservation follows the new decision
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);
  // The correction period (5 working days) ran out: the case is closed, the correction refused.
  auto [late, why] = refusal([&] { correct(env(), {id, corrected, "L", "", day("2025-03-20")}); });
  EXPECT_EQ(late, ErrorKind::refused);
  EXPECT_NE(why.find("the case is closed"), std::string::npos) << why;
  EXPECT_EQ(repo_.load_case(id).stages, std::vector<std::string>{"closed"});
  EXPECT_EQ(repo_.events(id).back().action, "timer");
}

TEST_F(CaseServiceTest, ACorrectionMovesOnlyTheCasesOwnReservation) {
  repo_.set_budget("R14", 2025, 40000000, "财政局", "");
  SubmitRequest r;
  r.programme = "R14";
  r.date = day("2025-03-03");
  std::vector<store::CaseId> ids;
  for (const char* id : {"F1", "F2"}) {  // a workflow whose county recommendation reserves
    r.facts_json = with_id(read("tests/cli/data/incubator-agri-corrected.json"), id);
    ids.push_back(submit(county_env(), r).id);
    act(county_env(), {ids.back(), "submit", "申报单位", "A", "", day("2025-03-03")});
    act(county_env(), {ids.back(), "approve", "旗县区科技局[临河区]", "W", "", day("2025-03-04")});
  }
  const auto a = ids[0], b = ids[1];
  act(county_env(), {a, "return", "市科技局", "L", "", day("2025-03-05")});
  correct(county_env(), {a, with_id(read("tests/cli/data/incubator-agri.json"), "F1"), "L", "", day("2025-03-05")});
  EXPECT_EQ(repo_.load_case(a).reserved_fen, 0);
  EXPECT_EQ(repo_.load_case(b).reserved_fen, 20000000);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 20000000);
  correct(county_env(), {a, with_id(read("tests/cli/data/incubator-agri-corrected.json"), "F1"), "L", "", day("2025-03-06")});
  EXPECT_EQ(repo_.load_case(a).reserved_fen, 0);  // it held nothing: its next approval reserves
}

// Issue 8: ranked allocation gave 0 to a case at disbursement and `disburse` paid it in full
// "without budget control": 600,000 paid against a 400,000 budget, 400,000 shown consumed.
// Issue 9: a case given 0 by allocation is in a clear state — it shows and is paid 0 (nothing_to_pay)
// until a later allocation gives it a share — instead of showing its full amount.
TEST_F(CaseServiceTest, ACaseAllocatedNothingIsPaidNothingUntilAnAllocationGivesItAShare) {
  std::vector<store::CaseId> ids;
  for (const char* id : {"G1", "G2", "G3"}) {
    ids.push_back(submit_eligible(id));
    to_disbursement(ids.back());  // no budget yet: no reservation
  }
  repo_.set_budget("R14", 2025, 40000000, "财政局", "");  // set late, after the approvals
  auto rk = allocate(env(), "R14", 2025, Allocation::ranked, "F");
  ASSERT_EQ(rk.lines.size(), 3u);
  EXPECT_EQ(rk.lines[2].allocated, 0);
  EXPECT_EQ(repo_.load_case(ids[2]).allocated_fen, 0);
  EXPECT_EQ(payable(repo_.load_case(ids[2])), 0);
  disburse(ids[0]);
  disburse(ids[1]);
  auto [code, message] = refusal([&] { disburse(ids[2]); });
  EXPECT_EQ(code, ErrorKind::refused);
  EXPECT_NE(message.find("nothing_to_pay"), std::string::npos) << message;
  EXPECT_NE(message.find("allocation"), std::string::npos) << message;
  EXPECT_EQ(repo_.load_case(ids[2]).stages, std::vector<std::string>{"disbursement"});
  EXPECT_TRUE(repo_.awards_for("G3").empty());
  auto b = *repo_.get_budget("R14", 2025);
  EXPECT_EQ(b.consumed_fen, 40000000);
  EXPECT_EQ(b.reserved_fen, 0);
  // Once the budget grows, a new allocation gives it its share, and the payment pays that.
  repo_.set_budget("R14", 2025, 60000000, "财政局", "");
  auto again = allocate(env(), "R14", 2025, Allocation::ranked, "F");
  ASSERT_EQ(again.lines.size(), 1u);  // the two paid cases are closed
  EXPECT_EQ(again.lines[0].allocated, 20000000);
  disburse(ids[2]);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->consumed_fen, 60000000);
  EXPECT_EQ(repo_.load_case(ids[2]).consumed_fen, 20000000);
  EXPECT_EQ(repo_.awards_for("G3").at(0).amount_fen, 20000000);
}

// Issue 8: a budget set after a case's last approval was ignored at payout.
TEST_F(CaseServiceTest, ALateBudgetControlsThePayment) {
  auto a = submit_eligible("H1"), b = submit_eligible("H2");
  to_disbursement(a);
  to_disbursement(b);
  repo_.set_budget("R14", 2025, 30000000, "财政局", "");  // room for one
  disburse(a);
  auto r = repo_.load_case(a);
  EXPECT_EQ(r.consumed_fen, 20000000);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->consumed_fen, 20000000);
  auto [code, message] = refusal([&] { disburse(b); });
  EXPECT_EQ(code, ErrorKind::refused);
  EXPECT_NE(message.find("only 10万元 available"), std::string::npos) << message;
  EXPECT_EQ(repo_.get_budget("R14", 2025)->consumed_fen, 20000000);
}

// A payment the budget cannot take is refused, but the public notice that ended before it is
// stored (the case is at disbursement), like any timer before a refused step.
TEST_F(CaseServiceTest, ARefusedPaymentStillStoresTheTimerThatMovedTheCase) {
  SubmitRequest r;
  r.programme = "R08";  // formula workflow: the notice period leads straight to disbursement
  std::string f = with_id(read("tests/cli/data/incubator-agri-corrected.json"), "M1");
  f.replace(f.find("\"new_tech_catalogue_listed\": false"), 34, "\"new_tech_catalogue_listed\": true");
  f.replace(f.find("\"completed_investment\": 0"), 25, "\"completed_investment\": 500000");
  r.facts_json = f;
  r.date = day("2025-03-03");
  auto id = submit(env(), r).id;
  ASSERT_EQ(repo_.load_case(id).decision->amount_fen, 10000000);
  for (auto [action, role] : std::initializer_list<std::pair<const char*, const char*>>{
           {"submit", "申报单位"}, {"approve", "旗县区科技局[临河区]"}, {"approve", "市科技局"}, {"approve", "市农牧局"}, {"approve", "市财政局"}})
    act(env(), {id, action, role, "X", "", day("2025-03-04")});
  ASSERT_EQ(repo_.load_case(id).stages, std::vector<std::string>{"publicity"});
  repo_.set_budget("R08", 2025, 5000000, "财政局", "");  // late, and too small
  auto [code, message] = refusal([&] { act(env(), {id, "disburse", "市财政局", "F", "", day("2025-03-20")}); });
  EXPECT_EQ(code, ErrorKind::refused);
  EXPECT_NE(message.find("budget_exceeded"), std::string::npos) << message;
  EXPECT_EQ(repo_.load_case(id).stages, std::vector<std::string>{"disbursement"});
  EXPECT_EQ(repo_.events(id).back().action, "timer");
  EXPECT_EQ(repo_.get_budget("R08", 2025)->reserved_fen, 0);
}

TEST_F(CaseServiceTest, WithoutABudgetThePaymentIsOutsideBudgetControl) {
  auto a = submit_eligible("K1");
  to_disbursement(a);
  disburse(a);
  EXPECT_EQ(repo_.awards_for("K1").at(0).amount_fen, 20000000);
  EXPECT_EQ(repo_.load_case(a).consumed_fen, 0);
  EXPECT_NE(repo_.events(a).back().payload_json.find("without budget control"), std::string::npos);
}

TEST_F(CaseServiceTest, EmptyActorsUnknownProgrammesAndImpossibleYearsAreRefused) {
  auto a = submit_eligible("L1");
  for (const char* who : {"", " ", "\t "}) {
    EXPECT_EQ(refusal([&] { act(env(), {a, "approve", "旗县区科技局[临河区]", who, "", day("2025-03-04")}); }).first, ErrorKind::usage);
    EXPECT_EQ(refusal([&] { allocate(env(), "R14", 2025, Allocation::ranked, who); }).first, ErrorKind::usage);
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = with_id(read("tests/cli/data/incubator-agri.json"), "L2");
    r.actor = who;
    r.date = day("2025-03-03");
    EXPECT_EQ(refusal([&] { submit(env(), r); }).first, ErrorKind::usage);
    EXPECT_EQ(refusal([&] { correct(env(), {a, r.facts_json, who, "", day("2025-03-04")}); }).first, ErrorKind::usage);
    EXPECT_EQ(refusal([&] { set_budget(env(), "R14", 2025, 100, who); }).first, ErrorKind::usage);
  }
  EXPECT_EQ(repo_.events(a).size(), 2u);
  EXPECT_FALSE(repo_.find_by_application_id("L2"));
  EXPECT_EQ(refusal([&] { set_budget(env(), "NOPE", 2025, 100, "财政局"); }).first, ErrorKind::usage);
  for (int year : {0, -1, 1999, 2101, 99999})
    EXPECT_EQ(refusal([&] { set_budget(env(), "R14", year, 100, "财政局"); }).first, ErrorKind::usage) << year;
  EXPECT_TRUE(repo_.list_budgets().empty());
  EXPECT_EQ(set_budget(env(), "R14", 2025, 100, "财政局").total_fen, 100);
}

}  // namespace
}  // namespace subsidy::service

namespace subsidy::service {
namespace {

// Issue 9: the ruleset of every stored decision is stored too, so an old decision is explained with
// the rules it was made with, after the rules changed and without the rules directory.
TEST_F(CaseServiceTest, ADecisionIsExplainedWithTheRulesetItWasMadeWith) {
  auto id = submit_eligible("R1");
  const auto hash = repo_.load_case(id).decision->ruleset_hash;
  EXPECT_EQ(hash, prepared_->rules->hash());
  auto stored = repo_.load_ruleset(hash);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->files, prepared_->rules->sources());
  // the current rules are the county variant: another hash, yet the decision's rules are found
  Env later{*county_reserves_->rules, repo_};
  ASSERT_NE(later.rules.hash(), hash);
  auto then = rules_for(later, hash);
  ASSERT_TRUE(then);
  EXPECT_EQ(then->hash(), hash);
  EXPECT_EQ(then->workflows().for_program("R14")->reserving_stage(), "collective_decision");
  EXPECT_EQ(rules_for(later, hash).get(), then.get());  // prepared once per hash
  EXPECT_EQ(rules_for(later, later.rules.hash()).get(), &later.rules);
  // without any current rules (no rules directory): from the store alone
  auto alone = stored_rules(repo_, hash, prepared_->rules->codec());
  ASSERT_TRUE(alone);
  Env old{*alone, repo_};
  auto c = repo_.load_case(id);
  auto text = explain(old, old.rules.programme("R14"), repo_.facts_versions(id).back().facts_json, c.decision->as_of, c.applicant,
                      id, false);
  EXPECT_NE(text.find("R14"), std::string::npos) << text;
  EXPECT_FALSE(rules_for(later, std::string(64, 'f')));  // never stored
}

// Issue 9: what a role can do next is a query of its own (the desk and the API show it).
TEST_F(CaseServiceTest, AvailableActionsForARoleAgreeWithActing) {
  auto id = submit_eligible("V1");
  auto county = available_actions(env(), id, "旗县区科技局[临河区]", day("2025-03-04"));
  std::vector<std::string> names;
  for (const auto& a : county) names.push_back(a.action + (a.allowed ? "+" : "-"));
  EXPECT_EQ(names, (std::vector<std::string>{"approve+", "return+", "reject+"})) << ::testing::PrintToString(names);
  EXPECT_EQ(county.at(0).leads_to, "formal_review");
  EXPECT_TRUE(available_actions(env(), id, "市林草局", day("2025-03-04")).empty());  // not theirs
  auto [kind, message] = refusal([&] { available_actions(env(), id, "旗县区科技局[临河县]", day("2025-03-04")); });
  EXPECT_EQ(kind, ErrorKind::usage) << message;
  auto all = available_actions(env(), id, "", day("2025-03-04"));
  EXPECT_GE(all.size(), county.size());
  act(env(), {id, county.at(0).action, "旗县区科技局[临河区]", "W", "", day("2025-03-04")});
  EXPECT_EQ(repo_.load_case(id).stages, std::vector<std::string>{county.at(0).leads_to});
}

}  // namespace
}  // namespace subsidy::service

namespace subsidy::service {
namespace {

// Issue 9: an inbox filter naming what the rules do not declare is an error with "did you mean",
// not "0 cases"; closed cases only on request.
TEST_F(CaseServiceTest, InboxFiltersAreCheckedAgainstTheRules) {
  auto open = submit_eligible("I1");
  auto closed = submit_eligible("I2");
  act(env(), {closed, "withdraw", "申报单位", "A", "", day("2025-03-04")});
  auto [k1, m1] = refusal([&] { inbox(env(), {"county_reveiw"}); });
  EXPECT_EQ(k1, ErrorKind::usage);
  EXPECT_NE(m1.find("did you mean `county_review`"), std::string::npos) << m1;
  EXPECT_EQ(refusal([&] { inbox(env(), {"", "市科技厅"}); }).first, ErrorKind::usage);
  EXPECT_EQ(refusal([&] { inbox(env(), {"", "", "R99"}); }).first, ErrorKind::usage);
  auto cases = inbox(env(), {"county_review", "旗县区科技局[临河区]", "R14"});
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].id, open);
  InboxQuery all;
  EXPECT_EQ(inbox(env(), all).size(), 1u);
  all.include_closed = true;
  EXPECT_EQ(inbox(env(), all).size(), 2u);
}

}  // namespace
}  // namespace subsidy::service
