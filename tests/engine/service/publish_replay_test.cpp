// Published rule versions and decision replay (service/publish.hpp, service/replay.hpp) on the
// in-memory repository: a ruleset whose tests fail is refused naming the failure and stores
// nothing; a published version is prepared from the stored sources; a stored decision replays
// identically, and one changed in storage is found with each difference named.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/service/source_file.hpp"
#include "files/rules_dir.hpp"
#include "json/codec.hpp"
#include "model/date.hpp"
#include "service/cases.hpp"
#include "service/publish.hpp"
#include "service/replay.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::service {
namespace {

namespace fs = std::filesystem;
using testing_files::read;

PublishRequest request(const files::LoadedRules& lr, const std::string& note) {
  PublishRequest r;
  r.compiled = &lr;
  r.files = lr.files;
  r.note = note;
  r.who = "os:tester";
  r.tests_as_of = *model::parse_date("2024-06-28");
  return r;
}

TEST(Publish, ARulesetWhoseTestsFailIsRefusedNamingTheTestAndStoresNothing) {
  const fs::path dir = fs::temp_directory_path() / ("subsidy-publish-failing-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::copy(std::string(SUBSIDY_SOURCE_DIR) + "/rules", dir, fs::copy_options::recursive);
  std::string r14 = read("rules/programs/r14_incubator.rules");
  const std::string from = "from 2022-01-01 = 20万 source";
  ASSERT_NE(r14.find(from), std::string::npos);
  r14.replace(r14.find(from), from.size(), "from 2022-01-01 = 30万 source");
  std::ofstream(dir / "programs" / "r14_incubator.rules", std::ios::binary | std::ios::trunc) << r14;
  const auto lr = files::load_rules(dir.string());
  fs::remove_all(dir);
  ASSERT_TRUE(lr->ruleset);

  store::InMemoryRepository repo;
  try {
    publish_rules(repo, request(*lr, "提高孵化器补助"));
    ADD_FAILURE() << "publishing was not refused";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    EXPECT_EQ(e.code(), "rule_tests_failed");
    const std::string msg = e.what();
    EXPECT_NE(msg.find("test \"R14 合格：自治区级、优秀，20万 / eligible: regional, excellent\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("incubator_platform_test.rules:10:3: expected R14 eligible amount 20万元, actual R14 eligible amount 30万元"),
              std::string::npos)
        << msg;
  }
  EXPECT_TRUE(repo.published_rulesets().empty());
  EXPECT_FALSE(repo.load_ruleset(lr->ruleset->hash));
  auto no_note = request(*lr, " ");
  EXPECT_THROW(publish_rules(repo, no_note), ServiceError);
}

TEST(Publish, APublishedVersionIsPreparedFromTheStoredSources) {
  const auto lr = files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(lr->ruleset);
  store::InMemoryRepository repo;
  try {
    published_rules(repo, std::nullopt, json::codec());
    ADD_FAILURE() << "no version yet";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), "no_published_version");
  }
  auto r = request(*lr, "2024 年度标准");
  r.calendar_text = read("rules/calendar/cn-mainland.tsv");
  const auto res = publish_rules(repo, r);
  EXPECT_FALSE(res.unchanged);
  EXPECT_EQ(res.published.version, 1);
  EXPECT_EQ(res.published.test_summary, test_summary(*lr->ruleset, res.tests));
  EXPECT_EQ(res.tests.failed, 0u);
  EXPECT_TRUE(publish_rules(repo, r).unchanged);  // the latest version already is this ruleset
  EXPECT_EQ(repo.published_rulesets().size(), 1u);

  const auto prepared = published_rules(repo, std::nullopt, json::codec());
  ASSERT_TRUE(prepared);
  EXPECT_EQ(prepared->hash(), lr->ruleset->hash);
  EXPECT_EQ(prepared->sources(), lr->files);
  EXPECT_FALSE(prepared->calendar().entries().empty());  // the stored calendar
  EXPECT_EQ(published_rules(repo, 1, json::codec()).get(), prepared.get());  // prepared once
  try {
    published_rules(repo, 2, json::codec());
    ADD_FAILURE() << "no version 2";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
    EXPECT_EQ(e.code(), "unknown_version");
  }
}

TEST(Replay, AStoredDecisionReplaysIdenticallyAndAChangedOneIsNamed) {
  auto disk = files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(disk.rules) << disk.error;
  store::InMemoryRepository repo;
  Env env{*disk.rules, repo};
  SubmitRequest s;
  s.programme = "R14";
  s.facts_json = read("tests/cli/data/incubator-agri-corrected.json");
  s.date = *model::parse_date("2024-06-28");
  const auto id = submit(env, s).id;
  s.facts_json.replace(s.facts_json.find("APP-2024-0001"), 13, "APP-2024-0002");
  const auto other = submit(env, s).id;

  auto r = replay_case(repo, id, json::codec());
  EXPECT_EQ(r.status, ReplayStatus::identical);
  EXPECT_EQ(r.ruleset_hash, disk.rules->hash());
  EXPECT_EQ(r.facts_version, 1);
  EXPECT_FALSE(r.decided_at.empty());
  EXPECT_TRUE(replay_all(repo, json::codec()).clean());

  // Tampering in storage: the amount inside the decision document, and the outcome column.
  auto& stored = repo.database()->state.cases.at(id).c.decision.value();
  const std::string amount = "\"amount_fen\":20000000";
  ASSERT_NE(stored.json.find(amount), std::string::npos) << stored.json;
  stored.json.replace(stored.json.find(amount), amount.size(), "\"amount_fen\":30000000");
  repo.database()->state.cases.at(other).c.decision->outcome = "refused";

  r = replay_case(repo, id, json::codec());
  EXPECT_EQ(r.status, ReplayStatus::differs);
  ASSERT_EQ(r.differences.size(), 1u);
  EXPECT_EQ(r.differences[0].what, "programs.R14.amount_fen");
  EXPECT_EQ(r.differences[0].stored, "30000000");
  EXPECT_EQ(r.differences[0].replayed, "20000000");

  std::size_t seen = 0;
  const auto all = replay_all(repo, json::codec(), [&](std::size_t done) { seen = done; });
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(all.cases, 2u);
  EXPECT_EQ(all.differs, 2u);
  ASSERT_EQ(all.findings.size(), 2u);
  EXPECT_EQ(all.findings[1].id, other);
  EXPECT_EQ(all.findings[1].differences.at(0).what, "outcome");
  EXPECT_EQ(all.findings[1].differences.at(0).stored, "refused");
  EXPECT_EQ(all.findings[1].differences.at(0).replayed, "eligible");
  EXPECT_EQ(replay_all(repo, json::codec(), {}, 1).findings_left_off, 1u);
}

}  // namespace
}  // namespace subsidy::service
