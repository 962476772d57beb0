// `subsidy serve --rules DIR [--db URL] [--listen HOST:PORT] [--threads N] [--max-body SIZE]`:
// the decisions API over HTTP (docs/service.md). Refuses to start (exit 4) when the rules do not load.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "auth/credentials.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "files/rules_dir.hpp"
#include "http/authn.hpp"
#include "http/server.hpp"
#include "soci/soci_store.hpp"

namespace subsidy::cli {

namespace {

struct ServeOptions {
  std::string rules;
  std::string db;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::size_t max_body = std::size_t{64} << 20;
};

// "HOST:PORT", "[IPv6]:PORT"; false when it is neither.
bool split_listen(const std::string& text, std::string& host, unsigned short& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned long p = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<unsigned long>(c - '0');
    if (p > 65535) return false;
  }
  port = static_cast<unsigned short>(p);
  return true;
}

int run_serve(const ServeOptions& o) {
  http::ServerOptions so;
  if (!split_listen(o.listen, so.host, so.port)) {
    std::fprintf(stderr, "error: --listen takes HOST:PORT (for example 127.0.0.1:8080), not `%s`\n", o.listen.c_str());
    return kExitUsage;
  }
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.max_body = o.max_body;
  auto prepared = files::prepare(o.rules);
  if (!prepared.rules) {
    files::print_diagnostics(*prepared.lr);
    std::fprintf(stderr, "error: %s; not starting\n", prepared.error.c_str());
    return kExitRules;
  }
  std::function<std::string()> ready;
  if (!o.db.empty()) {
    ready = [url = o.db]() -> std::string {
      try {
        const int version = soci_store::schema_version(url);
        if (version != soci_store::latest_schema_version())
          return "database schema version " + std::to_string(version) + ", this binary needs " +
                 std::to_string(soci_store::latest_schema_version()) + " (subsidy db migrate)";
        return {};
      } catch (const std::exception& e) {
        return "database " + soci_store::redact_url(url) + ": " + e.what();
      }
    };
  }
  http::Services services;
  services.rules = std::make_shared<http::RulesHolder>(prepared.rules);
  services.ready = std::move(ready);
  if (!o.db.empty()) {
    services.open_repository = [url = o.db] { return soci_store::open_repository(url); };
    services.pool = std::make_shared<http::RepositoryPool>(services.open_repository);
    services.credentials = std::make_shared<auth::Argon2Credentials>();
  }
  http::Handlers handlers(std::move(services));
  try {
    http::serve(so, handlers, [](const std::string& host, unsigned short port) {
      const bool v6 = host.find(':') != std::string::npos;
      std::printf("listening on http://%s%s%s:%u\n", v6 ? "[" : "", host.c_str(), v6 ? "]" : "", port);
      std::fflush(stdout);
    });
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitUsage;
  }
  std::fprintf(stderr, "stopped\n");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "serve decisions over HTTP: /v1/decisions, /v1/rules, /healthz, /readyz (docs/service.md)");
  cmd->add_option("--rules", o->rules, "rules directory")->required();
  cmd->add_option("--db", o->db, "database URL checked by /readyz (SQLite path or postgresql://…)");
  cmd->add_option("--listen", o->listen, "address and port, HOST:PORT (port 0: a free port)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "server threads (default: the machine's cores)")->check(CLI::Range(1u, 256u));
  cmd->add_option("--max-body", o->max_body, "largest request body, e.g. 1048576, 512KiB, 64MiB (default 64MiB)")
      ->transform(CLI::AsSizeValue(false));
  cmd->callback([&action, o] { action = [o] { return run_serve(*o); }; });
}

}  // namespace subsidy::cli
