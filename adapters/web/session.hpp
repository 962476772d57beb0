#pragma once
// Who is at the desk (internal to adapters/web): the session cookie, the CSRF token of every form,
// the role chosen, the language, the fields of a form, and the page frame around every page.
#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "http/authn.hpp"
#include "http/handlers.hpp"
#include "service/auth.hpp"
#include "service/cases.hpp"

namespace subsidy::web {

inline constexpr const char* kSessionCookie = "subsidy_session";
inline constexpr const char* kRoleCookie = "subsidy_role";
inline constexpr const char* kLangCookie = "subsidy_lang";
inline constexpr const char* kLoginCsrfCookie = "subsidy_login_csrf";

// The fields of a query string or an application/x-www-form-urlencoded body (the first of each name).
class Form {
 public:
  Form() = default;
  explicit Form(std::string_view encoded);
  void add(std::string_view encoded);
  void set(const std::string& key, std::string value) { values_.emplace(key, std::move(value)); }  // the first one stays
  std::string text(const std::string& key) const;
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// The value of cookie `name` in the request's Cookie header ("" when absent).
std::string cookie(const http::Request& req, std::string_view name);
// A Set-Cookie value: HttpOnly; SameSite=Strict; Path=/desk; Secure when `tls`; Max-Age when given.
std::string set_cookie(std::string_view name, std::string_view value, bool tls, std::optional<long> max_age = std::nullopt);
// The CSRF token of a session: hex HMAC-SHA256 keyed with the session token (OpenSSL), so it is
// known only to whoever holds the (HttpOnly) session cookie, and the same on every instance.
std::string csrf_for(std::string_view session_token);
// Constant-time equality (CRYPTO_memcmp) of two tokens.
bool same_token(std::string_view a, std::string_view b);
// A new random token (hex, 32 bytes) for the login form's double-submit cookie.
std::string random_token();
// Whether the request asks for English: ?lang=en, else the cookie subsidy_lang=en.
bool wants_english(const http::Request& req, const Form& query);

// One authenticated request to the desk.
struct Visit {
  const http::Services& services;
  http::Request& req;
  store::CaseRepository& repo;
  service::Principal who;
  std::string csrf;
  std::string role;  // the role the user acts in ("" when they hold none of the workflows' roles)
  bool english = false;
  Form query, form;  // the query string; the POST body
  std::shared_ptr<const service::PreparedRules> rules;
  service::Env env;
  model::Days today;
  http::Fields cookies;  // Set-Cookie headers to add to the response
  Visit(const http::Services& s, http::Request& r, store::CaseRepository& repo_, service::Principal p);
};

// Runs `page` for an authenticated visitor (a login session in the cookie; else GET → 303 to
// /desk/login and POST → 303 too, nothing done). A POST must carry the session's `csrf` field (403
// "CSRF" otherwise). A ServiceError or StoreError becomes an error page with the API's status
// (403 forbidden, 404 for a case not visible, 400 bad input, 409, 422 refusals).
http::Response with_visit(const http::Services& services, http::Request& req, bool post,
                          const std::function<http::Response(Visit&)>& page);

// The page frame around `body` (header with the user, the roles, the language switch) as a response.
http::Response frame(Visit& v, const std::string& title, const std::string& body, unsigned status = 200);
// A page model's common members: t (texts), csrf, lang.
boost::json::object model_of(const Visit& v);
// The error page of a refusal or bad input, at `status`.
http::Response error_page(Visit& v, unsigned status, const std::string& heading, const std::string& message,
                          const std::string& clause = {});
// The message of a ServiceError with its clause (details "clause"), in words.
std::string refusal_text(const service::ServiceError& e);

}  // namespace subsidy::web
