#pragma once
// What the routes of `subsidy serve` share (Services) and the Handlers that hold the route table
// (docs/service.md). Each group of routes lives in its own file and adds itself to the router:
//   handlers.cpp    /healthz, /readyz, /v1/rules
//   decisions.cpp   POST /v1/decisions
//   authn.cpp       POST /v1/login, POST /v1/logout, GET /v1/me (and the authentication of every route)
//   case_routes.cpp /v1/cases…, /v1/inbox, /v1/budgets…, /v1/awards, /v1/audit/verify
// The HTTP library stays in server.cpp.
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http/router.hpp"
#include "service/auth.hpp"
#include "service/prepared.hpp"
#include "store/case_repository.hpp"
#include "store/clock.hpp"

namespace subsidy::http {

// The ruleset being served; replaced as a whole by a reload, so a request keeps the rules it
// started with (it holds the shared_ptr).
class RulesHolder {
 public:
  explicit RulesHolder(std::shared_ptr<const service::PreparedRules> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const service::PreparedRules> current() const {
    std::lock_guard lock(mutex_);
    return rules_;
  }
  void replace(std::shared_ptr<const service::PreparedRules> rules) {
    std::lock_guard lock(mutex_);
    rules_ = std::move(rules);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const service::PreparedRules> rules_;
};

// Everything the routes use, injected by `subsidy serve` (cli/cmd_serve.cpp).
struct Services {
  std::shared_ptr<RulesHolder> rules;
  // Why the service cannot serve ("" when it can): the database check of /readyz. Empty: always ready.
  std::function<std::string()> ready;
  // A new connection to the case database (the routes keep a pool); empty without --db.
  std::function<std::unique_ptr<store::CaseRepository>()> open_repository;
  std::shared_ptr<const service::Credentials> credentials;
  store::Clock clock = store::utc_now;  // timestamps (tokens' expiry, events)
  // The pool over open_repository (authn.hpp); null without --db.
  std::shared_ptr<class RepositoryPool> pool;
};

class Handlers {
 public:
  explicit Handlers(Services services);

  Response handle(Request& req) const { return router_.dispatch(req); }
  const Router& router() const { return router_; }
  std::string ruleset_hash() const { return services_.rules->current()->hash(); }
  const Services& services() const { return services_; }

 private:
  Services services_;
  Router router_;
};

// The route groups (each in its own file).
void add_health_routes(Router& router, const Services& services);
void add_decision_routes(Router& router, const Services& services);

}  // namespace subsidy::http
