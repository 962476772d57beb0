#pragma once
// Rendering the desk's pages (internal to adapters/web): a page model is a Boost.JSON object turned
// into Mustache data ({{ }} escapes every value; {{{ }}} only takes HTML this library rendered), the
// page's texts in Chinese or English, and the security headers every desk response carries.
#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "http/router.hpp"
#include "model/schema.hpp"

namespace subsidy::web {

// The Content-Security-Policy of every desk response (no inline script or style).
inline constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'";

// `tmpl` rendered with `model`: strings and numbers as text, booleans and null as sections, arrays
// as lists. A template that does not parse is a programming error (std::logic_error).
std::string render(std::string_view tmpl, const boost::json::value& model);

// The texts of the pages (`t` in every model), by key, in the language asked.
const boost::json::object& texts(bool english);

// A response with the security headers: Content-Security-Policy, X-Content-Type-Options,
// Referrer-Policy.
http::Response secured(http::Response r);
// An HTML page (not cached: Cache-Control: no-store), secured.
http::Response html_response(unsigned status, std::string body);
http::Response redirect(std::string location);  // 303 See Other

// What the desk shows for a declared name (a stage, an action, a fact, an enum value, a
// programme): its label in the page's language, else the name itself — an English page never
// falls back to the Chinese label. labelled(): "label (name)", or the name alone without a label.
std::string label_text(const model::Label& label, const std::string& name, bool english);
std::string labelled(const model::Label& label, const std::string& name, bool english);

// The amount of `fen` as "12345.67" (yuan).
std::string yuan(long long fen);

}  // namespace subsidy::web
