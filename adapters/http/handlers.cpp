// The health, rules and reload routes of `subsidy serve`, and the table of every route group (see
// handlers.hpp and docs/service.md).
#include "http/handlers.hpp"

#include <boost/json.hpp>

#include <string_view>

#include "http/authn.hpp"
#include "http/case_routes.hpp"
#include "http/openapi.hpp"
#include "http/rules_routes.hpp"
#include "model/date.hpp"

namespace subsidy::http {

namespace json = boost::json;

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

}  // namespace

Handlers::Handlers(Services services) : services_(std::move(services)) {
  add_health_routes(router_, services_);
  add_openapi_routes(router_);
  add_decision_routes(router_, services_);
  add_metrics_routes(router_, services_);
  add_reload_routes(router_, services_);
  add_auth_routes(router_, services_);
  add_case_routes(router_, services_);
  add_rules_routes(router_, services_);
  for (const auto& add : services_.extra_routes) add(router_, services_);
}

ReloadOutcome reload_rules(const Services& services) {
  ReloadOutcome out;
  if (!services.prepare_rules) {
    out.error = "this service has no rules directory to reload";
    out.hash = out.previous_hash = services.rules->current()->hash();
    return out;
  }
  auto result = services.rules->reload([&] {
    out.previous_hash = services.rules->current()->hash();
    return services.prepare_rules();
  });
  out.hash = result.rules ? result.rules->hash() : out.previous_hash;
  out.error = std::move(result.error);
  out.diagnostics = std::move(result.diagnostics);
  if (services.metrics) services.metrics->rules_reloaded(out.ok());
  return out;
}

void add_reload_routes(Router& router, const Services& services) {
  router.add("POST", "/v1/admin/reload", [&services](Request& req) {
    return with_principal(services, req, service::Scope::admin, [&](store::CaseRepository&, const service::Principal&) {
      const auto r = reload_rules(services);
      if (!r.ok()) {
        Fields details{{"ruleset_hash", r.hash}};
        if (!r.diagnostics.empty()) details.emplace_back("diagnostics", r.diagnostics);
        return error_response(422, "refused", "rules_invalid",
                              "the rules were not reloaded: " + r.error + "; the ruleset " + r.hash + " keeps serving", details);
      }
      json::object o{{"ruleset_hash", r.hash}, {"previous_hash", r.previous_hash}, {"changed", r.hash != r.previous_hash}};
      return json_response(json::serialize(o));
    });
  });
}

void add_health_routes(Router& router, const Services& services) {
  router.add("GET", "/healthz", [](Request&) { return json_response("{\"status\":\"ok\"}"); });
  router.add("GET", "/readyz", [&services](Request&) {
    std::string why = services.ready ? services.ready() : std::string();
    if (!why.empty()) return error_response(503, "database", "not_ready", why);
    return json_response("{\"status\":\"ready\",\"ruleset_hash\":\"" + services.rules->current()->hash() + "\"}");
  });
  // The document is built once per ruleset (a reload replaces the ruleset, and with it the document).
  struct Cached {
    std::mutex mutex;
    std::shared_ptr<const service::PreparedRules> rules;
    std::string json;
  };
  auto cache = std::make_shared<Cached>();
  router.add("GET", "/v1/rules", [&services, cache](Request& req) {
    return with_scope(services, req, service::Scope::decide, [&] {
      auto rules = services.rules->current();
      std::lock_guard lock(cache->mutex);
      if (cache->rules != rules) {
        cache->json = rules_document(*rules);
        cache->rules = rules;
      }
      Response r;
      r.body = cache->json;
      return r;
    });
  });
}

}  // namespace subsidy::http
