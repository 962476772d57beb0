// Published rule versions (migration 008) on every backend: the in-memory repository, SQLite,
// PostgreSQL and MariaDB (when SUBSIDY_TEST_PG, SUBSIDY_TEST_MARIADB are set).
#include <gtest/gtest.h>

#include <stdexcept>

#include "test_database.hpp"

namespace subsidy::testing {
namespace {

class PublishedTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (const char* why = skip_reason(GetParam())) GTEST_SKIP() << why;
    db_ = std::make_unique<TestDatabase>(GetParam());
    soci_store::OpenOptions o;
    o.clock = counting_clock();
    repo_ = db_->open(o);
  }
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<store::CaseRepository> repo_;
};

store::RulesetSources rules(const std::string& amount) {
  store::RulesetSources r;
  r.files = {{"programmes/r14.rules", "program R14 「研发后补助」 { amount " + amount + "; }\n"},
             {"schema.rules", "fact 企业名称: text;\n"}};
  r.hash = store::ruleset_hash(r.files);
  return r;
}

store::PublishedRuleset version_of(const store::RulesetSources& r, const std::string& note) {
  store::PublishedRuleset p;
  p.ruleset_hash = r.hash;
  p.calendar_text = "2024-10-01\t国庆节\n";
  p.note = note;
  p.published_by = "os:王科长";
  p.test_summary = "3 passed, 0 failed";
  return p;
}

TEST_P(PublishedTest, VersionsAreNumberedListedAndTheLatestIsCurrent) {
  EXPECT_TRUE(repo_->published_rulesets().empty());
  EXPECT_FALSE(repo_->published_ruleset());
  const auto a = rules("20万元"), b = rules("30万元");
  const auto v1 = repo_->publish_ruleset(a, version_of(a, "2024 年度标准"));
  EXPECT_EQ(v1.version, 1);
  EXPECT_FALSE(v1.published_at.empty());
  EXPECT_EQ(repo_->load_ruleset(a.hash)->files, a.files);  // the sources are stored with it
  const auto v2 = repo_->publish_ruleset(b, version_of(b, "提高补助额度"));
  EXPECT_EQ(v2.version, 2);
  const auto v3 = repo_->publish_ruleset(a, version_of(a, "回到 2024 年度标准"));  // an older ruleset again
  EXPECT_EQ(v3.version, 3);

  const auto all = repo_->published_rulesets();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], v1);
  EXPECT_EQ(all[1], v2);
  EXPECT_EQ(all[2], v3);
  EXPECT_EQ(all[1].note, "提高补助额度");
  EXPECT_EQ(all[1].calendar_text, "2024-10-01\t国庆节\n");
  EXPECT_EQ(all[1].published_by, "os:王科长");
  EXPECT_EQ(all[1].test_summary, "3 passed, 0 failed");
  EXPECT_EQ(repo_->published_ruleset(), v3);
  EXPECT_EQ(repo_->published_ruleset(2), v2);
  EXPECT_FALSE(repo_->published_ruleset(4));
  EXPECT_FALSE(repo_->published_ruleset(0));
}

TEST_P(PublishedTest, RefusedVersionsAndRolledBackOnesLeaveNothing) {
  const auto a = rules("20万元"), b = rules("30万元");
  auto nobody = version_of(a, "x");
  nobody.published_by = " ";
  EXPECT_THROW(repo_->publish_ruleset(a, nobody), std::invalid_argument);
  EXPECT_THROW(repo_->publish_ruleset(a, version_of(b, "another hash")), std::invalid_argument);
  {
    store::Transaction tx(*repo_);
    repo_->publish_ruleset(b, version_of(b, "rolled back"));
  }
  EXPECT_TRUE(repo_->published_rulesets().empty());
  EXPECT_FALSE(repo_->load_ruleset(b.hash));
  EXPECT_FALSE(repo_->load_ruleset(a.hash));
  EXPECT_EQ(repo_->publish_ruleset(a, version_of(a, "first")).version, 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, PublishedTest, ::testing::ValuesIn(kAllKinds),
                         [](const ::testing::TestParamInfo<Kind>& p) { return kind_name(p.param); });

}  // namespace
}  // namespace subsidy::testing
