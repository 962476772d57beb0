#pragma once
// Requests, responses and the route table of `subsidy serve` (docs/service.md), as plain values so
// that the HTTP library stays in server.cpp. Each group of routes (health and rules in
// handlers.cpp, decisions in decisions.cpp, cases in case_routes.cpp, …) adds itself to one Router;
// the route table is also what the OpenAPI test checks against /openapi.json.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "service/batch.hpp"

namespace subsidy::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query, as sent
  std::string content_type;
  std::string body;
  Fields headers;      // every header; names lower-case
  std::string remote;  // the client's address ("127.0.0.1"), for throttling and the access log
  // Set by the router:
  std::string path;                 // percent-decoded path
  std::string query;                // the encoded query (after '?')
  std::vector<std::string> params;  // the `{name}` segments of the matched pattern, in order
  std::string route;                // the pattern whose path matched ("/v1/cases/{id}"), "" when none: metrics, access log
  // Set by authentication: the user's name, for the access log ("" when not authenticated).
  std::string user;

  // The first header of that name (case-insensitive), "" when absent.
  std::string_view header(std::string_view name) const;
};

// A response body produced while the request body is still arriving (Response::stream): it reads
// the request body from `body` as it comes and writes the response body to `out` as it goes (sent
// chunked), on a thread of its own that may use `workers` threads. A failed read or write means the
// client went away or stalled: it ends the stream, and the connection is closed.
using BodyStream = std::function<void(service::ByteSource& body, service::ByteSink& out, unsigned workers)>;

// The response header naming the ruleset hash: set by a handler that decided with a ruleset (the one
// it used), else by the server from the ruleset serving then.
inline constexpr const char* kRulesetHashHeader = "X-Ruleset-Hash";

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  Fields headers;     // extra headers (Allow, WWW-Authenticate, Retry-After, Set-Cookie, …)
  BodyStream stream;  // set: the body is streamed (only for a route that takes a streamed body); `body` is unused
};

// The JSON error object of docs/integration.md §5.1, one line.
std::string error_json(std::string_view kind, std::string_view code, std::string_view message, const Fields& details = {});
// A response carrying that object.
Response error_response(unsigned status, std::string_view kind, std::string_view code, std::string_view message,
                        const Fields& details = {});
// A 200 (or `status`) response with a JSON body (a trailing newline is added).
Response json_response(std::string body, unsigned status = 200);
// The media type of a Content-Type header value, lower-case, without parameters ("" when absent).
std::string media_type(std::string_view content_type);

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;   // "GET", "POST", "PUT", "DELETE"
  std::string pattern;  // "/v1/cases/{id}/actions": a `{name}` matches one non-empty segment
  Handler handler;
  // A body of this media type is not read before the handler: it streams it (Response::stream).
  std::string streamed_type;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, std::string streamed_type = {});
  // Parses the target (400 bad_target), matches a route (404 unknown_route; 405 method_not_allowed
  // with Allow when the path has routes for other methods), fills req.path/query/params/route and calls it.
  Response dispatch(Request& req) const;
  // Whether the body of `req` (its method, target and content type) is for its route to stream.
  bool streams(const Request& req) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace subsidy::http
