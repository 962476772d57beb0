// The rules routes of policy staff (rules_routes.hpp) over an in-memory database: POST /v1/whatif
// answers exactly the report `rules whatif --format json` prints (service::whatif_json of the same
// inputs), and the HTML report; a draft that does not check, a bad path and an applicant that does
// not decode are 400 naming the place; who may (policy, admin, others 403); GET /v1/rules/versions;
// POST /v1/rules/publish refused with 422 when a rule test fails, else stored and served, and
// publishers racing on threads get distinct consecutive versions.
#include "http/rules_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "files/rules_dir.hpp"
#include "http/authn.hpp"
#include "json/codec.hpp"
#include "model/date.hpp"
#include "store/in_memory_repository.hpp"
#include "support/plain_credentials.hpp"

namespace subsidy::http {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

const std::string kRoot = SUBSIDY_SOURCE_DIR;
const char* kAsOf = "2024-06-28";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The shipped rules as inline files (paths relative to rules/).
std::vector<service::InlineFile> shipped_files() {
  std::vector<service::InlineFile> out;
  for (const auto& e : fs::recursive_directory_iterator(kRoot + "/rules"))
    if (e.is_regular_file() && e.path().extension() == ".rules")
      out.push_back({fs::relative(e.path(), kRoot + "/rules").generic_string(), read(e.path())});
  return out;
}

// The draft of whatif_cli_test.sh: R10's rate 10% → 12%.
std::vector<service::InlineFile> draft_files() {
  auto files = shipped_files();
  for (auto& f : files)
    if (f.path == "programs/r10_tech_buyer.rules") {
      const std::string from = "from 2021-11-17 = 10% source";
      const auto at = f.text.find(from);
      EXPECT_NE(at, std::string::npos);
      f.text.replace(at, from.size(), "from 2021-11-17 = 12% source");
    }
  return files;
}

// A draft every rule test passes with: a comment added (another ruleset hash).
std::vector<service::InlineFile> passing_files(const std::string& comment = "2025 年度发布") {
  auto files = shipped_files();
  for (auto& f : files)
    if (f.path == "common.rules") f.text += "\n# " + comment + "\n";
  return files;
}

bj::object files_json(const std::vector<service::InlineFile>& files) {
  bj::object o;
  for (const auto& f : files) o[f.path] = f.text;
  return o;
}

std::string code_of(const Response& r) {
  auto v = bj::parse(r.body);
  return std::string(v.at("error").at("code").as_string());
}
std::string detail_of(const Response& r, const char* key) {
  auto v = bj::parse(r.body);
  const auto* d = v.at("error").as_object().if_contains("details");
  if (!d || !d->as_object().if_contains(key)) return "<none>";
  return std::string(d->at(key).as_string());
}

class RulesRoutesTest : public ::testing::Test {
 protected:
  RulesRoutesTest() {
    auto prepared = files::prepare(kRoot + "/rules");
    EXPECT_TRUE(prepared.rules) << prepared.error;
    services_.rules = std::make_shared<RulesHolder>(prepared.rules);
    services_.credentials = std::make_shared<testing::PlainCredentials>();
    services_.open_repository = [db = db_] { return std::make_unique<store::InMemoryRepository>(db); };
    services_.pool = std::make_shared<RepositoryPool>(services_.open_repository);
    services_.today = [] { return *model::parse_date(kAsOf); };
    store::InMemoryRepository repo(db_);
    auto& creds = *services_.credentials;
    workflow::WorkflowSet none;
    for (const char* name : {"zhang", "boss", "clerk"}) service::add_user(repo, creds, name, "", std::nullopt);
    service::grant_role(repo, none, "zhang", "policy", "test");
    service::grant_role(repo, none, "boss", "admin", "test");
    policy_ = service::issue_token(repo, creds, "zhang", {service::Scope::read, service::Scope::policy}, std::nullopt).token;
    decide_ = service::issue_token(repo, creds, "clerk", {service::Scope::decide, service::Scope::read, service::Scope::act}, std::nullopt).token;
    handlers_ = std::make_unique<Handlers>(services_);
  }

  Response call(const std::string& method, const std::string& target, const std::string& body, const std::string& token) {
    Request req;
    req.method = method;
    req.target = target;
    req.body = body;
    req.content_type = "application/json";
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    return handlers_->handle(req);
  }
  Response whatif(bj::object body, const std::string& token, const std::string& query = "") {
    return call("POST", "/v1/whatif" + query, bj::serialize(body), token);
  }

  std::shared_ptr<store::InMemoryDatabase> db_ = std::make_shared<store::InMemoryDatabase>();
  Services services_;
  std::unique_ptr<Handlers> handlers_;
  std::string policy_, decide_;
};

TEST_F(RulesRoutesTest, AWhatIfOfInlineFilesOverAPopulationIsTheReportOfTheCli) {
  const std::string population = read(kRoot + "/examples/batch.jsonl");
  const Response r = whatif(bj::object{{"files", files_json(draft_files())}, {"population", population}, {"as_of", kAsOf}}, policy_);
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(r.content_type, "application/json");

  // What `rules whatif --base rules --draft DRAFT --population batch.jsonl --as-of … --format json` computes.
  auto base = services_.rules->current();
  auto draft = service::compile_inline(draft_files(), base->calendar(), json::codec()).prepared;
  service::WhatIfOptions opt;
  opt.as_of = *model::parse_date(kAsOf);
  struct Source : service::ByteSource {
    std::string text;
    std::size_t at = 0;
    std::size_t read(char* b, std::size_t n) override {
      const std::size_t k = std::min(n, text.size() - at);
      text.copy(b, k, at);
      at += k;
      return k;
    }
    std::string error() const override { return {}; }
  } source;
  source.text = population;
  struct Sink : service::ByteSink {
    bool write(std::string_view) override { return true; }
    std::string error() const override { return {}; }
  } sink;
  auto report = service::whatif_population(base->ruleset(), draft->ruleset(), json::codec(), opt, source, sink);
  service::check_budgets(report, {}, 2024);  // the database's budgets of 2024: none
  EXPECT_EQ(r.body, service::whatif_json(report, false) + "\n");
  EXPECT_GT(report.changed, 0) << "the draft changes someone";
  EXPECT_NE(report.base_hash, report.draft_hash);

  const Response html = whatif(bj::object{{"files", files_json(draft_files())}, {"population", population}, {"as_of", kAsOf}},
                               policy_, "?format=html");
  ASSERT_EQ(html.status, 200U) << html.body;
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("<svg"), std::string::npos);
  EXPECT_EQ(html.body.find("<script"), std::string::npos);
}

TEST_F(RulesRoutesTest, ADraftVersionAgainstTheServedRules) {
  const Response pub = call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(passing_files())}, {"note", "2025"}}), policy_);
  ASSERT_EQ(pub.status, 201U) << pub.body;
  // Version 1 against itself changes nothing.
  const Response r = whatif(bj::object{{"draft_version", 1}, {"base_version", 1}, {"population", read(kRoot + "/examples/batch.jsonl")}}, policy_);
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_EQ(bj::parse(r.body).at("changed_count").to_number<std::int64_t>(), 0) << r.body.substr(0, 400);
  EXPECT_EQ(code_of(whatif(bj::object{{"draft_version", 7}, {"population", ""}}, policy_)), "unknown_version");
}

TEST_F(RulesRoutesTest, BadInputIs400NamingThePlace) {
  const std::string pop = read(kRoot + "/examples/batch.jsonl");
  // A draft that does not check: its first error's file:line:col.
  Response r = whatif(bj::object{{"files", bj::object{{"a.rules", "fact x: money \"x\" \"x\";\nprogram P \"p\" \"p\" {\n  amount y;\n}\n"}}},
                                 {"population", pop}},
                      policy_);
  EXPECT_EQ(r.status, 400U) << r.body;
  EXPECT_EQ(code_of(r), "rules_invalid");
  EXPECT_TRUE(detail_of(r, "location").starts_with("a.rules:")) << r.body;
  EXPECT_NE(detail_of(r, "diagnostics").find("error["), std::string::npos) << r.body;
  // A path a rules directory cannot hold.
  r = whatif(bj::object{{"files", bj::object{{"../x.rules", "x"}}}, {"population", pop}}, policy_);
  EXPECT_EQ(r.status, 400U);
  EXPECT_EQ(code_of(r), "bad_rules_file");
  EXPECT_EQ(detail_of(r, "file"), "../x.rules");
  r = whatif(bj::object{{"files", bj::object{{"notes.txt", "x"}}}, {"population", pop}}, policy_);
  EXPECT_EQ(code_of(r), "bad_rules_file");
  // An applicant that does not decode, on line 2.
  const std::string first_line = pop.substr(0, pop.find('\n') + 1);
  r = whatif(bj::object{{"files", files_json(draft_files())}, {"population", first_line + "{\"id\":\n"}, {"as_of", kAsOf}}, policy_);
  EXPECT_EQ(r.status, 400U) << r.body;
  EXPECT_EQ(code_of(r), "bad_applicant");
  EXPECT_EQ(detail_of(r, "line"), "2") << r.body;
  // The body itself.
  EXPECT_EQ(code_of(call("POST", "/v1/whatif", "{\"files\":", policy_)), "malformed_json");
  EXPECT_EQ(code_of(whatif(bj::object{{"files", files_json(draft_files())}, {"population", pop}, {"colour", 1}}, policy_)), "unknown_field");
  EXPECT_EQ(code_of(whatif(bj::object{{"population", pop}}, policy_)), "no_draft");
  EXPECT_EQ(code_of(whatif(bj::object{{"draft_version", 1}}, policy_)), "no_population");
  EXPECT_EQ(code_of(whatif(bj::object{{"draft_version", 1}, {"population", pop}, {"as_of", "2024-13-01"}}, policy_)), "bad_date");
  EXPECT_EQ(code_of(whatif(bj::object{{"draft_version", 1}, {"cases", bj::object{{"stage", "closed"}}}}, policy_)), "wrong_type");
}

TEST_F(RulesRoutesTest, PolicyStaffAndAdminsMayOthersGet403) {
  const bj::object cases{{"files", files_json(draft_files())}, {"cases", bj::object{{"stage", "all"}}}};
  EXPECT_EQ(whatif(cases, policy_).status, 200U);
  const Response clerk = whatif(cases, decide_);
  EXPECT_EQ(clerk.status, 403U) << clerk.body;
  EXPECT_EQ(code_of(clerk), "forbidden_scope");
  EXPECT_EQ(call("GET", "/v1/rules/versions", "", decide_).status, 403U);
  EXPECT_EQ(call("POST", "/v1/rules/publish", "{}", decide_).status, 403U);
  EXPECT_EQ(call("POST", "/v1/rules/diff", "{}", decide_).status, 403U);
  EXPECT_EQ(whatif(cases, "").status, 401U);
  // Login sessions: the role `policy` gives the scope, and so does `admin`; an officer's does not.
  store::InMemoryRepository repo(db_);
  service::LoginThrottle throttle;
  auto& creds = *services_.credentials;
  workflow::WorkflowSet none;
  service::add_user(repo, creds, "li", "", std::string("pw"));
  service::add_user(repo, creds, "wang", "", std::string("pw"));
  service::add_user(repo, creds, "zhao", "", std::string("pw"));
  service::grant_role(repo, none, "li", "policy", "test");
  service::grant_role(repo, none, "wang", "admin", "test");
  const auto session = [&](const char* who) {
    return service::login(repo, creds, throttle, who, "pw", "127.0.0.1", store::utc_now(), std::chrono::hours(1)).token;
  };
  EXPECT_EQ(whatif(cases, session("li")).status, 200U);
  EXPECT_EQ(whatif(cases, session("wang")).status, 200U);
  EXPECT_EQ(whatif(cases, session("zhao")).status, 403U);
}

TEST_F(RulesRoutesTest, ADiffNamesEachChangeWithItsLocation) {
  const Response r = call("POST", "/v1/rules/diff", bj::serialize(bj::object{{"files", files_json(draft_files())}}), policy_);
  ASSERT_EQ(r.status, 200U) << r.body;
  auto v = bj::parse(r.body);
  ASSERT_EQ(v.at("changes").as_array().size(), 1U) << r.body;
  const auto& c = v.at("changes").as_array()[0];
  EXPECT_EQ(c.at("name").as_string(), "tech_buyer_rate from 2021-11-17");
  EXPECT_TRUE(std::string(c.at("draft_at").as_string()).starts_with("programs/r10_tech_buyer.rules:")) << r.body;
  EXPECT_EQ(v.at("base_hash").as_string(), services_.rules->current()->hash());
}

TEST_F(RulesRoutesTest, PublishingIsRefusedWhenATestFailsElseStoredAndServed) {
  auto failing = shipped_files();
  for (auto& f : failing)
    if (f.path == "programs/r14_incubator.rules") {
      const std::string from = "from 2022-01-01 = 20万 source";
      const auto at = f.text.find(from);
      ASSERT_NE(at, std::string::npos);
      f.text.replace(at, from.size(), "from 2022-01-01 = 30万 source");
    }
  Response r = call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(failing)}, {"note", "30万"}}), policy_);
  EXPECT_EQ(r.status, 422U) << r.body;
  EXPECT_EQ(code_of(r), "rule_tests_failed");
  EXPECT_NE(detail_of(r, "location").find("incubator_platform_test.rules:"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("R14 合格"), std::string::npos) << "the message names the failing test";
  store::InMemoryRepository repo(db_);
  EXPECT_TRUE(repo.published_rulesets().empty());
  EXPECT_EQ(code_of(call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(draft_files())}}), policy_)),
            "no_note");

  // The 12% draft: R10's tests expect 10%, so it is refused too.
  r = call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(draft_files())}, {"note", "12%"}}), policy_);
  EXPECT_EQ(r.status, 422U);
  EXPECT_NE(r.body.find("tests/tech_transfer_test.rules:"), std::string::npos) << r.body;

  const std::string served_before = services_.rules->current()->hash();
  r = call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(passing_files())}, {"note", "提高需求方比例"}}), policy_);
  ASSERT_EQ(r.status, 201U) << r.body;
  auto v = bj::parse(r.body);
  EXPECT_EQ(v.at("version").to_number<std::int64_t>(), 1);
  EXPECT_EQ(v.at("published_by").as_string(), "zhang");
  EXPECT_FALSE(v.at("unchanged").as_bool());
  EXPECT_EQ(v.at("serving").as_string(), v.at("ruleset_hash").as_string());
  EXPECT_NE(services_.rules->current()->hash(), served_before);
  EXPECT_EQ(services_.rules->current()->hash(), v.at("ruleset_hash").as_string());
  r = call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(passing_files())}, {"note", "again"}}), policy_);
  EXPECT_EQ(r.status, 200U) << r.body;
  EXPECT_TRUE(bj::parse(r.body).at("unchanged").as_bool());

  r = call("GET", "/v1/rules/versions", "", policy_);
  ASSERT_EQ(r.status, 200U) << r.body;
  v = bj::parse(r.body);
  ASSERT_EQ(v.at("versions").as_array().size(), 1U);
  EXPECT_EQ(v.at("versions").as_array()[0].at("note").as_string(), "提高需求方比例");
  EXPECT_EQ(v.at("serving").as_string(), v.at("versions").as_array()[0].at("ruleset_hash").as_string());
}

TEST_F(RulesRoutesTest, PublishersRacingGetDistinctConsecutiveVersions) {
  constexpr int kPublishers = 4;
  std::vector<std::thread> threads;
  std::vector<Response> answers(kPublishers);
  for (int i = 0; i < kPublishers; ++i)
    threads.emplace_back([&, i] {
      auto files = shipped_files();
      files[0].text += "\n# publisher " + std::to_string(i) + "\n";
      answers[static_cast<std::size_t>(i)] =
          call("POST", "/v1/rules/publish", bj::serialize(bj::object{{"files", files_json(files)}, {"note", "race"}}), policy_);
    });
  for (auto& t : threads) t.join();
  std::set<std::int64_t> versions;
  for (const auto& a : answers) {
    ASSERT_EQ(a.status, 201U) << a.body;
    versions.insert(bj::parse(a.body).at("version").to_number<std::int64_t>());
  }
  EXPECT_EQ(versions, (std::set<std::int64_t>{1, 2, 3, 4}));
  store::InMemoryRepository repo(db_);
  EXPECT_EQ(services_.rules->current()->hash(), repo.published_ruleset()->ruleset_hash) << "the latest version serves";
}

}  // namespace
}  // namespace subsidy::http
