// The rules routes of policy staff: what-if, diff, versions, publish (see rules_routes.hpp and
// docs/service.md "Rules: what-if, diff, versions, publish").
#include "http/rules_routes.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string_view>

#include "http/authn.hpp"
#include "json/codec.hpp"
#include "model/date.hpp"
#include "service/budgets.hpp"
#include "service/errors.hpp"
#include "service/whatif_html.hpp"

namespace subsidy::http {

namespace {

namespace bj = boost::json;
using service::ErrorKind;
using service::ServiceError;

// ---------------------------------------------------------------- reading the request

ServiceError bad_field(const std::string& field, const std::string& message, const char* code = "wrong_type") {
  return ServiceError(ErrorKind::input, code, "`" + field + "`: " + message, {{"field", field}});
}

// The body as a JSON object with only `known` members (400 input/malformed_json with the byte
// offset, input/wrong_type, usage/unknown_field naming the member).
bj::object body_object(const Request& req, std::initializer_list<std::string_view> known) {
  if (media_type(req.content_type) != "application/json")
    throw ServiceError(ErrorKind::usage, "unsupported_media_type",
                       "this route takes application/json, not `" + media_type(req.content_type) + "`",
                       {{"content_type", media_type(req.content_type)}});
  bj::stream_parser p;
  bj::error_code ec;
  const std::size_t n = p.write_some(req.body.data(), req.body.size(), ec);
  if (!ec && n < req.body.size() && req.body.find_first_not_of(" \t\r\n", n) != std::string::npos)
    throw ServiceError(ErrorKind::input, "malformed_json", "the body is not JSON (content after the object) at byte offset " + std::to_string(n),
                       {{"offset", std::to_string(n)}});
  if (!ec) p.finish(ec);
  if (ec)
    throw ServiceError(ErrorKind::input, "malformed_json",
                       "the body is not JSON (" + ec.message() + ") at byte offset " + std::to_string(n), {{"offset", std::to_string(n)}});
  bj::value v = p.release();
  if (!v.is_object()) throw bad_field("", "the body must be a JSON object");
  for (const auto& kv : v.as_object()) {
    const std::string_view key = kv.key();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string names;
      for (auto k : known) names += (names.empty() ? "" : ", ") + std::string(k);
      throw ServiceError(ErrorKind::usage, "unknown_field", "unknown member `" + std::string(key) + "` in the body (" + names + ")",
                         {{"field", std::string(key)}});
    }
  }
  return std::move(v.as_object());
}

const bj::value* member(const bj::object& o, const char* key) {
  const bj::value* v = o.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}
std::optional<std::string> text_of(const bj::object& o, const char* key) {
  const bj::value* v = member(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw bad_field(key, "must be a string");
  return std::string(v->get_string());
}
std::optional<std::int64_t> int_of(const bj::object& o, const std::string& key, std::int64_t min, std::int64_t max) {
  const bj::value* v = member(o, key.c_str());
  if (!v) return std::nullopt;
  if (!v->is_int64() || v->get_int64() < min || v->get_int64() > max)
    throw bad_field(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return v->get_int64();
}
model::Days date_of(const bj::object& o, const char* key, model::Days fallback) {
  auto t = text_of(o, key);
  if (!t) return fallback;
  auto d = model::parse_date(*t);
  if (!d) throw bad_field(key, "must be a date YYYY-MM-DD, not `" + *t + "`", "bad_date");
  return *d;
}

// {"files":{"path.rules":"text",…}}.
std::vector<service::InlineFile> files_of(const bj::object& o) {
  std::vector<service::InlineFile> out;
  const bj::value* v = member(o, "files");
  if (!v) return out;
  if (!v->is_object()) throw bad_field("files", "must be an object of rule file paths to their texts");
  for (const auto& kv : v->as_object()) {
    const std::string path(kv.key());
    if (!kv.value().is_string()) throw bad_field("files." + path, "must be the file's text (a string)");
    out.push_back({path, std::string(kv.value().get_string())});
  }
  return out;
}

// The query's `format`: json (default) or html. usage/bad_query otherwise.
bool wants_html(const Request& req) {
  auto params = boost::urls::parse_query(req.query);
  if (!params) throw ServiceError(ErrorKind::usage, "bad_query", "the query string cannot be parsed", {{"parameter", ""}});
  bool html = false;
  for (const auto& p : boost::urls::params_view(*params)) {
    const std::string key = p.key, value = p.value;
    if (key != "format")
      throw ServiceError(ErrorKind::usage, "bad_query", "unknown query parameter `" + key + "` (format)", {{"parameter", key}});
    if (value != "json" && value != "html")
      throw ServiceError(ErrorKind::usage, "bad_query", "format is json or html, not `" + value + "`", {{"parameter", "format"}});
    html = value == "html";
  }
  return html;
}

// ---------------------------------------------------------------- running a what-if

// The population sent inline, read in blocks; past the deadline it fails (the what-if reports the
// read error, made a time_limit refusal below).
class DeadlineSource final : public service::ByteSource {
 public:
  DeadlineSource(std::string_view text, std::chrono::steady_clock::time_point deadline) : text_(text), deadline_(deadline) {}
  std::size_t read(char* buf, std::size_t n) override {
    if (std::chrono::steady_clock::now() > deadline_) {
      late_ = true;
      return 0;
    }
    const std::size_t k = std::min(n, text_.size() - at_);
    std::memcpy(buf, text_.data() + at_, k);
    at_ += k;
    return k;
  }
  std::string error() const override { return late_ ? "time limit" : ""; }
  bool late() const { return late_; }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
  std::chrono::steady_clock::time_point deadline_;
  bool late_ = false;
};
class NoSink final : public service::ByteSink {
 public:
  bool write(std::string_view) override { return true; }
  std::string error() const override { return {}; }
};

ServiceError time_limit(std::size_t records) {
  return ServiceError(ErrorKind::refused, "time_limit",
                      "the what-if ran past its time limit of " + std::to_string(kWhatIfTimeLimit.count()) + " s after " +
                          std::to_string(records) + " records; send fewer, or run `subsidy rules whatif`",
                      {{"limit_s", std::to_string(kWhatIfTimeLimit.count())}, {"records", std::to_string(records)}});
}

ServiceError needs_database(const char* what) {
  return ServiceError(ErrorKind::usage, "no_database", std::string(what) + " needs the service's database (serve --db URL)", {});
}

std::shared_ptr<const service::PreparedRules> version_rules(store::CaseRepository* repo, int version) {
  if (!repo) throw needs_database("a published rule version");
  return service::published_rules(*repo, version, json::codec());
}

WhatIfRequest whatif_request(const Services& services, const bj::object& o) {
  WhatIfRequest w;
  if (auto v = int_of(o, "base_version", 1, 1'000'000'000)) w.base_version = static_cast<int>(*v);
  if (auto v = int_of(o, "draft_version", 1, 1'000'000'000)) w.draft_version = static_cast<int>(*v);
  w.files = files_of(o);
  if (w.draft_version.has_value() == !w.files.empty())
    throw ServiceError(ErrorKind::usage, "no_draft", "name the draft: `draft_version` (a published version) or `files` (its rule files), one of them",
                       {{"field", "draft_version"}});
  w.population = text_of(o, "population");
  if (const bj::value* c = member(o, "cases")) {
    if (!c->is_object()) throw bad_field("cases", "must be an object ({\"year\":2025,\"stage\":\"open\"})");
    service::CaseScope scope;
    for (const auto& kv : c->as_object())
      if (kv.key() != "year" && kv.key() != "stage")
        throw ServiceError(ErrorKind::usage, "unknown_field", "unknown member `cases." + std::string(kv.key()) + "` (year, stage)",
                           {{"field", "cases." + std::string(kv.key())}});
    if (auto y = int_of(c->as_object(), "year", 1900, 9999)) {
      scope.year = static_cast<int>(*y);
    }
    if (auto s = text_of(c->as_object(), "stage")) {
      if (*s != "open" && *s != "all") throw bad_field("cases.stage", "is open or all, not `" + *s + "`");
      scope.all_stages = *s == "all";
    }
    w.cases = scope;
  }
  if (w.population.has_value() == w.cases.has_value())
    throw ServiceError(ErrorKind::usage, "no_population",
                       "name the population: `population` (applicants, JSON Lines) or `cases` (the stored cases), one of them",
                       {{"field", "population"}});
  w.as_of = date_of(o, "as_of", services.today());
  w.by = text_of(o, "by").value_or("");
  w.sample = static_cast<std::size_t>(int_of(o, "sample", 0, kWhatIfMaxSample).value_or(20));
  const std::string lang = text_of(o, "lang").value_or("zh");
  if (lang != "zh" && lang != "en") throw bad_field("lang", "is zh or en, not `" + lang + "`");
  w.english = lang == "en";
  return w;
}

// Runs `f` with a pooled connection and a principal holding `policy` (or without a database, with
// no connection when `open_without_db`).
Response as_policy(const Services& services, Request& req, bool open_without_db,
                   const std::function<Response(store::CaseRepository*, const service::Principal*)>& f) {
  if (!services.pool) {
    if (!open_without_db) return error_of(needs_database("this route"));
    try {
      return f(nullptr, nullptr);
    } catch (const ServiceError& e) {
      return error_of(e);
    }
  }
  return with_principal(services, req, service::Scope::policy,
                        [&](store::CaseRepository& repo, const service::Principal& p) { return f(&repo, &p); });
}

// ---------------------------------------------------------------- the routes

Response whatif_route(const Services& services, Request& req) {
  return as_policy(services, req, true, [&](store::CaseRepository* repo, const service::Principal*) {
    const bool html = wants_html(req);
    const auto o = body_object(req, {"base_version", "draft_version", "files", "population", "cases", "as_of", "by", "sample", "lang"});
    const auto w = whatif_request(services, o);
    const auto out = run_whatif(services, repo, w);
    Response r = html ? report_page(service::whatif_html(out.report, &out.diff, w.english))
                      : json_response(service::whatif_json(out.report, w.english));
    r.headers.emplace_back(kRulesetHashHeader, out.report.base_hash);
    return r;
  });
}

Response diff_route(const Services& services, Request& req) {
  return as_policy(services, req, true, [&](store::CaseRepository* repo, const service::Principal*) {
    const auto o = body_object(req, {"base_version", "draft_version", "files"});
    auto base = services.rules->current();
    if (auto v = int_of(o, "base_version", 1, 1'000'000'000)) base = version_rules(repo, static_cast<int>(*v));
    std::shared_ptr<const service::PreparedRules> draft;
    auto files = files_of(o);
    if (auto v = int_of(o, "draft_version", 1, 1'000'000'000)) {
      if (!files.empty())
        throw ServiceError(ErrorKind::usage, "no_draft", "name the draft once: `draft_version` or `files`", {{"field", "draft_version"}});
      draft = version_rules(repo, static_cast<int>(*v));
    } else if (!files.empty()) {
      draft = service::compile_inline(std::move(files), base->calendar(), json::codec()).prepared;
    } else {
      throw ServiceError(ErrorKind::usage, "no_draft", "name the draft: `draft_version` or `files`", {{"field", "draft_version"}});
    }
    bj::value d = bj::parse(service::diff_json(eval::diff_rulesets(base->ruleset(), draft->ruleset())));
    d.as_object()["base_hash"] = base->hash();
    d.as_object()["draft_hash"] = draft->hash();
    return json_response(bj::serialize(d));
  });
}

Response versions_route(const Services& services, Request& req) {
  return as_policy(services, req, false, [&](store::CaseRepository* repo, const service::Principal*) {
    bj::value v = bj::parse(service::versions_json(repo->published_rulesets()));
    v.as_object()["serving"] = services.rules->current()->hash();
    return json_response(bj::serialize(v));
  });
}

Response publish_route(const Services& services, Request& req) {
  return as_policy(services, req, false, [&](store::CaseRepository* repo, const service::Principal* who) {
    const auto o = body_object(req, {"files", "note", "tests_as_of"});
    auto files = files_of(o);
    if (files.empty()) throw bad_field("files", "the rule files to publish are required", "missing_field");
    const std::string note = text_of(o, "note").value_or("");
    const auto res = publish_inline(services, *repo, std::move(files), note, who->user.name, date_of(o, "tests_as_of", services.today()));
    bj::value v = bj::parse(service::version_json(res.published, res.unchanged));
    v.as_object()["serving"] = services.rules->current()->hash();
    return json_response(bj::serialize(v), res.unchanged ? 200 : 201);
  });
}

}  // namespace

WhatIfOutcome run_whatif(const Services& services, store::CaseRepository* repo, const WhatIfRequest& w) {
  const auto deadline = std::chrono::steady_clock::now() + kWhatIfTimeLimit;
  auto base = w.base_version ? version_rules(repo, *w.base_version) : services.rules->current();
  std::shared_ptr<const service::PreparedRules> draft;
  if (w.draft_version)
    draft = version_rules(repo, *w.draft_version);
  else
    draft = service::compile_inline(w.files, base->calendar(), json::codec()).prepared;
  if (w.cases && !repo) throw needs_database("a what-if over the stored cases");

  service::WhatIfOptions opt;
  opt.as_of = w.as_of;
  opt.jobs = 1;  // a request: one thread of the server's pool
  opt.by = w.by;
  opt.sample = w.sample;
  opt.english = w.english;
  WhatIfOutcome out;
  out.diff = eval::diff_rulesets(base->ruleset(), draft->ruleset());
  NoSink sink;
  if (w.population) {
    DeadlineSource source(*w.population, deadline);
    out.report = service::whatif_population(base->ruleset(), draft->ruleset(), json::codec(), opt, source, sink);
    if (source.late()) throw time_limit(out.report.records);
    if (!out.report.io_error.empty()) throw ServiceError(ErrorKind::input, "unreadable_population", out.report.io_error, {});
    if (out.report.failed)
      throw ServiceError(ErrorKind::input, "bad_applicant",
                         std::to_string(out.report.failed) + " of " + std::to_string(out.report.records) +
                             " applicants could not be decoded; first: line " + std::to_string(out.report.first_failed_line) + ": " +
                             out.report.first_failure,
                         {{"field", "population"}, {"line", std::to_string(out.report.first_failed_line)}});
  } else {
    opt.progress = [deadline](std::size_t records, std::size_t, bool) {
      if (std::chrono::steady_clock::now() > deadline) throw time_limit(records);
    };
    out.report = service::whatif_cases(*base, *draft, *repo, opt, *w.cases, sink);
  }
  if (repo) {
    const int year = w.cases && w.cases->year ? *w.cases->year : model::year_of(w.as_of);
    service::check_budgets(out.report, service::list_budgets(*repo, "", year), year);
  }
  return out;
}

service::PublishResult publish_inline(const Services& services, store::CaseRepository& repo, std::vector<service::InlineFile> files,
                                      const std::string& note, const std::string& who, model::Days tests_as_of) {
  auto compiled = service::compile_inline(std::move(files), services.rules->current()->calendar(), json::codec());
  service::PublishRequest r;
  r.compiled = compiled.compiled.get();
  r.files = compiled.files;
  if (!compiled.calendar_text.empty())
    r.calendar_text = compiled.calendar_text;
  else if (auto latest = repo.published_ruleset())
    r.calendar_text = latest->calendar_text;
  r.note = note;
  r.who = who;
  r.tests_as_of = tests_as_of;
  auto res = service::publish_rules(repo, r);
  // Serve the latest published version: when publishers race, each reload (one at a time) takes the
  // latest there is then, so the last reload serves the last version.
  services.rules->reload([&] { return PreparedOrRefused{service::published_rules(repo, std::nullopt, json::codec()), {}, {}}; });
  if (services.metrics) services.metrics->rules_reloaded(true);
  return res;
}

Response report_page(std::string html) {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

void add_rules_routes(Router& router, const Services& services) {
  router.add("POST", "/v1/whatif", [&services](Request& req) { return whatif_route(services, req); });
  router.add("POST", "/v1/rules/diff", [&services](Request& req) { return diff_route(services, req); });
  router.add("GET", "/v1/rules/versions", [&services](Request& req) { return versions_route(services, req); });
  router.add("POST", "/v1/rules/publish", [&services](Request& req) { return publish_route(services, req); });
}

}  // namespace subsidy::http
