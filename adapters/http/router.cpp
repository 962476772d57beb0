// The route table of `subsidy serve` (see router.hpp).
#include "http/router.hpp"

#include <boost/url.hpp>
#include <boost/url/src.hpp>  // Boost.URL header-only: Debian ships no compiled library; this is its one translation unit

#include <algorithm>
#include <cctype>

#include "json/error_object.hpp"

namespace subsidy::http {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Splits "/a/b/c" into its segments ("a", "b", "c"); "/" has none.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto end = std::min(path.find('/', i), path.size());
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

// The `{name}` captures when `path` matches `pattern` (a trailing slash does not match).
bool match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  if (path.size() > 1 && path.back() == '/') return false;
  const auto want = segments(pattern), got = segments(path);
  if (want.size() != got.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}')
      params.emplace_back(got[i]);
    else if (want[i] != got[i])
      return false;
  }
  return true;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return {};
}

std::string error_json(std::string_view kind, std::string_view code, std::string_view message, const Fields& details) {
  return subsidy::json::error_object(kind, code, message, details);
}

Response error_response(unsigned status, std::string_view kind, std::string_view code, std::string_view message,
                        const Fields& details) {
  Response r;
  r.status = status;
  r.body = error_json(kind, code, message, details) + "\n";
  return r;
}

Response json_response(std::string body, unsigned status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.body += '\n';
  return r;
}

std::string media_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) content_type.remove_suffix(1);
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) content_type.remove_prefix(1);
  std::string out(content_type);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void Router::add(std::string method, std::string pattern, Handler handler, std::string streamed_type) {
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(handler), std::move(streamed_type)});
}

bool Router::streams(const Request& req) const {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return false;
  const std::string path = url->path();
  std::vector<std::string> params;
  for (const auto& r : routes_)
    if (r.method == req.method && match(r.pattern, path, params))
      return !r.streamed_type.empty() && r.streamed_type == media_type(req.content_type);
  return false;
}

Response Router::dispatch(Request& req) const {
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return error_response(400, "usage", "bad_target", "the request target is not a path with a query");
  req.path = url->path();
  req.query = url->encoded_query();
  std::string allow;
  for (const auto& r : routes_) {
    if (!match(r.pattern, req.path, req.params)) continue;
    req.route = r.pattern;
    if (r.method == req.method) return r.handler(req);
    if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + r.method;
  }
  if (!allow.empty()) {
    auto res = error_response(405, "usage", "method_not_allowed",
                              "`" + req.path + "` takes " + allow + ", not " + req.method, {{"allow", allow}});
    res.headers.emplace_back("Allow", allow);
    return res;
  }
  return error_response(404, "not_found", "unknown_route", "no route `" + req.path + "`", {{"path", req.path}});
}

}  // namespace subsidy::http
