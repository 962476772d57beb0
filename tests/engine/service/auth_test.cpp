// Users, role grants and API tokens through the application layer, with the real credentials
// (Argon2id, OpenSSL) over the in-memory repository.
#include "service/auth.hpp"

#include <gtest/gtest.h>

#include "auth/credentials.hpp"
#include "files/rules_dir.hpp"
#include "service/errors.hpp"
#include "store/in_memory_repository.hpp"

namespace subsidy::service {
namespace {

// Expects a ServiceError of `kind` and `code` from `f`.
template <class F>
void expect_error(F&& f, ErrorKind kind, const std::string& code) {
  try {
    f();
    ADD_FAILURE() << "expected " << code;
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prepared_ = new files::PreparedFromDisk(files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules"));
    ASSERT_TRUE(prepared_->rules) << "rules must load: " << prepared_->error;
  }
  const workflow::WorkflowSet& workflows() { return prepared_->rules->workflows(); }

  store::InMemoryRepository repo_;
  auth::Argon2Credentials creds_{auth::Argon2Params{.memory_kib = 256, .passes = 1, .lanes = 1}};  // cheap for tests
  static files::PreparedFromDisk* prepared_;
};
files::PreparedFromDisk* AuthTest::prepared_ = nullptr;

TEST_F(AuthTest, PasswordVerifiesAndAWrongOneDoesNot) {
  const store::User u = add_user(repo_, creds_, "zhao", "赵 科员", "correct horse");
  EXPECT_EQ(u.display_name, "赵 科员");
  EXPECT_EQ(u.password_hash.rfind("$argon2id$v=19$m=256,t=1,p=1$", 0), 0U) << u.password_hash;
  EXPECT_EQ(u.password_hash.find("correct horse"), std::string::npos);
  const Principal p = authenticate_password(repo_, creds_, "zhao", "correct horse");
  EXPECT_EQ(p.user.name, "zhao");
  EXPECT_TRUE(p.user.password_hash.empty());  // no secret travels with the principal
  // a password proves the user: every scope (decide, read, act, admin, policy); a session narrows them by role
  EXPECT_EQ(p.scopes.size(), 5U);
  expect_error([&] { authenticate_password(repo_, creds_, "zhao", "correct horsE"); }, ErrorKind::refused, "bad_credentials");
  expect_error([&] { authenticate_password(repo_, creds_, "zhao", ""); }, ErrorKind::refused, "bad_credentials");
  expect_error([&] { authenticate_password(repo_, creds_, "nobody", "correct horse"); }, ErrorKind::refused, "bad_credentials");
}

TEST_F(AuthTest, TwoHashesOfOnePasswordDifferBySalt) {
  const store::User a = add_user(repo_, creds_, "a", "", "same");
  const store::User b = add_user(repo_, creds_, "b", "", "same");
  EXPECT_NE(a.password_hash, b.password_hash);
  EXPECT_EQ(a.display_name, "a");  // defaults to the name
}

TEST_F(AuthTest, DefaultParametersAreArgon2idAtOwaspCost) {
  auth::Argon2Credentials real;
  const std::string h = real.hash_password("pw");
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0U) << h;
  EXPECT_TRUE(real.verify_password(h, "pw"));
  EXPECT_FALSE(real.verify_password(h, "pW"));
  EXPECT_FALSE(real.verify_password("not an encoded hash", "pw"));
}

TEST_F(AuthTest, UserWithoutPasswordUsesTokensOnly) {
  const store::User u = add_user(repo_, creds_, "portal", "", std::nullopt);
  EXPECT_TRUE(u.password_hash.empty());
  expect_error([&] { authenticate_password(repo_, creds_, "portal", ""); }, ErrorKind::refused, "bad_credentials");
  expect_error([&] { authenticate_password(repo_, creds_, "portal", "x"); }, ErrorKind::refused, "bad_credentials");
  const IssuedToken t = issue_token(repo_, creds_, "portal", {Scope::decide}, std::nullopt);
  EXPECT_EQ(authenticate_token(repo_, creds_, t.token).user.name, "portal");
}

TEST_F(AuthTest, DisabledUserCannotLogIn) {
  add_user(repo_, creds_, "zhao", "", "pw");
  for (auto& [id, u] : repo_.database()->state.users) u.disabled = true;
  expect_error([&] { authenticate_password(repo_, creds_, "zhao", "pw"); }, ErrorKind::refused, "bad_credentials");
}

TEST_F(AuthTest, AddUserRefusesBadInput) {
  expect_error([&] { add_user(repo_, creds_, "zhao", "", std::string()); }, ErrorKind::usage, "empty_password");
  expect_error([&] { add_user(repo_, creds_, "", "", "pw"); }, ErrorKind::usage, "bad_user_name");
  expect_error([&] { add_user(repo_, creds_, "zhao li", "", "pw"); }, ErrorKind::usage, "bad_user_name");
  add_user(repo_, creds_, "zhao", "", "pw");
  expect_error([&] { add_user(repo_, creds_, "zhao", "", "pw2"); }, ErrorKind::conflict, "duplicate_user");
}

TEST_F(AuthTest, GrantsAndRevokesRolesOfTheRules) {
  add_user(repo_, creds_, "zhao", "", "pw");
  EXPECT_TRUE(grant_role(repo_, workflows(), "zhao", "旗县区科技局[临河区]", "root"));
  EXPECT_TRUE(grant_role(repo_, workflows(), "zhao", "市财政局", "root"));
  EXPECT_FALSE(grant_role(repo_, workflows(), "zhao", "市财政局", "root"));  // already held
  Principal p = authenticate_password(repo_, creds_, "zhao", "pw");
  EXPECT_EQ(p.roles, (std::vector<std::string>{"市财政局", "旗县区科技局[临河区]"}));  // by role
  EXPECT_NO_THROW(require_role(p, "市财政局"));
  EXPECT_NO_THROW(require_role(p, "旗县区科技局[临河区]"));
  expect_error([&] { require_role(p, "旗县区科技局[五原县]"); }, ErrorKind::refused, "forbidden");
  expect_error([&] { require_role(p, "市科技局"); }, ErrorKind::refused, "forbidden");

  revoke_role(repo_, "zhao", "市财政局");
  p = authenticate_password(repo_, creds_, "zhao", "pw");
  EXPECT_EQ(p.roles, (std::vector<std::string>{"旗县区科技局[临河区]"}));
  expect_error([&] { require_role(p, "市财政局"); }, ErrorKind::refused, "forbidden");
  expect_error([&] { revoke_role(repo_, "zhao", "市财政局"); }, ErrorKind::not_found, "not_granted");
  expect_error([&] { revoke_role(repo_, "nobody", "市财政局"); }, ErrorKind::not_found, "unknown_user");
  expect_error([&] { grant_role(repo_, workflows(), "nobody", "市财政局", "root"); }, ErrorKind::not_found, "unknown_user");
}

TEST_F(AuthTest, GrantRefusesARoleTheRulesDoNotKnow) {
  add_user(repo_, creds_, "zhao", "", "pw");
  try {
    grant_role(repo_, workflows(), "zhao", "市财政", "root");
    ADD_FAILURE() << "expected unknown_role";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), "unknown_role");
    EXPECT_NE(std::string(e.what()).find("did you mean `市财政局`"), std::string::npos) << e.what();
  }
  expect_error([&] { grant_role(repo_, workflows(), "zhao", "旗县区科技局[火星]", "root"); }, ErrorKind::usage, "unknown_role");
  EXPECT_TRUE(repo_.roles_of(repo_.find_user("zhao")->id).empty());
}

TEST_F(AuthTest, TokenAuthenticatesWithItsScopes) {
  add_user(repo_, creds_, "portal", "政务服务平台", "pw");
  grant_role(repo_, workflows(), "portal", "市科技局", "root");
  const IssuedToken t = issue_token(repo_, creds_, "portal", parse_scopes("decide,read"), std::nullopt);
  EXPECT_EQ(t.token.rfind("sbt_", 0), 0U);
  EXPECT_EQ(t.token.size(), 4U + 43U);  // 32 random bytes, base64url without padding
  EXPECT_EQ(t.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 4), std::string::npos);
  EXPECT_EQ(t.stored.token_hash.size(), 64U);
  EXPECT_NE(t.stored.token_hash, t.token);
  EXPECT_EQ(t.stored.token_hash.find(t.token.substr(4)), std::string::npos);
  for (const auto& [id, stored] : repo_.database()->state.tokens) EXPECT_NE(stored.token_hash, t.token);

  const Principal p = authenticate_token(repo_, creds_, t.token, "2025-01-01T00:00:00Z");
  EXPECT_EQ(p.user.name, "portal");
  EXPECT_EQ(p.roles, (std::vector<std::string>{"市科技局"}));
  EXPECT_EQ(p.scopes, (std::vector<Scope>{Scope::decide, Scope::read}));
  EXPECT_NO_THROW(require_scope(p, Scope::decide));
  expect_error([&] { require_scope(p, Scope::act); }, ErrorKind::refused, "forbidden_scope");
  EXPECT_NE(issue_token(repo_, creds_, "portal", {Scope::act}, std::nullopt).token, t.token);
}

TEST_F(AuthTest, RevokedExpiredOrUnknownTokensDoNotAuthenticate) {
  add_user(repo_, creds_, "portal", "", "pw");
  const IssuedToken t = issue_token(repo_, creds_, "portal", {Scope::read}, std::string("2025-06-01T00:00:00Z"));
  EXPECT_NO_THROW(authenticate_token(repo_, creds_, t.token, "2025-05-31T23:59:59Z"));
  expect_error([&] { authenticate_token(repo_, creds_, t.token, "2025-06-01T00:00:00Z"); }, ErrorKind::refused, "bad_token");
  expect_error([&] { authenticate_token(repo_, creds_, t.token + "x", "2025-01-01T00:00:00Z"); }, ErrorKind::refused, "bad_token");
  expect_error([&] { authenticate_token(repo_, creds_, "", "2025-01-01T00:00:00Z"); }, ErrorKind::refused, "bad_token");

  revoke_token(repo_, t.stored.id);
  expect_error([&] { authenticate_token(repo_, creds_, t.token, "2025-01-01T00:00:00Z"); }, ErrorKind::refused, "bad_token");
  expect_error([&] { revoke_token(repo_, t.stored.id); }, ErrorKind::not_found, "unknown_token");
  expect_error([&] { revoke_token(repo_, 999); }, ErrorKind::not_found, "unknown_token");

  const IssuedToken u = issue_token(repo_, creds_, "portal", {Scope::read}, std::nullopt);
  for (auto& [id, user] : repo_.database()->state.users) user.disabled = true;
  expect_error([&] { authenticate_token(repo_, creds_, u.token, "2025-01-01T00:00:00Z"); }, ErrorKind::refused, "bad_token");
}

TEST_F(AuthTest, IssueTokenRefusesBadInput) {
  add_user(repo_, creds_, "portal", "", "pw");
  expect_error([&] { issue_token(repo_, creds_, "portal", {Scope::read}, std::string("2025-06-01")); }, ErrorKind::usage,
               "bad_expiry");
  expect_error([&] { issue_token(repo_, creds_, "portal", {}, std::nullopt); }, ErrorKind::usage, "no_scope");
  expect_error([&] { issue_token(repo_, creds_, "nobody", {Scope::read}, std::nullopt); }, ErrorKind::not_found, "unknown_user");
  EXPECT_TRUE(repo_.database()->state.tokens.empty());
}

TEST_F(AuthTest, ParsesScopes) {
  EXPECT_EQ(parse_scopes("act,decide,act"), (std::vector<Scope>{Scope::act, Scope::decide}));
  EXPECT_EQ(parse_scopes("admin"), (std::vector<Scope>{Scope::admin}));
  try {
    parse_scopes("decide,raed");
    ADD_FAILURE() << "expected unknown_scope";
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), "unknown_scope");
    EXPECT_NE(std::string(e.what()).find("did you mean `read`"), std::string::npos) << e.what();
  }
  expect_error([] { parse_scopes(","); }, ErrorKind::usage, "no_scope");
  expect_error([] { parse_scopes(""); }, ErrorKind::usage, "no_scope");
}

TEST_F(AuthTest, ListsUsersWithoutPasswordHashes) {
  add_user(repo_, creds_, "zhao", "", "pw");
  add_user(repo_, creds_, "li", "", "pw");
  grant_role(repo_, workflows(), "li", "市科技局", "root");
  issue_token(repo_, creds_, "li", {Scope::read}, std::nullopt);
  const auto all = list_users(repo_);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].user.name, "li");
  EXPECT_TRUE(all[0].user.password_hash.empty());
  ASSERT_EQ(all[0].roles.size(), 1U);
  EXPECT_EQ(all[0].roles[0].granted_by, "root");
  EXPECT_EQ(all[0].tokens.size(), 1U);
  EXPECT_TRUE(all[1].roles.empty());
}

TEST_F(AuthTest, DigestComparisonIsExact) {
  const std::string d = creds_.token_digest("sbt_x");
  EXPECT_EQ(d, creds_.token_digest("sbt_x"));
  EXPECT_NE(d, creds_.token_digest("sbt_y"));
  // SHA-256("abc"), FIPS 180-2 appendix B.1
  EXPECT_EQ(creds_.token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(creds_.same_digest(d, d));
  EXPECT_FALSE(creds_.same_digest(d, d.substr(1)));
  EXPECT_FALSE(creds_.same_digest(d, creds_.token_digest("sbt_y")));
}

// ---- the reserved role admin, login sessions, the login throttle ----

// A steady clock the test moves by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  LoginThrottle::Clock clock() {
    return [this] { return now; };
  }
};

// The retry_after_s of the too_many_attempts `f` throws; -1 when it throws nothing.
template <class F>
long long retry_after(F&& f) {
  try {
    f();
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), "too_many_attempts") << e.what();
    EXPECT_EQ(e.kind(), ErrorKind::refused);
    for (const auto& [k, v] : e.details())
      if (k == "retry_after_s") return std::stoll(v);
    ADD_FAILURE() << "no retry_after_s";
    return 0;
  }
  return -1;
}

TEST_F(AuthTest, GrantAcceptsTheReservedRoleAdmin) {
  add_user(repo_, creds_, "root", "", "pw");
  EXPECT_TRUE(grant_role(repo_, workflows(), "root", "admin", "os:ops"));
  EXPECT_EQ(list_users(repo_)[0].roles[0].role, "admin");
  expect_error([&] { grant_role(repo_, workflows(), "root", "Admin", "os:ops"); }, ErrorKind::usage, "unknown_role");
}

TEST_F(AuthTest, ThrottleLocksANameAfterFiveFailuresUntilTheOldestLeavesTheWindow) {
  using namespace std::chrono_literals;
  FakeClock c;
  LoginThrottle t({}, c.clock());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(retry_after([&] { t.check("zhao", "10.0.0.1"); }), -1) << i;
    t.failed("zhao", "10.0.0." + std::to_string(i + 1));  // four addresses: only the name reaches five
    c.now += 60s;
  }
  t.failed("zhao", "10.0.0.9");  // the fifth, 4 min after the first
  EXPECT_EQ(retry_after([&] { t.check("zhao", "10.0.0.7"); }), 11 * 60);  // the first leaves the window at 15 min
  EXPECT_EQ(retry_after([&] { t.check("li", "10.0.0.1"); }), -1);         // another name, an address with one failure
  c.now += 11min - 1s;
  EXPECT_EQ(retry_after([&] { t.check("zhao", "10.0.0.7"); }), 1);
  c.now += 1s;
  EXPECT_EQ(retry_after([&] { t.check("zhao", "10.0.0.7"); }), -1);  // four failures left in the window
  t.failed("zhao", "10.0.0.7");
  EXPECT_EQ(retry_after([&] { t.check("zhao", "10.0.0.7"); }), 60);  // the second failure leaves in 1 min
}

TEST_F(AuthTest, ThrottleLocksAnAddressAcrossNames) {
  FakeClock c;
  LoginThrottle t({}, c.clock());
  for (const char* name : {"a", "b", "c", "d", "e"}) t.failed(name, "192.0.2.7");
  EXPECT_EQ(retry_after([&] { t.check("f", "192.0.2.7"); }), 15 * 60);
  EXPECT_EQ(retry_after([&] { t.check("f", "192.0.2.8"); }), -1);
}

TEST_F(AuthTest, ThrottleSuccessClearsTheNameButNotTheAddress) {
  FakeClock c;
  LoginThrottle t({}, c.clock());
  for (int i = 0; i < 4; ++i) t.failed("zhao", "192.0.2.7");
  t.succeeded("zhao");
  t.failed("zhao", "192.0.2.8");
  EXPECT_EQ(retry_after([&] { t.check("zhao", "192.0.2.9"); }), -1);  // one failure of the name since
  t.failed("li", "192.0.2.7");                                         // the address's fifth
  EXPECT_GT(retry_after([&] { t.check("wang", "192.0.2.7"); }), 0);
}

TEST_F(AuthTest, ThrottleForgetsNamesAndAddressesWhoseFailuresLeftTheWindow) {
  using namespace std::chrono_literals;
  FakeClock c;
  LoginThrottle t({}, c.clock());
  for (int i = 0; i < 4; ++i) t.failed("zhao", "192.0.2.1");
  EXPECT_EQ(t.tracked(), 2U);
  c.now += 15min;
  EXPECT_EQ(retry_after([&] { t.check("zhao", "192.0.2.1"); }), -1);
  EXPECT_EQ(t.tracked(), 0U);  // a check forgets what left the window
  // A spray of names from many addresses: what has left the window is swept as more arrives.
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 3000; ++i) t.failed("user" + std::to_string(i), "198.51.100." + std::to_string(i));
    c.now += 16min;
  }
  EXPECT_LE(t.tracked(), 2U * 6000U);
  for (int i = 0; i < 4; ++i) t.failed("li", "192.0.2.9");
  EXPECT_EQ(retry_after([&] { t.check("li", "192.0.2.9"); }), -1);  // four recent failures: not locked
  t.failed("li", "192.0.2.9");
  EXPECT_EQ(retry_after([&] { t.check("li", "192.0.2.8"); }), 15 * 60);
}

TEST_F(AuthTest, LoginOpensASessionThatExpiresAndHasNoAdminScopeWithoutTheRole) {
  using namespace std::chrono_literals;
  add_user(repo_, creds_, "zhao", "赵 科员", "pw");
  grant_role(repo_, workflows(), "zhao", "市科技局", "root");
  LoginThrottle throttle;
  const Session s = login(repo_, creds_, throttle, "zhao", "pw", "127.0.0.1", "2026-12-31T23:00:00Z", 12h);
  EXPECT_EQ(s.token.rfind("sbs_", 0), 0U);
  EXPECT_EQ(s.token.size(), 4U + 43U);
  EXPECT_EQ(s.expires_at, "2027-01-01T11:00:00Z");
  EXPECT_EQ(s.principal.scopes, (std::vector<Scope>{Scope::decide, Scope::read, Scope::act}));
  EXPECT_TRUE(s.principal.session);
  for (const auto& [id, stored] : repo_.database()->state.tokens) EXPECT_NE(stored.token_hash, s.token);

  const Principal p = authenticate_token(repo_, creds_, s.token, "2027-01-01T10:59:59Z");
  EXPECT_TRUE(p.session);
  EXPECT_EQ(p.token, s.principal.token);
  EXPECT_EQ(p.roles, (std::vector<std::string>{"市科技局"}));
  EXPECT_EQ(p.scopes, s.principal.scopes);
  expect_error([&] { authenticate_token(repo_, creds_, s.token, "2027-01-01T11:00:00Z"); }, ErrorKind::refused, "bad_token");
}

TEST_F(AuthTest, LoginOfAnAdminHasTheAdminScope) {
  using namespace std::chrono_literals;
  add_user(repo_, creds_, "root", "", "pw");
  grant_role(repo_, workflows(), "root", "admin", "os:ops");
  LoginThrottle throttle;
  const Session s = login(repo_, creds_, throttle, "root", "pw", "127.0.0.1", "2026-01-01T00:00:00Z", 1h);
  EXPECT_EQ(s.principal.scopes, (std::vector<Scope>{Scope::decide, Scope::read, Scope::act, Scope::admin, Scope::policy}));
  EXPECT_NO_THROW(require_policy(s.principal));  // admins may do what policy staff do
}

// The reserved role policy: policy staff are not admins (docs/service.md "Users, roles and tokens").
TEST_F(AuthTest, LoginOfPolicyStaffHasThePolicyScopeButNotAdmin) {
  using namespace std::chrono_literals;
  add_user(repo_, creds_, "li", "", "pw");
  add_user(repo_, creds_, "clerk", "", "pw");
  EXPECT_TRUE(grant_role(repo_, workflows(), "li", "policy", "os:ops"));
  LoginThrottle throttle;
  const Session s = login(repo_, creds_, throttle, "li", "pw", "127.0.0.1", "2026-01-01T00:00:00Z", 1h);
  EXPECT_EQ(s.principal.scopes, (std::vector<Scope>{Scope::decide, Scope::read, Scope::act, Scope::policy}));
  EXPECT_NO_THROW(require_policy(s.principal));
  expect_error([&] { require_scope(s.principal, Scope::admin); }, ErrorKind::refused, "forbidden_scope");
  const Session c = login(repo_, creds_, throttle, "clerk", "pw", "127.0.0.1", "2026-01-01T00:00:00Z", 1h);
  expect_error([&] { require_policy(c.principal); }, ErrorKind::refused, "forbidden_scope");
  EXPECT_EQ(parse_scopes("policy"), (std::vector<Scope>{Scope::policy}));
}

TEST_F(AuthTest, LoginIsThrottledEvenWithTheRightPassword) {
  using namespace std::chrono_literals;
  add_user(repo_, creds_, "zhao", "", "pw");
  FakeClock c;
  LoginThrottle throttle({}, c.clock());
  const auto attempt = [&](const char* password) {
    return login(repo_, creds_, throttle, "zhao", password, "127.0.0.1", "2026-01-01T00:00:00Z", 1h);
  };
  for (int i = 0; i < 5; ++i) expect_error([&] { attempt("wrong"); }, ErrorKind::refused, "bad_credentials");
  EXPECT_EQ(retry_after([&] { attempt("pw"); }), 15 * 60);
  EXPECT_EQ(retry_after([&] { attempt("wrong"); }), 15 * 60);  // a refused attempt is not a new failure
  c.now += 15min;
  EXPECT_NO_THROW(attempt("pw"));
  expect_error([&] { attempt("wrong"); }, ErrorKind::refused, "bad_credentials");  // the name starts afresh
}

TEST_F(AuthTest, LogoutRevokesTheSessionButNotAnApiToken) {
  using namespace std::chrono_literals;
  add_user(repo_, creds_, "zhao", "", "pw");
  LoginThrottle throttle;
  const Session s = login(repo_, creds_, throttle, "zhao", "pw", "127.0.0.1", "2026-01-01T00:00:00Z", 1h);
  const IssuedToken api = issue_token(repo_, creds_, "zhao", {Scope::read}, std::nullopt);
  const Principal by_api = authenticate_token(repo_, creds_, api.token, "2026-01-01T00:00:01Z");
  EXPECT_FALSE(by_api.session);
  expect_error([&] { logout(repo_, by_api); }, ErrorKind::usage, "not_a_session");
  expect_error([&] { logout(repo_, authenticate_password(repo_, creds_, "zhao", "pw")); }, ErrorKind::usage, "not_a_session");
  logout(repo_, authenticate_token(repo_, creds_, s.token, "2026-01-01T00:00:01Z"));
  expect_error([&] { authenticate_token(repo_, creds_, s.token, "2026-01-01T00:00:02Z"); }, ErrorKind::refused, "bad_token");
  EXPECT_NO_THROW(authenticate_token(repo_, creds_, api.token, "2026-01-01T00:00:02Z"));
}

}  // namespace
}  // namespace subsidy::service
