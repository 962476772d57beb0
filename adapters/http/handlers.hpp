#pragma once
// What the routes of `subsidy serve` share (Services) and the Handlers that hold the route table
// (docs/service.md). Each group of routes lives in its own file and adds itself to the router:
//   handlers.cpp    /healthz, /readyz, /v1/rules
//   decisions.cpp   POST /v1/decisions
//   authn.cpp       POST /v1/login, POST /v1/logout, GET /v1/me (and the authentication of every route)
//   case_routes.cpp /v1/cases…, /v1/inbox, /v1/budgets…, /v1/awards, /v1/audit/verify
//   rules_routes.cpp /v1/whatif, /v1/rules/diff, /v1/rules/versions, /v1/rules/publish
// The HTTP library stays in server.cpp.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/metrics.hpp"
#include "http/router.hpp"
#include "model/date.hpp"
#include "service/auth.hpp"
#include "service/prepared.hpp"
#include "store/case_repository.hpp"
#include "store/clock.hpp"

namespace subsidy::http {

// What recompiling the rules directory gave: the new rules, or the reason they were refused.
struct PreparedOrRefused {
  std::shared_ptr<const service::PreparedRules> rules;  // null when refused
  std::string error;        // a sentence, when refused
  std::string diagnostics;  // the rendered diagnostics (file:line:col: error[E…] …), when refused
};

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
  // A reload: calls `prepare` and serves what it gives unless it was refused (then the current
  // rules keep serving). Reloads run one at a time; requests are not held up meanwhile.
  PreparedOrRefused reload(const std::function<PreparedOrRefused()>& prepare) {
    std::lock_guard lock(reload_mutex_);
    auto next = prepare();
    if (next.rules) replace(next.rules);
    return next;
  }

 private:
  std::mutex reload_mutex_;
  mutable std::mutex mutex_;
  std::shared_ptr<const service::PreparedRules> rules_;
};

// Everything the routes use, injected by `subsidy serve` (cli/cmd_serve.cpp).
struct Services {
  std::shared_ptr<RulesHolder> rules;
  std::shared_ptr<Metrics> metrics = std::make_shared<Metrics>();  // GET /metrics (metrics.hpp)
  // Why the service cannot serve ("" when it can): the database check of /readyz. Empty: always ready.
  std::function<std::string()> ready;
  // A new connection to the case database (the routes keep a pool); empty without --db.
  std::function<std::unique_ptr<store::CaseRepository>()> open_repository;
  std::shared_ptr<const service::Credentials> credentials;
  store::Clock clock = store::utc_now;  // timestamps (tokens' expiry, events)
  // The pool over open_repository (authn.hpp); null without --db.
  std::shared_ptr<class RepositoryPool> pool;
  std::chrono::seconds session_lifetime{12 * 3600};  // of a login session (serve --session-hours)
  // The workflow date of the case routes and the timers: today in China Standard Time, or the day
  // `serve --today` fixes (for tests).
  std::function<model::Days()> today = model::today_cst;
  // Recompiles the rules directory for a reload (files::prepare); empty: the rules are not reloadable.
  std::function<PreparedOrRefused()> prepare_rules;
  // The service is served over TLS (serve --tls-cert): cookies it sets carry `Secure`.
  bool tls = false;
  // More route groups, added after the service's own (the officer's desk: web::add_desk_routes).
  std::vector<std::function<void(Router&, const Services&)>> extra_routes;
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

// A reload of the rules (POST /v1/admin/reload, SIGHUP): the rules directory is recompiled and,
// when it compiles, served from now on; a broken one is refused and the old ruleset keeps serving.
struct ReloadOutcome {
  std::string previous_hash, hash;  // `hash` is what serves now (the previous one when refused)
  std::string error, diagnostics;   // why it was refused (rendered diagnostics); empty when reloaded
  bool ok() const { return error.empty(); }
};
ReloadOutcome reload_rules(const Services& services);

// The route groups (each in its own file).
void add_health_routes(Router& router, const Services& services);
void add_decision_routes(Router& router, const Services& services);
void add_reload_routes(Router& router, const Services& services);  // POST /v1/admin/reload (handlers.cpp)

}  // namespace subsidy::http
