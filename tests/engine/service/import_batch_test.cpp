// `case import`'s batch preparation (service::prepare_batch: one awards look-up for the batch)
// against prepare() per line, on seeded random lines — counties, industries, earlier awards of
// some applicants (which change the decision), undecodable lines and lines without an id: each
// line gives the same case, facts, first event and warnings, or the same error. Then the batch is
// stored (store_batch) and a re-run skips every case.
#include <gtest/gtest.h>

#include <random>

#include "adapters/soci/test_database.hpp"
#include "engine/service/incubator_case.hpp"
#include "files/rules_dir.hpp"
#include "service/cases.hpp"

namespace subsidy::service {
namespace {

using testing_cases::incubator_facts;

class ImportBatch : public ::testing::TestWithParam<subsidy::testing::Kind> {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << prepared_->error;
  }
  static files::PreparedFromDisk* prepared_;
};
files::PreparedFromDisk* ImportBatch::prepared_ = nullptr;

TEST_P(ImportBatch, ABatchIsPreparedAsEachLineAlone) {
  if (const char* why = subsidy::testing::skip_reason(GetParam())) GTEST_SKIP() << why;
  subsidy::testing::TestDatabase db(GetParam());
  auto repo = db.open();
  Env env{*prepared_->rules, *repo};
  const char* const counties[] = {"临河区", "五原县", "磴口县", "乌拉特前旗", "杭锦后旗"};
  const char* const industries[] = {"agriculture", "livestock", "manufacturing"};
  std::mt19937 rng(20261202);
  auto pick = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  for (int i = 0; i < 40; i += 3) {  // earlier awards of some applicants
    store::Award a;
    a.applicant = "IMP-" + std::to_string(i);
    a.programme = i % 2 ? "R14" : "RD_POST";
    a.year = 2023 + static_cast<int>(pick(3));
    a.amount_fen = 100'000 * static_cast<model::Fen>(1 + pick(50));
    repo->record_award(a);
  }
  std::vector<std::string> lines;
  for (int i = 0; i < 60; ++i) {
    switch (pick(12)) {
      case 0: lines.push_back(R"({"id":"IMP-X","org_type":"nonsense"})"); break;
      case 1: lines.push_back(R"({"county":"临河区"})"); break;
      default:
        lines.push_back(incubator_facts("IMP-" + std::to_string(pick(45)), counties[pick(5)], pick(2) == 0, industries[pick(3)]));
    }
  }
  for (const std::string applicant : {"", "IMP-3"}) {
    SCOPED_TRACE("applicant '" + applicant + "'");
    SubmitRequest r;
    r.programme = "R14";
    r.date = *model::parse_date("2025-03-03");
    r.applicant = applicant;
    const auto p = env.rules.programme(r.programme);
    const auto batch = prepare_batch(env, p, r, lines);
    ASSERT_EQ(batch.size(), lines.size());
    int errors = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      SCOPED_TRACE("line " + std::to_string(i));
      SubmitRequest one = r;
      one.facts_json = lines[i];
      try {
        const Prepared want = prepare(env, p, one);
        ASSERT_TRUE(batch[i].prepared) << batch[i].error->what();
        EXPECT_EQ(batch[i].prepared->nc.c, want.nc.c);
        EXPECT_EQ(batch[i].prepared->nc.facts, want.nc.facts);
        EXPECT_EQ(batch[i].prepared->event, want.event);
        EXPECT_EQ(batch[i].prepared->warnings, want.warnings);
      } catch (const ServiceError& e) {
        ++errors;
        ASSERT_TRUE(batch[i].error);
        EXPECT_FALSE(batch[i].prepared);
        EXPECT_EQ(std::string(batch[i].error->what()), std::string(e.what()));
        EXPECT_EQ(batch[i].error->code(), e.code());
      }
    }
    EXPECT_GT(errors, 0);
  }
  SubmitRequest r;
  r.programme = "R14";
  r.date = *model::parse_date("2025-03-03");
  const auto p = env.rules.programme(r.programme);
  std::vector<Prepared> cases;
  for (auto& b : prepare_batch(env, p, r, lines))
    if (b.prepared) cases.push_back(std::move(*b.prepared));
  const std::size_t n = cases.size();
  const std::size_t created = store_batch(env, cases);
  EXPECT_GT(created, 10u);
  EXPECT_LT(created, n);  // repeated application ids
  EXPECT_EQ(repo->list_cases({}).size(), created);
  EXPECT_TRUE(repo->verify_audit().findings.empty());
  std::vector<Prepared> again;
  for (auto& b : prepare_batch(env, p, r, lines))
    if (b.prepared) again.push_back(std::move(*b.prepared));
  EXPECT_EQ(store_batch(env, again), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportBatch,
                         ::testing::Values(subsidy::testing::Kind::memory, subsidy::testing::Kind::sqlite,
                                           subsidy::testing::Kind::postgresql),
                         [](const ::testing::TestParamInfo<subsidy::testing::Kind>& i) {
                           return std::string(subsidy::testing::kind_name(i.param));
                         });

}  // namespace
}  // namespace subsidy::service
