// The OpenAPI document (adapters/http/openapi.json) against the route table of `subsidy serve`, in
// both directions: every route is documented with its method, every documented operation is routed.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "files/rules_dir.hpp"
#include "http/handlers.hpp"
#include "http/openapi.hpp"

namespace subsidy::http {
namespace {

namespace bj = boost::json;

const char* const kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const bj::object& document() {
  static const bj::value doc = bj::parse(openapi_document());
  return doc.as_object();
}

// "METHOD pattern" of every route that the document does not describe.
std::vector<std::string> undocumented(const Router& router, const bj::object& doc) {
  std::vector<std::string> out;
  const auto& paths = doc.at("paths").as_object();
  for (const auto& r : router.routes()) {
    const auto* item = paths.if_contains(r.pattern);
    if (!item || !item->as_object().contains(lower(r.method))) out.push_back(r.method + " " + r.pattern);
  }
  return out;
}

// "METHOD path" of every documented operation that no route serves.
std::vector<std::string> unrouted(const Router& router, const bj::object& doc) {
  std::set<std::pair<std::string, std::string>> routed;
  for (const auto& r : router.routes()) routed.emplace(lower(r.method), r.pattern);
  std::vector<std::string> out;
  for (const auto& [path, item] : doc.at("paths").as_object())
    for (const char* m : kMethods)
      if (item.as_object().contains(m) && !routed.count({m, std::string(path)})) out.push_back(lower(m) + " " + std::string(path));
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "\n  " + x;
  return s;
}

class OpenApiTest : public ::testing::Test {
 protected:
  static Services services() {
    auto prepared = files::prepare(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
    EXPECT_TRUE(prepared.rules) << prepared.error;
    Services s;
    s.rules = std::make_shared<RulesHolder>(prepared.rules);
    return s;
  }
  Handlers handlers{services()};
};

TEST_F(OpenApiTest, IsOpenApi31WithABearerScheme) {
  const auto& doc = document();
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  const auto& bearer = doc.at("components").at("securitySchemes").at("bearer").as_object();
  EXPECT_EQ(bearer.at("type").as_string(), "http");
  EXPECT_EQ(bearer.at("scheme").as_string(), "bearer");
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedWithItsMethod) {
  const auto missing = undocumented(handlers.router(), document());
  EXPECT_TRUE(missing.empty()) << "routes missing from adapters/http/openapi.json:" << joined(missing);
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsRouted) {
  const auto extra = unrouted(handlers.router(), document());
  EXPECT_TRUE(extra.empty()) << "operations in adapters/http/openapi.json that no route serves:" << joined(extra);
}

TEST_F(OpenApiTest, ARouteAddedWithoutDocumentationIsFound) {
  Router router = handlers.router();
  router.add("DELETE", "/v1/cases/{id}", [](Request&) { return Response{}; });
  router.add("GET", "/v1/undocumented", [](Request&) { return Response{}; });
  EXPECT_EQ(undocumented(router, document()), (std::vector<std::string>{"DELETE /v1/cases/{id}", "GET /v1/undocumented"}));
}

TEST_F(OpenApiTest, ADocumentedOperationWithoutARouteIsFound) {
  bj::object doc = document();
  auto want = unrouted(handlers.router(), doc);
  doc["paths"].as_object()["/v1/nowhere"] = bj::object{{"post", bj::object{{"responses", bj::object{}}}}};
  want.push_back("post /v1/nowhere");
  EXPECT_EQ(unrouted(handlers.router(), doc), want);
}

// Each operation: a unique operationId, a 2xx answer, every error answer the error object, the
// path's {parameters} declared as path parameters, and bearer scopes that exist.
TEST_F(OpenApiTest, OperationsAreComplete) {
  const auto& doc = document();
  const auto& responses = doc.at("components").at("responses").as_object();
  const std::set<std::string> scopes{"decide", "read", "act", "admin", "policy"};
  std::set<std::string> ids;
  for (const auto& [path, item_value] : doc.at("paths").as_object()) {
    const auto& item = item_value.as_object();
    std::set<std::string> in_path;
    for (std::size_t i = path.find('{'); i != bj::string_view::npos; i = path.find('{', i + 1))
      in_path.emplace(path.substr(i + 1, path.find('}', i) - i - 1));
    for (const char* m : kMethods) {
      if (!item.contains(m)) continue;
      const std::string where = lower(m) + " " + std::string(path);
      const auto& op = item.at(m).as_object();
      ASSERT_TRUE(op.contains("operationId")) << where;
      EXPECT_TRUE(ids.insert(std::string(op.at("operationId").as_string())).second) << where << ": operationId repeated";
      bool success = false;
      for (const auto& [status, answer] : op.at("responses").as_object()) {
        if (status.starts_with("2")) success = true;
        if (status.starts_with("4") || status.starts_with("5")) {
          ASSERT_TRUE(answer.as_object().contains("$ref")) << where << " " << status << ": use a components/responses entry";
          const std::string ref(answer.at("$ref").as_string());
          const std::string name = ref.substr(ref.rfind('/') + 1);
          ASSERT_TRUE(responses.contains(name)) << where << ": " << ref;
          EXPECT_EQ(responses.at(name).at("content").at("application/json").at("schema").at("$ref").as_string(),
                    "#/components/schemas/Error")
              << where << " " << status;
        }
      }
      EXPECT_TRUE(success) << where << ": no 2xx answer";
      std::set<std::string> declared;
      auto collect = [&](const bj::object& holder) {
        if (!holder.contains("parameters")) return;
        for (const auto& p : holder.at("parameters").as_array()) {
          const bj::object* param = &p.as_object();
          if (param->contains("$ref")) {
            const std::string ref(param->at("$ref").as_string());
            param = &doc.at("components").at("parameters").at(ref.substr(ref.rfind('/') + 1)).as_object();
          }
          if (param->at("in").as_string() == "path") declared.emplace(param->at("name").as_string());
        }
      };
      collect(item);
      collect(op);
      EXPECT_EQ(declared, in_path) << where << ": path parameters";
      if (op.contains("security"))
        for (const auto& requirement : op.at("security").as_array())
          for (const auto& [scheme, needed] : requirement.as_object()) {
            EXPECT_EQ(scheme, "bearer") << where;
            for (const auto& s : needed.as_array()) EXPECT_TRUE(scopes.count(std::string(s.as_string()))) << where << ": scope " << s;
          }
    }
  }
}

TEST_F(OpenApiTest, IsServedAtOpenapiJson) {
  Request req;
  req.method = "GET";
  req.target = "/openapi.json";
  const Response res = handlers.handle(req);
  EXPECT_EQ(res.status, 200u);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, openapi_document());
}

}  // namespace
}  // namespace subsidy::http
