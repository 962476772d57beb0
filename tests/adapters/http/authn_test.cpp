// Authentication of the HTTP routes (authn.hpp): the status of every service error, the headers of
// 401 and 429, storage errors, the connection pool, and with_principal / with_scope over an
// in-memory user database.
#include "http/authn.hpp"

#include <gtest/gtest.h>

#include <string>

#include "store/in_memory_repository.hpp"
#include "support/plain_credentials.hpp"

namespace subsidy::http {
namespace {

using service::ErrorKind;
using service::ServiceError;

std::string header_of(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<none>";
}

TEST(AuthnTest, StatusOfFollowsTheTable) {
  const auto status = [](ErrorKind k, const char* code) { return status_of(ServiceError(k, code, "m")); };
  EXPECT_EQ(status(ErrorKind::usage, "bad_query"), 400U);
  EXPECT_EQ(status(ErrorKind::input, "missing_field"), 400U);
  EXPECT_EQ(status(ErrorKind::refused, "budget_exceeded"), 422U);
  EXPECT_EQ(status(ErrorKind::refused, "wrong_role"), 422U);
  EXPECT_EQ(status(ErrorKind::refused, "unauthenticated"), 401U);
  EXPECT_EQ(status(ErrorKind::refused, "bad_token"), 401U);
  EXPECT_EQ(status(ErrorKind::refused, "bad_credentials"), 401U);
  EXPECT_EQ(status(ErrorKind::refused, "forbidden"), 403U);
  EXPECT_EQ(status(ErrorKind::refused, "forbidden_scope"), 403U);
  EXPECT_EQ(status(ErrorKind::refused, "too_many_attempts"), 429U);
  EXPECT_EQ(status(ErrorKind::not_found, "unknown_case"), 404U);
  EXPECT_EQ(status(ErrorKind::conflict, "conflict"), 409U);
  EXPECT_EQ(status(ErrorKind::rules, "no_workflow"), 500U);
  EXPECT_EQ(status(ErrorKind::database, "unavailable"), 503U);
  EXPECT_EQ(status(ErrorKind::internal, "internal"), 500U);
}

TEST(AuthnTest, ErrorOfAddsTheChallengeAndRetryAfter) {
  const Response none = error_of(ServiceError(ErrorKind::refused, "unauthenticated", "no header"));
  EXPECT_EQ(none.status, 401U);
  EXPECT_EQ(header_of(none, "WWW-Authenticate"), "Bearer realm=\"subsidy\"");
  EXPECT_NE(none.body.find(R"({"error":{"kind":"refused","code":"unauthenticated","message":"no header")"), std::string::npos)
      << none.body;
  EXPECT_EQ(header_of(error_of(ServiceError(ErrorKind::refused, "bad_token", "m")), "WWW-Authenticate"),
            "Bearer realm=\"subsidy\", error=\"invalid_token\"");
  const Response throttled = error_of(ServiceError(ErrorKind::refused, "too_many_attempts", "m", {{"retry_after_s", "660"}}));
  EXPECT_EQ(throttled.status, 429U);
  EXPECT_EQ(header_of(throttled, "Retry-After"), "660");
  EXPECT_NE(throttled.body.find(R"("details":{"retry_after_s":"660"})"), std::string::npos) << throttled.body;
  const Response forbidden = error_of(ServiceError(ErrorKind::refused, "forbidden_scope", "m"));
  EXPECT_EQ(header_of(forbidden, "WWW-Authenticate"), "<none>");
  EXPECT_EQ(header_of(forbidden, "Retry-After"), "<none>");
}

TEST(AuthnTest, ErrorOfAStoreErrorHasItsServiceKind) {
  const Response conflict = error_of(store::ConflictError("version 3, expected 2"));
  EXPECT_EQ(conflict.status, 409U);
  EXPECT_NE(conflict.body.find(R"("kind":"conflict","code":"conflict","message":"the case changed since you read it)"),
            std::string::npos)
      << conflict.body;
  EXPECT_EQ(error_of(store::UnavailableError("database is locked")).status, 503U);
  EXPECT_EQ(error_of(store::BackendError("syntax")).status, 500U);
  const Response over = error_of(store::BudgetExceededError("R02", 2026, 5000000, 100));
  EXPECT_EQ(over.status, 422U);
  EXPECT_NE(over.body.find(R"("requested_fen":"5000000","available_fen":"100")"), std::string::npos) << over.body;
}

TEST(AuthnTest, PoolReusesConnectionsAndDropsDiscardedOnes) {
  auto db = std::make_shared<store::InMemoryDatabase>();
  int opened = 0;
  RepositoryPool pool([&] {
    ++opened;
    return std::make_unique<store::InMemoryRepository>(db);
  });
  store::CaseRepository* first = nullptr;
  {
    auto a = pool.lease();
    first = &*a;
    auto b = pool.lease();  // a is in use: a second connection
    EXPECT_NE(&*b, first);
  }
  EXPECT_EQ(opened, 2);
  {
    auto a = pool.lease();
    auto b = pool.lease();
    EXPECT_EQ(opened, 2);  // both came back
    a.discard();
  }
  {
    auto a = pool.lease();
    auto b = pool.lease();
    EXPECT_EQ(opened, 3);  // the discarded one was replaced
  }
}

using testing::PlainCredentials;  // tests/support/plain_credentials.hpp

class WithPrincipalTest : public ::testing::Test {
 protected:
  WithPrincipalTest() {
    services_.credentials = std::make_shared<PlainCredentials>();
    services_.pool = std::make_shared<RepositoryPool>([db = db_] { return std::make_unique<store::InMemoryRepository>(db); });
    store::InMemoryRepository repo(db_);
    service::add_user(repo, *services_.credentials, "portal", "", std::nullopt);
    token_ = service::issue_token(repo, *services_.credentials, "portal", {service::Scope::decide}, std::nullopt).token;
  }
  Response run(const std::string& authorization, service::Scope scope) {
    Request req;
    if (!authorization.empty()) req.headers.emplace_back("authorization", authorization);
    Response r = with_principal(services_, req, scope, [](store::CaseRepository&, const service::Principal& p) {
      return json_response("{\"user\":\"" + p.user.name + "\"}");
    });
    user_ = req.user;
    return r;
  }
  std::shared_ptr<store::InMemoryDatabase> db_ = std::make_shared<store::InMemoryDatabase>();
  Services services_;
  std::string token_, user_;
};

TEST_F(WithPrincipalTest, ABearerTokenWithTheScopeRunsTheBody) {
  const Response r = run("Bearer " + token_, service::Scope::decide);
  EXPECT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(r.body, "{\"user\":\"portal\"}\n");
  EXPECT_EQ(user_, "portal");  // for the access log
  EXPECT_EQ(run("bearer   " + token_ + " ", service::Scope::decide).status, 200U);  // the scheme is case-insensitive
}

TEST_F(WithPrincipalTest, MissingOrBadCredentialsAndMissingScopesAreRefused) {
  const auto code_of = [](const Response& r) {
    const auto at = r.body.find("\"code\":\"");
    return at == std::string::npos ? r.body : r.body.substr(at + 8, r.body.find('"', at + 8) - at - 8);
  };
  EXPECT_EQ(code_of(run("", service::Scope::decide)), "unauthenticated");
  EXPECT_EQ(code_of(run("Basic cG9ydGFsOng=", service::Scope::decide)), "unauthenticated");
  EXPECT_EQ(code_of(run("Bearer", service::Scope::decide)), "unauthenticated");
  EXPECT_EQ(code_of(run("Bearer sbt_999", service::Scope::decide)), "bad_token");
  const Response r = run("Bearer " + token_, service::Scope::read);
  EXPECT_EQ(r.status, 403U);
  EXPECT_EQ(code_of(r), "forbidden_scope");
}

TEST_F(WithPrincipalTest, WithoutADatabaseCaseRoutesAre503AndDecisionsOpen) {
  services_.pool = nullptr;
  const Response r = run("Bearer " + token_, service::Scope::read);
  EXPECT_EQ(r.status, 503U);
  EXPECT_NE(r.body.find("\"code\":\"no_database\""), std::string::npos) << r.body;
  Request req;
  EXPECT_EQ(with_scope(services_, req, service::Scope::decide, [] { return json_response("{}"); }).status, 200U);
}

TEST_F(WithPrincipalTest, WithScopeNeedsTheScopeWhenThereAreUsers) {
  Request none;
  int ran = 0;
  const auto body = [&] {
    ++ran;
    return json_response("{}");
  };
  EXPECT_EQ(with_scope(services_, none, service::Scope::decide, body).status, 401U);
  Request decide;
  decide.headers.emplace_back("authorization", "Bearer " + token_);
  EXPECT_EQ(with_scope(services_, decide, service::Scope::read, body).status, 403U);
  EXPECT_EQ(ran, 0);
  EXPECT_EQ(with_scope(services_, decide, service::Scope::decide, body).status, 200U);
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace subsidy::http
