// The officer's desk (adapters/web) through http::Handlers, on an in-memory database with the
// shipped rules: the session cookie's flags, CSRF on every POST, escaping, the same authorization
// as the API (another county's case is 404, a forged step at the city's stage 403), the security
// headers of every page, the inbox's filters and paging, and a step taken through the forms.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "files/rules_dir.hpp"
#include "http/authn.hpp"
#include "http/handlers.hpp"
#include "service/cases.hpp"
#include "store/in_memory_repository.hpp"
#include "web/desk.hpp"
#include "web/multipart.hpp"
#include "web/page.hpp"

namespace subsidy::web {
namespace {

using http::Request;
using http::Response;

class PlainCredentials final : public service::Credentials {
 public:
  std::string hash_password(std::string_view p) const override { return "h:" + std::string(p); }
  bool verify_password(const std::string& e, std::string_view p) const override { return e == hash_password(p); }
  std::string new_token(std::string_view prefix) const override { return std::string(prefix) + "t" + std::to_string(++n_); }
  std::string token_digest(std::string_view t) const override { return "d:" + std::string(t); }
  bool same_digest(std::string_view a, std::string_view b) const override { return a == b; }

 private:
  mutable int n_ = 0;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<none>";
}

std::vector<std::string> set_cookies(const Response& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers)
    if (k == "Set-Cookie") out.push_back(v);
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// The value of the first `name="csrf" value="…"` of a page.
std::string csrf_of(const std::string& page) {
  const std::string key = "name=\"csrf\" value=\"";
  auto p = page.find(key);
  if (p == std::string::npos) return {};
  p += key.size();
  return page.substr(p, page.find('"', p) - p);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    out += (out.empty() ? "" : "&") + k + "=";
    for (unsigned char ch : v) {
      if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
        out += static_cast<char>(ch);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", ch);
        out += buf;
      }
    }
  }
  return out;
}

class DeskTest : public ::testing::Test {
 protected:
  DeskTest() {
    auto prepared = files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
    EXPECT_TRUE(prepared.rules) << prepared.error;
    rules_ = prepared.rules;
    services_.rules = std::make_shared<http::RulesHolder>(rules_);
    services_.credentials = std::make_shared<PlainCredentials>();
    services_.open_repository = [db = db_] { return std::make_unique<store::InMemoryRepository>(db); };
    services_.pool = std::make_shared<http::RepositoryPool>(services_.open_repository);
    services_.today = [this] { return today_; };
    services_.extra_routes.push_back(add_desk_routes);
    store::InMemoryRepository repo(db_);
    const auto& wfs = rules_->workflows();
    auto user = [&](const std::string& name, std::vector<std::string> roles) {
      service::add_user(repo, *services_.credentials, name, "", "pw-" + name + "-long");
      for (const auto& r : roles) service::grant_role(repo, wfs, name, r, "test");
    };
    user("linhe", {"旗县区科技局[临河区]"});
    user("wuyuan", {"旗县区科技局[五原县]"});
    user("city", {"市科技局"});
    user("applicant", {"申报单位"});
    user("auditor", {"admin", "市科技局"});
    handlers_ = std::make_unique<http::Handlers>(services_);
  }

  // A case of R01 in `county`, submitted and moved on to the county's review.
  store::CaseId make_case(const std::string& id, const std::string& county, const std::string& applicant = {}) {
    store::InMemoryRepository repo(db_);
    service::Env env(*rules_, repo);
    std::string facts = read_file(std::string(SUBSIDY_SOURCE_DIR) + "/examples/tech-buyer.json");
    facts.replace(facts.find("\"tech-buyer\""), 12, "\"" + id + "\"");
    const auto at = facts.find("\"county\"");
    const auto vstart = facts.find('"', facts.find(':', at)) + 1;
    facts.replace(vstart, facts.find('"', vstart) - vstart, county);
    service::SubmitRequest r;
    r.programme = "R01";
    r.facts_json = facts;
    r.applicant = applicant;
    r.date = today_;
    auto res = service::submit(env, r);
    service::ActRequest a;
    a.id = res.id;
    a.action = "submit";
    a.role = "申报单位";
    a.actor = "test";
    a.date = today_;
    service::act(env, a);
    return res.id;
  }

  store::Case load(store::CaseId id) {
    store::InMemoryRepository repo(db_);
    return repo.load_case(id);
  }

  Response call(const std::string& method, const std::string& target, const std::string& cookies = {},
                const std::string& body = {}) {
    Request req;
    req.method = method;
    req.target = target;
    req.remote = "127.0.0.1";
    if (!cookies.empty()) req.headers.emplace_back("cookie", cookies);
    if (!body.empty()) {
      req.body = body;
      req.content_type = "application/x-www-form-urlencoded";
    }
    return handlers_->handle(req);
  }

  // Logs `name` in through the login form; the Cookie header of the session.
  std::string login(const std::string& name, Response* out = nullptr) {
    const Response page = call("GET", "/desk/login");
    std::string login_csrf;
    for (const auto& c : set_cookies(page))
      if (c.rfind("subsidy_login_csrf=", 0) == 0) login_csrf = c.substr(19, c.find(';') - 19);
    EXPECT_EQ(csrf_of(page.body), login_csrf);
    const Response r = call("POST", "/desk/login", "subsidy_login_csrf=" + login_csrf,
                            form_encode({{"csrf", login_csrf}, {"user", name}, {"password", "pw-" + name + "-long"}}));
    if (out) *out = r;
    EXPECT_EQ(r.status, 303U) << r.body;
    for (const auto& c : set_cookies(r))
      if (c.rfind("subsidy_session=", 0) == 0) return c.substr(0, c.find(';'));
    ADD_FAILURE() << "no session cookie";
    return {};
  }

  std::string csrf(const std::string& cookies) { return csrf_of(call("GET", "/desk/inbox", cookies).body); }

  std::shared_ptr<store::InMemoryDatabase> db_ = std::make_shared<store::InMemoryDatabase>();
  std::shared_ptr<const service::PreparedRules> rules_;
  http::Services services_;
  std::unique_ptr<http::Handlers> handlers_;
  model::Days today_ = *model::parse_date("2025-06-03");
};

TEST_F(DeskTest, LoginSetsAnHttpOnlyStrictSessionCookie) {
  Response r;
  const std::string session = login("linhe", &r);
  EXPECT_EQ(header(r, "Location"), "/desk/inbox");
  std::string flags;
  for (const auto& c : set_cookies(r))
    if (c.rfind("subsidy_session=sbs_", 0) == 0) flags = c;
  EXPECT_NE(flags.find("HttpOnly"), std::string::npos) << flags;
  EXPECT_NE(flags.find("SameSite=Strict"), std::string::npos) << flags;
  EXPECT_NE(flags.find("Path=/desk"), std::string::npos) << flags;
  EXPECT_EQ(flags.find("Secure"), std::string::npos) << flags;  // not under TLS
  const Response inbox = call("GET", "/desk/inbox", session);
  EXPECT_EQ(inbox.status, 200U);
  EXPECT_NE(inbox.body.find("<span id=\"user\">linhe</span>"), std::string::npos);
  // Under TLS the cookie is Secure.
  services_.tls = true;
  handlers_ = std::make_unique<http::Handlers>(services_);
  login("linhe", &r);
  for (const auto& c : set_cookies(r))
    if (c.rfind("subsidy_session=", 0) == 0) {
      EXPECT_NE(c.find("; Secure"), std::string::npos) << c;
    }
}

TEST_F(DeskTest, AWrongPasswordIsRefusedOnTheLoginPage) {
  const Response page = call("GET", "/desk/login");
  const std::string token = csrf_of(page.body);
  const Response r = call("POST", "/desk/login", "subsidy_login_csrf=" + token,
                          form_encode({{"csrf", token}, {"user", "linhe"}, {"password", "wrong"}}));
  EXPECT_EQ(r.status, 401U);
  EXPECT_NE(r.body.find("class=\"error\""), std::string::npos);
  EXPECT_TRUE(set_cookies(r).empty() || set_cookies(r)[0].rfind("subsidy_session", 0) != 0);
  // Without the login form's token: 403.
  EXPECT_EQ(call("POST", "/desk/login", {}, form_encode({{"user", "linhe"}, {"password", "pw-linhe-long"}})).status, 403U);
}

TEST_F(DeskTest, APostWithoutOrWithAWrongCsrfTokenIs403AndChangesNothing) {
  const auto id = make_case("csrf-case", "临河区");
  const std::string session = login("linhe");
  const auto before = load(id);
  const std::string target = "/desk/cases/" + std::to_string(id) + "/act";
  const auto fields = [&](const std::string& token) {
    std::vector<std::pair<std::string, std::string>> f{{"action", "approve"}, {"version", std::to_string(before.version)}, {"confirm", "1"}};
    if (!token.empty()) f.emplace_back("csrf", token);
    return form_encode(f);
  };
  Response none = call("POST", target, session, fields(""));
  EXPECT_EQ(none.status, 403U);
  EXPECT_NE(none.body.find("CSRF"), std::string::npos);
  Response wrong = call("POST", target, session, fields(std::string(64, 'a')));
  EXPECT_EQ(wrong.status, 403U);
  EXPECT_NE(wrong.body.find("CSRF"), std::string::npos);
  // Another session's token does not do either.
  const std::string other = csrf(login("city"));
  EXPECT_EQ(call("POST", target, session, fields(other)).status, 403U);
  EXPECT_EQ(load(id).version, before.version);
  EXPECT_EQ(call("POST", "/desk/logout", session, "").status, 403U);
}

TEST_F(DeskTest, AnApplicantNamedLikeAScriptIsRenderedAsText) {
  const auto id = make_case("xss-case", "临河区", "<script>alert(1)</script>");
  const std::string session = login("linhe");
  const Response inbox = call("GET", "/desk/inbox", session);
  ASSERT_EQ(inbox.status, 200U);
  EXPECT_NE(inbox.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(inbox.body.find("<script>alert(1)"), std::string::npos);
  const Response page = call("GET", "/desk/cases/" + std::to_string(id), session);
  ASSERT_EQ(page.status, 200U) << page.body;
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("style=\""), std::string::npos);
}

TEST_F(DeskTest, ACountyOfficerGets404ForAnotherCountysCaseAnd403AtTheCitysStage) {
  const auto linhe_case = make_case("linhe-case", "临河区");
  const std::string wuyuan = login("wuyuan");
  const std::string page = "/desk/cases/" + std::to_string(linhe_case);
  EXPECT_EQ(call("GET", page, wuyuan).status, 404U);
  EXPECT_EQ(call("GET", page + "/history.json", wuyuan).status, 404U);
  const auto version = std::to_string(load(linhe_case).version);
  const Response forged = call("POST", page + "/act", wuyuan,
                               form_encode({{"csrf", csrf(wuyuan)}, {"action", "approve"}, {"version", version}, {"confirm", "1"}}));
  EXPECT_EQ(forged.status, 404U);
  EXPECT_EQ(call("GET", "/desk/inbox", wuyuan).body.find("linhe-case"), std::string::npos);

  // 临河区 recommends it; at the city's stage a forged approval by 临河区 is 403, naming who may.
  const std::string linhe = login("linhe");
  const std::string token = csrf(linhe);
  Response step = call("POST", page + "/act", linhe,
                       form_encode({{"csrf", token}, {"action", "approve"}, {"version", version}, {"confirm", "1"}}));
  ASSERT_EQ(step.status, 303U) << step.body;
  const auto moved = load(linhe_case);
  ASSERT_EQ(moved.stages, std::vector<std::string>{"formal_review"});
  Response city_step = call("POST", page + "/act", linhe,
                            form_encode({{"csrf", token}, {"action", "approve"}, {"version", std::to_string(moved.version)}, {"confirm", "1"}}));
  EXPECT_EQ(city_step.status, 403U);
  EXPECT_NE(city_step.body.find("市科技局"), std::string::npos);
  EXPECT_NE(city_step.body.find("class=\"refusal\""), std::string::npos);
  EXPECT_EQ(load(linhe_case).version, moved.version);
}

TEST_F(DeskTest, EveryPageCarriesTheSecurityHeaders) {
  const auto id = make_case("headers-case", "临河区");
  const std::string session = login("auditor");
  const std::vector<std::string> pages = {"/desk/login", "/desk/inbox", "/desk/cases/" + std::to_string(id),
                                          "/desk/cases/" + std::to_string(id) + "/history.json", "/desk/budgets",
                                          "/desk/audit", "/desk/submit", "/desk/assets/desk.css", "/desk/cases/999"};
  for (const auto& p : pages) {
    const Response r = call("GET", p, session);
    EXPECT_EQ(header(r, "Content-Security-Policy"), std::string(kCsp)) << p;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << p;
    EXPECT_EQ(header(r, "Referrer-Policy"), "same-origin") << p;
    EXPECT_EQ(r.body.find("<script"), std::string::npos) << p;
  }
  EXPECT_EQ(call("GET", "/desk/cases/999", session).status, 404U);
  EXPECT_EQ(call("GET", "/desk/inbox").status, 303U);  // no session: to the login page
}

TEST_F(DeskTest, TheInboxFiltersAndPages) {
  for (int i = 0; i < 55; ++i) make_case("page-" + std::to_string(i), "临河区");
  make_case("other-county", "五原县");
  const std::string session = login("linhe");
  const Response first = call("GET", "/desk/inbox", session);
  ASSERT_EQ(first.status, 200U);
  EXPECT_EQ(count(first.body, "<tr class=\"case"), 50U);
  EXPECT_EQ(first.body.find("other-county"), std::string::npos);
  EXPECT_NE(first.body.find("<li data-stage=\"county_review\">"), std::string::npos);
  EXPECT_NE(first.body.find("<strong>55</strong>"), std::string::npos);
  const auto next = first.body.find("id=\"next-page\" href=\"");
  ASSERT_NE(next, std::string::npos);
  std::string href = first.body.substr(next + 21, first.body.find('"', next + 21) - next - 21);
  for (auto p = href.find("&amp;"); p != std::string::npos; p = href.find("&amp;")) href.replace(p, 5, "&");
  const Response second = call("GET", href, session);
  EXPECT_EQ(count(second.body, "<tr class=\"case"), 5U) << href;
  EXPECT_EQ(second.body.find("id=\"next-page\""), std::string::npos);
  EXPECT_EQ(count(call("GET", "/desk/inbox?q=page-7", session).body, "<tr class=\"case"), 1U);
  EXPECT_EQ(count(call("GET", "/desk/inbox?programme=R14", session).body, "<tr class=\"case"), 0U);
  EXPECT_EQ(count(call("GET", "/desk/inbox?overdue=1", session).body, "<tr class=\"case"), 0U);
  EXPECT_EQ(call("GET", "/desk/inbox?programme=NOPE", session).status, 400U);
  // Days left on the calendar; two weeks later every case is overdue (red).
  today_ = *model::parse_date("2025-06-30");
  const Response late = call("GET", "/desk/inbox?overdue=1&sort=id&dir=desc", session);
  EXPECT_EQ(count(late.body, "warn-red"), 50U);
  // Sorting orders every match: the first page by number descending starts at the last case.
  ASSERT_NE(late.body.find("page-54"), std::string::npos);
  EXPECT_LT(late.body.find("page-54"), late.body.find("page-53"));
  EXPECT_EQ(late.body.find("page-4<"), std::string::npos);
}

// The case numbers of an inbox page's rows, in order.
std::vector<store::CaseId> row_ids(const std::string& page) {
  std::vector<store::CaseId> out;
  const std::string key = "data-case-id=\"";
  for (auto p = page.find(key); p != std::string::npos; p = page.find(key, p + 1))
    out.push_back(std::stoll(page.substr(p + key.size())));
  return out;
}

// The href of the page's "next page" link ("" on the last page).
std::string next_href(const std::string& page) {
  const auto next = page.find("id=\"next-page\" href=\"");
  if (next == std::string::npos) return {};
  std::string href = page.substr(next + 21, page.find('"', next + 21) - next - 21);
  for (auto p = href.find("&amp;"); p != std::string::npos; p = href.find("&amp;")) href.replace(p, 5, "&");
  return href;
}

TEST_F(DeskTest, SortingOrdersEveryMatchAcrossThePages) {
  // 120 cases submitted over three days: three due dates, so many ties (broken by the case number).
  std::vector<std::pair<model::Days, store::CaseId>> made;
  const model::Days first_day = today_;
  for (int i = 0; i < 120; ++i) {
    today_ = first_day + (i * 7) % 3;
    const auto id = make_case("sort-" + std::to_string(i), "临河区");
    made.emplace_back(*store::next_due(load(id)), id);
  }
  today_ = first_day + 3;
  const std::string session = login("linhe");
  for (const char* sort : {"due", "days_left"})
    for (bool descending : {false, true}) {
      auto expected = made;
      std::sort(expected.begin(), expected.end());
      if (descending) std::reverse(expected.begin(), expected.end());
      std::vector<store::CaseId> want, got;
      for (const auto& [due, id] : expected) want.push_back(id);
      std::string href = std::string("/desk/inbox?sort=") + sort + "&dir=" + (descending ? "desc" : "asc");
      int pages = 0;
      for (; !href.empty() && pages < 10; ++pages) {
        const Response r = call("GET", href, session);
        ASSERT_EQ(r.status, 200U) << href << r.body;
        const auto ids = row_ids(r.body);
        got.insert(got.end(), ids.begin(), ids.end());
        href = next_href(r.body);
      }
      EXPECT_EQ(pages, 3) << sort;  // 50 + 50 + 20
      EXPECT_EQ(got, want) << sort << (descending ? " desc" : " asc");
    }
  // By amount: every case the same amount, so the order is the case number's — total over the pages.
  std::vector<store::CaseId> got;
  for (std::string href = "/desk/inbox?sort=amount&dir=desc"; !href.empty();) {
    const Response r = call("GET", href, session);
    const auto ids = row_ids(r.body);
    got.insert(got.end(), ids.begin(), ids.end());
    href = next_href(r.body);
  }
  ASSERT_EQ(got.size(), 120U);
  EXPECT_TRUE(std::is_sorted(got.rbegin(), got.rend()));
  EXPECT_EQ(call("GET", "/desk/inbox?sort=colour", session).status, 400U);
  EXPECT_EQ(call("GET", "/desk/inbox?sort=due&after=yesterday", session).status, 400U);
}

// Whether `text` has a CJK ideograph (U+4E00…U+9FFF: E4 B8 80 … E9 BF BF in UTF-8).
bool has_chinese(const std::string& text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if ((b == 0xE4 && static_cast<unsigned char>(text[i + 1]) >= 0xB8) || (b >= 0xE5 && b <= 0xE9)) return true;
  }
  return false;
}

// The text between `open` and the next `close` after it.
std::string between(const std::string& text, const std::string& open, const std::string& close) {
  const auto p = text.find(open);
  if (p == std::string::npos) return {};
  return text.substr(p, text.find(close, p) - p);
}

TEST_F(DeskTest, EnglishPagesShowEnglishLabelsOrTheNames) {
  // A name without an English label (the shipped rules have one for every stage) is shown by its
  // name on an English page, never by its Chinese label.
  EXPECT_EQ(label_text(model::Label{"旗县区初审", ""}, "county_review", true), "county_review");
  EXPECT_EQ(labelled(model::Label{"旗县区初审", ""}, "county_review", true), "county_review");
  EXPECT_EQ(labelled(model::Label{"旗县区初审", "county review"}, "county_review", true), "county review (county_review)");
  EXPECT_EQ(labelled(model::Label{"旗县区初审", ""}, "county_review", false), "旗县区初审 (county_review)");
  EXPECT_EQ(label_text(model::Label{"", ""}, "county_review", false), "county_review");
  make_case("english-1", "临河区");
  const std::string session = login("linhe");
  const Response inbox = call("GET", "/desk/inbox?lang=en", session);
  ASSERT_EQ(inbox.status, 200U);
  const std::string filter = between(inbox.body, "<select name=\"stage\">", "</select>");
  ASSERT_FALSE(filter.empty());
  EXPECT_FALSE(has_chinese(filter)) << filter;
  EXPECT_NE(filter.find("county preliminary review and recommendation (county_review)"), std::string::npos) << filter;
  EXPECT_FALSE(has_chinese(between(inbox.body, "<ul id=\"stage-counts\">", "</ul>")));
  EXPECT_FALSE(has_chinese(between(inbox.body, "<thead>", "</thead>")));
  const auto row = between(inbox.body, "<tr class=\"case", "</tr>");
  EXPECT_NE(row.find("county preliminary review"), std::string::npos) << row;
  // The case page's own texts (the applicant's facts are the applicant's words).
  const auto id = row_ids(inbox.body).at(0);
  const Response page = call("GET", "/desk/cases/" + std::to_string(id) + "?lang=en", session);
  ASSERT_EQ(page.status, 200U);
  EXPECT_FALSE(has_chinese(between(page.body, "<h2", "</h2>"))) << between(page.body, "<h2", "</h2>");
}

TEST_F(DeskTest, AStepThroughTheFormsChangesTheCase) {
  const auto id = make_case("step-case", "临河区");
  const std::string session = login("linhe");
  const std::string page = "/desk/cases/" + std::to_string(id);
  const Response shown = call("GET", page, session);
  ASSERT_EQ(shown.status, 200U);
  EXPECT_NE(shown.body.find("<section id=\"decision\">"), std::string::npos);
  EXPECT_NE(shown.body.find("class=\"req ok\""), std::string::npos);
  EXPECT_NE(shown.body.find("class=\"stage current\""), std::string::npos);
  EXPECT_NE(shown.body.find("<input type=\"hidden\" name=\"action\" value=\"approve\">"), std::string::npos);
  const std::string token = csrf_of(shown.body);
  const auto version = std::to_string(load(id).version);
  // Without confirm=1: the confirmation page, nothing changed.
  const Response confirm = call("POST", page + "/act", session,
                                form_encode({{"csrf", token}, {"action", "approve"}, {"version", version}, {"note", "材料齐全"}}));
  EXPECT_EQ(confirm.status, 200U);
  EXPECT_NE(confirm.body.find("name=\"confirm\" value=\"1\""), std::string::npos);
  EXPECT_EQ(std::to_string(load(id).version), version);
  const Response done = call("POST", page + "/act", session,
                             form_encode({{"csrf", token}, {"action", "approve"}, {"version", version}, {"note", "材料齐全"}, {"confirm", "1"}}));
  ASSERT_EQ(done.status, 303U) << done.body;
  EXPECT_EQ(header(done, "Location"), page + "?done=1");
  EXPECT_EQ(load(id).stages, std::vector<std::string>{"formal_review"});
  const Response after = call("GET", page + "?done=1", session);
  EXPECT_NE(after.body.find("材料齐全"), std::string::npos);
  // The same click again is a stale version: 409, shown at the actions.
  const Response stale = call("POST", page + "/act", session,
                              form_encode({{"csrf", token}, {"action", "approve"}, {"version", version}, {"confirm", "1"}}));
  EXPECT_EQ(stale.status, 409U);
  EXPECT_NE(stale.body.find("class=\"refusal\""), std::string::npos);
  // The history export is the API's JSON.
  const Response history = call("GET", page + "/history.json", session);
  EXPECT_EQ(history.content_type, "application/json");
  EXPECT_NE(history.body.find("\"action\":\"approve\""), std::string::npos);
}

TEST_F(DeskTest, LogoutEndsTheSession) {
  const std::string session = login("linhe");
  const std::string token = csrf(session);
  const Response out = call("POST", "/desk/logout", session, form_encode({{"csrf", token}}));
  EXPECT_EQ(out.status, 303U);
  EXPECT_EQ(header(out, "Location"), "/desk/login");
  EXPECT_EQ(call("GET", "/desk/inbox", session).status, 303U);
}

TEST_F(DeskTest, BudgetsShowBarsAndAnAllocationIsPreviewedBeforeItIsApplied) {
  {
    store::InMemoryRepository repo(db_);
    service::Env env(*rules_, repo);
    service::set_budget(env, "R01", 2025, 5000000, "市财政局");
  }
  make_case("budget-case", "临河区");
  const std::string admin = login("auditor");
  const Response page = call("GET", "/desk/budgets?year=2025", admin);
  ASSERT_EQ(page.status, 200U) << page.body;
  EXPECT_NE(page.body.find("<tr class=\"budget\" data-programme=\"R01\" data-year=\"2025\">"), std::string::npos);
  EXPECT_NE(page.body.find("<div class=\"bar\" data-total=\"5000000\""), std::string::npos);
  const std::string token = csrf_of(page.body);
  const auto fields = [&](const char* preview) {
    return form_encode({{"csrf", token}, {"programme", "R01"}, {"year", "2025"}, {"method", "pro_rata"}, {"preview", preview}});
  };
  const Response preview = call("POST", "/desk/budgets/allocate", admin, fields("1"));
  EXPECT_EQ(preview.status, 200U) << preview.body;
  EXPECT_NE(preview.body.find("id=\"allocation-preview\""), std::string::npos);
  EXPECT_NE(preview.body.find("name=\"preview\" value=\"0\""), std::string::npos);
  const Response applied = call("POST", "/desk/budgets/allocate", admin, fields("0"));
  EXPECT_EQ(applied.status, 303U) << applied.body;
  // Allocating is the admin's, as in the API.
  const std::string linhe = login("linhe");
  EXPECT_EQ(call("POST", "/desk/budgets/allocate", linhe,
                 form_encode({{"csrf", csrf(linhe)}, {"programme", "R01"}, {"year", "2025"}, {"method", "pro_rata"}}))
                .status,
            403U);
}

TEST_F(DeskTest, TheAuditVerifiesTheChainsAndReplaysTheCases) {
  make_case("audit-case", "临河区");
  const std::string admin = login("auditor");
  const Response r = call("POST", "/desk/audit/verify", admin, form_encode({{"csrf", csrf(admin)}}));
  ASSERT_EQ(r.status, 200U) << r.body;
  EXPECT_NE(r.body.find("<section id=\"audit-result\" class=\"clean\">"), std::string::npos);
  {  // a case row changed with no event for it (as in SQL): the replay of its events finds it
    store::InMemoryRepository repo(db_);
    auto c = repo.load_case(*repo.find_by_application_id("audit-case"));
    c.approved_fen = 1;
    repo.update_case(c, c.version);
  }
  const Response tampered = call("POST", "/desk/audit/verify", admin, form_encode({{"csrf", csrf(admin)}}));
  ASSERT_EQ(tampered.status, 200U) << tampered.body;
  EXPECT_NE(tampered.body.find("class=\"findings\""), std::string::npos) << tampered.body;
  EXPECT_NE(tampered.body.find("state_mismatch"), std::string::npos) << tampered.body;
  const std::string linhe = login("linhe");
  EXPECT_EQ(call("POST", "/desk/audit/verify", linhe, form_encode({{"csrf", csrf(linhe)}})).status, 403U);
}

TEST_F(DeskTest, SubmittingNamesAMissingFactAtItsFieldAndAnUploadCreatesTheCase) {
  const std::string session = login("applicant");
  const Response form = call("GET", "/desk/submit", session);
  ASSERT_EQ(form.status, 200U);
  EXPECT_NE(form.body.find("<select id=\"f-county\" name=\"f.county\">"), std::string::npos);
  EXPECT_NE(form.body.find("临河区"), std::string::npos);
  const std::string token = csrf_of(form.body);
  const Response missing = call("POST", "/desk/submit", session,
                                form_encode({{"csrf", token}, {"mode", "form"}, {"programme", "R01"}, {"f.id", "form-1"}, {"f.county", "临河区"}}));
  EXPECT_EQ(missing.status, 400U);
  EXPECT_NE(missing.body.find("<span class=\"error\">"), std::string::npos);
  EXPECT_NE(missing.body.find("value=\"form-1\""), std::string::npos);  // what was keyed in stays
  std::string facts = read_file(std::string(SUBSIDY_SOURCE_DIR) + "/examples/tech-buyer.json");
  facts.replace(facts.find("\"tech-buyer\""), 12, "\"upload-1\"");
  const Response created = call("POST", "/desk/submit", session,
                                form_encode({{"csrf", token}, {"mode", "json"}, {"programme", "R01"}, {"json", facts}}));
  ASSERT_EQ(created.status, 303U) << created.body;
  EXPECT_EQ(header(created, "Location").rfind("/desk/cases/", 0), 0U);
  // A county officer may not submit: the applicant side's role.
  const std::string linhe = login("linhe");
  EXPECT_EQ(call("POST", "/desk/submit", linhe, form_encode({{"csrf", csrf(linhe)}, {"mode", "json"}, {"programme", "R01"}, {"json", facts}})).status,
            403U);
}

// A multipart/form-data body of text fields and one file (as a browser sends the upload form).
std::string multipart(const std::vector<std::pair<std::string, std::string>>& fields, const std::string& filename,
                      const std::string& file) {
  std::string out;
  for (const auto& [k, v] : fields) out += "--XyZ\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  out += "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: application/json\r\n\r\n" + file + "\r\n--XyZ--\r\n";
  return out;
}

TEST_F(DeskTest, SubmittingAnUploadedFileCreatesTheCaseAndABadFileIsNamedAtItsLine) {
  const std::string session = login("applicant");
  const Response form = call("GET", "/desk/submit", session);
  ASSERT_EQ(form.status, 200U);
  EXPECT_NE(form.body.find("enctype=\"multipart/form-data\""), std::string::npos);
  EXPECT_NE(form.body.find("<input type=\"file\" name=\"file\""), std::string::npos);
  const std::string token = csrf_of(form.body);
  auto upload = [&](const std::string& body, const std::string& content_type = "multipart/form-data; boundary=XyZ") {
    Request req;
    req.method = "POST";
    req.target = "/desk/submit";
    req.remote = "127.0.0.1";
    req.headers.emplace_back("cookie", session);
    req.body = body;
    req.content_type = content_type;
    return handlers_->handle(req);
  };
  std::string facts = read_file(std::string(SUBSIDY_SOURCE_DIR) + "/examples/tech-buyer.json");
  facts.replace(facts.find("\"tech-buyer\""), 12, "\"file-1\"");
  const std::vector<std::pair<std::string, std::string>> fields{{"csrf", token}, {"mode", "file"}, {"programme", "R01"}};
  const Response created = upload(multipart(fields, "file-1.json", "\xEF\xBB\xBF" + facts));  // with a byte-order mark
  ASSERT_EQ(created.status, 303U) << created.body;
  EXPECT_EQ(header(created, "Location").rfind("/desk/cases/", 0), 0U);

  // Not JSON: the line and column where it stops.
  const Response broken = upload(multipart(fields, "broken.json", "{\n  \"id\": \"b-1\",\n  \"county\" \"临河区\"\n}"));
  EXPECT_EQ(broken.status, 400U);
  EXPECT_NE(broken.body.find("the file `broken.json` is not JSON: line 3, column 12"), std::string::npos) << broken.body;
  // JSON, but a fact the decoder refuses: its field, and its line in the file.
  std::string wrong = facts;
  wrong.replace(wrong.find("\"file-1\""), 8, "\"file-2\"");
  const auto county = wrong.find("\"county\"");
  const auto vstart = wrong.find('"', wrong.find(':', county)) + 1;
  wrong.replace(vstart, wrong.find('"', vstart) - vstart, "火星");
  const Response refused = upload(multipart(fields, "wrong.json", wrong));
  EXPECT_EQ(refused.status, 400U) << refused.body;
  const std::string line = std::to_string(1 + std::count(wrong.begin(), wrong.begin() + static_cast<std::ptrdiff_t>(county), '\n'));
  EXPECT_NE(refused.body.find("county"), std::string::npos);
  EXPECT_NE(refused.body.find("(the file `wrong.json`, line " + line + ")"), std::string::npos) << refused.body;
  // No CSRF token: refused before anything is read; a body that is not multipart as it says: 400; too big: 413.
  EXPECT_EQ(upload(multipart({{"mode", "file"}, {"programme", "R01"}}, "x.json", facts)).status, 403U);
  EXPECT_EQ(upload("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token).status, 400U);
  EXPECT_EQ(upload(multipart(fields, "x.json", facts), "multipart/form-data").status, 400U);
  EXPECT_EQ(upload(multipart(fields, "big.json", std::string(kMaxUpload, ' ') + facts)).status, 413U);
  store::InMemoryRepository repo(db_);
  const auto stored = repo.list_cases({});
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_EQ(stored.front().application_id, "file-1");
}

}  // namespace
}  // namespace subsidy::web
