// A reload of the rules (http::reload_rules, behind POST /v1/admin/reload and SIGHUP): refused
// rules leave the served ruleset in place; compiled rules replace it, and a request that holds the
// old ruleset keeps it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "files/rules_dir.hpp"
#include "http/handlers.hpp"

namespace subsidy::http {
namespace {

std::shared_ptr<const service::PreparedRules> shipped_rules() {
  auto prepared = files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
  EXPECT_TRUE(prepared.rules) << prepared.error;
  return prepared.rules;
}

TEST(ReloadTest, RefusedRulesKeepTheOldRulesetServing) {
  auto old_rules = shipped_rules();
  Services s;
  s.rules = std::make_shared<RulesHolder>(old_rules);
  s.prepare_rules = [] { return PreparedOrRefused{nullptr, "the rules have errors", "x.rules:1:13: error[E0001]: …\n"}; };
  const auto r = reload_rules(s);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error, "the rules have errors");
  EXPECT_EQ(r.diagnostics, "x.rules:1:13: error[E0001]: …\n");
  EXPECT_EQ(r.hash, old_rules->hash());
  EXPECT_EQ(r.previous_hash, old_rules->hash());
  EXPECT_EQ(s.rules->current(), old_rules);
}

TEST(ReloadTest, CompiledRulesReplaceTheRulesetWhileARequestKeepsItsOwn) {
  auto old_rules = shipped_rules();
  auto new_rules = shipped_rules();
  Services s;
  s.rules = std::make_shared<RulesHolder>(old_rules);
  s.prepare_rules = [&] { return PreparedOrRefused{new_rules, {}, {}}; };
  const auto in_flight = s.rules->current();
  const auto r = reload_rules(s);
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.hash, new_rules->hash());
  EXPECT_EQ(s.rules->current(), new_rules);
  EXPECT_EQ(in_flight, old_rules);
}

TEST(ReloadTest, WithoutARulesDirectoryNothingIsReloaded) {
  auto old_rules = shipped_rules();
  Services s;
  s.rules = std::make_shared<RulesHolder>(old_rules);
  EXPECT_FALSE(reload_rules(s).ok());
  EXPECT_EQ(s.rules->current(), old_rules);
}

// The hash a response names (X-Ruleset-Hash) is that of the ruleset that decided it: a JSON Lines
// stream answered before a reload and run after it names the old one (the server writes the header
// after the handler returns, when the holder already has the new rules).
TEST(ReloadTest, ADecisionNamesTheRulesetThatMadeItAcrossAReload) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("subsidy-reload-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(dir);
  fs::copy(std::string(SUBSIDY_SOURCE_DIR) + "/rules", dir, fs::copy_options::recursive);
  std::ofstream(dir / "common.rules", std::ios::app) << "\n# changed\n";
  auto changed = files::prepare(dir.string());
  fs::remove_all(dir);
  ASSERT_TRUE(changed.rules) << changed.error;
  auto old_rules = shipped_rules();
  ASSERT_NE(changed.rules->hash(), old_rules->hash());

  Services s;
  s.rules = std::make_shared<RulesHolder>(old_rules);
  s.prepare_rules = [&] { return PreparedOrRefused{changed.rules, {}, {}}; };
  Handlers handlers(s);
  auto hash_of = [](const Response& r) {
    for (const auto& [name, value] : r.headers)
      if (name == "X-Ruleset-Hash") return value;
    return std::string("(none)");
  };
  Request one;
  one.method = "POST";
  one.target = "/v1/decisions?as_of=2022-06-30";
  one.content_type = "application/json";
  one.body = R"({"id":"a"})";
  EXPECT_EQ(hash_of(handlers.handle(one)), old_rules->hash());

  Request lines = one;
  lines.content_type = "application/x-ndjson";
  lines.body.clear();
  const Response stream = handlers.handle(lines);
  ASSERT_TRUE(stream.stream);
  ASSERT_TRUE(reload_rules(handlers.services()).ok());
  EXPECT_EQ(hash_of(stream), old_rules->hash());
  EXPECT_EQ(hash_of(handlers.handle(one)), changed.rules->hash());
}

}  // namespace
}  // namespace subsidy::http
