#pragma once
// Users, role grants and API tokens (docs/service.md, "Users, roles and tokens"): the use cases
// that manage them and the two ways a caller proves who it is. The cryptography is injected
// (Credentials; adapters/auth implements it with Argon2id and OpenSSL), so this layer never sees a
// secret after hashing it and never links a crypto library.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/case_repository.hpp"
#include "store/clock.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::service {

// The two kinds of bearer token: API tokens (`subsidy user token`) and login sessions (POST /v1/login).
// Both are api_tokens rows; the prefix tells them apart to their holder (and to logout).
inline constexpr std::string_view kApiTokenPrefix = "sbt_";
inline constexpr std::string_view kSessionPrefix = "sbs_";

// The reserved role of administrators: granted like a workflow role, it is not one; a login
// session of its holder gets the admin scope.
inline constexpr std::string_view kAdminRole = "admin";
// The reserved role of policy staff (政策科室), who are not administrators: what-if over the stored
// cases, rules diff and publishing rule versions (docs/service.md "Users, roles and tokens"). A login
// session of its holder (or of an admin) gets the policy scope. Not a workflow role either.
inline constexpr std::string_view kPolicyRole = "policy";

// Password hashing, token minting and token digests.
class Credentials {
 public:
  virtual ~Credentials() = default;
  // The encoded password hash (algorithm, parameters and salt inside the string).
  virtual std::string hash_password(std::string_view password) const = 0;
  virtual bool verify_password(const std::string& encoded, std::string_view password) const = 0;
  // A new random token, `prefix` followed by the random part (shown to its owner once, never stored).
  virtual std::string new_token(std::string_view prefix) const = 0;
  // The stored form of a token (lowercase hex SHA-256).
  virtual std::string token_digest(std::string_view token) const = 0;
  // Constant-time equality of two digests.
  virtual bool same_digest(std::string_view a, std::string_view b) const = 0;
};

enum class Scope : std::uint8_t { decide, read, act, admin, policy };
const char* scope_name(Scope s);
// "decide,read" → the scopes, in that order, without repeats. ServiceError usage/unknown_scope
// (with "did you mean") for another word, usage/no_scope for none.
std::vector<Scope> parse_scopes(std::string_view text);

// Who is calling: the user, the roles granted to them, and what the credential allows
// (a token: its scopes; a password: every scope).
struct Principal {
  store::User user;
  std::vector<std::string> roles;
  std::vector<Scope> scopes;
  std::optional<store::TokenId> token;  // the token (or session) it authenticated with; none for a password
  bool session = false;                 // that token is a login session (sbs_)
};

// ServiceError refused/forbidden (details: user, role) unless `p` holds `role` exactly.
void require_role(const Principal& p, std::string_view role);
// ServiceError refused/forbidden_scope (details: user, scope) unless the credential allows `s`.
void require_scope(const Principal& p, Scope s);
bool holds_scope(const Principal& p, Scope s);
// What policy staff may do (what-if over stored cases, diff, publish): the credential allows
// `policy` or `admin`; else ServiceError refused/forbidden_scope (details: user, scope=policy).
void require_policy(const Principal& p);

// ---- administration (the CLI's `subsidy user …`) ----

// Adds a user with the password hashed (none: the user cannot log in with a password, only with
// tokens — an integrating system). ServiceError usage/bad_user_name (empty, or with whitespace or
// control characters), usage/empty_password, conflict/duplicate_user.
store::User add_user(store::UserRepository& repo, const Credentials& creds, const std::string& name,
                     const std::string& display_name, const std::optional<std::string>& password);
// Grants `role`, which must name a role of one of `workflows` (usage/unknown_role with "did you
// mean") or be the reserved role `admin` or `policy`; not_found/unknown_user. False when the user already held it (nothing changes).
bool grant_role(store::UserRepository& repo, const workflow::WorkflowSet& workflows, const std::string& name,
                const std::string& role, const std::string& actor);
// not_found/unknown_user; not_found/not_granted when the user does not hold `role`.
void revoke_role(store::UserRepository& repo, const std::string& name, const std::string& role);

struct IssuedToken {
  std::string token;      // the secret: shown once
  store::ApiToken stored;  // what the database keeps (its hash)
};
// A new token for the user. `expires_at`: a timestamp in the repositories' format
// ("2027-01-01T00:00:00Z", usage/bad_expiry otherwise); the token is refused from that instant on.
// not_found/unknown_user.
IssuedToken issue_token(store::UserRepository& repo, const Credentials& creds, const std::string& name,
                        const std::vector<Scope>& scopes, const std::optional<std::string>& expires_at);
// not_found/unknown_token when there is no such token or it is already revoked.
void revoke_token(store::UserRepository& repo, store::TokenId id);

struct UserSummary {
  store::User user;
  std::vector<store::RoleGrant> roles;
  std::vector<store::ApiToken> tokens;
};
std::vector<UserSummary> list_users(store::UserRepository& repo);  // by name

// ---- authentication ----

// ServiceError refused/bad_credentials for an unknown or disabled user, a user without a password,
// or a wrong password (one code and message for all, and an unknown user costs a verification too).
Principal authenticate_password(store::UserRepository& repo, const Credentials& creds, const std::string& name,
                                std::string_view password);
// ServiceError refused/bad_token for an unknown, revoked or expired token, or one of a disabled user.
// `now` in the repositories' timestamp format.
Principal authenticate_token(store::UserRepository& repo, const Credentials& creds, std::string_view token,
                             const std::string& now = store::utc_now());

// ---- login sessions (POST /v1/login, /v1/logout) ----

// Refuses logins after too many failures: `failures` within `window` for one user name, or for
// one client address, lock that name (or address) until the oldest of them is `window` old —
// even for the right password. In memory, per process; thread-safe; the clock is injected.
struct LoginLimits {
  unsigned failures = 5;
  std::chrono::seconds window{15 * 60};
};
class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  explicit LoginThrottle(LoginLimits limits = {}, Clock clock = std::chrono::steady_clock::now);

  // ServiceError refused/too_many_attempts (details: retry_after_s, the whole seconds until a
  // login may be tried again) when the name or the address is locked.
  void check(std::string_view user, std::string_view address);
  // Records a failed login of `user` from `address`.
  void failed(std::string_view user, std::string_view address);
  // A successful login clears the failures of the user name (not those of the address).
  void succeeded(std::string_view user);
  // How many user names and addresses have failures kept (memory stays bounded: those whose
  // failures have all left the window are forgotten).
  std::size_t tracked() const;

 private:
  using Failures = std::vector<std::chrono::steady_clock::time_point>;  // oldest first
  using Table = std::map<std::string, Failures, std::less<>>;
  // Drops the failures that have left the window; true when none is left.
  bool prune(Failures& f, std::chrono::steady_clock::time_point now) const;
  // Seconds until `key` has fewer than `failures` failures within the window (0: not locked); forgets it when it has none.
  std::int64_t locked_for(Table& table, std::string_view key, std::chrono::steady_clock::time_point now) const;
  void sweep(std::chrono::steady_clock::time_point now);

  LoginLimits limits_;
  Clock clock_;
  mutable std::mutex mutex_;
  Table by_user_, by_address_;
  std::size_t next_sweep_ = 1024;
};

struct Session {
  std::string token;       // sbs_…, the secret: shown once
  std::string expires_at;  // the repositories' timestamp format
  Principal principal;     // with the session's scopes
};
// Logs `name` in with the password (authenticate_password, behind `throttle`, from the client
// `address`) and opens a session: an api_tokens row of the scopes decide, read, act — and admin
// when the user holds the role `admin`, policy when they hold `policy` or `admin` — that expires `lifetime` after `now` (a timestamp in the
// repositories' format). refused/too_many_attempts, refused/bad_credentials.
Session login(store::UserRepository& repo, const Credentials& creds, LoginThrottle& throttle, const std::string& name,
              std::string_view password, std::string_view address, const std::string& now, std::chrono::seconds lifetime);
// Ends the session `p` authenticated with (revokes its token). usage/not_a_session for an API
// token or a password.
void logout(store::UserRepository& repo, const Principal& p);

}  // namespace subsidy::service
