// The case, budget, awards and audit routes of `subsidy serve` (see case_routes.hpp and
// docs/service.md "Cases API").
#include "http/case_routes.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <map>
#include <string_view>

#include "http/authn.hpp"
#include "json/case_json.hpp"
#include "model/money.hpp"
#include "service/audit.hpp"
#include "service/budgets.hpp"
#include "service/case_view.hpp"
#include "service/cases.hpp"
#include "service/queries.hpp"

namespace subsidy::http {

namespace {

namespace bj = boost::json;
using service::ErrorKind;
using service::Principal;
using service::ServiceError;

std::optional<std::int64_t> to_int(std::string_view s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

Response json_of(const bj::object& o, unsigned status = 200) { return json_response(bj::serialize(o), status); }

// ---------------------------------------------------------------- the query string

// The parameters of a query string, each known by the route: another one, a repeated one or an
// unparsable query is a usage error (400 bad_query naming the parameter).
class Query {
 public:
  Query(const Request& req, std::initializer_list<std::string_view> known) {
    auto params = boost::urls::parse_query(req.query);
    if (!params) throw bad("the query string cannot be parsed", "");
    for (const auto& p : boost::urls::params_view(*params)) {
      const std::string key = p.key;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string names;
        for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
        throw bad("unknown query parameter `" + key + "` (" + (names.empty() ? std::string("none") : names) + ")", key);
      }
      if (!values_.emplace(key, std::string(p.value)).second) throw bad("the query parameter `" + key + "` is given twice", key);
    }
  }
  std::string text(const std::string& key) const {
    auto it = values_.find(key);
    return it == values_.end() ? std::string() : it->second;
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  // 1/true (or a bare `key`) or 0/false.
  bool flag(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) return false;
    if (it->second.empty() || it->second == "1" || it->second == "true") return true;
    if (it->second == "0" || it->second == "false") return false;
    throw bad(key + " is 1 or 0, not `" + it->second + "`", key);
  }
  std::optional<std::int64_t> integer(const std::string& key, std::int64_t min, std::int64_t max) const {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    auto v = to_int(it->second);
    if (!v || *v < min || *v > max)
      throw bad(key + " is a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", not `" + it->second + "`", key);
    return v;
  }
  static ServiceError bad(const std::string& message, const std::string& parameter) {
    return ServiceError(ErrorKind::usage, "bad_query", message, {{"parameter", parameter}});
  }

 private:
  std::map<std::string, std::string> values_;
};

// ---------------------------------------------------------------- the request body

// A JSON object body. Another media type is 415 (returned by media_error); a missing body, text
// that is not JSON (details.offset: the byte where it stops being JSON), another JSON value, and a
// member of the wrong type are 400 input naming the field; an unknown member is 400 usage.
class Body {
 public:
  Body(const Request& req, std::initializer_list<std::string_view> known) : text_(req.body) {
    if (req.body.find_first_not_of(" \t\r\n") == std::string::npos)
      throw ServiceError(ErrorKind::input, "missing_body", "this route takes a JSON object body (Content-Type: application/json)");
    bj::stream_parser p;
    bj::error_code ec;
    std::size_t n = p.write_some(req.body.data(), req.body.size(), ec);
    std::string why;
    if (!ec && req.body.find_first_not_of(" \t\r\n", n) != std::string::npos) {
      n = req.body.find_first_not_of(" \t\r\n", n);
      why = "content after the JSON object";
    } else {
      if (!ec) p.finish(ec);
      if (ec) why = ec.message();
      if (ec == bj::error::incomplete) n = req.body.size();
    }
    if (!why.empty())
      throw ServiceError(ErrorKind::input, "malformed_json", "the body is not JSON (" + why + ") at byte offset " + std::to_string(n),
                         {{"offset", std::to_string(n)}});
    bj::value v = p.release();
    if (!v.is_object()) throw ServiceError(ErrorKind::input, "wrong_type", "the body must be a JSON object", {{"field", ""}});
    o_ = std::move(v.as_object());
    for (const auto& kv : o_) {
      const std::string_view key = kv.key();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string names;
        for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
        throw ServiceError(ErrorKind::usage, "unknown_field", "unknown member `" + std::string(key) + "` in the body (" + names + ")",
                           {{"field", std::string(key)}});
      }
    }
  }
  // 415 unless the request says application/json (checked before the body is read).
  static std::optional<Response> media_error(const Request& req) {
    const std::string type = media_type(req.content_type);
    if (type == "application/json") return std::nullopt;
    return error_response(415, "usage", "unsupported_media_type",
                          "this route takes application/json, not `" + (type.empty() ? std::string("(none)") : type) + "`",
                          {{"content_type", type}});
  }

  std::optional<std::string> text(const char* key) const {
    const bj::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) throw wrong_type(key, "a string");
    return std::string(v->get_string());
  }
  std::string required_text(const char* key) const {
    auto v = text(key);
    if (!v) throw missing(key);
    return *v;
  }
  std::optional<std::int64_t> integer(const char* key) const {
    const bj::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_int64()) throw wrong_type(key, "a whole number");
    return v->get_int64();
  }
  bool flag(const char* key) const {
    const bj::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return false;
    if (!v->is_bool()) throw wrong_type(key, "true or false");
    return v->get_bool();
  }
  // An amount in yuan: a string such as "45000.00", or a whole number of yuan.
  std::optional<model::Fen> yuan(const char* key) const {
    const bj::value* v = o_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    std::optional<model::Fen> fen;
    if (v->is_string()) fen = model::parse_yuan(std::string_view(v->get_string()));
    if (v->is_int64()) fen = model::parse_yuan(std::to_string(v->get_int64()));
    if (!fen)
      throw ServiceError(ErrorKind::input, v->is_string() || v->is_int64() ? "bad_amount" : "wrong_type",
                         "`" + std::string(key) + "` must be an amount in yuan, such as \"45000.00\" or 45000", {{"field", key}});
    return fen;
  }
  // The text of a member that is a JSON object, exactly as sent (the applicant's facts).
  std::string object_text(const char* key) const {
    const bj::value* v = o_.if_contains(key);
    if (!v || v->is_null()) throw missing(key);
    if (!v->is_object()) throw wrong_type(key, "a JSON object");
    auto raw = json::member_text(text_, key);
    if (!raw) throw ServiceError(ErrorKind::internal, "internal", "the member `" + std::string(key) + "` could not be read back");
    return *raw;
  }

 private:
  static ServiceError wrong_type(const char* key, const char* what) {
    return ServiceError(ErrorKind::input, "wrong_type", "`" + std::string(key) + "` must be " + what, {{"field", key}});
  }
  static ServiceError missing(const char* key) {
    return ServiceError(ErrorKind::input, "missing_field", "the body has no `" + std::string(key) + "`", {{"field", key}});
  }
  std::string_view text_;
  bj::object o_;
};

// ---------------------------------------------------------------- shared pieces

// A pooled connection, the principal, and the rules and workflow date of the request.
struct Call {
  store::CaseRepository& repo;
  const Principal& who;
  std::shared_ptr<const service::PreparedRules> rules;
  service::Env env;
  model::Days today;
  Call(const Services& s, store::CaseRepository& r, const Principal& p)
      : repo(r), who(p), rules(s.rules->current()), env(*rules, r), today(s.today()) {}
};

using CallBody = std::function<Response(Call&)>;

Response handle(const Services& services, Request& req, service::Scope scope, const CallBody& body) {
  return with_principal(services, req, scope, [&](store::CaseRepository& repo, const Principal& who) {
    Call call(services, repo, who);
    return body(call);
  });
}

// A route that takes a JSON object body: 415 for another media type, before anything else is read.
Response handle_json(const Services& services, Request& req, service::Scope scope, const CallBody& body) {
  return handle(services, req, scope, [&](Call& call) {
    if (auto r = Body::media_error(req)) return *r;
    return body(call);
  });
}

store::CaseId case_id(const Request& req) {
  auto id = to_int(req.params.at(0));
  if (!id || *id <= 0)
    throw ServiceError(ErrorKind::not_found, "unknown_case", "no case " + req.params.at(0), {{"case", req.params.at(0)}});
  return *id;
}

// GET /v1/cases/{id}'s actions: those of `role`, else of every role `who` holds (every role's for
// a principal without roles).
std::vector<workflow::AvailableAction> actions_for(const Call& call, const store::Case& c, const std::string& role) {
  if (!role.empty() || call.who.roles.empty()) return service::available_actions(call.env, c.id, role, call.today);
  std::vector<workflow::AvailableAction> out;
  std::vector<std::string> seen;
  for (const auto& r : service::workflow_roles(call.env, c, call.who))
    for (auto& a : service::available_actions(call.env, c.id, r, call.today)) {
      std::string key = workflow::to_json(a);
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(std::move(key));
      out.push_back(std::move(a));
    }
  return out;
}

bj::array strings(const std::vector<std::string>& v) {
  bj::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

bj::object case_page(const Call& call, const service::CasePage& page, store::CaseOrder order) {
  bj::array cases;
  for (const auto& c : page.cases) cases.push_back(json::case_object(c, call.today, &call.env));
  bj::object counts;
  for (const auto& [stage, n] : page.counts) counts[stage] = n;
  return {{"cases", std::move(cases)},
          {"next", page.next ? bj::value(service::cursor_text(order, *page.next)) : bj::value(nullptr)},
          {"counts", std::move(counts)}};
}

// GET /v1/cases and GET /v1/inbox.
Response list(Call& call, const Request& req, bool inbox) {
  Query q(req, {"programme", "stage", "role", "county", "applicant", "overdue", "closed", "q", "limit", "after", "sort", "dir"});
  service::CaseQuery cq;
  cq.inbox = inbox;
  cq.filter.programme = q.text("programme");
  cq.filter.stage = q.text("stage");
  cq.filter.role = q.text("role");
  cq.filter.applicant = q.text("applicant");
  cq.county = q.text("county");
  cq.q = q.text("q");
  if (q.flag("overdue")) cq.filter.overdue_as_of = call.today;
  const std::string closed = q.text("closed");
  if (closed == "all") {
    cq.filter.include_closed = true;
  } else if (q.has("closed") && q.flag("closed")) {
    cq.filter.include_closed = true;
    cq.filter.only_closed = true;
  }
  cq.filter.limit = static_cast<std::size_t>(q.integer("limit", 1, 500).value_or(50));
  cq.filter.order = service::parse_order(q.has("sort") ? q.text("sort") : "id");
  const std::string dir = q.has("dir") ? q.text("dir") : "asc";
  if (dir != "asc" && dir != "desc") throw Query::bad("dir is asc or desc, not `" + dir + "`", "dir");
  cq.filter.descending = dir == "desc";
  if (cq.filter.order == store::CaseOrder::id && !cq.filter.descending)
    cq.filter.after_id = q.integer("after", 0, INT64_MAX).value_or(0);
  else if (q.has("after") && !q.text("after").empty())
    cq.filter.after = service::parse_cursor(cq.filter.order, q.text("after"));
  return json_of(case_page(call, service::find_cases(call.env, cq, call.who, call.today), cq.filter.order));
}

// GET /v1/cases/{id}.
Response show(Call& call, const Request& req) {
  Query q(req, {"explain", "lang", "role"});
  const std::string lang = q.has("lang") ? q.text("lang") : "zh";
  if (lang != "zh" && lang != "en") throw Query::bad("lang is zh or en, not `" + lang + "`", "lang");
  auto c = service::load_visible(call.env, case_id(req), call.who, call.today);
  bj::object o;
  o["case"] = json::case_object(c, call.today, &call.env);
  if (q.flag("explain"))
    if (auto ex = service::explain_decision(call.env, c, lang == "en")) o["explanation"] = ex->text;
  bj::array actions;
  for (const auto& a : actions_for(call, c, q.text("role"))) actions.push_back(json::action_value(a));
  o["actions"] = std::move(actions);
  if (auto t = service::running_timer(call.env, c)) o["timer"] = json::timer_object(*t);
  return json_of(o);
}

// GET /v1/cases/{id}/history.
Response history(Call& call, const Request& req) {
  Query q(req, {});
  auto c = service::load_visible(call.env, case_id(req), call.who, call.today);
  bj::array events;
  for (const auto& e : call.repo.events(c.id)) events.push_back(json::event_object(e));
  return json_of({{"events", std::move(events)}});
}

// POST /v1/cases.
Response submit(Call& call, const Request& req) {
  Query q(req, {});
  Body b(req, {"programme", "facts", "as_of", "applicant"});
  service::require_role(call.who, "申报单位");
  service::SubmitRequest r;
  r.programme = b.required_text("programme");
  r.facts_json = b.object_text("facts");
  r.applicant = b.text("applicant").value_or("");
  r.actor = call.who.user.name;
  r.date = call.today;
  if (auto as_of = b.text("as_of")) {
    auto d = model::parse_date(*as_of);
    if (!d) throw ServiceError(ErrorKind::input, "bad_date", "`as_of` is a date YYYY-MM-DD, not `" + *as_of + "`", {{"field", "as_of"}});
    r.as_of = *d;
  }
  auto res = service::submit(call.env, r);
  bj::array warnings;
  if (res.prepared) warnings = strings(res.prepared->warnings);
  return json_of({{"created", res.created}, {"case", json::case_object(res.c, call.today, &call.env)}, {"warnings", std::move(warnings)}},
                 res.created ? 201 : 200);
}

// POST /v1/cases/{id}/actions.
Response take_action(Call& call, const Request& req) {
  Query q(req, {});
  Body b(req, {"action", "role", "note", "amount", "reason", "version"});
  auto c = service::load_visible(call.env, case_id(req), call.who, call.today);
  service::ActRequest r;
  r.id = c.id;
  r.action = b.required_text("action");
  r.note = b.text("note").value_or("");
  r.amount = b.yuan("amount");
  r.reason = b.text("reason").value_or("");
  if (!r.amount && !r.reason.empty())
    throw ServiceError(ErrorKind::usage, "reason_without_amount", "`reason` goes with `amount` (the approved smaller amount)",
                       {{"field", "reason"}});
  r.expected_version = b.integer("version");
  service::check_version(c, r.expected_version);  // a stale click is a conflict, whatever the stage now allows
  r.role = service::acting_role(call.env, c, call.who, r.action, b.text("role"), call.today);
  r.actor = call.who.user.name;
  r.date = call.today;
  auto res = service::act(call.env, r);
  bj::array events;
  for (const auto& e : res.step.events) events.push_back(json::workflow_event_value(e));
  return json_of({{"case", json::case_object(res.c, call.today, &call.env)},
                  {"role", r.role},
                  {"events", std::move(events)},
                  {"budget_notes", strings(res.budget_notes)}});
}

// POST /v1/cases/{id}/corrections.
Response correct(Call& call, const Request& req) {
  Query q(req, {});
  Body b(req, {"facts", "note", "version"});
  service::require_role(call.who, "申报单位");
  auto c = service::load_visible(call.env, case_id(req), call.who, call.today);
  service::CorrectRequest r;
  r.id = c.id;
  r.facts_json = b.object_text("facts");
  r.note = b.text("note").value_or("");
  r.expected_version = b.integer("version");
  r.actor = call.who.user.name;
  r.date = call.today;
  auto res = service::correct(call.env, r);
  return json_of({{"case", json::case_object(res.c, call.today, &call.env)},
                  {"before", json::decision_object(res.before)},
                  {"after", json::decision_object(res.after)},
                  {"facts_version", res.facts_version},
                  {"budget_notes", strings(res.budget_notes)}});
}

int year_param(const Request& req) {
  auto y = to_int(req.params.at(1));
  if (!y || *y < service::kFirstYear || *y > service::kLastYear) {
    throw ServiceError(ErrorKind::usage, "bad_year",
                       "`" + req.params.at(1) + "` is not a call year (" + std::to_string(service::kFirstYear) + "–" +
                           std::to_string(service::kLastYear) + ")",
                       {{"field", "year"}});
  }
  return static_cast<int>(*y);
}

// GET /v1/budgets.
Response budgets(Call& call, const Request& req) {
  Query q(req, {"year", "programme"});
  const auto year = q.integer("year", service::kFirstYear, service::kLastYear);
  bj::array out;
  for (const auto& b : service::list_budgets(call.repo, q.text("programme"), year ? std::optional<int>(*year) : std::nullopt))
    out.push_back(json::budget_object(b));
  return json_of({{"budgets", std::move(out)}});
}

// PUT /v1/budgets/{programme}/{year}.
Response set_budget(Call& call, const Request& req) {
  Query q(req, {});
  Body b(req, {"total", "note"});
  const int year = year_param(req);
  auto total = b.yuan("total");
  if (!total) throw ServiceError(ErrorKind::input, "missing_field", "the body has no `total`", {{"field", "total"}});
  auto budget = service::set_budget(call.env, req.params.at(0), year, *total, call.who.user.name, b.text("note").value_or(""));
  return json_of({{"budget", json::budget_object(budget)}});
}

// POST /v1/budgets/{programme}/{year}/allocate.
Response allocate(Call& call, const Request& req) {
  Query q(req, {});
  Body b(req, {"method", "preview"});
  const int year = year_param(req);
  const std::string method = b.required_text("method");
  if (method != "pro_rata" && method != "ranked")
    throw ServiceError(ErrorKind::input, "bad_method", "`method` is pro_rata or ranked, not `" + method + "`", {{"field", "method"}});
  const bool preview = b.flag("preview");
  auto r = service::allocate(call.env, req.params.at(0), year,
                             method == "ranked" ? service::Allocation::ranked : service::Allocation::pro_rata, call.who.user.name,
                             preview);
  auto o = json::allocation_object(r);
  o["applied"] = !preview;
  return json_of(o);
}

// GET /v1/awards.
Response awards(Call& call, const Request& req) {
  Query q(req, {"applicant", "programme", "year"});
  store::AwardFilter f;
  if (q.has("applicant")) f.applicant = q.text("applicant");
  if (q.has("programme")) f.programme = q.text("programme");
  if (auto y = q.integer("year", service::kFirstYear, service::kLastYear)) f.year = static_cast<int>(*y);
  bj::array out;
  for (const auto& a : service::list_awards(call.repo, f)) out.push_back(json::award_object(a));
  return json_of({{"awards", std::move(out)}});
}

// POST /v1/audit/verify.
Response audit(Call& call, const Request& req) {
  Query q(req, {"case", "replay"});
  service::AuditOptions o;
  if (auto id = q.integer("case", 1, INT64_MAX)) o.only = *id;
  o.replay = !q.has("replay") || q.flag("replay");  // 0: the chains only
  const auto report = service::audit(call.env, o);
  auto out = json::audit_object(report);
  out["ok"] = report.clean();
  return json_of(out);
}

}  // namespace

void add_case_routes(Router& router, const Services& services) {
  using service::Scope;
  using Fn = Response (*)(Call&, const Request&);
  auto route = [&](const char* method, const char* pattern, Scope scope, bool json_body, Fn fn) {
    router.add(method, pattern, [&services, scope, json_body, fn](Request& req) {
      CallBody body = [&req, fn](Call& call) { return fn(call, req); };
      return json_body ? handle_json(services, req, scope, body) : handle(services, req, scope, body);
    });
  };
  route("POST", "/v1/cases", Scope::act, true, submit);
  route("GET", "/v1/cases", Scope::read, false, [](Call& c, const Request& r) { return list(c, r, false); });
  route("GET", "/v1/inbox", Scope::read, false, [](Call& c, const Request& r) { return list(c, r, true); });
  route("GET", "/v1/cases/{id}", Scope::read, false, show);
  route("GET", "/v1/cases/{id}/history", Scope::read, false, history);
  route("POST", "/v1/cases/{id}/actions", Scope::act, true, take_action);
  route("POST", "/v1/cases/{id}/corrections", Scope::act, true, correct);
  route("GET", "/v1/budgets", Scope::read, false, budgets);
  route("PUT", "/v1/budgets/{programme}/{year}", Scope::admin, true, set_budget);
  route("POST", "/v1/budgets/{programme}/{year}/allocate", Scope::admin, true, allocate);
  route("GET", "/v1/awards", Scope::read, false, awards);
  route("POST", "/v1/audit/verify", Scope::admin, false, audit);
}

}  // namespace subsidy::http
