// The rules page of policy staff (adapters/web/policy_page.hpp) through http::Handlers on an
// in-memory database with the shipped rules: the nav link and the page only for the policy and
// admin roles (403 for an officer), CSRF on its forms, the diff of a pasted draft with its
// locations, the what-if report, a draft that does not check named at its place, and publishing
// through the confirmation page, after which the published version serves.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "files/rules_dir.hpp"
#include "http/handlers.hpp"
#include "store/in_memory_repository.hpp"
#include "support/plain_credentials.hpp"
#include "web/desk.hpp"
#include "web/session.hpp"

namespace subsidy::web {
namespace {

using http::Request;
using http::Response;

const std::string kR10 = "programs/r10_tech_buyer.rules";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string header_of(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<none>";
}

std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [name, value] : fields)
    body += "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  return body + "--XyZ--\r\n";
}

class PolicyPageTest : public ::testing::Test {
 protected:
  PolicyPageTest() {
    auto prepared = files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
    EXPECT_TRUE(prepared.rules) << prepared.error;
    services_.rules = std::make_shared<http::RulesHolder>(prepared.rules);
    services_.credentials = std::make_shared<testing::PlainCredentials>();
    services_.open_repository = [db = db_] { return std::make_unique<store::InMemoryRepository>(db); };
    services_.pool = std::make_shared<http::RepositoryPool>(services_.open_repository);
    services_.today = [] { return *model::parse_date("2024-06-28"); };
    services_.extra_routes.push_back(add_desk_routes);
    store::InMemoryRepository repo(db_);
    for (auto [name, role] : {std::pair{"zhang", "policy"}, std::pair{"boss", "admin"}, std::pair{"city", "市科技局"}}) {
      service::add_user(repo, *services_.credentials, name, "", std::string("pw"));
      service::grant_role(repo, prepared.rules->workflows(), name, role, "test");
    }
    handlers_ = std::make_unique<http::Handlers>(services_);
  }

  struct Who {
    std::string cookie, csrf;
  };
  Who session(const std::string& name) {
    store::InMemoryRepository repo(db_);
    service::LoginThrottle throttle;
    const auto s = service::login(repo, *services_.credentials, throttle, name, "pw", "127.0.0.1", store::utc_now(),
                                  std::chrono::hours(1));
    return {std::string(kSessionCookie) + "=" + s.token, csrf_for(s.token)};
  }
  Response get(const std::string& target, const Who& who) {
    Request req;
    req.method = "GET";
    req.target = target;
    req.headers.emplace_back("cookie", who.cookie);
    return handlers_->handle(req);
  }
  Response post(const std::string& target, const Who& who, std::vector<std::pair<std::string, std::string>> fields) {
    Request req;
    req.method = "POST";
    req.target = target;
    req.headers.emplace_back("cookie", who.cookie);
    req.content_type = "multipart/form-data; boundary=XyZ";
    req.body = multipart(fields);
    return handlers_->handle(req);
  }
  // R10's rate 10% → 12%, as pasted into the form.
  std::string draft_text() {
    std::string t = read_file(std::string(SUBSIDY_SOURCE_DIR) + "/rules/" + kR10);
    const std::string from = "from 2021-11-17 = 10% source";
    t.replace(t.find(from), from.size(), "from 2021-11-17 = 12% source");
    return t;
  }

  std::shared_ptr<store::InMemoryDatabase> db_ = std::make_shared<store::InMemoryDatabase>();
  http::Services services_;
  std::unique_ptr<http::Handlers> handlers_;
};

TEST_F(PolicyPageTest, OnlyPolicyStaffAndAdminsSeeTheLinkAndThePage) {
  const auto zhang = session("zhang"), boss = session("boss"), city = session("city");
  const Response page = get("/desk/rules", zhang);
  EXPECT_EQ(page.status, 200U) << page.body;
  EXPECT_NE(page.body.find("id=\"nav-rules\""), std::string::npos);
  EXPECT_NE(page.body.find("<option value=\"" + kR10 + "\""), std::string::npos) << "the served files to replace";
  EXPECT_NE(page.body.find("尚无已发布版本"), std::string::npos);
  EXPECT_EQ(get("/desk/rules", boss).status, 200U);
  EXPECT_EQ(get("/desk/inbox", city).body.find("id=\"nav-rules\""), std::string::npos);
  EXPECT_EQ(get("/desk/rules", city).status, 403U);
  EXPECT_EQ(post("/desk/rules/diff", city, {{"csrf", city.csrf}, {"path", kR10}, {"text", draft_text()}}).status, 403U);
  EXPECT_EQ(post("/desk/rules/publish", city, {{"csrf", city.csrf}, {"path", kR10}, {"text", draft_text()}, {"confirm", "1"}, {"note", "x"}}).status,
            403U);
  // The policy role is not a workflow role to act in.
  EXPECT_EQ(page.body.find("<span class=\"roles\">policy"), std::string::npos);
}

TEST_F(PolicyPageTest, APostWithoutTheCsrfTokenIs403) {
  const auto zhang = session("zhang");
  const Response r = post("/desk/rules/diff", zhang, {{"path", kR10}, {"text", draft_text()}});
  EXPECT_EQ(r.status, 403U);
  EXPECT_NE(r.body.find("CSRF"), std::string::npos);
}

TEST_F(PolicyPageTest, TheDiffOfAPastedDraftNamesEachChangeAndWhere) {
  const auto zhang = session("zhang");
  const Response r = post("/desk/rules/diff", zhang, {{"csrf", zhang.csrf}, {"path", kR10}, {"text", draft_text()}});
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_NE(r.body.find("<tr class=\"change changed\">"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("tech_buyer_rate from 2021-11-17"), std::string::npos);
  EXPECT_NE(r.body.find(kR10 + ":"), std::string::npos) << "with file:line:col";
  EXPECT_NE(r.body.find("12% [illustrative"), std::string::npos);
  // The same text again: no change.
  const Response same =
      post("/desk/rules/diff", zhang, {{"csrf", zhang.csrf}, {"path", kR10}, {"text", read_file(std::string(SUBSIDY_SOURCE_DIR) + "/rules/" + kR10)}});
  EXPECT_NE(same.body.find("id=\"no-change\""), std::string::npos);
}

TEST_F(PolicyPageTest, ADraftThatDoesNotCheckIsNamedAtItsPlace) {
  const auto zhang = session("zhang");
  const Response r = post("/desk/rules/diff", zhang, {{"csrf", zhang.csrf}, {"path", kR10}, {"text", "program P {\n"}});
  EXPECT_EQ(r.status, 400U) << r.body;
  // The first diagnostic with its file:line:col and code — here another file's (common.rules names R10,
  // which the broken draft no longer declares); the page shows only that first one.
  EXPECT_NE(r.body.find(".rules:"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(": error[E"), std::string::npos) << r.body;
}

TEST_F(PolicyPageTest, TheWhatIfIsTheSelfContainedReport) {
  const auto zhang = session("zhang");
  const Response r = post("/desk/rules/whatif", zhang,
                          {{"csrf", zhang.csrf}, {"path", kR10}, {"text", draft_text()}, {"stage", "all"}, {"as_of", "2024-06-28"}});
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<svg"), std::string::npos);
  EXPECT_NE(header_of(r, "Content-Security-Policy").find("style-src 'unsafe-inline'"), std::string::npos);
  // An uploaded population instead of the cases.
  const std::string pop = read_file(std::string(SUBSIDY_SOURCE_DIR) + "/examples/batch.jsonl");
  const Response p = post("/desk/rules/whatif", zhang, {{"csrf", zhang.csrf}, {"path", kR10}, {"text", draft_text()}, {"population", pop}});
  ASSERT_EQ(p.status, 200U) << p.body;
}

TEST_F(PolicyPageTest, PublishingGoesThroughAConfirmationAndThenServes) {
  const auto zhang = session("zhang");
  // The 12% draft fails R10's rule tests: refused, named.
  const Response refused = post("/desk/rules/publish", zhang, {{"csrf", zhang.csrf}, {"path", kR10}, {"text", draft_text()}, {"confirm", "1"}, {"note", "12%"}});
  EXPECT_EQ(refused.status, 422U);
  EXPECT_NE(refused.body.find("tests/tech_transfer_test.rules:"), std::string::npos) << refused.body;
  // A draft every test passes with: a comment added to R10.
  const std::string passing = read_file(std::string(SUBSIDY_SOURCE_DIR) + "/rules/" + kR10) + "\n# 2025 年度\n";
  const std::string before = services_.rules->current()->hash();
  const Response confirm = post("/desk/rules/publish", zhang, {{"csrf", zhang.csrf}, {"path", kR10}, {"text", passing}});
  ASSERT_EQ(confirm.status, 200U) << confirm.body;
  EXPECT_NE(confirm.body.find("id=\"confirm-publish\""), std::string::npos);
  EXPECT_NE(confirm.body.find("name=\"confirm\" value=\"1\""), std::string::npos);
  store::InMemoryRepository repo(db_);
  EXPECT_TRUE(repo.published_rulesets().empty()) << "nothing is published before the confirmation";
  EXPECT_EQ(services_.rules->current()->hash(), before);

  const Response done = post("/desk/rules/publish", zhang,
                             {{"csrf", zhang.csrf}, {"path", kR10}, {"text", passing}, {"confirm", "1"}, {"note", "2025 年度"}});
  ASSERT_EQ(done.status, 303U) << done.body;
  EXPECT_EQ(header_of(done, "Location"), "/desk/rules?published=1");
  const auto versions = repo.published_rulesets();
  ASSERT_EQ(versions.size(), 1U);
  EXPECT_EQ(versions[0].published_by, "zhang");
  EXPECT_EQ(versions[0].note, "2025 年度");
  EXPECT_EQ(services_.rules->current()->hash(), versions[0].ruleset_hash) << "the service uses it";
  const Response page = get("/desk/rules?published=1", zhang);
  EXPECT_NE(page.body.find("id=\"published\""), std::string::npos);
  EXPECT_NE(page.body.find("<tr class=\"version\" data-version=\"1\">"), std::string::npos);
  EXPECT_NE(page.body.find("2025 年度"), std::string::npos);
}

}  // namespace
}  // namespace subsidy::web
