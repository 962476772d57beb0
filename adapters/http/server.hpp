#pragma once
// The HTTP server of `subsidy serve` (Boost.Beast, the only place that includes it): one
// io_context run by N threads, asynchronous sessions with keep-alive, HTTPS when given a
// certificate, limits on the header, the body and the time a request may take to arrive, a request
// id and the ruleset hash on every response, streamed bodies (Response::stream) on threads of their
// own, the request metrics and the access log, graceful shutdown on SIGTERM/SIGINT (the listener
// closes, idle connections close, requests and streams in flight finish and are answered) and
// SIGHUP (ServerOptions::on_hangup). docs/service.md describes what a client sees.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "http/handlers.hpp"

namespace spdlog {
class logger;
}

namespace subsidy::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: a free port
  // Listen on this Unix domain socket instead of host:port (`--listen unix:PATH`): for a reverse
  // proxy on the same host. Without TLS; removed again when the server stops.
  std::string unix_path;
  unsigned threads = 1;        // also the worker threads of each streamed body
  std::size_t max_body = std::size_t{64} << 20;  // a body read whole (413 beyond); a streamed body has none
  // A request's header and body must arrive within this time from its first byte (else 408); a
  // streamed body must make progress (bytes in or out) within it whenever it waits on the client.
  std::chrono::seconds read_timeout{30};
  unsigned max_streams = 8;  // streamed bodies at once; one more is answered 503 too_many_streams
  // PEM files: serve HTTPS only (TLS 1.2 or later). Both or neither.
  std::string tls_cert, tls_key;
  // One JSON line per answered request (time, request id, remote, method, route, status, bytes,
  // duration, user); null: no access log.
  std::shared_ptr<spdlog::logger> access_log;
  // Called on SIGHUP (a reload of the rules), on a thread of its own that serves no request, one
  // call at a time; SIGHUPs that arrive during a call are folded into one more call. Empty: SIGHUP
  // is ignored.
  std::function<void()> on_hangup;
};

// Listens, calls `listening(host, port)` once accepting (host "unix:PATH" and port 0 on a Unix
// domain socket), serves until SIGTERM or SIGINT and
// returns when every connection is closed. Throws std::runtime_error when it cannot listen or
// cannot load the TLS certificate or key.
void serve(const ServerOptions& options, const Handlers& handlers,
           const std::function<void(const std::string& host, unsigned short port)>& listening);

}  // namespace subsidy::http
