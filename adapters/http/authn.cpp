// Authentication of the routes of `subsidy serve`, the status of service errors and the pool of
// database connections (see authn.hpp and docs/service.md "Authentication over HTTP").
#include "http/authn.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace subsidy::http {

namespace {

constexpr std::string_view kChallenge = "Bearer realm=\"subsidy\"";

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

namespace bj = boost::json;

// A connection that failed this way may be broken (or in an unknown transaction state): it is not reused.
bool breaks_connection(const store::StoreError& e) {
  const auto kind = service::kind_of(e);
  return kind == service::ErrorKind::database || kind == service::ErrorKind::internal;
}

}  // namespace

// ---- the pool ----

RepositoryPool::RepositoryPool(std::function<std::unique_ptr<store::CaseRepository>()> open) : open_(std::move(open)) {}

RepositoryPool::Lease::~Lease() {
  if (!repo_ || discard_) return;
  std::lock_guard lock(pool_->mutex_);
  pool_->idle_.push_back(std::move(repo_));
}

RepositoryPool::Lease RepositoryPool::lease() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto repo = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(repo));
    }
  }
  return Lease(*this, open_());  // outside the lock: connecting may take a while
}

// ---- statuses ----

unsigned status_of(const service::ServiceError& e) {
  using service::ErrorKind;
  switch (e.kind()) {
    case ErrorKind::usage:
    case ErrorKind::input: return 400;
    case ErrorKind::refused: {
      const std::string& c = e.code();
      if (c == "bad_credentials" || c == "bad_token" || c == "unauthenticated") return 401;
      if (c == "forbidden" || c == "forbidden_scope") return 403;
      if (c == "too_many_attempts") return 429;
      return 422;
    }
    case ErrorKind::not_found: return 404;
    case ErrorKind::conflict: return 409;
    case ErrorKind::database: return 503;
    case ErrorKind::rules:
    case ErrorKind::internal: return 500;
  }
  return 500;
}

Response error_of(const service::ServiceError& e) {
  Response r = error_response(status_of(e), service::error_kind_name(e.kind()), e.code(), e.what(), e.details());
  if (r.status == 401) {
    // RFC 6750 §3: a request without credentials gets the bare challenge; a bad token is named.
    std::string challenge(kChallenge);
    if (e.code() == "bad_token") challenge += ", error=\"invalid_token\"";
    r.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  }
  for (const auto& [k, v] : e.details())
    if (k == "retry_after_s") r.headers.emplace_back("Retry-After", v);
  return r;
}

Response error_of(const store::StoreError& e) { return error_of(service::to_service_error(e)); }

// ---- authentication ----

service::Principal authenticate(const Services& services, store::UserRepository& repo, const Request& req) {
  const std::string_view header = trim(req.header("authorization"));
  if (header.empty())
    throw service::ServiceError(service::ErrorKind::refused, "unauthenticated",
                                "this route needs credentials: Authorization: Bearer TOKEN (an API token or a login session)");
  const auto space = header.find(' ');
  const std::string_view token = space == std::string_view::npos ? std::string_view() : trim(header.substr(space + 1));
  if (!iequal(header.substr(0, space), "Bearer") || token.empty())
    throw service::ServiceError(service::ErrorKind::refused, "unauthenticated",
                                "the Authorization header takes the Bearer scheme: Authorization: Bearer TOKEN");
  return service::authenticate_token(repo, *services.credentials, token, services.clock());
}

namespace {

// Runs `body` with a pooled connection and the authenticated principal (holding `scope`, when
// given); every ServiceError/StoreError becomes its error response.
Response authenticated(const Services& services, Request& req, std::optional<service::Scope> scope,
                       const std::function<Response(store::CaseRepository&, const service::Principal&)>& body) {
  if (!services.pool)
    return error_response(503, "database", "no_database", "this service runs without a database (serve --db URL)");
  try {
    auto lease = services.pool->lease();
    try {
      const service::Principal principal = authenticate(services, *lease, req);
      req.user = principal.user.name;
      if (scope) service::require_scope(principal, *scope);
      return body(*lease, principal);
    } catch (const store::StoreError& e) {
      if (breaks_connection(e)) lease.discard();
      throw;
    } catch (const service::ServiceError&) {
      throw;
    } catch (const std::exception&) {
      lease.discard();
      throw;
    }
  } catch (const service::ServiceError& e) {
    return error_of(e);
  } catch (const store::StoreError& e) {
    return error_of(e);
  }
}

bj::object user_json(const store::User& u) { return bj::object{{"name", u.name}, {"display_name", u.display_name}}; }

// The user, roles and scopes of a principal (GET /v1/me, POST /v1/login).
bj::object principal_json(const service::Principal& p) {
  bj::array roles, scopes;
  for (const auto& r : p.roles) roles.emplace_back(r);
  for (auto s : p.scopes) scopes.emplace_back(service::scope_name(s));
  return bj::object{{"user", user_json(p.user)}, {"roles", std::move(roles)}, {"scopes", std::move(scopes)}};
}

// The string member `name` of a login body; input/missing_field or input/wrong_type (details.field).
std::string string_field(const bj::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v)
    throw service::ServiceError(service::ErrorKind::input, "missing_field", "the body has no `" + std::string(name) + "`",
                                {{"field", std::string(name)}});
  if (!v->is_string())
    throw service::ServiceError(service::ErrorKind::input, "wrong_type", "`" + std::string(name) + "` is a string",
                                {{"field", std::string(name)}});
  return std::string(v->get_string());
}

Response login(const Services& services, service::LoginThrottle& throttle, Request& req) {
  if (!services.pool)
    return error_response(503, "database", "no_database", "this service runs without a database (serve --db URL)");
  if (media_type(req.content_type) != "application/json")
    return error_response(415, "usage", "unsupported_media_type", "POST /v1/login takes application/json");
  boost::system::error_code ec;
  const bj::value body = bj::parse(req.body, ec);
  if (ec) return error_response(400, "input", "malformed_json", "the body is not JSON: " + ec.message());
  if (!body.is_object()) return error_response(400, "input", "wrong_type", "the body is a JSON object {\"user\",\"password\"}");
  try {
    const std::string name = string_field(body.get_object(), "user");
    const std::string password = string_field(body.get_object(), "password");
    auto lease = services.pool->lease();
    service::Session session;
    try {
      session = service::login(*lease, *services.credentials, throttle, name, password, req.remote, services.clock(),
                               services.session_lifetime);
    } catch (const service::ServiceError& e) {
      if (e.code() == "bad_credentials" || e.code() == "too_many_attempts") services.metrics->login_failed();
      throw;
    } catch (const store::StoreError& e) {
      if (breaks_connection(e)) lease.discard();
      throw;
    }
    req.user = session.principal.user.name;
    bj::object out{{"token", session.token}, {"expires_at", session.expires_at}};
    for (auto& kv : principal_json(session.principal)) out.emplace(kv.key(), std::move(kv.value()));
    return json_response(bj::serialize(out));
  } catch (const service::ServiceError& e) {
    return error_of(e);
  } catch (const store::StoreError& e) {
    return error_of(e);
  }
}

}  // namespace

Response with_principal(const Services& services, Request& req, service::Scope scope,
                        const std::function<Response(store::CaseRepository&, const service::Principal&)>& body) {
  return authenticated(services, req, scope, body);
}

Response with_scope(const Services& services, Request& req, service::Scope scope, const std::function<Response()>& body) {
  if (!services.pool) return body();
  bool allowed = false;
  Response refused = authenticated(services, req, scope, [&](store::CaseRepository&, const service::Principal&) {
    allowed = true;
    return Response{};
  });
  return allowed ? body() : refused;
}

void add_auth_routes(Router& router, const Services& services) {
  auto throttle = std::make_shared<service::LoginThrottle>();
  router.add("POST", "/v1/login", [&services, throttle](Request& req) { return login(services, *throttle, req); });
  router.add("POST", "/v1/logout", [&services](Request& req) {
    return authenticated(services, req, std::nullopt, [](store::CaseRepository& repo, const service::Principal& p) {
      service::logout(repo, p);
      return json_response(R"({"status":"logged_out"})");
    });
  });
  router.add("GET", "/v1/me", [&services](Request& req) {
    return authenticated(services, req, std::nullopt, [](store::CaseRepository&, const service::Principal& p) {
      return json_response(bj::serialize(principal_json(p)));
    });
  });
}

}  // namespace subsidy::http
