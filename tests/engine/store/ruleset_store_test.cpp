#include "store/ruleset_store.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "store/errors.hpp"
#include "store/event.hpp"

namespace subsidy::store {
namespace {

RulesetSources sample() {
  RulesetSources r;
  r.files = {{"programmes/r14.rules", "program R14 { }\n"}, {"schema.rules", "fact 企业名称: text;\n"}};
  r.hash = ruleset_hash(r.files);
  return r;
}

TEST(RulesetHash, IsTheLoadersHashOfPathsAndTexts) {
  // SHA-256 of "a.rules\0x\0" (what the rules loader hashes for one file a.rules containing "x").
  const std::vector<RulesetFile> one = {{"a.rules", "x"}};
  EXPECT_EQ(ruleset_hash(one), sha256_hex(std::string("a.rules\0x\0", 10)));
  // Moving bytes between a path and a text changes the hash.
  EXPECT_NE(ruleset_hash(std::vector<RulesetFile>{{"ab", "c"}}), ruleset_hash(std::vector<RulesetFile>{{"a", "bc"}}));
}

TEST(ValidateRuleset, RefusesWhatCannotBeStoredOrDoesNotMatchItsHash) {
  EXPECT_NO_THROW(validate_ruleset(sample()));
  RulesetSources r = sample();
  r.hash = std::string(64, 'a');
  EXPECT_THROW(validate_ruleset(r), std::invalid_argument);
  r = sample();
  r.files[1].text += "changed";
  EXPECT_THROW(validate_ruleset(r), std::invalid_argument);
  r = {};
  r.hash = ruleset_hash(r.files);
  EXPECT_THROW(validate_ruleset(r), std::invalid_argument);  // no files
  r = sample();
  r.files[1].path = r.files[0].path;
  r.hash = ruleset_hash(r.files);
  EXPECT_THROW(validate_ruleset(r), std::invalid_argument);  // a path twice
  r = sample();
  r.files[0].text = std::string("a\0b", 3);
  r.hash = ruleset_hash(r.files);
  EXPECT_THROW(validate_ruleset(r), std::invalid_argument);  // NUL
}

TEST(CheckStoredRuleset, ChangedFilesAreCorrupt) {
  RulesetSources r = sample();
  EXPECT_NO_THROW(check_stored_ruleset(r));
  r.files[0].text = "program R14 { amount 1万元; }\n";
  EXPECT_THROW(check_stored_ruleset(r), CorruptError);
}

}  // namespace
}  // namespace subsidy::store
