// The routes of `subsidy serve` (see handlers.hpp and docs/service.md).
#include "http/handlers.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <boost/url/src.hpp>  // Boost.URL header-only: Debian ships no compiled library; this is its one translation unit

#include <cctype>
#include <string_view>

#include "json/error_object.hpp"
#include "model/date.hpp"
#include "service/batch.hpp"
#include "service/decide.hpp"

namespace subsidy::http {

namespace json = boost::json;

std::string error_json(std::string_view kind, std::string_view code, std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& details) {
  return subsidy::json::error_object(kind, code, message, details);
}

namespace {
Response respond(unsigned status, std::string body, std::string_view content_type = "application/json") {
  Response r;
  r.status = status;
  r.content_type = content_type;
  r.body = std::move(body);
  return r;
}
}  // namespace

Response error_response(unsigned status, std::string_view kind, std::string_view code, std::string_view message,
                        const std::vector<std::pair<std::string, std::string>>& details) {
  return respond(status, error_json(kind, code, message, details) + "\n");
}

namespace {

// One fact as a JSON Schema property: the JSON types the decoder accepts for its type
// (docs/integration.md §2).
json::object fact_property(const model::Schema& schema, const model::FactDef& f) {
  using model::Kind;
  json::object p;
  if (!f.label.zh.empty()) p["title"] = f.label.zh;
  if (!f.label.en.empty()) p["description"] = f.label.en;
  auto enum_values = [&] {
    json::array values;
    for (const auto& v : schema.enums.at(f.type.enum_id).values) values.emplace_back(v.name);
    return values;
  };
  switch (f.type.kind) {
    case Kind::Bool: p["type"] = "boolean"; break;
    case Kind::Int: p["type"] = "integer"; break;
    case Kind::Money:
    case Kind::RawMoney:
      p["type"] = json::array{"integer", "string"};
      p["x-subsidy-type"] = "money";  // whole yuan, or a string such as "1234.56"
      break;
    case Kind::Decimal:
      p["type"] = json::array{"number", "string"};
      p["x-subsidy-type"] = "decimal";  // or a string such as "0.125" or "12.5%"
      break;
    case Kind::Date:
      p["type"] = "string";
      p["format"] = "date";
      break;
    case Kind::Text: p["type"] = "string"; break;
    case Kind::Enum:
      p["type"] = "string";
      p["enum"] = enum_values();
      break;
    case Kind::TextSet:
      p["type"] = "array";
      p["items"] = json::object{{"type", "string"}};
      break;
    case Kind::EnumSet:
      p["type"] = "array";
      p["items"] = json::object{{"type", "string"}, {"enum", enum_values()}};
      break;
    case Kind::Error: break;
  }
  return p;
}

std::string rules_document(const service::PreparedRules& rules) {
  const auto& rs = rules.ruleset();
  json::array programmes;
  for (const auto& p : rs.programs) {
    json::object o;
    o["id"] = p.id;
    o["title"] = json::object{{"zh", p.title.zh}, {"en", p.title.en}};
    o["bureau"] = p.bureau;
    o["status"] = eval::status_name(p.status);
    if (!p.workflow.empty()) o["workflow"] = p.workflow;
    if (p.effective_from != INT32_MIN) o["effective_from"] = model::format_date(p.effective_from);
    if (p.effective_to != INT32_MAX) o["effective_to"] = model::format_date(p.effective_to);
    programmes.emplace_back(std::move(o));
  }
  json::object properties;
  properties["id"] = json::object{{"type", "string"}, {"description", "the applicant's id, echoed in its decision"}};
  for (const auto& f : rs.schema.facts) properties[f.name] = fact_property(rs.schema, f);
  json::object schema;
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["title"] = "applicant";
  schema["type"] = "object";
  schema["properties"] = std::move(properties);
  schema["additionalProperties"] = false;
  json::object doc;
  doc["ruleset_hash"] = rules.hash();
  doc["programmes"] = std::move(programmes);
  doc["facts_schema"] = std::move(schema);
  return json::serialize(doc) + "\n";
}

// The media type of a Content-Type header, lower-case, without parameters.
std::string media_type(std::string_view header) {
  header = header.substr(0, header.find(';'));
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  std::string out(header);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class StringSource final : public service::ByteSource {
 public:
  explicit StringSource(std::string_view s) : s_(s) {}
  std::size_t read(char* buf, std::size_t n) override {
    const std::size_t got = s_.copy(buf, n);
    s_.remove_prefix(got);
    return got;
  }
  std::string error() const override { return {}; }

 private:
  std::string_view s_;
};

class StringSink final : public service::ByteSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  bool write(std::string_view bytes) override {
    out_ += bytes;
    return true;
  }
  std::string error() const override { return {}; }

 private:
  std::string& out_;
};

Response bad_query(std::string_view message, std::string_view param) {
  return error_response(400, "usage", "bad_query", message, {{"parameter", std::string(param)}});
}

}  // namespace

Handlers::Handlers(std::shared_ptr<const service::PreparedRules> rules, std::function<std::string()> ready)
    : rules_(std::move(rules)), ready_(std::move(ready)), rules_json_(rules_document(*rules_)) {}

Response Handlers::handle(const Request& req) const {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return error_response(400, "usage", "bad_target", "the request target is not a path with a query");
  const std::string path = url->path();
  struct Route {
    std::string_view path, method;
  };
  static constexpr Route routes[] = {{"/healthz", "GET"}, {"/readyz", "GET"}, {"/v1/rules", "GET"}, {"/v1/decisions", "POST"}};
  for (const auto& r : routes) {
    if (path != r.path) continue;
    if (req.method != r.method) {
      auto res = error_response(405, "usage", "method_not_allowed",
                                "`" + path + "` takes " + std::string(r.method) + ", not " + req.method,
                                {{"allow", std::string(r.method)}});
      res.allow = r.method;
      return res;
    }
    if (r.path == "/healthz") return respond(200, "{\"status\":\"ok\"}\n");
    if (r.path == "/readyz") {
      std::string why = ready_ ? ready_() : std::string();
      if (!why.empty()) return error_response(503, "database", "not_ready", why);
      return respond(200, "{\"status\":\"ready\",\"ruleset_hash\":\"" + rules_->hash() + "\"}\n");
    }
    if (r.path == "/v1/rules") return respond(200, rules_json_);
    return decide(req, url->encoded_query());
  }
  return error_response(404, "not_found", "unknown_route", "no route `" + path + "`", {{"path", path}});
}

Response Handlers::decide(const Request& req, std::string_view query) const {
  const auto& rs = rules_->ruleset();
  service::DecideOptions opt;
  opt.as_of = model::today_cst();
  auto params = boost::urls::parse_query(query);
  if (!params) return bad_query("the query string cannot be parsed", "");
  for (const auto& p : boost::urls::params_view(*params)) {
    const std::string& key = p.key;
    const std::string& value = p.value;
    if (key == "explain") {
      if (value == "1" || value == "true" || (value.empty() && !p.has_value))
        opt.explain = true;
      else if (value == "0" || value == "false")
        opt.explain = false;
      else
        return bad_query("explain is 1 or 0, not `" + value + "`", key);
    } else if (key == "lang") {
      if (value != "zh" && value != "en") return bad_query("lang is zh or en, not `" + value + "`", key);
      opt.english = value == "en";
    } else if (key == "as_of") {
      auto d = model::parse_date(value);
      if (!d) return bad_query("as_of is a date YYYY-MM-DD, not `" + value + "`", key);
      opt.as_of = *d;
    } else if (key == "program") {
      int i = rs.find_program(value);
      if (i < 0) {
        std::string known;
        for (const auto& prog : rs.programs) known += " " + prog.id;
        return error_response(400, "usage", "unknown_programme",
                              "unknown programme `" + value + "`; the ruleset has:" + known, {{"programme", value}});
      }
      if (opt.selection.empty()) opt.selection.assign(rs.programs.size(), 0);
      opt.selection[static_cast<std::size_t>(i)] = 1;
    } else {
      return bad_query("unknown query parameter `" + key + "` (explain, lang, as_of, program)", key);
    }
  }
  const std::string type = media_type(req.content_type);
  if (type == "application/json") {
    service::Decider decider(rs, rules_->writer(), rules_->codec().reader(rs, {&opt.selection}), opt);
    Response res;
    if (decider.decide(req.body, 0, 1, res.body) == service::Decider::Outcome::undecodable) {
      const auto& err = decider.error();
      std::vector<std::pair<std::string, std::string>> details;
      if (!err.field.empty()) details.emplace_back("field", err.field);
      if (err.offset != service::DecodeError::kNoOffset) details.emplace_back("offset", std::to_string(err.offset));
      return error_response(400, "input", err.code, err.message, details);
    }
    return res;
  }
  if (type == "application/x-ndjson") {
    service::BatchOptions bo;
    bo.selection = opt.selection;
    bo.as_of = opt.as_of;
    bo.explain = opt.explain;
    bo.english = opt.english;
    StringSource in(req.body);
    Response res = respond(200, {}, "application/x-ndjson");
    StringSink out(res.body);
    auto r = service::run_batch(rs, rules_->codec(), bo, in, out);
    if (!r.io_error.empty()) return error_response(500, "internal", "io_error", r.io_error);
    return res;
  }
  return error_response(415, "usage", "unsupported_media_type",
                        "POST /v1/decisions takes application/json (one applicant) or application/x-ndjson (JSON Lines), not `" +
                            (type.empty() ? std::string("(none)") : type) + "`",
                        {{"content_type", type}});
}

}  // namespace subsidy::http
