// The desk's routes (desk.hpp): login, logout and the role, the inbox, budgets, audit, submitting
// and the stylesheet; the case page and its steps are in case_page.cpp.
#include "web/desk.hpp"

#include <boost/url.hpp>

#include <algorithm>
#include <charconv>

#include "service/audit.hpp"
#include "service/budgets.hpp"
#include "service/queries.hpp"
#include "web/case_page.hpp"
#include "web/policy_page.hpp"
#include "web/embedded.hpp"
#include "web/forms.hpp"
#include "web/page.hpp"
#include "web/session.hpp"

namespace subsidy::web {

namespace bj = boost::json;
using http::Request;
using http::Response;
using service::ErrorKind;
using service::ServiceError;

namespace {

std::optional<std::int64_t> whole(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

ServiceError bad_field(const std::string& field, const std::string& message) {
  return ServiceError(ErrorKind::usage, "bad_field", message, {{"field", field}});
}

// ---------------------------------------------------------------- login, logout, role

// The login page (no visitor yet): the form with its double-submit CSRF token.
Response login_page(const http::Services& s, const Request& req, unsigned status, const std::string& error,
                    const std::string& name) {
  const Form query(req.query);
  const bool english = wants_english(req, query);
  std::string token = cookie(req, kLoginCsrfCookie);
  const bool fresh = token.size() != 64;
  if (fresh) token = random_token();
  bj::object m{{"t", texts(english)}, {"csrf", token}, {"error", error}, {"name", name}};
  bj::object frame_model{{"t", texts(english)},
                         {"lang", english ? "en" : "zh-CN"},
                         {"title", texts(english).at("login")},
                         {"body", render(embedded::login(), m)},
                         {"lang_href", english ? "/desk/login?lang=zh" : "/desk/login?lang=en"}};
  Response r = html_response(status, render(embedded::layout(), frame_model));
  if (fresh) r.headers.emplace_back("Set-Cookie", set_cookie(kLoginCsrfCookie, token, s.tls));
  const std::string lang = query.text("lang");
  if (lang == "en" || lang == "zh") r.headers.emplace_back("Set-Cookie", set_cookie(kLangCookie, lang, s.tls));
  return r;
}

Response login(const http::Services& s, service::LoginThrottle& throttle, Request& req) {
  if (!s.pool) return html_response(503, "<p>this service runs without a database (serve --db URL)</p>");
  const Form form(http::media_type(req.content_type) == "application/x-www-form-urlencoded" ? req.body : std::string());
  if (!same_token(form.text("csrf"), cookie(req, kLoginCsrfCookie)))
    return html_response(403, "<!DOCTYPE html><title>403</title><p>CSRF: the login form's token is missing or wrong; reload the page.</p>");
  const std::string name = form.text("user");
  try {
    auto lease = s.pool->lease();
    service::Session session;
    try {
      session = service::login(*lease, *s.credentials, throttle, name, form.text("password"), req.remote, s.clock(),
                               s.session_lifetime);
    } catch (const service::ServiceError& e) {
      if (e.code() == "bad_credentials" || e.code() == "too_many_attempts") s.metrics->login_failed();
      throw;
    }
    req.user = session.principal.user.name;
    Response r = redirect("/desk/inbox");
    r.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, session.token, s.tls, s.session_lifetime.count()));
    r.headers.emplace_back("Set-Cookie", set_cookie(kRoleCookie, "", s.tls, 0));
    return r;
  } catch (const service::ServiceError& e) {
    return login_page(s, req, http::status_of(e), e.what(), name);
  } catch (const store::StoreError& e) {
    const auto se = service::to_service_error(e);
    return login_page(s, req, http::status_of(se), se.what(), name);
  }
}

Response logout(Visit& v) {
  service::logout(v.repo, v.who);
  Response r = redirect("/desk/login");
  r.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, "", v.services.tls, 0));
  r.headers.emplace_back("Set-Cookie", set_cookie(kRoleCookie, "", v.services.tls, 0));
  return r;
}

Response choose_role(Visit& v) {
  const std::string role = v.form.text("role");
  service::require_role(v.who, role);
  Response r = redirect("/desk/inbox");
  r.headers.emplace_back("Set-Cookie", set_cookie(kRoleCookie, role, v.services.tls));
  return r;
}

// ---------------------------------------------------------------- inbox

constexpr std::size_t kInboxPage = 50;  // cases per inbox page

// Working days from today to the due date (negative: overdue by that many).
std::optional<int> days_left(const Visit& v, const store::Case& c) {
  auto due = store::next_due(c);
  if (!due) return std::nullopt;
  if (*due < v.today) return -v.env.cal.working_days_between(*due, v.today);
  return v.env.cal.working_days_between(v.today, *due);
}

std::string stages_label(const Visit& v, const store::Case& c) {
  const auto* wf = v.env.wfs.find(c.workflow);
  std::string out;
  for (const auto& s : c.stages) {
    const int i = wf ? wf->find_stage(s) : -1;
    out += (out.empty() ? "" : "、") + (i >= 0 ? label_text(wf->stage(static_cast<std::uint32_t>(i)).label, s, v.english) : s);
  }
  return out;
}

bj::array programme_options(const Visit& v, const std::string& selected) {
  bj::array out;
  for (const auto& p : v.rules->ruleset().programs)
    out.push_back(bj::object{{"id", p.id}, {"title", v.english && p.title.en.empty() ? std::string() : p.title.in(v.english)}, {"selected", p.id == selected}});
  return out;
}

Response inbox(Visit& v) {
  const Form& q = v.query;
  service::CaseQuery cq;
  cq.inbox = true;
  cq.filter.role = v.role;
  cq.filter.programme = q.text("programme");
  cq.filter.stage = q.text("stage");
  cq.filter.applicant = q.text("applicant");
  cq.county = q.text("county");
  cq.q = q.text("q");
  const bool overdue = q.text("overdue") == "1";
  const bool closed = q.text("closed") == "1";
  if (overdue) cq.filter.overdue_as_of = v.today;
  if (closed) cq.filter.include_closed = cq.filter.only_closed = true;
  // Sorted and paged over every match (keyset pages in the order asked, service::find_cases).
  const std::string sort = q.has("sort") ? q.text("sort") : "due";
  cq.filter.order = service::parse_order(sort);
  const std::string dir = q.has("dir") ? q.text("dir") : "asc";
  if (dir != "asc" && dir != "desc") throw bad_field("dir", "`dir` is asc or desc, not `" + dir + "`");
  cq.filter.descending = dir == "desc";
  if (q.has("after") && !q.text("after").empty()) cq.filter.after = service::parse_cursor(cq.filter.order, q.text("after"));
  cq.filter.limit = kInboxPage;
  auto page = service::find_cases(v.env, cq, v.who, v.today);
  bj::array cases;
  for (const auto& c : page.cases) {
    const auto left = days_left(v, c);
    const auto due = store::next_due(c);
    cases.push_back(bj::object{{"id", c.id},
                               {"application_id", c.application_id},
                               {"programme", c.programme},
                               {"applicant", c.applicant},
                               {"amount", yuan(service::shown_amount(c))},
                               {"stage", stages_label(v, c)},
                               {"due", due ? model::format_date(*due) : std::string()},
                               {"days_left", left ? std::to_string(*left) : std::string()},
                               {"yellow", left && *left >= 0 && *left <= 2},
                               {"red", left && *left < 0}});
  }
  bj::array counts;
  for (const auto& [stage, n] : page.counts) {
    std::string label = stage;
    for (const auto& wf : v.env.wfs.workflows)
      if (int s = wf.find_stage(stage); s >= 0) label = label_text(wf.stage(static_cast<std::uint32_t>(s)).label, stage, v.english);
    counts.push_back(bj::object{{"stage", stage}, {"label", label}, {"n", n}});
  }
  bj::array stages;
  std::vector<std::string> seen;
  for (const auto& wf : v.env.wfs.workflows)
    for (const auto& st : wf.spec().stages) {
      if (std::find(seen.begin(), seen.end(), st.name) != seen.end()) continue;
      seen.push_back(st.name);
      stages.push_back(bj::object{{"name", st.name}, {"label", labelled(st.label, st.name, v.english)},
                                  {"selected", st.name == cq.filter.stage}});
    }
  const auto& t = texts(v.english);
  bj::array sorts;
  for (const char* s : {"due", "days_left", "amount", "id"})
    sorts.push_back(bj::object{{"value", s}, {"label", t.at(std::string("sort_") + s)}, {"selected", sort == s}});
  bj::object m = model_of(v);
  m["role"] = v.role;
  m["programmes"] = programme_options(v, cq.filter.programme);
  m["stages"] = std::move(stages);
  m["sorts"] = std::move(sorts);
  m["f"] = bj::object{{"county", cq.county}, {"applicant", cq.filter.applicant}, {"q", cq.q},
                      {"overdue", overdue}, {"closed", closed}, {"asc", dir == "asc"}};
  m["counts"] = std::move(counts);
  m["cases"] = std::move(cases);
  if (page.next) {
    boost::urls::url u("/desk/inbox");
    for (const auto& [k, val] : q.all())
      if (k != "after" && k != "lang") u.params().append({k, val});
    u.params().append({"after", service::cursor_text(cq.filter.order, *page.next)});
    m["next_href"] = std::string(u.buffer());
  }
  return frame(v, std::string(t.at("inbox").as_string()), render(embedded::inbox(), m));
}

// ---------------------------------------------------------------- budgets

// The width class of `part` of `total` (w0 … w100, in steps of 5%).
std::string width_class(model::Fen part, model::Fen total) {
  if (total <= 0 || part <= 0) return "w0";
  const auto pct = std::min<model::Fen>(100, (part * 100 + total / 2) / total);
  return "w" + std::to_string(pct / 5 * 5);
}

Response budgets_page(Visit& v, const std::optional<bj::object>& allocation = std::nullopt) {
  int year = model::year_of(v.today);
  const std::string ytext = v.query.text("year");
  if (!ytext.empty()) {
    auto y = whole(ytext);
    if (!y) throw bad_field("year", "`year` is a call year such as 2025, not `" + ytext + "`");
    year = static_cast<int>(*y);
  }
  bj::array rows;
  for (const auto& b : service::list_budgets(v.repo, "", year))
    rows.push_back(bj::object{{"programme", b.programme}, {"year", b.year}, {"total", yuan(b.total_fen)},
                              {"reserved", yuan(b.reserved_fen)}, {"consumed", yuan(b.consumed_fen)},
                              {"available", yuan(b.available_fen())}, {"total_fen", b.total_fen},
                              {"reserved_fen", b.reserved_fen}, {"consumed_fen", b.consumed_fen},
                              {"available_fen", b.available_fen()},
                              {"consumed_w", width_class(b.consumed_fen, b.total_fen)},
                              {"reserved_w", width_class(b.reserved_fen, b.total_fen)}});
  // The cases holding reservations (or paid from) this year's budgets, among those the visitor sees.
  bj::array holders;
  service::CaseQuery cq;
  cq.filter.include_closed = true;
  cq.filter.call_year = year;
  cq.filter.holds_money = true;  // selected in SQL: the page no longer reads every visible case
  cq.filter.limit = 500;
  cq.with_counts = false;
  for (int pages = 0; pages < 40; ++pages) {
    auto page = service::find_cases(v.env, cq, v.who, v.today);
    for (const auto& c : page.cases)
      holders.push_back(bj::object{{"id", c.id}, {"programme", c.programme}, {"year", c.call_year},
                                   {"applicant", c.applicant}, {"reserved", yuan(c.reserved_fen)},
                                   {"consumed", yuan(c.consumed_fen)}});
    if (!page.next) break;
    cq.filter.after = *page.next;
  }
  bj::object m = model_of(v);
  m["year"] = year;
  m["budgets"] = std::move(rows);
  m["holders"] = std::move(holders);
  std::string body = render(embedded::budgets(), m);
  if (allocation) body = render(embedded::allocation(), *allocation) + body;
  return frame(v, std::string(texts(v.english).at("budgets").as_string()), body);
}

Response allocate(Visit& v) {
  service::require_scope(v.who, service::Scope::admin);
  const std::string programme = v.form.text("programme");
  auto year = whole(v.form.text("year"));
  if (!year) throw bad_field("year", "`year` is a call year such as 2025, not `" + v.form.text("year") + "`");
  const std::string method = v.form.text("method");
  if (method != "pro_rata" && method != "ranked") throw bad_field("method", "`method` is pro_rata or ranked, not `" + method + "`");
  const bool preview = v.form.text("preview") != "0";
  auto r = service::allocate(v.env, programme, static_cast<int>(*year),
                             method == "ranked" ? service::Allocation::ranked : service::Allocation::pro_rata, v.who.user.name,
                             preview);
  if (!preview) return redirect("/desk/budgets?year=" + std::to_string(*year) + "&allocated=" + programme);
  bj::array lines;
  for (const auto& l : r.lines)
    lines.push_back(bj::object{{"id", l.id}, {"application_id", l.application_id}, {"decided", yuan(l.decided)},
                               {"before", yuan(l.before)}, {"allocated", yuan(l.allocated)}});
  bj::object m = model_of(v);
  m["programme"] = programme;
  m["year"] = *year;
  m["method"] = method;
  m["method_label"] = texts(v.english).at(method);
  m["applied"] = false;
  m["demand"] = yuan(r.demand);
  m["available"] = yuan(r.available);
  m["lines"] = std::move(lines);
  v.query = Form("year=" + std::to_string(*year));
  return budgets_page(v, m);
}

// ---------------------------------------------------------------- audit

Response audit_page(Visit& v, const std::optional<store::AuditReport>& report, const std::string& case_text) {
  bj::object m = model_of(v);
  m["case"] = case_text;
  if (report) {
    bj::array findings;
    for (const auto& f : report->findings)
      findings.push_back(bj::object{{"text", (f.budget.empty() ? "case " + std::to_string(f.case_id) : "budget " + f.budget) +
                                                 (f.seq ? " #" + std::to_string(f.seq) : "") + " [" + store::finding_kind_name(f.kind) +
                                                 "]: " + f.message}});
    m["result"] = bj::object{{"clean", report->clean()}, {"chains", report->cases}, {"events", report->events},
                             {"findings", std::move(findings)}};
  }
  return frame(v, std::string(texts(v.english).at("audit").as_string()), render(embedded::audit(), m));
}

Response verify(Visit& v) {
  service::require_scope(v.who, service::Scope::admin);
  const std::string text = v.form.text("case");
  std::optional<store::CaseId> only;
  if (!text.empty()) {
    auto id = whole(text);
    if (!id || *id <= 0) throw bad_field("case", "`case` is a case number, not `" + text + "`");
    only = *id;
  }
  service::AuditOptions o;  // the chains and the replay of every case's events, as `audit verify`
  o.only = only;
  return audit_page(v, service::audit(v.env, o), text);
}

// ---------------------------------------------------------------- submit

Response submit_page(Visit& v, unsigned status, const std::string& error, const std::string& error_field,
                     const bj::object* facts, const std::string& json) {
  bj::object m = model_of(v);
  m["programmes"] = programme_options(v, v.form.text("programme"));
  m["applicant"] = v.form.text("applicant");
  m["error"] = error;
  m["json"] = json;
  m["fields_html"] = fact_fields_html(v, facts, error_field, error);
  return frame(v, std::string(texts(v.english).at("submit").as_string()), render(embedded::submit(), m), status);
}

// Where `text` stops being JSON, as "line L, column C" (1-based; the column in bytes), with the reason.
std::string json_error_place(const std::string& text) {
  bj::parser p;
  bj::error_code ec;
  const std::size_t n = p.write_some(text.data(), text.size(), ec);
  const std::string why = ec ? ec.message() : std::string("text after the JSON value");  // bj::parser takes one whole value
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n), '\n');
  const auto nl = text.rfind('\n', n == 0 ? 0 : n - 1);
  const auto column = nl == std::string::npos || nl >= n ? n + 1 : n - nl;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + why;
}

// The line of `text` where the member `"field":` is (0: not there).
std::size_t member_line(const std::string& text, const std::string& field) {
  const std::string key = "\"" + field + "\"";
  for (auto p = text.find(key); p != std::string::npos; p = text.find(key, p + 1)) {
    auto q = text.find_first_not_of(" \t\r\n", p + key.size());
    if (q != std::string::npos && text[q] == ':') return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(p), '\n'));
  }
  return 0;
}

Response submit(Visit& v) {
  service::require_role(v.who, "申报单位");
  const std::string mode = v.form.text("mode");  // form (the generated fields), json (pasted), file (uploaded)
  const bool from_json = mode == "json" || mode == "file";
  service::SubmitRequest r;
  r.programme = v.form.text("programme");
  r.applicant = v.form.text("applicant");
  r.actor = v.who.user.name;
  r.date = v.today;
  const std::string filename = v.form.text("file.filename");
  const std::string source = mode == "file" ? "the file `" + filename + "`" : std::string("the facts");
  r.facts_json = mode == "file" ? v.form.text("file") : mode == "json" ? v.form.text("json") : facts_json_of(v, v.form);
  if (mode == "file" && r.facts_json.rfind("\xEF\xBB\xBF", 0) == 0) r.facts_json.erase(0, 3);  // a byte-order mark
  bj::error_code ec;
  bj::value parsed = bj::parse(r.facts_json, ec);
  try {
    if (mode == "file" && filename.empty() && r.facts_json.empty())
      throw ServiceError(ErrorKind::usage, "no_file", "choose a JSON file of the facts to upload", {{"field", "file"}});
    if (ec) throw ServiceError(ErrorKind::input, "malformed_json", source + " is not JSON: " + json_error_place(r.facts_json), {{"field", mode == "file" ? "file" : "json"}});
    if (!parsed.is_object())
      throw ServiceError(ErrorKind::input, "malformed_json", source + " is JSON but not an object {…} of facts", {{"field", mode == "file" ? "file" : "json"}});
    auto res = service::submit(v.env, r);
    return redirect("/desk/cases/" + std::to_string(res.id));
  } catch (const ServiceError& e) {
    std::string field;
    for (const auto& [k, val] : e.details())
      if (k == "field") field = val;
    std::string message = refusal_text(e);
    if (from_json && !ec && !field.empty())  // the fact's place in what was uploaded or pasted
      if (const auto line = member_line(r.facts_json, field)) message += " (" + source + ", line " + std::to_string(line) + ")";
    const bj::object* facts = !ec && parsed.is_object() && !from_json ? &parsed.get_object() : nullptr;
    return submit_page(v, http::status_of(e), message, field, facts, mode == "json" ? r.facts_json : std::string());
  }
}

}  // namespace

void add_desk_routes(http::Router& router, const http::Services& services) {
  auto throttle = std::make_shared<service::LoginThrottle>();
  const http::Services* s = &services;
  auto get = [&router, s](const char* pattern, Response (*fn)(Visit&)) {
    router.add("GET", pattern, [s, fn](Request& req) { return with_visit(*s, req, false, fn); });
  };
  auto post = [&router, s](const char* pattern, Response (*fn)(Visit&)) {
    router.add("POST", pattern, [s, fn](Request& req) { return with_visit(*s, req, true, fn); });
  };
  router.add("GET", "/desk", [](Request&) { return redirect("/desk/inbox"); });
  router.add("GET", "/desk/", [](Request&) { return redirect("/desk/inbox"); });
  router.add("GET", "/desk/login", [s](Request& req) { return login_page(*s, req, 200, {}, {}); });
  router.add("POST", "/desk/login", [s, throttle](Request& req) { return login(*s, *throttle, req); });
  router.add("GET", "/desk/assets/desk.css", [](Request&) {
    Response r;
    r.content_type = "text/css; charset=utf-8";
    r.body = std::string(embedded::desk_css());
    r = secured(std::move(r));
    r.headers.emplace_back("Cache-Control", "max-age=3600");
    return r;
  });
  post("/desk/logout", logout);
  post("/desk/role", choose_role);
  get("/desk/inbox", inbox);
  get("/desk/budgets", [](Visit& v) { return budgets_page(v); });
  post("/desk/budgets/allocate", allocate);
  get("/desk/audit", [](Visit& v) { return audit_page(v, std::nullopt, v.query.text("case")); });
  post("/desk/audit/verify", verify);
  get("/desk/audit/export", [](Visit& v) {
    auto id = whole(v.query.text("case"));
    if (!id || *id <= 0) throw bad_field("case", "`case` is a case number, not `" + v.query.text("case") + "`");
    return redirect("/desk/cases/" + std::to_string(*id) + "/history.json");
  });
  get("/desk/submit", [](Visit& v) { return submit_page(v, 200, {}, {}, nullptr, {}); });
  post("/desk/submit", submit);
  add_case_page_routes(router, services);
  add_policy_page_routes(router, services);  // /desk/rules (policy_page.hpp)
}

}  // namespace subsidy::web
