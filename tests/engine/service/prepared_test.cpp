// PreparedRules (service/prepared.hpp): one immutable object per ruleset, shared by threads — its
// pooled fact readers decode the same facts on every thread as on one, and leases go back to the pool.
#include "service/prepared.hpp"

#include <gtest/gtest.h>

#include "engine/service/source_file.hpp"

#include <thread>

#include "files/rules_dir.hpp"
#include "service/errors.hpp"

namespace subsidy::service {
namespace {

using testing_files::read;

const files::PreparedFromDisk& shipped() {
  static const auto* p = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
  return *p;
}

TEST(PreparedRules, ReadersAreSharedByThreadsAndDecodeAlike) {
  const auto& rules = *shipped().rules;
  const auto programme = rules.programme("R14");
  const std::string facts = read("tests/cli/data/incubator-agri-corrected.json");
  model::Facts expected;
  {
    auto r = rules.reader(programme.index);
    DecodeError err;
    std::string id;
    ASSERT_TRUE(r->read(facts, expected, err, id)) << err.message;
  }
  constexpr int kThreads = 4, kRounds = 300;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        auto r = rules.reader(programme.index);  // a lease per decision, as a request handler takes one
        model::Facts got;
        DecodeError err;
        std::string id;
        if (!r->read(facts, got, err, id) || got.values != expected.values || got.present != expected.present) ++mismatches[t];
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(kThreads, 0));
}

TEST(PreparedRules, AReaderRequiresItsProgrammesAndItsWorkflowsFacts) {
  const auto& rules = *shipped().rules;
  auto r = rules.reader(rules.programme("R14").index);
  model::Facts f;
  DecodeError err;
  std::string id;
  EXPECT_FALSE(r->read(R"({"id":"X"})", f, err, id));
  EXPECT_EQ(err.code, "missing_field");
  EXPECT_EQ(id, "X");
}

TEST(PreparedRules, UnknownProgrammesAndProgrammesWithoutWorkflowAreTypedErrors) {
  const auto& rules = *shipped().rules;
  try {
    rules.programme("R99");
    FAIL();
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::usage);
    EXPECT_EQ(e.code(), "unknown_programme");
    EXPECT_NE(std::string(e.what()).find("R14"), std::string::npos) << e.what();  // names the programmes there are
  }
  EXPECT_EQ(rules.selection(rules.programme("R14").index)[rules.programme("R14").index], 1);
}

TEST(PreparedCache, BuildsOncePerHash) {
  PreparedCache cache;
  int builds = 0;
  auto build = [&]() -> std::shared_ptr<const PreparedRules> {
    ++builds;
    return shipped().rules;
  };
  auto a = cache.get(shipped().rules->hash(), build);
  auto b = cache.get(shipped().rules->hash(), build);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(builds, 1);
  EXPECT_FALSE(cache.get("none", [] { return std::shared_ptr<const PreparedRules>{}; }));
  EXPECT_FALSE(cache.get("none", [] { return std::shared_ptr<const PreparedRules>{}; }));  // nothing cached for a failed build
}

}  // namespace
}  // namespace subsidy::service
