// The bulk import's fast path (SociRepository::create_cases_with_events: multi-row statements)
// against the plain path (CaseRepository::create_cases_with_events: create_cases_batch, then
// append_event per case) on seeded random batches — with application ids repeated inside a batch
// and across batches, batches over the 100-row statement size, Chinese text, NULL columns: the two
// databases must hold the same rows (every column of cases, facts_versions and events: ids,
// clock readings, hashes and chain heads), give the same results, and chain the next event alike.
// On PostgreSQL (when SUBSIDY_TEST_PG is set), the backend with the multi-row path; SQLite and
// MariaDB (SUBSIDY_TEST_MARIADB) take the plain path and are run so that they stay alike.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <random>
#include <sstream>

#include "test_database.hpp"

namespace subsidy::testing {
namespace {

// Every row of `table` ordered by `order`, each column as text ("NULL" for NULL).
std::vector<std::string> dump(const TestDatabase& db, const std::string& table, const std::string& order) {
  auto c = soci_store::detail::connect(db.url(), {});
  soci::rowset<soci::row> rs = (c.sql->prepare << "SELECT * FROM " + table + " ORDER BY " + order);
  std::vector<std::string> out;
  for (const soci::row& r : rs) {
    std::ostringstream line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line << r.get_properties(i).get_name() << '=';
      if (r.get_indicator(i) == soci::i_null) {
        line << "NULL";
      } else {
        switch (r.get_properties(i).get_data_type()) {
          case soci::dt_string: line << r.get<std::string>(i); break;
          case soci::dt_integer: line << r.get<int>(i); break;
          case soci::dt_long_long: line << r.get<long long>(i); break;
          case soci::dt_unsigned_long_long: line << r.get<unsigned long long>(i); break;
          case soci::dt_double: line << r.get<double>(i); break;
          default: line << "?"; break;
        }
      }
      line << ';';
    }
    out.push_back(line.str());
  }
  return out;
}

struct Batch {
  std::vector<store::NewCase> cases;
  std::vector<store::Event> events;
};

std::string pick(std::mt19937& rng, std::initializer_list<const char*> from) {
  std::uniform_int_distribution<std::size_t> d(0, from.size() - 1);
  return *(from.begin() + d(rng));
}

// A random batch of `n` cases whose application ids come from a pool of `pool` (so some repeat).
Batch random_batch(std::mt19937& rng, std::size_t n, int pool) {
  Batch b;
  std::uniform_int_distribution<int> app(0, pool - 1), coin(0, 1), amount(0, 5'000'000);
  for (std::size_t i = 0; i < n; ++i) {
    store::NewCase nc;
    store::Case& c = nc.c;
    c.application_id = "APP-" + std::to_string(app(rng)) + (coin(rng) ? "" : "-河套");
    if (coin(rng)) c.applicant = "91150800MA0" + std::to_string(app(rng));
    c.programme = pick(rng, {"R14", "RD_POST", "HT_RECOG"});
    c.call_year = 2024 + coin(rng);
    c.workflow = pick(rng, {"核准制", "评审制"});
    c.workflow_version = 1 + coin(rng);
    c.stages = coin(rng) ? std::vector<std::string>{"county_review"}
                         : std::vector<std::string>{"joint_review_a", "joint_review_b"};
    c.roles = {pick(rng, {"旗县区科技局[临河区]", "市科技局", "市农牧局"})};
    if (coin(rng)) {
      c.visible_roles = {"申报单位", "市科技局"};
      c.visibility_rules = "sha256:" + std::to_string(app(rng));
    }
    c.state_json = coin(rng) ? R"({"clock":"running"})" : R"({"votes":{"市农牧局":"pending"}})";
    if (coin(rng)) c.deadlines = {{c.stages.front(), *model::parse_date("2025-03-17") + app(rng)}};
    if (coin(rng)) {
      const bool eligible = coin(rng);
      c.decision = store::CaseDecision{eligible ? "eligible" : "refused", eligible ? amount(rng) : 0, "sha256:rules",
                                       *model::parse_date("2025-03-03"), R"({"total":)" + std::to_string(amount(rng)) + "}"};
    }
    if (coin(rng)) c.timer_due = *model::parse_date("2025-04-01");
    if (coin(rng)) c.approved_fen = amount(rng);
    if (coin(rng)) c.allocated_fen = amount(rng);
    nc.facts.facts_json = R"({"id":")" + c.application_id + R"(","企业名称":"巴彦淖尔市)" + std::to_string(i) + R"(有限公司"})";
    nc.facts.reason = coin(rng) ? store::kFactsSubmitted : "";
    if (coin(rng) && coin(rng)) nc.facts.created_at = "2025-03-01T00:00:00Z";
    store::Event e;
    e.actor = pick(rng, {"申报单位", "河套农业科技有限公司", "bench"});
    e.role = "申报单位";
    e.action = "submit";
    e.to_stage = c.stages.front();
    e.note = coin(rng) ? "" : "附件 3 份";
    e.payload_json = R"({"applicant":")" + c.application_id + R"(","audit":{"n":)" + std::to_string(i) + "}}";
    if (coin(rng) && coin(rng)) e.at = "2025-03-03T01:02:03Z";
    b.cases.push_back(std::move(nc));
    b.events.push_back(std::move(e));
  }
  return b;
}

class BatchImportTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
  }
  std::unique_ptr<store::CaseRepository> open(TestDatabase& db) {
    soci_store::OpenOptions o;
    o.clock = counting_clock();
    return db.open(o);
  }
};

TEST_P(BatchImportTest, MultiRowBatchesWriteWhatThePlainPathWrites) {
  for (unsigned seed : {1u, 20260512u, 77u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TestDatabase plain_db(GetParam()), fast_db(GetParam());
    auto plain = open(plain_db);
    auto fast = open(fast_db);
    std::mt19937 rng(seed);
    std::vector<store::CaseId> created;
    // Sizes around the 100-row statement size; the pool makes later batches repeat earlier ids.
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{99}, std::size_t{100}, std::size_t{101},
                          std::size_t{257}, std::size_t{40}}) {
      const Batch b = random_batch(rng, n, 300);
      const auto want = plain->store::CaseRepository::create_cases_with_events(b.cases, b.events);
      const auto got = fast->create_cases_with_events(b.cases, b.events);
      ASSERT_EQ(got.size(), want.size());
      for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << "batch of " << n << ", case " << i;
        EXPECT_EQ(got[i].created, want[i].created) << "batch of " << n << ", case " << i;
        if (want[i].created) created.push_back(want[i].id);
      }
    }
    EXPECT_EQ(dump(fast_db, "cases", "id"), dump(plain_db, "cases", "id"));
    EXPECT_EQ(dump(fast_db, "facts_versions", "case_id, version"), dump(plain_db, "facts_versions", "case_id, version"));
    EXPECT_EQ(dump(fast_db, "events", "case_id, seq"), dump(plain_db, "events", "case_id, seq"));
    EXPECT_GT(dump(plain_db, "events", "case_id, seq").size(), 300u);
    // The chain heads are what append_event continues from.
    ASSERT_GT(created.size(), 2u);
    for (store::CaseId id : {created.front(), created[created.size() / 2], created.back()}) {
      store::Event next;
      next.case_id = id;
      next.actor = "王科长";
      next.action = "approve";
      EXPECT_EQ(fast->append_event(next), plain->append_event(next));
    }
    EXPECT_TRUE(fast->verify_audit().findings.empty());
  }
}

TEST_P(BatchImportTest, ARolledBackUnitOfWorkKeepsNothing) {
  TestDatabase db(GetParam());
  auto repo = open(db);
  std::mt19937 rng(5);
  const Batch b = random_batch(rng, 150, 1000);
  {
    store::Transaction tx(*repo);
    const auto r = repo->create_cases_with_events(b.cases, b.events);
    EXPECT_FALSE(r.empty());
  }  // rolled back
  EXPECT_TRUE(repo->list_cases({}).empty());
  EXPECT_TRUE(dump(db, "events", "case_id, seq").empty());
  EXPECT_TRUE(dump(db, "facts_versions", "case_id").empty());
  // and a re-run stores them all
  const auto r = repo->create_cases_with_events(b.cases, b.events);
  std::size_t created = 0;
  for (const auto& x : r) created += x.created ? 1 : 0;
  EXPECT_EQ(repo->list_cases({}).size(), created);
}

TEST_P(BatchImportTest, SpansOfDifferentLengthAreRefused) {
  TestDatabase db(GetParam());
  auto repo = open(db);
  std::mt19937 rng(9);
  const Batch b = random_batch(rng, 3, 10);
  EXPECT_THROW(repo->create_cases_with_events(b.cases, std::span(b.events).first(2)), std::invalid_argument);
  EXPECT_TRUE(repo->list_cases({}).empty());
}

TEST_P(BatchImportTest, AwardsOfManyApplicantsAreEachApplicantsAwards) {
  TestDatabase db(GetParam());
  auto repo = open(db);
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> who(0, 260), year(2021, 2025), amount(1, 900'000);
  for (int i = 0; i < 400; ++i) {
    store::Award a;
    a.applicant = "91150800MA0" + std::to_string(who(rng)) + (i % 7 ? "" : "临河");
    a.programme = i % 3 ? "R14" : "RD_POST";
    a.year = year(rng);
    a.amount_fen = amount(rng);
    if (i % 5 == 0) a.achievement = "成果 " + std::to_string(i);
    repo->record_award(a);
  }
  std::vector<std::string> keys;
  for (int i = 0; i < 330; ++i) keys.push_back("91150800MA0" + std::to_string(who(rng)) + (i % 9 ? "" : "临河"));
  keys.push_back(keys.front());  // repeated
  keys.push_back("nobody");
  const auto want = repo->store::CaseRepository::awards_of(keys);
  const auto got = repo->awards_of(keys);
  EXPECT_EQ(got, want);
  EXPECT_GT(want.size(), 100u);
  EXPECT_TRUE(repo->awards_of({}).empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, BatchImportTest, ::testing::ValuesIn(kSqlKinds),
                         [](const ::testing::TestParamInfo<Kind>& p) { return std::string(kind_name(p.param)); });

}  // namespace
}  // namespace subsidy::testing
