// The shipped rules as a stored ruleset: store::ruleset_hash of the files the loader read is the
// hash the loader gave the ruleset (so decisions' ruleset_hash names storable sources), and they
// round-trip through the repository.
#include <gtest/gtest.h>

#include "files/rules_dir.hpp"
#include "store/in_memory_repository.hpp"
#include "store/ruleset_store.hpp"

namespace subsidy {
namespace {

TEST(StoredRuleset, TheLoadersHashIsTheStoresHashOfTheFilesItRead) {
  const auto lr = files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
  ASSERT_TRUE(lr->ruleset) << lr->error;
  store::RulesetSources r;
  for (const auto& f : lr->files) r.files.push_back({f.path, f.text});
  ASSERT_GT(r.files.size(), 1u);
  r.hash = store::ruleset_hash(r.files);
  EXPECT_EQ(r.hash, lr->ruleset->hash);

  store::InMemoryRepository repo;
  repo.store_ruleset(r);
  const auto loaded = repo.load_ruleset(lr->ruleset->hash);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->files, r.files);
}

}  // namespace
}  // namespace subsidy
