#pragma once
// The HTTP server of `subsidy serve` (Boost.Beast, the only place that includes it): one
// io_context run by N threads, asynchronous sessions with keep-alive, a body limit, a request id
// and the ruleset hash on every response, graceful shutdown on SIGTERM/SIGINT (the listener
// closes, idle connections close, requests in flight finish and are answered) and SIGHUP
// (ServerOptions::on_hangup).
#include <cstddef>
#include <functional>
#include <string>

#include "http/handlers.hpp"

namespace subsidy::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: a free port
  unsigned threads = 1;
  std::size_t max_body = std::size_t{64} << 20;
  // Called on SIGHUP (a reload of the rules), on a thread of its own that serves no request, one
  // call at a time; SIGHUPs that arrive during a call are folded into one more call. Empty: SIGHUP
  // is ignored.
  std::function<void()> on_hangup;
};

// Listens, calls `listening(host, port)` once accepting, serves until SIGTERM or SIGINT and
// returns when every connection is closed. Throws std::runtime_error when it cannot listen.
void serve(const ServerOptions& options, const Handlers& handlers,
           const std::function<void(const std::string& host, unsigned short port)>& listening);

}  // namespace subsidy::http
