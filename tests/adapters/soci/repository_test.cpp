// The repository suite: every CaseRepository behaviour, run against the in-memory repository,
// SQLite (a temporary file), PostgreSQL and MariaDB (when SUBSIDY_TEST_PG, SUBSIDY_TEST_MARIADB are set).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "test_database.hpp"

namespace subsidy::testing {
namespace {

using store::Award;
using store::Budget;
using store::Case;
using store::CaseDecision;
using store::CaseFilter;
using store::Event;
using store::FactsVersion;

Case sample_case(const std::string& app, const std::string& programme = "RD_POST") {
  Case c;
  c.application_id = app;
  c.programme = programme;
  c.call_year = 2024;
  c.workflow = "核准制";
  c.workflow_version = 2;
  c.stages = {"county_review"};
  c.roles = {"county_bureau"};
  c.state_json = R"({"clock":"running"})";
  c.deadlines = {{"county_review", *model::parse_date("2024-06-10")}};
  return c;
}

FactsVersion submitted(const std::string& json = R"({"id":"A","企业名称":"河套农业科技有限公司"})") {
  FactsVersion f;
  f.facts_json = json;
  f.reason = store::kFactsSubmitted;
  return f;
}

Event action(store::CaseId id, const std::string& what, const std::string& note = "") {
  Event e;
  e.case_id = id;
  e.actor = "王科长";
  e.role = "county_bureau";
  e.action = what;
  e.from_stage = "county_review";
  e.to_stage = "city_review";
  e.note = note;
  e.payload_json = R"({"k":1})";
  return e;
}

class RepositoryTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam());
    repo_ = open();
  }
  std::unique_ptr<store::CaseRepository> open() {
    soci_store::OpenOptions o;
    o.clock = clock_;
    return db_->open(o);
  }

  store::Clock clock_ = counting_clock();
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::CaseRepository> repo_;
};

TEST_P(RepositoryTest, CreateLoadUpdateRoundTrip) {
  Case c = sample_case("APP-1");
  c.stages = {"joint_review_a", "joint_review_b"};
  c.roles = {"市科技局", "市农牧局"};
  c.deadlines = {{"joint_review_a", *model::parse_date("2024-07-01")}, {"joint_review_b", *model::parse_date("2024-06-20")}};
  c.decision = CaseDecision{"eligible", 12'345'600, "sha256:abc", *model::parse_date("2024-05-01"), R"({"total":12345600})"};
  c.applicant = "914403001922038216";
  c.timer_due = *model::parse_date("2024-06-14");
  c.reserved_fen = 12'345'600;  // ignored: only reserve/release/consume move a reservation
  c.consumed_fen = 1;
  const store::CaseId id = repo_->create_case(c, submitted());
  EXPECT_GT(id, 0);

  Case loaded = repo_->load_case(id);
  EXPECT_EQ(loaded.id, id);
  EXPECT_EQ(loaded.version, 1);
  EXPECT_EQ(loaded.facts_version, 1);
  EXPECT_FALSE(loaded.created_at.empty());
  EXPECT_EQ(loaded.created_at, loaded.updated_at);
  Case expected = c;
  expected.id = id;
  expected.reserved_fen = expected.consumed_fen = 0;
  expected.version = 1;
  expected.facts_version = 1;
  expected.created_at = loaded.created_at;
  expected.updated_at = loaded.updated_at;
  EXPECT_EQ(loaded, expected);

  loaded.stages = {"publicity"};
  loaded.roles = {"city_bureau"};
  loaded.deadlines.clear();
  loaded.decision.reset();
  loaded.state_json = "{}";
  loaded.application_id = "ignored: application ids never change";
  loaded.applicant = "ignored too: the applicant is fixed at creation";
  loaded.timer_due.reset();
  loaded.closed = true;
  loaded.reserved_fen = 5;  // ignored too
  loaded.programme = "TECH_BUY";  // and so is the budget the case belongs to
  loaded.call_year = 2030;
  EXPECT_EQ(repo_->update_case(loaded, 1), 2);
  Case again = repo_->load_case(id);
  EXPECT_EQ(again.version, 2);
  EXPECT_EQ(again.application_id, "APP-1");
  EXPECT_EQ(again.applicant, "914403001922038216");
  EXPECT_FALSE(again.timer_due);
  EXPECT_TRUE(again.closed);
  EXPECT_EQ(again.stages, std::vector<std::string>{"publicity"});
  EXPECT_FALSE(again.decision);
  EXPECT_TRUE(again.deadlines.empty());
  EXPECT_EQ(again.reserved_fen, 0);
  EXPECT_EQ(again.programme, "RD_POST");
  EXPECT_EQ(again.call_year, 2024);
  EXPECT_EQ(again.created_at, loaded.created_at);
  EXPECT_GT(again.updated_at, loaded.updated_at);
}

TEST_P(RepositoryTest, MissingCaseIsNotFound) {
  EXPECT_THROW(repo_->load_case(4242), store::NotFoundError);
  Case c = sample_case("X");
  c.id = 4242;
  EXPECT_THROW(repo_->update_case(c, 1), store::NotFoundError);
  EXPECT_THROW(repo_->append_event(action(4242, "submit")), store::NotFoundError);
  FactsVersion f = submitted();
  f.case_id = 4242;
  EXPECT_THROW(repo_->add_facts_version(f), store::NotFoundError);
  EXPECT_TRUE(repo_->events(4242).empty());
}

TEST_P(RepositoryTest, DuplicateApplicationIdIsRefused) {
  const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted());
  try {
    repo_->create_case(sample_case("APP-1"), submitted());
    FAIL() << "expected DuplicateApplicationError";
  } catch (const store::DuplicateApplicationError& e) {
    EXPECT_EQ(e.application_id(), "APP-1");
    EXPECT_EQ(e.existing_case(), id);
    EXPECT_EQ(e.kind(), store::ErrorKind::duplicate_application);
  }
  EXPECT_EQ(repo_->find_by_application_id("APP-1"), id);
  EXPECT_FALSE(repo_->find_by_application_id("APP-2"));
}

TEST_P(RepositoryTest, DuplicateInsideAUnitOfWorkLeavesItUsable) {
  store::Transaction tx(*repo_);
  repo_->create_case(sample_case("A"), submitted());
  EXPECT_THROW(repo_->create_case(sample_case("A"), submitted()), store::DuplicateApplicationError);
  repo_->create_case(sample_case("B"), submitted());
  tx.commit();
  EXPECT_TRUE(repo_->find_by_application_id("A"));
  EXPECT_TRUE(repo_->find_by_application_id("B"));
}

TEST_P(RepositoryTest, BatchCreateIsIdempotent) {
  std::vector<store::NewCase> batch;
  for (const char* app : {"A", "B", "C"}) batch.push_back({sample_case(app), submitted()});
  const auto first = repo_->create_cases_batch(batch);
  ASSERT_EQ(first.size(), 3u);
  for (const auto& r : first) EXPECT_TRUE(r.created);

  batch.insert(batch.begin() + 1, {sample_case("D"), submitted()});
  const auto second = repo_->create_cases_batch(batch);
  ASSERT_EQ(second.size(), 4u);
  EXPECT_FALSE(second[0].created);
  EXPECT_EQ(second[0].id, first[0].id);
  EXPECT_TRUE(second[1].created);
  EXPECT_FALSE(second[2].created);
  EXPECT_EQ(second[3].id, first[2].id);
  EXPECT_EQ(repo_->list_cases({}).size(), 4u);
  EXPECT_EQ(repo_->facts_versions(second[1].id).size(), 1u);
}

TEST_P(RepositoryTest, OptimisticLockExactlyOneOfTwoWriters) {
  const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted());
  auto other = open();
  Case mine = repo_->load_case(id);
  Case theirs = other->load_case(id);
  mine.stages = {"city_review"};
  theirs.stages = {"rejected"};
  EXPECT_EQ(repo_->update_case(mine, mine.version), 2);
  try {
    other->update_case(theirs, theirs.version);
    FAIL() << "expected ConflictError";
  } catch (const store::ConflictError& e) {
    EXPECT_NE(std::string(e.what()).find("changed by someone else"), std::string::npos) << e.what();
  }
  EXPECT_EQ(repo_->load_case(id).stages, std::vector<std::string>{"city_review"});  // nothing lost, nothing overwritten
  theirs = other->load_case(id);  // reload, decide again, and it goes through
  theirs.stages = {"rejected"};
  EXPECT_EQ(other->update_case(theirs, theirs.version), 3);
}

TEST_P(RepositoryTest, FactsVersionsKeepEveryCorrection) {
  const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted(R"({"v":1})"));
  FactsVersion corrected;
  corrected.case_id = id;
  corrected.facts_json = R"({"v":2})";
  EXPECT_EQ(repo_->add_facts_version(corrected), 2);
  const auto versions = repo_->facts_versions(id);
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[0].reason, "submitted");
  EXPECT_EQ(versions[0].facts_json, R"({"v":1})");
  EXPECT_EQ(versions[1].version, 2);
  EXPECT_EQ(versions[1].reason, "corrected");
  EXPECT_EQ(versions[1].facts_json, R"({"v":2})");
  EXPECT_EQ(repo_->load_case(id).facts_version, 2);
  EXPECT_EQ(repo_->load_case(id).version, 1);  // facts are not the case's workflow state
}

TEST_P(RepositoryTest, EventsFormAHashChain) {
  const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted());
  const Event e1 = repo_->append_event(action(id, "submit", "提交申请"));
  const Event e2 = repo_->append_event(action(id, "approve", "同意"));
  Event timed = action(id, "return", "补正: 缺少审计报告");
  timed.at = "2024-05-03T09:00:00Z";
  const Event e3 = repo_->append_event(timed);

  EXPECT_EQ(e1.seq, 1);
  EXPECT_EQ(e1.prev_hash, store::kGenesisHash);
  EXPECT_EQ(e2.prev_hash, e1.hash);
  EXPECT_EQ(e3.prev_hash, e2.hash);
  EXPECT_EQ(e3.at, "2024-05-03T09:00:00Z");
  EXPECT_FALSE(e1.at.empty());
  EXPECT_EQ(e2.hash, store::event_hash(e2));

  const auto stored = repo_->events(id);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0], e1);
  EXPECT_EQ(stored[1], e2);
  EXPECT_EQ(stored[2], e3);

  const store::CaseId other = repo_->create_case(sample_case("APP-2"), submitted());
  EXPECT_EQ(repo_->append_event(action(other, "submit")).seq, 1);  // chains are per case

  const store::AuditReport report = repo_->verify_audit();
  EXPECT_TRUE(report.clean());
  EXPECT_EQ(report.cases, 2);
  EXPECT_EQ(report.events, 4);
  EXPECT_EQ(repo_->verify_audit(id).events, 3);
  EXPECT_THROW(repo_->verify_audit(999), store::NotFoundError);
}

TEST_P(RepositoryTest, RollbackDiscardsTheWholeUnitOfWork) {
  repo_->set_budget("RD_POST", 2024, 1'000'000, "财政局", "");
  {
    store::Transaction tx(*repo_);
    const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted());
    repo_->append_event(action(id, "submit"));
    repo_->reserve(id, 400'000);
    Case c = repo_->load_case(id);  // reads see the unit's own writes
    EXPECT_EQ(c.version, 1);
    EXPECT_EQ(c.reserved_fen, 400'000);
  }
  EXPECT_FALSE(repo_->in_transaction());
  EXPECT_FALSE(repo_->find_by_application_id("APP-1"));
  EXPECT_EQ(repo_->get_budget("RD_POST", 2024)->reserved_fen, 0);
  EXPECT_TRUE(repo_->list_cases({}).empty());
  // The repository stays usable (PostgreSQL: statements prepared inside the rolled-back unit survive).
  const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted());
  EXPECT_EQ(repo_->append_event(action(id, "submit")).seq, 1);
  EXPECT_EQ(repo_->load_case(id).version, 1);
}

TEST_P(RepositoryTest, CommitKeepsTheWholeUnitOfWork) {
  repo_->set_budget("RD_POST", 2024, 1'000'000, "财政局", "");
  store::CaseId id = 0;
  {
    store::Transaction tx(*repo_);
    id = repo_->create_case(sample_case("APP-1"), submitted());
    Case c = repo_->load_case(id);
    c.stages = {"city_review"};
    repo_->reserve(id, 400'000);
    repo_->update_case(c, c.version);  // does not undo the reservation
    repo_->append_event(action(id, "approve"));
    tx.commit();
  }
  auto other = open();
  EXPECT_EQ(other->load_case(id).version, 2);
  EXPECT_EQ(other->events(id).size(), 1u);
  EXPECT_EQ(other->get_budget("RD_POST", 2024)->reserved_fen, 400'000);
  EXPECT_EQ(other->load_case(id).reserved_fen, 400'000);
  EXPECT_THROW(repo_->commit(), std::logic_error);
  repo_->begin();
  EXPECT_THROW(repo_->begin(), std::logic_error);
  repo_->rollback();
}

TEST_P(RepositoryTest, ListCasesFilters) {
  auto make = [&](const std::string& app, std::vector<std::string> stages, std::vector<std::string> roles,
                  const std::string& programme, int year, const char* due) {
    Case c = sample_case(app, programme);
    c.stages = std::move(stages);
    c.roles = std::move(roles);
    c.call_year = year;
    c.deadlines.clear();
    if (due != nullptr) c.deadlines[c.stages.front()] = *model::parse_date(due);
    return repo_->create_case(c, submitted());
  };
  const auto a = make("A", {"county_review"}, {"county_bureau"}, "RD_POST", 2024, "2024-06-01");
  const auto b = make("B", {"joint_a", "joint_b"}, {"市科技局", "市农牧局"}, "RD_POST", 2024, "2024-07-01");
  const auto c = make("C", {"stage_x1"}, {"county_bureau"}, "TECH_BUY", 2023, nullptr);
  const auto d = make("D", {"stage_%1"}, {"city"}, "TECH_BUY", 2024, "2024-05-01");

  auto ids = [&](CaseFilter f) {
    std::vector<store::CaseId> out;
    for (const auto& x : repo_->list_cases(f)) out.push_back(x.id);
    return out;
  };
  using V = std::vector<store::CaseId>;
  EXPECT_EQ(ids({}), (V{a, b, c, d}));
  CaseFilter f;
  f.stage = "joint_b";
  EXPECT_EQ(ids(f), V{b});
  f = {};
  f.role = "市农牧局";
  EXPECT_EQ(ids(f), V{b});
  f = {};
  f.role = "county_bureau";
  EXPECT_EQ(ids(f), (V{a, c}));
  f = {};
  f.stage = "stage_x1";  // '_' is not a wildcard
  EXPECT_EQ(ids(f), V{c});
  f.stage = "stage__1";
  EXPECT_TRUE(ids(f).empty());
  f.stage = "stage_%1";  // nor is '%'
  EXPECT_EQ(ids(f), V{d});
  f = {};
  f.programme = "TECH_BUY";
  EXPECT_EQ(ids(f), (V{c, d}));
  f.call_year = 2024;
  EXPECT_EQ(ids(f), V{d});
  f = {};
  f.overdue_as_of = *model::parse_date("2024-06-02");
  EXPECT_EQ(ids(f), (V{a, d}));
  f.overdue_as_of = *model::parse_date("2024-06-01");  // due on the day is not overdue
  EXPECT_EQ(ids(f), V{d});
  f = {};
  f.after_id = a;
  f.limit = 2;
  EXPECT_EQ(ids(f), (V{b, c}));
}

TEST_P(RepositoryTest, ApplicantDefaultsToTheApplicationId) {
  const store::CaseId id = repo_->create_case(sample_case("APP-7"), submitted());
  EXPECT_EQ(repo_->load_case(id).applicant, "APP-7");
  Case batch = sample_case("APP-8");
  const auto created = repo_->create_cases_batch(std::vector<store::NewCase>{{batch, submitted()}});
  EXPECT_EQ(repo_->load_case(created.at(0).id).applicant, "APP-8");
}

TEST_P(RepositoryTest, ListCasesByApplicantOpenAndTimer) {
  auto make = [&](const std::string& app, const std::string& applicant, bool closed, const char* timer) {
    Case c = sample_case(app);
    c.applicant = applicant;
    c.closed = closed;
    if (timer != nullptr) c.timer_due = *model::parse_date(timer);
    return repo_->create_case(c, submitted());
  };
  const auto a = make("A", "914403001922038216", false, "2024-06-14");
  const auto b = make("B", "91440300708461136T", false, "2024-06-13");
  const auto c = make("C", "914403001922038216", true, nullptr);
  const auto d = make("D", "91330100716105852F", false, nullptr);
  const auto e = make("E", "914403001922038216", false, "2024-06-10");

  auto ids = [&](CaseFilter f) {
    std::vector<store::CaseId> out;
    for (const auto& x : repo_->list_cases(f)) out.push_back(x.id);
    return out;
  };
  using V = std::vector<store::CaseId>;
  CaseFilter f;
  f.applicant = "914403001922038216";
  EXPECT_EQ(ids(f), (V{a, c, e}));
  f.closed = false;
  EXPECT_EQ(ids(f), (V{a, e}));
  f.closed = true;
  EXPECT_EQ(ids(f), V{c});
  f = {};
  f.closed = false;
  EXPECT_EQ(ids(f), (V{a, b, d, e}));
  f = {};
  f.timer_before = *model::parse_date("2024-06-14");  // a period ending on the 14th is not over on the 14th
  EXPECT_EQ(ids(f), (V{b, e}));
  f.timer_before = *model::parse_date("2024-06-15");
  EXPECT_EQ(ids(f), (V{a, b, e}));
  f.closed = false;  // what `case advance` pages through: ordered by id, keyset paging
  f.limit = 2;
  EXPECT_EQ(ids(f), (V{a, b}));
  f.after_id = b;
  EXPECT_EQ(ids(f), V{e});

  // The columns follow the case's updates (the applicant does not).
  Case moved = repo_->load_case(b);
  moved.timer_due.reset();
  moved.closed = true;
  moved.applicant = "91330100716105852F";
  repo_->update_case(moved, moved.version);
  f = {};
  f.timer_before = *model::parse_date("2024-06-15");
  EXPECT_EQ(ids(f), (V{a, e}));
  f = {};
  f.closed = true;
  EXPECT_EQ(ids(f), (V{b, c}));
  f = {};
  f.applicant = "91330100716105852F";
  EXPECT_EQ(ids(f), V{d});
}

TEST_P(RepositoryTest, LockCaseClaimsACaseInsideAUnitOfWork) {
  const store::CaseId id = repo_->create_case(sample_case("A"), submitted());
  EXPECT_THROW(repo_->lock_case(id), std::logic_error);
  store::Transaction tx(*repo_);
  EXPECT_TRUE(repo_->lock_case(id));
  EXPECT_TRUE(repo_->lock_case(id));  // already ours
  EXPECT_THROW(repo_->lock_case(4242), store::NotFoundError);
  Case c = repo_->load_case(id);
  c.stages = {"city_review"};
  repo_->update_case(c, c.version);  // the lock does not stand in the holder's own way
  tx.commit();
  EXPECT_EQ(repo_->load_case(id).stages, std::vector<std::string>{"city_review"});
}

TEST_P(RepositoryTest, BudgetsNeverOverCommit) {
  const store::CaseId a = repo_->create_case(sample_case("A"), submitted());
  const store::CaseId b2 = repo_->create_case(sample_case("B"), submitted());
  EXPECT_THROW(repo_->reserve(a, 1), store::NotFoundError);  // no budget
  EXPECT_THROW(repo_->reserve(999, 1), store::NotFoundError);  // no case
  EXPECT_FALSE(repo_->get_budget("RD_POST", 2024));
  Budget b = repo_->set_budget("RD_POST", 2024, 1'000'000, "财政局", "");
  EXPECT_EQ(b, (Budget{"RD_POST", 2024, 1'000'000, 0, 0}));

  b = repo_->reserve(a, 600'000);
  EXPECT_EQ(b.reserved_fen, 600'000);
  b = repo_->reserve(b2, 400'000);  // exactly up to the total
  EXPECT_EQ(b.available_fen(), 0);
  try {
    repo_->reserve(a, 1);
    FAIL() << "expected BudgetExceededError";
  } catch (const store::BudgetExceededError& e) {
    EXPECT_EQ(e.available(), 0);
    EXPECT_EQ(e.requested(), 1);
    EXPECT_EQ(e.programme(), "RD_POST");
  }
  EXPECT_EQ(repo_->load_case(a).reserved_fen, 600'000);  // a refused reservation changes nothing
  EXPECT_EQ(repo_->release(b2, 400'000).reserved_fen, 600'000);
  EXPECT_EQ(repo_->load_case(b2).reserved_fen, 0);
  try {
    repo_->reserve(b2, 500'000);
    FAIL() << "expected BudgetExceededError";
  } catch (const store::BudgetExceededError& e) {
    EXPECT_EQ(e.available(), 400'000);
  }
  EXPECT_EQ(repo_->get_budget("RD_POST", 2024)->reserved_fen, 600'000);
  EXPECT_EQ(repo_->load_case(b2).reserved_fen, 0);

  b = repo_->consume(a, 250'000);
  EXPECT_EQ(b, (Budget{"RD_POST", 2024, 1'000'000, 350'000, 250'000}));
  const Case paid = repo_->load_case(a);
  EXPECT_EQ(paid.reserved_fen, 350'000);
  EXPECT_EQ(paid.consumed_fen, 250'000);
  EXPECT_THROW(repo_->consume(a, 350'001), store::ConflictError);
  EXPECT_THROW(repo_->release(a, 350'001), store::ConflictError);
  EXPECT_THROW(repo_->release(b2, 1), store::ConflictError);  // never what another case holds
  try {  // every backend words it alike
    repo_->release(a, 350'001);
    FAIL() << "expected ConflictError";
  } catch (const store::ConflictError& e) {
    EXPECT_EQ(std::string(e.what()), "cannot release 3500.01 yuan of RD_POST/2024 for case " + std::to_string(a) +
                                         ": the case holds 3500.00 yuan");
  }
  EXPECT_THROW(repo_->consume(b2, 1), store::ConflictError);
  EXPECT_EQ(repo_->get_budget("RD_POST", 2024)->reserved_fen, 350'000);
  EXPECT_THROW(repo_->reserve(a, 0), std::invalid_argument);
  EXPECT_THROW(repo_->reserve(a, INT64_MAX), store::BudgetExceededError);  // no overflow either

  EXPECT_THROW(repo_->set_budget("RD_POST", 2024, 599'999, "财政局", ""), store::BudgetExceededError);  // below committed
  EXPECT_EQ(repo_->set_budget("RD_POST", 2024, 600'000, "财政局", "").available_fen(), 0);
  repo_->set_budget("TECH_BUY", 2023, 5, "财政局", "");
  repo_->set_budget("RD_POST", 2023, 7, "财政局", "");
  const auto all = repo_->list_budgets();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].programme, "RD_POST");
  EXPECT_EQ(all[0].year, 2023);
  EXPECT_EQ(all[1].year, 2024);
  EXPECT_EQ(all[2].programme, "TECH_BUY");
}

// An UPDATE that writes the values a row has already is not "no row matched" (MySQL counts changed
// rows unless the client asks for matched ones): setting a budget to its total again, within one
// second of the clock, is no refusal.
TEST_P(RepositoryTest, SettingABudgetToTheTotalItHasIsNoRefusal) {
  soci_store::OpenOptions o;
  o.clock = [] { return std::string("2024-05-01T08:00:00Z"); };
  auto repo = db_->open(o);
  repo->set_budget("RD_POST", 2024, 1'000'000, "财政局", "");
  EXPECT_EQ(repo->set_budget("RD_POST", 2024, 1'000'000, "财政局", "again").total_fen, 1'000'000);
  EXPECT_EQ(repo->budget_history("RD_POST", 2024).size(), 2u);
}

// Keys compare byte for byte on every backend: ids that differ in case, by a trailing space or by
// an accent are three applications (MariaDB: the tables' utf8mb4_nopad_bin collation).
TEST_P(RepositoryTest, ApplicationIdsDifferingInCaseSpaceOrAccentAreDistinct) {
  std::vector<store::CaseId> ids;
  for (const char* app : {"APP-é", "app-é", "APP-é ", "APP-e"}) ids.push_back(repo_->create_case(sample_case(app), submitted()));
  EXPECT_EQ(std::set<store::CaseId>(ids.begin(), ids.end()).size(), 4u);
  EXPECT_EQ(repo_->find_by_application_id("app-é"), ids[1]);
  EXPECT_EQ(repo_->find_by_application_id("APP-é "), ids[2]);
  EXPECT_EQ(repo_->find_by_application_id("APP-E"), std::nullopt);
}

TEST_P(RepositoryTest, AwardsAreRecordedOncePerCase) {
  const store::CaseId id = repo_->create_case(sample_case("APP-1"), submitted());
  Award paid{0, "91150800MA0000001X", "RD_POST", 2024, 500'000, std::string("专利ZL2023"), id, ""};
  const std::int64_t award_id = repo_->record_award(paid);
  EXPECT_GT(award_id, 0);
  EXPECT_THROW(repo_->record_award(paid), store::ConflictError);
  Award history{0, "91150800MA0000001X", "TECH_BUY", 2022, 80'000, std::nullopt, std::nullopt, "2022-12-01"};
  repo_->record_award(history);
  Award missing_case = paid;
  missing_case.case_id = 999;
  EXPECT_THROW(repo_->record_award(missing_case), store::NotFoundError);

  const auto awards = repo_->awards_for("91150800MA0000001X");
  ASSERT_EQ(awards.size(), 2u);
  EXPECT_EQ(awards[0].programme, "TECH_BUY");  // by year
  EXPECT_FALSE(awards[0].achievement);
  EXPECT_FALSE(awards[0].case_id);
  EXPECT_EQ(awards[0].disbursed_at, "2022-12-01");
  EXPECT_EQ(awards[1].id, award_id);
  EXPECT_EQ(awards[1].achievement, "专利ZL2023");
  EXPECT_EQ(awards[1].case_id, id);
  EXPECT_FALSE(awards[1].disbursed_at.empty());
  EXPECT_TRUE(repo_->awards_for("someone else").empty());

  const store::AwardHistory h = store::summarise_awards(awards, 2024);
  EXPECT_EQ(h.paid_in_year.at("RD_POST"), 500'000);
  EXPECT_TRUE(h.programmes.count("TECH_BUY"));
}

// The list orders over every match (store::CaseOrder), paged by keyset, and count_stages: on seeded
// random cases with many ties, every backend's pages, put together, are the plain path's order —
// the matching cases (store::matches) sorted by (order_key, id) — and each page is the next `limit` of it.
TEST_P(RepositoryTest, OrdersArePagedOverEveryMatchAndCountsAreTheMatches) {
  std::mt19937 rng(20261202);
  auto pick = [&](auto const& v) { return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(rng)]; };
  auto chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
  const std::vector<std::string> stages{"county_review", "city_review", "joint_a", "joint_b", "publicity"};
  const std::vector<std::string> roles{"旗县区科技局[临河区]", "旗县区科技局[五原县]", "市科技局", "市农牧局"};
  const std::vector<std::string> hashes{"sha256:h1", "sha256:h2", ""};
  const std::vector<std::string> applicants{"914403001922038216", "91440300708461136T", ""};
  repo_->set_budget("RD_POST", 2024, 1'000'000'000, "财政局", "");
  for (int i = 0; i < 73; ++i) {
    Case c = sample_case("R-" + std::to_string(i));
    c.stages = {pick(stages)};
    if (chance(20)) c.stages.push_back(c.stages.front() == "joint_a" ? "joint_b" : "joint_a");
    c.roles = {pick(roles)};
    c.visible_roles = {pick(roles), pick(roles)};
    c.visibility_rules = pick(hashes);
    if (c.visibility_rules.empty()) c.visible_roles.clear();
    c.applicant = pick(applicants);
    c.closed = chance(25);
    c.deadlines.clear();
    for (const auto& st : c.stages)
      if (chance(80)) c.deadlines[st] = *model::parse_date("2024-06-01") + std::uniform_int_distribution<int>(0, 6)(rng);
    if (chance(85)) {
      const bool eligible = chance(75);
      c.decision = CaseDecision{eligible ? "eligible" : "refused", 100'000 * std::uniform_int_distribution<int>(0, 5)(rng),
                                "sha256:h1", *model::parse_date("2024-05-01"), "{}"};
      if (chance(20)) c.approved_fen = 100'000 * std::uniform_int_distribution<int>(0, 5)(rng);
      if (chance(20)) c.allocated_fen = 50'000 * std::uniform_int_distribution<int>(0, 10)(rng);
    }
    const store::CaseId id = repo_->create_case(c, submitted());
    if (chance(15)) {  // paid: the amount it stands for is what was consumed
      repo_->reserve(id, 300'000);
      repo_->consume(id, 100'000 * std::uniform_int_distribution<int>(1, 3)(rng));
    }
    if (chance(20)) {  // an update rewrites the order columns
      Case u = repo_->load_case(id);
      u.deadlines.clear();
      if (chance(50)) u.deadlines[u.stages.front()] = *model::parse_date("2024-06-03");
      u.approved_fen = 100'000;
      repo_->update_case(u, u.version);
    }
  }
  const std::vector<Case> every = repo_->list_cases({});
  ASSERT_EQ(every.size(), 73u);

  std::vector<CaseFilter> filters(9);
  filters[1].closed = false;
  filters[2].visible_any = {"市科技局"};
  filters[2].visible_rules = "sha256:h1";
  filters[3].county = "临河区";
  filters[3].visible_rules = "sha256:h1";
  filters[4].roles_any = {"市科技局", "旗县区科技局[五原县]"};
  filters[4].closed = false;
  filters[5].id_or_applicant = "914403001922038216";
  filters[6].stale = true;
  filters[6].visible_rules = "sha256:h1";
  filters[7].stale = false;
  filters[7].visible_rules = "sha256:h1";
  filters[7].stage = "joint_a";
  filters[8].holds_money = true;  // the budget page's holders: reserved for or paid from this year's budget
  filters[8].call_year = 2024;
  {
    std::size_t holders = 0;
    for (const auto& c : every) holders += (c.reserved_fen > 0 || c.consumed_fen > 0) ? 1 : 0;
    ASSERT_GT(holders, 0u);
    ASSERT_LT(holders, every.size());
  }
  for (std::size_t fi = 0; fi < filters.size(); ++fi) {
    std::vector<Case> matching;
    for (const auto& c : every)
      if (store::matches(filters[fi], c)) matching.push_back(c);
    std::map<std::string, std::size_t> counts;
    for (const auto& c : matching)
      for (const auto& st : c.stages) ++counts[st];
    EXPECT_EQ(repo_->count_stages(filters[fi]), counts) << "filter " << fi;
    for (auto order : {store::CaseOrder::id, store::CaseOrder::due, store::CaseOrder::amount})
      for (bool descending : {false, true}) {
        auto position = [&](const Case& c) { return std::pair(store::order_key(c, order), c.id); };
        std::vector<Case> sorted = matching;
        std::sort(sorted.begin(), sorted.end(),
                  [&](const Case& a, const Case& b) { return descending ? position(a) > position(b) : position(a) < position(b); });
        std::vector<store::CaseId> expected, paged;
        for (const auto& c : sorted) expected.push_back(c.id);
        CaseFilter f = filters[fi];
        f.order = order;
        f.descending = descending;
        f.limit = 7;
        for (int pages = 0; pages < 20; ++pages) {
          auto page = repo_->list_cases(f);
          for (const auto& c : page) paged.push_back(c.id);
          if (page.size() < f.limit) break;
          f.after = store::CaseCursor{store::order_key(page.back(), order), page.back().id};
        }
        EXPECT_EQ(paged, expected) << "filter " << fi << " order " << static_cast<int>(order) << (descending ? " desc" : " asc");
      }
  }
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Backends, RepositoryTest, ::testing::ValuesIn(kAllKinds),
                         param_name);

}  // namespace
}  // namespace subsidy::testing
