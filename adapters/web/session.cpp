// Who is at the desk: cookies, CSRF, the chosen role and language, forms, the page frame (session.hpp).
#include "web/session.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <boost/url.hpp>

#include <algorithm>
#include <stdexcept>

#include "service/errors.hpp"
#include "web/embedded.hpp"
#include "web/multipart.hpp"
#include "web/page.hpp"
#include "workflow/render.hpp"

namespace subsidy::web {

namespace bj = boost::json;

namespace {

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The role a visitor acts in: the cookie's, when they hold it; else their first role that is not admin.
std::string chosen_role(const http::Request& req, const service::Principal& who) {
  const std::string wanted = cookie(req, kRoleCookie);
  auto holds = [&](const std::string& r) { return std::find(who.roles.begin(), who.roles.end(), r) != who.roles.end(); };
  auto reserved = [](const std::string& r) { return r == service::kAdminRole || r == service::kPolicyRole; };
  if (!wanted.empty() && !reserved(wanted) && holds(wanted)) return wanted;
  for (const auto& r : who.roles)
    if (!reserved(r)) return r;
  return {};
}

}  // namespace

Form::Form(std::string_view encoded) { add(encoded); }

void Form::add(std::string_view encoded) {
  auto params = boost::urls::parse_query(encoded);
  if (!params) return;
  for (const auto& p : boost::urls::params_view(*params, boost::urls::encoding_opts(true, false, false)))
    values_.emplace(std::string(p.key), p.has_value ? std::string(p.value) : std::string());
}

std::string Form::text(const std::string& key) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::string() : it->second;
}

std::string cookie(const http::Request& req, std::string_view name) {
  std::string_view all = req.header("cookie");
  while (!all.empty()) {
    const auto semi = all.find(';');
    std::string_view part = trim(all.substr(0, semi));
    all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
    const auto eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name) return std::string(trim(part.substr(eq + 1)));
  }
  return {};
}

std::string set_cookie(std::string_view name, std::string_view value, bool tls, std::optional<long> max_age) {
  std::string c = std::string(name) + "=" + std::string(value) + "; Path=/desk; HttpOnly; SameSite=Strict";
  if (tls) c += "; Secure";
  if (max_age) c += "; Max-Age=" + std::to_string(*max_age);
  return c;
}

std::string csrf_for(std::string_view session_token) {
  static constexpr std::string_view purpose = "subsidy desk csrf v1";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), session_token.data(), static_cast<int>(session_token.size()),
            reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(), mac, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  return hex(mac, len);
}

bool same_token(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  return hex(bytes, sizeof bytes);
}

bool wants_english(const http::Request& req, const Form& query) {
  const std::string lang = query.text("lang");
  if (lang == "en") return true;
  if (lang == "zh") return false;
  return cookie(req, kLangCookie) == "en";
}

Visit::Visit(const http::Services& s, http::Request& r, store::CaseRepository& repo_, service::Principal p)
    : services(s),
      req(r),
      repo(repo_),
      who(std::move(p)),
      query(r.query),
      rules(s.rules->current()),
      env(*rules, repo_),
      today(s.today()) {}

std::string refusal_text(const service::ServiceError& e) {
  std::string text = e.what();
  for (const auto& [k, v] : e.details())
    if (k == "clause" && !v.empty() && text.find(v) == std::string::npos) text += " [" + v + "]";
  return text;
}

bj::object model_of(const Visit& v) {
  return bj::object{{"t", texts(v.english)}, {"csrf", v.csrf}, {"lang", v.english ? "en" : "zh-CN"}};
}

http::Response frame(Visit& v, const std::string& title, const std::string& body, unsigned status) {
  bj::object m = model_of(v);
  m["title"] = title;
  m["body"] = body;
  m["user"] = v.who.user.display_name.empty() ? v.who.user.name : v.who.user.display_name;
  bj::array roles;
  std::size_t acting = 0;
  for (const auto& r : v.who.roles) {
    if (r == service::kAdminRole || r == service::kPolicyRole) continue;
    roles.push_back(bj::object{{"name", r}, {"selected", r == v.role}});
    ++acting;
  }
  m["roles"] = std::move(roles);
  m["several_roles"] = acting > 1;
  // The rules page of policy staff (policy_page.cpp): shown to holders of the policy or admin scope only.
  if (service::holds_scope(v.who, service::Scope::policy) || service::holds_scope(v.who, service::Scope::admin))
    m["policy_nav"] = v.english ? "Rules" : "规则";
  m["lang_href"] = v.req.path + (v.english ? "?lang=zh" : "?lang=en");
  http::Response r = html_response(status, render(embedded::layout(), m));
  for (auto& c : v.cookies) r.headers.push_back(c);
  return r;
}

http::Response error_page(Visit& v, unsigned status, const std::string& heading, const std::string& message,
                          const std::string& clause) {
  bj::object m = model_of(v);
  m["heading"] = heading;
  m["message"] = message;
  m["clause"] = clause;
  return frame(v, heading, render(embedded::error(), m), status);
}

http::Response with_visit(const http::Services& services, http::Request& req, bool post,
                          const std::function<http::Response(Visit&)>& page) {
  if (!services.pool) return html_response(503, "<p>this service runs without a database (serve --db URL)</p>");
  const std::string token = cookie(req, kSessionCookie);
  if (token.rfind(service::kSessionPrefix, 0) != 0) return redirect("/desk/login");
  try {
    auto lease = services.pool->lease();
    service::Principal who;
    try {
      who = service::authenticate_token(*lease, *services.credentials, token, services.clock());
    } catch (const service::ServiceError&) {
      http::Response r = redirect("/desk/login");  // expired or ended: log in again
      r.headers.emplace_back("Set-Cookie", set_cookie(kSessionCookie, "", services.tls, 0));
      return r;
    }
    req.user = who.user.name;
    Visit v(services, req, *lease, std::move(who));
    v.csrf = csrf_for(token);
    v.role = chosen_role(req, v.who);
    v.english = wants_english(req, v.query);
    const std::string lang = v.query.text("lang");
    if (lang == "en" || lang == "zh") v.cookies.emplace_back("Set-Cookie", set_cookie(kLangCookie, lang, services.tls));
    if (post) {
      const std::string media = http::media_type(req.content_type);
      if (media == "application/x-www-form-urlencoded") v.form = Form(req.body);
      if (media == "multipart/form-data") {  // the submit page's file upload: each file's text under its field, its name under FIELD.filename
        if (req.body.size() > kMaxUpload)
          return html_response(413, "<!DOCTYPE html><title>413</title><p>The upload is larger than " + std::to_string(kMaxUpload >> 20) +
                                        " MiB: split the applications or submit them with `subsidy case import`.</p>");
        try {
          for (auto& part : parse_multipart(req.body, boundary_of(req.content_type))) {
            if (!part.filename.empty()) v.form.set(part.name + ".filename", part.filename);
            v.form.set(part.name, std::move(part.body));
          }
        } catch (const MultipartError& e) {
          return html_response(400, "<!DOCTYPE html><title>400</title><p>The form's upload could not be read: " + workflow::xml_escape(e.what()) + "</p>");
        }
      }
      if (!same_token(v.form.text("csrf"), v.csrf)) {
        http::Response r = html_response(403, "<!DOCTYPE html><title>403</title><p>CSRF: the form's token is missing or wrong; reload the page and try again.</p>");
        return r;
      }
    }
    try {
      return page(v);
    } catch (const service::ServiceError& e) {
      const unsigned status = http::status_of(e);
      const auto& t = texts(v.english);
      const char* key = status == 403 ? "forbidden" : status == 404 ? "not_found" : status == 400 ? "bad_input" : "failed";
      return error_page(v, status, std::string(t.at(key).as_string()), refusal_text(e));
    } catch (const store::StoreError& e) {
      const auto se = service::to_service_error(e);
      if (se.kind() == service::ErrorKind::database || se.kind() == service::ErrorKind::internal) lease.discard();
      return error_page(v, http::status_of(se), std::string(texts(v.english).at("failed").as_string()), refusal_text(se));
    }
  } catch (const service::ServiceError& e) {
    return html_response(http::status_of(e), "<!DOCTYPE html><title>error</title><p>" + std::string("service unavailable") + "</p>");
  } catch (const store::StoreError& e) {
    return html_response(503, "<!DOCTYPE html><title>error</title><p>the database is unavailable</p>");
  }
}

}  // namespace subsidy::web
