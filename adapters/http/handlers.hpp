#pragma once
// The routes of `subsidy serve` (docs/service.md) over plain request/response values, so that the
// HTTP library stays in server.cpp: health and readiness, the rules (hash, programmes, the fact
// schema as JSON Schema) and decisions (one applicant, or JSON Lines through service::run_batch).
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/prepared.hpp"

namespace subsidy::http {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query, as sent
  std::string content_type;
  std::string body;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // a 405's Allow header
};

// The JSON error object of docs/integration.md §5.1, one line.
std::string error_json(std::string_view kind, std::string_view code, std::string_view message,
                       const std::vector<std::pair<std::string, std::string>>& details = {});
// A response carrying that object.
Response error_response(unsigned status, std::string_view kind, std::string_view code, std::string_view message,
                        const std::vector<std::pair<std::string, std::string>>& details = {});

class Handlers {
 public:
  // `ready` says why the service cannot serve ("" when it can): the database check of /readyz.
  Handlers(std::shared_ptr<const service::PreparedRules> rules, std::function<std::string()> ready);

  Response handle(const Request& req) const;
  const std::string& ruleset_hash() const { return rules_->hash(); }

 private:
  Response rules() const;
  Response decide(const Request& req, std::string_view query) const;

  std::shared_ptr<const service::PreparedRules> rules_;
  std::function<std::string()> ready_;
  std::string rules_json_;  // GET /v1/rules, built once
};

}  // namespace subsidy::http
