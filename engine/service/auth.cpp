#include "service/auth.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <regex>

#include "diag/suggest.hpp"
#include "service/errors.hpp"

namespace subsidy::service {
namespace {

constexpr std::array kScopes{Scope::decide, Scope::read, Scope::act, Scope::admin, Scope::policy};
constexpr const char* kScopeList = "decide, read, act, admin, policy";

store::User user_or_throw(store::UserRepository& repo, const std::string& name) {
  auto u = repo.find_user(name);
  if (!u) throw ServiceError(ErrorKind::not_found, "unknown_user", "no user `" + name + "`", {{"user", name}});
  return *u;
}

Principal principal_of(store::UserRepository& repo, const store::User& u, std::vector<Scope> scopes) {
  Principal p{u, {}, std::move(scopes), std::nullopt, false};
  for (const auto& g : repo.roles_of(u.id)) p.roles.push_back(g.role);
  p.user.password_hash.clear();  // the principal travels through request handling: no secret in it
  return p;
}

// "2026-12-02T08:30:00Z" → that instant; internal/bad_timestamp otherwise (the clock is wrong).
std::chrono::sys_seconds parse_timestamp(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 || z != 'Z' ||
      !std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                   std::chrono::day{static_cast<unsigned>(d)}}
           .ok())
    throw ServiceError(ErrorKind::internal, "bad_timestamp", "the clock gave `" + text + "`, not YYYY-MM-DDTHH:MM:SSZ");
  return std::chrono::sys_days{std::chrono::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{sec};
}

IssuedToken mint(store::UserRepository& repo, const Credentials& creds, const store::User& u, std::string_view prefix,
                 const std::vector<Scope>& scopes, const std::optional<std::string>& expires_at) {
  IssuedToken out;
  out.token = creds.new_token(prefix);
  out.stored.user = u.id;
  for (Scope s : scopes) out.stored.scopes.emplace_back(scope_name(s));
  out.stored.token_hash = creds.token_digest(out.token);
  out.stored.expires_at = expires_at;
  out.stored.id = repo.add_token(out.stored);
  out.stored = *repo.find_token(out.stored.token_hash);
  return out;
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
  });
}

}  // namespace

const char* scope_name(Scope s) {
  switch (s) {
    case Scope::decide: return "decide";
    case Scope::read: return "read";
    case Scope::act: return "act";
    case Scope::admin: return "admin";
    case Scope::policy: return "policy";
  }
  return "?";
}

std::vector<Scope> parse_scopes(std::string_view text) {
  std::vector<Scope> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string word(text.substr(start, comma - start));
    start = comma + 1;
    if (word.empty()) continue;
    auto it = std::find_if(kScopes.begin(), kScopes.end(), [&](Scope s) { return word == scope_name(s); });
    if (it == kScopes.end()) {
      std::vector<std::string> names;
      for (Scope s : kScopes) names.emplace_back(scope_name(s));
      const std::string near = diag::closest(word, names);
      throw ServiceError(ErrorKind::usage, "unknown_scope",
                         "unknown scope `" + word + "` (" + kScopeList + ")" +
                             (near.empty() ? "" : "; did you mean `" + near + "`?"),
                         {{"scope", word}});
    }
    if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
  }
  if (out.empty()) throw ServiceError(ErrorKind::usage, "no_scope", std::string("a token needs at least one scope (") + kScopeList + ")");
  return out;
}

void require_role(const Principal& p, std::string_view role) {
  if (std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end()) return;
  throw ServiceError(ErrorKind::refused, "forbidden",
                     "user `" + p.user.name + "` does not hold the role `" + std::string(role) + "`",
                     {{"user", p.user.name}, {"role", std::string(role)}});
}

bool holds_scope(const Principal& p, Scope s) { return std::find(p.scopes.begin(), p.scopes.end(), s) != p.scopes.end(); }

void require_policy(const Principal& p) {
  if (holds_scope(p, Scope::policy) || holds_scope(p, Scope::admin)) return;
  throw ServiceError(ErrorKind::refused, "forbidden_scope",
                     "the credential of user `" + p.user.name + "` does not allow `policy` (policy staff: the role `policy`, or `admin`)",
                     {{"user", p.user.name}, {"scope", "policy"}});
}

void require_scope(const Principal& p, Scope s) {
  if (std::find(p.scopes.begin(), p.scopes.end(), s) != p.scopes.end()) return;
  throw ServiceError(ErrorKind::refused, "forbidden_scope",
                     std::string("the credential of user `") + p.user.name + "` does not allow `" + scope_name(s) + "`",
                     {{"user", p.user.name}, {"scope", scope_name(s)}});
}

store::User add_user(store::UserRepository& repo, const Credentials& creds, const std::string& name,
                     const std::string& display_name, const std::optional<std::string>& password) {
  if (!valid_name(name))
    throw ServiceError(ErrorKind::usage, "bad_user_name", "a user name must be non-empty, without spaces or control characters",
                       {{"user", name}});
  if (password && password->empty()) throw ServiceError(ErrorKind::usage, "empty_password", "the password is empty", {{"user", name}});
  if (repo.find_user(name))
    throw ServiceError(ErrorKind::conflict, "duplicate_user", "user `" + name + "` already exists", {{"user", name}});
  store::User u;
  u.name = name;
  u.display_name = display_name.empty() ? name : display_name;
  if (password) u.password_hash = creds.hash_password(*password);
  u.id = repo.add_user(u);
  return *repo.load_user(u.id);
}

bool grant_role(store::UserRepository& repo, const workflow::WorkflowSet& workflows, const std::string& name,
                const std::string& role, const std::string& actor) {
  std::string why;
  const bool known = role == kAdminRole || role == kPolicyRole || std::any_of(workflows.workflows.begin(), workflows.workflows.end(), [&](const workflow::Workflow& wf) {
    std::string error;
    if (wf.parse_role(role, &error)) return true;
    if (why.empty() || (why.find("did you mean") == std::string::npos && error.find("did you mean") != std::string::npos))
      why = error;
    return false;
  });
  if (!known)
    throw ServiceError(ErrorKind::usage, "unknown_role", why.empty() ? "unknown role `" + role + "`" : why, {{"role", role}});
  const store::User u = user_or_throw(repo, name);
  return repo.grant_role(store::RoleGrant{u.id, role, actor, {}});
}

void revoke_role(store::UserRepository& repo, const std::string& name, const std::string& role) {
  const store::User u = user_or_throw(repo, name);
  if (!repo.revoke_role(u.id, role))
    throw ServiceError(ErrorKind::not_found, "not_granted", "user `" + name + "` does not hold the role `" + role + "`",
                       {{"user", name}, {"role", role}});
}

IssuedToken issue_token(store::UserRepository& repo, const Credentials& creds, const std::string& name,
                        const std::vector<Scope>& scopes, const std::optional<std::string>& expires_at) {
  static const std::regex timestamp(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)");
  if (expires_at && !std::regex_match(*expires_at, timestamp))
    throw ServiceError(ErrorKind::usage, "bad_expiry", "expiry `" + *expires_at + "` is not a UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)",
                       {{"expires", *expires_at}});
  if (scopes.empty()) throw ServiceError(ErrorKind::usage, "no_scope", std::string("a token needs at least one scope (") + kScopeList + ")");
  return mint(repo, creds, user_or_throw(repo, name), kApiTokenPrefix, scopes, expires_at);
}

void revoke_token(store::UserRepository& repo, store::TokenId id) {
  if (!repo.revoke_token(id))
    throw ServiceError(ErrorKind::not_found, "unknown_token", "no unrevoked token " + std::to_string(id),
                       {{"token", std::to_string(id)}});
}

std::vector<UserSummary> list_users(store::UserRepository& repo) {
  std::vector<UserSummary> out;
  for (auto& u : repo.list_users()) {
    UserSummary s{u, repo.roles_of(u.id), repo.tokens_of(u.id)};
    s.user.password_hash.clear();
    out.push_back(std::move(s));
  }
  return out;
}

Principal authenticate_password(store::UserRepository& repo, const Credentials& creds, const std::string& name,
                                std::string_view password) {
  const auto u = repo.find_user(name);
  const bool usable = u && !u->disabled && !u->password_hash.empty();
  // Without a usable hash, a hash of the same cost is verified anyway, so that an unknown name
  // costs what a wrong password costs.
  const bool verified = creds.verify_password(usable ? u->password_hash : creds.hash_password("no such user"), password);
  if (!usable || !verified)
    throw ServiceError(ErrorKind::refused, "bad_credentials", "unknown user or wrong password", {{"user", name}});
  return principal_of(repo, *u, {kScopes.begin(), kScopes.end()});
}

Principal authenticate_token(store::UserRepository& repo, const Credentials& creds, std::string_view token,
                             const std::string& now) {
  const std::string digest = creds.token_digest(token);
  const auto t = repo.find_token(digest);
  const auto refuse = [] { return ServiceError(ErrorKind::refused, "bad_token", "unknown, revoked or expired token"); };
  if (!t || !creds.same_digest(t->token_hash, digest) || t->revoked || (t->expires_at && !(now < *t->expires_at))) throw refuse();
  const auto u = repo.load_user(t->user);
  if (!u || u->disabled) throw refuse();
  std::vector<Scope> scopes;
  for (const auto& s : t->scopes) {
    auto it = std::find_if(kScopes.begin(), kScopes.end(), [&](Scope k) { return s == scope_name(k); });
    if (it != kScopes.end()) scopes.push_back(*it);
  }
  Principal p = principal_of(repo, *u, std::move(scopes));
  p.token = t->id;
  p.session = token.starts_with(kSessionPrefix);
  return p;
}

// ---- login sessions ----

LoginThrottle::LoginThrottle(LoginLimits limits, Clock clock) : limits_(limits), clock_(std::move(clock)) {}

bool LoginThrottle::prune(Failures& f, std::chrono::steady_clock::time_point now) const {
  f.erase(f.begin(), std::find_if(f.begin(), f.end(), [&](auto t) { return now - t < limits_.window; }));
  return f.empty();
}

std::int64_t LoginThrottle::locked_for(Table& table, std::string_view key, std::chrono::steady_clock::time_point now) const {
  const auto it = table.find(key);
  if (it == table.end()) return 0;
  Failures& f = it->second;
  if (prune(f, now)) {
    table.erase(it);
    return 0;
  }
  if (f.size() < limits_.failures) return 0;
  // Unlocked when all but failures − 1 of them have left the window.
  const auto until = f[f.size() - limits_.failures] + limits_.window;
  return std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(until - now).count());
}

void LoginThrottle::check(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  const std::int64_t wait = std::max(locked_for(by_user_, user, now), locked_for(by_address_, address, now));
  if (wait > 0)
    throw ServiceError(ErrorKind::refused, "too_many_attempts",
                       "too many failed logins for this user or from this address; try again in " + std::to_string(wait) + " s",
                       {{"retry_after_s", std::to_string(wait)}});
}

void LoginThrottle::failed(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  const auto now = clock_();
  for (auto* m : {&by_user_, &by_address_}) {
    const std::string_view key = m == &by_user_ ? user : address;
    auto it = m->find(key);
    if (it == m->end()) it = m->emplace(std::string(key), Failures{}).first;
    it->second.push_back(now);
  }
  if (by_user_.size() + by_address_.size() >= next_sweep_) {
    sweep(now);
    next_sweep_ = std::max<std::size_t>(1024, 2 * (by_user_.size() + by_address_.size()));
  }
}

void LoginThrottle::succeeded(std::string_view user) {
  std::lock_guard lock(mutex_);
  if (auto it = by_user_.find(user); it != by_user_.end()) by_user_.erase(it);
}

// Forgets the names and addresses whose failures have all left the window (bounded memory under a
// spray of names).
void LoginThrottle::sweep(std::chrono::steady_clock::time_point now) {
  for (auto* m : {&by_user_, &by_address_})
    for (auto it = m->begin(); it != m->end();) it = prune(it->second, now) ? m->erase(it) : std::next(it);
}

std::size_t LoginThrottle::tracked() const {
  std::lock_guard lock(mutex_);
  return by_user_.size() + by_address_.size();
}

Session login(store::UserRepository& repo, const Credentials& creds, LoginThrottle& throttle, const std::string& name,
              std::string_view password, std::string_view address, const std::string& now, std::chrono::seconds lifetime) {
  throttle.check(name, address);
  Principal p;
  try {
    p = authenticate_password(repo, creds, name, password);
  } catch (const ServiceError& e) {
    if (e.code() == "bad_credentials") throttle.failed(name, address);
    throw;
  }
  throttle.succeeded(name);
  p.scopes = {Scope::decide, Scope::read, Scope::act};
  const bool admin = std::find(p.roles.begin(), p.roles.end(), kAdminRole) != p.roles.end();
  if (admin) p.scopes.push_back(Scope::admin);
  if (admin || std::find(p.roles.begin(), p.roles.end(), kPolicyRole) != p.roles.end()) p.scopes.push_back(Scope::policy);
  const std::string expires = store::format_utc(parse_timestamp(now) + lifetime);
  IssuedToken t = mint(repo, creds, p.user, kSessionPrefix, p.scopes, expires);
  p.token = t.stored.id;
  p.session = true;
  return Session{std::move(t.token), expires, std::move(p)};
}

void logout(store::UserRepository& repo, const Principal& p) {
  if (!p.session || !p.token)
    throw ServiceError(ErrorKind::usage, "not_a_session",
                       "logout ends a login session (a sbs_ token); an API token is revoked with `subsidy user token-revoke`",
                       {{"user", p.user.name}});
  revoke_token(repo, *p.token);
}

}  // namespace subsidy::service
