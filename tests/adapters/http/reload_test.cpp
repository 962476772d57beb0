// A reload of the rules (http::reload_rules, behind POST /v1/admin/reload and SIGHUP): refused
// rules leave the served ruleset in place; compiled rules replace it, and a request that holds the
// old ruleset keeps it.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace subsidy::http
