// Users, role grants and API tokens on every backend: the in-memory repository, SQLite,
// PostgreSQL and MariaDB (when SUBSIDY_TEST_PG, SUBSIDY_TEST_MARIADB are set).
#include <gtest/gtest.h>

#include <stdexcept>

#include "test_database.hpp"

namespace subsidy::testing {
namespace {

store::User user(const std::string& name) {
  store::User u;
  u.name = name;
  u.display_name = "王 " + name;
  u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  return u;
}

store::ApiToken token(store::UserId owner, const std::string& hash) {
  store::ApiToken t;
  t.user = owner;
  t.scopes = {"decide", "read"};
  t.token_hash = hash;
  return t;
}

class UsersTest : public ::testing::TestWithParam<Kind> {
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

TEST_P(UsersTest, AddFindListUsers) {
  const store::UserId a = repo_->add_user(user("zhao"));
  const store::UserId b = repo_->add_user(user("li"));
  EXPECT_NE(a, b);
  auto found = repo_->find_user("zhao");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, a);
  EXPECT_EQ(found->display_name, "王 zhao");
  EXPECT_EQ(found->password_hash, user("zhao").password_hash);
  EXPECT_FALSE(found->disabled);
  EXPECT_EQ(found->created_at.size(), 20U);  // stamped by the repository's clock
  EXPECT_EQ(repo_->load_user(b)->name, "li");
  EXPECT_LT(found->created_at, repo_->load_user(b)->created_at);
  EXPECT_FALSE(repo_->find_user("nobody"));
  EXPECT_FALSE(repo_->load_user(999));
  auto all = repo_->list_users();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].name, "li");
  EXPECT_EQ(all[1].name, "zhao");
}

TEST_P(UsersTest, NamesAreUnique) {
  repo_->add_user(user("zhao"));
  EXPECT_THROW(repo_->add_user(user("zhao")), store::ConflictError);
  EXPECT_THROW(repo_->add_user(user("")), std::invalid_argument);
  EXPECT_EQ(repo_->list_users().size(), 1U);
}

TEST_P(UsersTest, GrantAndRevokeRoles) {
  const store::UserId a = repo_->add_user(user("zhao"));
  EXPECT_TRUE(repo_->grant_role({a, "旗县区科技局[临河区]", "root", {}}));
  EXPECT_TRUE(repo_->grant_role({a, "市财政局", "root", "2024-06-01T00:00:00Z"}));
  EXPECT_FALSE(repo_->grant_role({a, "市财政局", "other", {}}));  // already held: unchanged
  auto roles = repo_->roles_of(a);
  ASSERT_EQ(roles.size(), 2U);
  EXPECT_EQ(roles[0].role, "市财政局");
  EXPECT_EQ(roles[0].granted_by, "root");
  EXPECT_EQ(roles[0].at, "2024-06-01T00:00:00Z");
  EXPECT_EQ(roles[0].user, a);
  EXPECT_EQ(roles[1].role, "旗县区科技局[临河区]");
  EXPECT_TRUE(repo_->revoke_role(a, "市财政局"));
  EXPECT_FALSE(repo_->revoke_role(a, "市财政局"));
  ASSERT_EQ(repo_->roles_of(a).size(), 1U);
  EXPECT_THROW(repo_->grant_role({999, "市财政局", "root", {}}), store::NotFoundError);
}

TEST_P(UsersTest, TokensAreFoundByHashAndRevoked) {
  const store::UserId a = repo_->add_user(user("zhao"));
  store::ApiToken t = token(a, std::string(64, 'a'));
  t.expires_at = "2025-01-01T00:00:00Z";
  const store::TokenId id = repo_->add_token(t);
  const store::TokenId other = repo_->add_token(token(a, std::string(64, 'b')));
  EXPECT_NE(id, other);
  auto found = repo_->find_token(std::string(64, 'a'));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, id);
  EXPECT_EQ(found->user, a);
  EXPECT_EQ(found->scopes, (std::vector<std::string>{"decide", "read"}));
  EXPECT_EQ(found->expires_at, std::optional<std::string>("2025-01-01T00:00:00Z"));
  EXPECT_FALSE(found->revoked);
  EXPECT_FALSE(repo_->find_token(std::string(64, 'b'))->expires_at);
  EXPECT_FALSE(repo_->find_token(std::string(64, 'c')));
  EXPECT_TRUE(repo_->revoke_token(id));
  EXPECT_FALSE(repo_->revoke_token(id));
  EXPECT_FALSE(repo_->revoke_token(999));
  EXPECT_TRUE(repo_->find_token(std::string(64, 'a'))->revoked);
  auto mine = repo_->tokens_of(a);
  ASSERT_EQ(mine.size(), 2U);
  EXPECT_EQ(mine[0].id, id);
  EXPECT_THROW(repo_->add_token(token(a, std::string(64, 'b'))), store::ConflictError);
  EXPECT_THROW(repo_->add_token(token(999, std::string(64, 'd'))), store::NotFoundError);
}

TEST_P(UsersTest, RolledBackUnitOfWorkKeepsNoUser) {
  {
    store::Transaction tx(*repo_);
    const store::UserId a = repo_->add_user(user("zhao"));
    repo_->grant_role({a, "市财政局", "root", {}});
  }
  EXPECT_FALSE(repo_->find_user("zhao"));
  EXPECT_TRUE(repo_->list_users().empty());
}

std::string param_name(const ::testing::TestParamInfo<Kind>& info) { return kind_name(info.param); }
INSTANTIATE_TEST_SUITE_P(Backends, UsersTest, ::testing::ValuesIn(kAllKinds), param_name);

}  // namespace
}  // namespace subsidy::testing
