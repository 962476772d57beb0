#pragma once
// Who is calling and what they may do, for every route of `subsidy serve` that needs credentials
// (docs/service.md "Authentication over HTTP"): the bearer token or login session of a request, the status
// of a service error, a pool of database connections shared by the server threads, and the
// login/logout/me routes with login throttling.
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "http/handlers.hpp"
#include "service/auth.hpp"
#include "service/errors.hpp"
#include "store/case_repository.hpp"

namespace subsidy::http {

// Connections to the case database, opened on demand with Services::open_repository and reused.
class RepositoryPool {
 public:
  explicit RepositoryPool(std::function<std::unique_ptr<store::CaseRepository>()> open);
  class Lease {
   public:
    Lease(RepositoryPool& pool, std::unique_ptr<store::CaseRepository> repo) : pool_(&pool), repo_(std::move(repo)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    store::CaseRepository& operator*() const { return *repo_; }
    store::CaseRepository* operator->() const { return repo_.get(); }
    // A connection that failed with a database error is not returned to the pool.
    void discard() { discard_ = true; }

   private:
    RepositoryPool* pool_;
    std::unique_ptr<store::CaseRepository> repo_;
    bool discard_ = false;
  };
  Lease lease();  // store::StoreError (unavailable) when a new connection cannot be opened

 private:
  friend class Lease;
  std::function<std::unique_ptr<store::CaseRepository>()> open_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<store::CaseRepository>> idle_;
};

// The HTTP status of a service error (docs/service.md "Errors"), and the response carrying it.
unsigned status_of(const service::ServiceError& e);
Response error_of(const service::ServiceError& e);
Response error_of(const store::StoreError& e);

// The principal of the request's `Authorization: Bearer …` (an API token or a login session).
// ServiceError refused/unauthenticated without the header, refused/bad_token for a token that is
// unknown, revoked or expired.
service::Principal authenticate(const Services& services, store::UserRepository& repo, const Request& req);

// Runs `body` with a pooled connection and the authenticated principal holding `scope`; every
// ServiceError/StoreError becomes its error response (503 no_database without a database).
// Sets req.user (the access log).
Response with_principal(const Services& services, Request& req, service::Scope scope,
                        const std::function<Response(store::CaseRepository&, const service::Principal&)>& body);

// The decisions routes: with a database (users), `body` runs only for a principal holding `scope`
// (the connection is returned before it runs); without one the decisions-only service is open.
Response with_scope(const Services& services, Request& req, service::Scope scope, const std::function<Response()>& body);

// POST /v1/login, POST /v1/logout, GET /v1/me (login throttling in memory, per instance).
void add_auth_routes(Router& router, const Services& services);

}  // namespace subsidy::http
