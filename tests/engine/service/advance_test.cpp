// `case advance` (service/advance.hpp) on the in-memory repository — a public notice that ends moves
// the case once, an expired correction period closes the case and gives its reservation back, a
// case not yet due is left alone — and, with SUBSIDY_TEST_PG, two runs at once on one PostgreSQL
// database store exactly one timer event per due case.
#include "service/advance.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "adapters/soci/test_database.hpp"
#include "files/rules_dir.hpp"
#include "model/date.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::service {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string source(const std::string& rel) { return read(fs::path(SUBSIDY_SOURCE_DIR) / rel); }
model::Days day(const char* s) { return *model::parse_date(s); }

// One workflow step through the service.
ActResult step(const Env& env, store::CaseId id, const char* action, const char* role, model::Days date) {
  ActRequest r;
  r.id = id;
  r.action = action;
  r.role = role;
  r.actor = "某某";
  r.date = date;
  return act(env, r);
}

std::string with_id(std::string facts, const std::string& id) {
  auto at = facts.find("APP-2024-0001");
  return facts.replace(at, 13, id);
}

// The shipped rules, except that the competitive workflow reserves the budget at the county's
// recommendation, so that a case returned for correction afterwards holds a reservation.
files::PreparedFromDisk* reserving_at_county() {
  static files::PreparedFromDisk* prepared = [] {
    const fs::path dir = fs::temp_directory_path() / ("subsidy_advance_rules_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::copy(fs::path(SUBSIDY_SOURCE_DIR) / "rules", dir, fs::copy_options::recursive);
    const fs::path wf = dir / "workflows" / "competitive.rules";
    std::string text = read(wf);
    const std::string line = "reserve at collective_decision;";
    if (auto at = text.find(line); at != std::string::npos) text.replace(at, line.size(), "reserve at county_review;");
    std::ofstream(wf, std::ios::binary | std::ios::trunc) << text;
    auto* p = new files::PreparedFromDisk(files::prepare(dir.string()));
    fs::remove_all(dir);
    return p;
  }();
  return prepared;
}

class AdvanceTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(reserving_at_county()->rules) << reserving_at_county()->error; }
  Env env() { return Env{*reserving_at_county()->rules, repo_}; }

  // An R14 case (competitive workflow) submitted on 2025-03-03: at county review.
  store::CaseId submitted(const std::string& id) {
    SubmitRequest r;
    r.programme = "R14";
    r.facts_json = with_id(source("tests/cli/data/incubator-agri-corrected.json"), id);
    r.date = day("2025-03-03");
    auto res = submit(env(), r);
    step(env(), res.id, "submit", "申报单位", day("2025-03-03"));
    return res.id;
  }
  // Recommended by the county (reserving 200,000 yuan), then returned for correction by the city on
  // 2025-03-05: the correction period (5 working days) ends on 2025-03-12.
  store::CaseId in_correction(const std::string& id) {
    auto c = submitted(id);
    step(env(), c, "approve", "旗县区科技局[临河区]", day("2025-03-04"));
    step(env(), c, "return", "市科技局", day("2025-03-05"));
    return c;
  }
  // An R08 case (formula workflow) in public notice from 2025-03-04: the notice ends on 2025-03-11.
  store::CaseId in_public_notice(const std::string& id) {
    SubmitRequest r;
    r.programme = "R08";
    std::string f = with_id(source("tests/cli/data/incubator-agri-corrected.json"), id);
    f.replace(f.find("\"new_tech_catalogue_listed\": false"), 34, "\"new_tech_catalogue_listed\": true");
    f.replace(f.find("\"completed_investment\": 0"), 25, "\"completed_investment\": 500000");
    r.facts_json = f;
    r.date = day("2025-03-03");
    auto c = submit(env(), r).id;
    for (auto [action, role] : std::initializer_list<std::pair<const char*, const char*>>{
             {"submit", "申报单位"}, {"approve", "旗县区科技局[临河区]"}, {"approve", "市科技局"}, {"approve", "市农牧局"}, {"approve", "市财政局"}})
      step(env(), c, action, role, day("2025-03-04"));
    return c;
  }
  std::size_t timer_events(store::CaseId id) {
    std::size_t n = 0;
    for (const auto& e : repo_.events(id)) n += e.action == "timer" ? 1 : 0;
    return n;
  }

  store::InMemoryRepository repo_;
};

TEST_F(AdvanceTest, APublicNoticeThatEndedMovesTheCaseOnce) {
  const auto id = in_public_notice("N1");
  const store::Case before = repo_.load_case(id);
  ASSERT_EQ(before.stages, std::vector<std::string>{"publicity"});
  ASSERT_EQ(before.timer_due, day("2025-03-11"));
  const std::size_t events = repo_.events(id).size();

  const AdvanceReport on_last_day = advance_due(env(), day("2025-03-11"));  // the notice runs until the end of the 11th
  EXPECT_EQ(on_last_day.listed, 0u);
  EXPECT_TRUE(on_last_day.moved.empty());
  EXPECT_EQ(repo_.load_case(id), before);

  const AdvanceReport r = advance_due(env(), day("2025-03-12"));
  EXPECT_EQ(r.listed, 1u);
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_EQ(r.moved[0].id, id);
  EXPECT_EQ(r.moved[0].application_id, "N1");
  EXPECT_EQ(r.moved[0].from, "publicity");
  EXPECT_EQ(r.moved[0].to, "disbursement");
  EXPECT_FALSE(r.moved[0].closed);
  EXPECT_EQ(r.moved[0].released_fen, 0);
  EXPECT_TRUE(r.skipped.empty());
  EXPECT_TRUE(r.failed.empty());
  const store::Case after = repo_.load_case(id);
  EXPECT_EQ(after.stages, std::vector<std::string>{"disbursement"});
  EXPECT_FALSE(after.timer_due);
  EXPECT_FALSE(after.closed);
  const auto evs = repo_.events(id);
  ASSERT_EQ(evs.size(), events + 1);  // one system event for the move
  EXPECT_EQ(evs.back().actor, "system");
  EXPECT_EQ(evs.back().action, "timer");
  EXPECT_EQ(evs.back().from_stage, "publicity");
  EXPECT_EQ(evs.back().to_stage, "disbursement");

  const AdvanceReport again = advance_due(env(), day("2025-03-12"));  // exactly once
  EXPECT_EQ(again.listed, 0u);
  EXPECT_TRUE(again.moved.empty());
  EXPECT_EQ(repo_.events(id).size(), events + 1);
  EXPECT_EQ(repo_.load_case(id), after);
  EXPECT_TRUE(advance_due(env(), day("2025-06-30")).moved.empty());  // nor later: disbursement has no timer
}

TEST_F(AdvanceTest, AnExpiredCorrectionPeriodClosesTheCaseAndReleasesItsReservation) {
  repo_.set_budget("R14", 2025, 100000000, "财政局", "");
  const auto id = in_correction("C1");
  ASSERT_EQ(repo_.load_case(id).stages, std::vector<std::string>{"awaiting_correction"});
  ASSERT_EQ(repo_.load_case(id).reserved_fen, 20000000);
  ASSERT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 20000000);

  const AdvanceReport r = advance_due(env(), day("2025-03-13"));
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_EQ(r.moved[0].from, "awaiting_correction");
  EXPECT_EQ(r.moved[0].to, "closed");
  EXPECT_TRUE(r.moved[0].closed);
  EXPECT_EQ(r.moved[0].released_fen, 20000000);
  EXPECT_EQ(r.released_fen, 20000000);
  ASSERT_EQ(r.moved[0].budget_notes.size(), 1u);
  EXPECT_NE(r.moved[0].budget_notes[0].find("released"), std::string::npos) << r.moved[0].budget_notes[0];
  const store::Case after = repo_.load_case(id);
  EXPECT_TRUE(after.closed);
  EXPECT_EQ(after.reserved_fen, 0);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);  // the budget has it back
  EXPECT_EQ(repo_.get_budget("R14", 2025)->available_fen(), 100000000);
  EXPECT_EQ(timer_events(id), 1u);
  EXPECT_NE(repo_.events(id).back().payload_json.find("released"), std::string::npos);  // recorded in the event

  EXPECT_TRUE(advance_due(env(), day("2025-03-13")).moved.empty());
  EXPECT_EQ(timer_events(id), 1u);
  EXPECT_EQ(repo_.get_budget("R14", 2025)->reserved_fen, 0);
  store::CaseFilter open;
  open.closed = false;
  EXPECT_TRUE(repo_.list_cases(open).empty());
}

TEST_F(AdvanceTest, CasesNotYetDueAreLeftAlone) {
  const auto corr = in_correction("C2");    // correction period ends on 2025-03-12
  const auto notice = in_public_notice("N2");  // notice ends on 2025-03-11
  const auto review = submitted("R1");      // county review: a deadline (2025-03-10), no timer
  const store::Case corr_before = repo_.load_case(corr), review_before = repo_.load_case(review);
  const std::size_t review_events = repo_.events(review).size();

  const AdvanceReport r = advance_due(env(), day("2025-03-12"));
  ASSERT_EQ(r.moved.size(), 1u);
  EXPECT_EQ(r.moved[0].id, notice);
  EXPECT_EQ(repo_.load_case(corr), corr_before);      // its last day is the 12th
  EXPECT_EQ(repo_.load_case(review), review_before);  // overdue on the 12th, but only officers move it
  EXPECT_EQ(repo_.events(review).size(), review_events);
}

TEST_F(AdvanceTest, PagesThroughEveryDueCaseAndGoesOnPastOneItCannotMove) {
  std::vector<store::CaseId> due;
  for (int i = 0; i < 5; ++i) due.push_back(in_correction("P" + std::to_string(i)));
  // A stored case of a programme the rules no longer have: reported, the others still move.
  store::Case orphan = repo_.load_case(due[2]);
  orphan.application_id = "ORPHAN";
  orphan.programme = "GONE";
  const store::CaseId orphan_id = repo_.create_case(orphan, {0, 0, "{}", store::kFactsSubmitted, ""});

  AdvanceOptions o;
  o.page = 2;
  std::vector<std::size_t> done;
  o.progress = [&](const AdvanceProgress& p) { done.push_back(p.done); };
  const AdvanceReport r = advance_due(env(), day("2025-03-13"), o);
  EXPECT_EQ(r.listed, 6u);
  ASSERT_EQ(r.moved.size(), 5u);
  for (std::size_t i = 0; i < due.size(); ++i) {
    EXPECT_EQ(r.moved[i].id, due[i]);  // in id order
    EXPECT_EQ(timer_events(due[i]), 1u);
  }
  ASSERT_EQ(r.failed.size(), 1u);
  EXPECT_EQ(r.failed[0].id, orphan_id);
  EXPECT_EQ(r.failed[0].kind, ErrorKind::usage);
  EXPECT_NE(r.failed[0].message.find("GONE"), std::string::npos) << r.failed[0].message;
  EXPECT_EQ(done, (std::vector<std::size_t>{2, 4, 6}));  // after each batch (here: each page of 2)
  EXPECT_FALSE(repo_.load_case(orphan_id).closed);  // untouched
}

// Two runs at once, each with its own connection: every due case is moved by exactly one of them
// (the row locks that skip a claimed case: PostgreSQL and MariaDB, docs/storage.md §5).
class AdvanceConcurrently : public ::testing::TestWithParam<testing::Kind> {};

TEST_P(AdvanceConcurrently, TwoRunsOnOneDatabaseMoveEachDueCaseOnce) {
  if (const char* why = testing::skip_reason(GetParam())) GTEST_SKIP() << why;
  testing::TestDatabase db(GetParam());
  auto setup = db.open();
  auto* rules = reserving_at_county();
  ASSERT_TRUE(rules->rules) << rules->error;
  setup->set_budget("R14", 2025, 2000000000, "财政局", "");
  constexpr int kCases = 40;
  std::vector<store::CaseId> ids;
  {
    Env env{*rules->rules, *setup};
    for (int i = 0; i < kCases; ++i) {
      SubmitRequest r;
      r.programme = "R14";
      r.facts_json = with_id(source("tests/cli/data/incubator-agri-corrected.json"), "PG" + std::to_string(i));
      r.date = day("2025-03-03");
      const auto id = submit(env, r).id;
      step(env, id, "submit", "申报单位", day("2025-03-03"));
      step(env, id, "approve", "旗县区科技局[临河区]", day("2025-03-04"));
      step(env, id, "return", "市科技局", day("2025-03-05"));
      ids.push_back(id);
    }
  }
  ASSERT_EQ(setup->get_budget("R14", 2025)->reserved_fen, 20000000LL * kCases);

  AdvanceReport reports[2];
  std::string errors[2];
  {
    auto run = [&](int k) {
      try {
        auto repo = db.open();
        Env env{*rules->rules, *repo};
        AdvanceOptions o;
        o.page = 7;
        reports[k] = advance_due(env, day("2025-03-13"), o);
      } catch (const std::exception& e) {
        errors[k] = e.what();
      }
    };
    std::thread a(run, 0), b(run, 1);
    a.join();
    b.join();
  }
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(reports[0].moved.size() + reports[1].moved.size(), static_cast<std::size_t>(kCases));
  EXPECT_TRUE(reports[0].failed.empty() && reports[1].failed.empty());
  for (const auto& r : reports)
    for (const auto& s : r.skipped) EXPECT_NE(s.why, AdvanceSkip::conflict) << s.id;
  EXPECT_EQ(reports[0].released_fen + reports[1].released_fen, 20000000LL * kCases);
  for (const auto id : ids) {
    std::size_t timers = 0;
    for (const auto& e : setup->events(id)) timers += e.action == "timer" ? 1 : 0;
    EXPECT_EQ(timers, 1u) << "case " << id;
    EXPECT_TRUE(setup->load_case(id).closed);
  }
  EXPECT_EQ(setup->get_budget("R14", 2025)->reserved_fen, 0);
  EXPECT_TRUE(setup->verify_audit().findings.empty());
}

INSTANTIATE_TEST_SUITE_P(Servers, AdvanceConcurrently, ::testing::Values(testing::Kind::postgresql, testing::Kind::mariadb),
                         [](const ::testing::TestParamInfo<testing::Kind>& info) { return testing::kind_name(info.param); });

}  // namespace
}  // namespace subsidy::service
