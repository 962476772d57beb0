// `subsidy serve --rules DIR [--db URL] [--listen HOST:PORT] [--threads N] [--max-body SIZE]`:
// the decisions API over HTTP (docs/service.md). Refuses to start (exit 4) when the rules do not load.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "auth/credentials.hpp"
#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "diag/diagnostic.hpp"
#include "files/rules_dir.hpp"
#include "http/authn.hpp"
#include "http/server.hpp"
#include "http/timers.hpp"
#include "web/desk.hpp"
#include "model/date.hpp"
#include "soci/soci_store.hpp"
#include "store/checkpoint.hpp"

namespace subsidy::cli {

namespace {

struct ServeOptions {
  std::string rules;
  std::string db;
  std::string listen = "127.0.0.1:8080";
  unsigned threads = 0;
  std::size_t max_body = std::size_t{64} << 20;
  unsigned read_timeout = 30;  // seconds
  unsigned max_streams = 8;
  std::string tls_cert, tls_key;
  std::string access_log = "stderr";  // off | stderr | FILE
  unsigned timers_every = 60;  // seconds; 0: no timers
  std::string today;           // test-only: the workflow date instead of today
  std::string today_file;      // test-only: the workflow date read from this file on each use
  unsigned session_hours = 12;  // lifetime of a login session
  std::string checkpoint_every, checkpoint_key, checkpoint_dir;  // scheduled checkpoints (all three, with --db)
};

// The scheduled checkpoints' period and signing key (read once, kept in memory only); an error
// message when the three options are not given together, without --db, or are wrong.
std::string checkpoint_settings(const ServeOptions& o, std::chrono::seconds& every, std::string& key) {
  const int given = !o.checkpoint_every.empty() + !o.checkpoint_key.empty() + !o.checkpoint_dir.empty();
  if (given == 0) return {};
  if (given != 3) return "--checkpoint-every, --checkpoint-key and --checkpoint-dir go together";
  if (o.db.empty()) return "--checkpoint-every needs --db (the database to checkpoint)";
  const auto d = http::parse_duration(o.checkpoint_every);
  if (!d) return "--checkpoint-every takes a DURATION such as 3600, 90s, 15m, 6h or 1d, not `" + o.checkpoint_every + "`";
  every = *d;
  const auto text = read_text(o.checkpoint_key);
  if (!text) return "cannot read the signing key " + o.checkpoint_key + " (--checkpoint-key)";
  try {
    store::Checkpoint probe;
    store::sign_checkpoint(probe, *text);
  } catch (const std::invalid_argument& e) {
    return "--checkpoint-key " + o.checkpoint_key + ": " + e.what();
  }
  key = *text;
  std::error_code ec;
  if (!std::filesystem::is_directory(o.checkpoint_dir, ec)) return "--checkpoint-dir " + o.checkpoint_dir + " is not a directory";
  return {};
}

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

// --access-log off|stderr|FILE: one JSON line per request (docs/service.md "Metrics and logs");
// a FILE is appended to. spdlog::spdlog_ex when the file cannot be opened.
std::shared_ptr<spdlog::logger> access_logger(const std::string& where) {
  if (where == "off") return nullptr;
  spdlog::sink_ptr sink;
  if (where == "stderr")
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  else
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(where);
  auto logger = std::make_shared<spdlog::logger>("access", std::move(sink));
  logger->set_pattern("%v");
  logger->flush_on(spdlog::level::info);
  return logger;
}

// --today-file FILE (test-only): the first word of FILE as a date (YYYY-MM-DD); none when the file
// cannot be read or does not start with a date.
std::optional<model::Days> read_today_file(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  if (!(in >> word)) return std::nullopt;
  return model::parse_date(word);
}

// Today read from FILE on each use, so a test can move the date of a running service; a file that
// does not read as a date keeps the last good day (and says so on stderr once per change).
std::function<model::Days()> today_from_file(const std::string& path, model::Days first) {
  struct State {
    std::mutex m;
    model::Days last;
    bool warned = false;
  };
  auto st = std::make_shared<State>();
  st->last = first;
  return [path, st] {
    auto day = read_today_file(path);
    std::lock_guard lock(st->m);
    if (day) {
      st->last = *day;
      st->warned = false;
    } else if (!st->warned) {
      std::fprintf(stderr, "warning: --today-file %s does not read as YYYY-MM-DD; keeping %s\n", path.c_str(),
                   model::format_date(st->last).c_str());
      st->warned = true;
    }
    return st->last;
  };
}

// The rules to serve, at start and on each reload: as the case commands choose them (current_rules:
// --rules DIR, else the latest rule version published in --db, else `rules`), so that a reload
// after `rules publish` serves the new version.
http::PreparedOrRefused prepare_served(const std::string& dir, const std::string& db) {
  files::PreparedFromDisk p;
  if (db.empty()) {
    p = files::prepare(dir.empty() ? "rules" : dir);
  } else {
    try {
      auto repo = open_db(db);
      p = current_rules(dir, *repo).disk;
    } catch (const std::exception& e) {
      if (dir.empty()) return {nullptr, "the rules published in " + soci_store::redact_url(db) + ": " + e.what(), {}};
      // --rules names the rules: a database that is down makes the service not ready (/readyz), it
      // does not keep it from starting; only the check against the published version is skipped.
      std::fprintf(stderr, "warning: cannot compare --rules with the version published in %s: %s\n",
                   soci_store::redact_url(db).c_str(), e.what());
      p = files::prepare(dir);
    }
  }
  http::PreparedOrRefused out{p.rules, p.error, {}};
  if (!p.rules && p.lr) out.diagnostics = diag::render_all(p.lr->diags, p.lr->sources);
  return out;
}

int run_serve(const ServeOptions& o) {
  http::ServerOptions so;
  if (o.listen.starts_with("unix:")) {
    so.unix_path = o.listen.substr(5);
    if (so.unix_path.empty()) {
      std::fprintf(stderr, "error: --listen unix:PATH needs the socket's path, e.g. unix:/run/subsidy/serve.sock\n");
      return kExitUsage;
    }
  } else if (!split_listen(o.listen, so.host, so.port)) {
    std::fprintf(stderr, "error: --listen takes HOST:PORT (for example 127.0.0.1:8080) or unix:PATH, not `%s`\n", o.listen.c_str());
    return kExitUsage;
  }
  so.threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  so.max_body = o.max_body;
  so.read_timeout = std::chrono::seconds(o.read_timeout);
  so.max_streams = o.max_streams;
  so.tls_cert = o.tls_cert;
  so.tls_key = o.tls_key;
  try {
    so.access_log = access_logger(o.access_log);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: cannot open the access log `%s` (--access-log): %s\n", o.access_log.c_str(), e.what());
    return kExitUsage;
  }
  std::chrono::seconds checkpoint_every{0};
  std::string checkpoint_key;
  if (const auto why = checkpoint_settings(o, checkpoint_every, checkpoint_key); !why.empty()) {
    std::fprintf(stderr, "error: %s\n", why.c_str());
    return kExitUsage;
  }
  auto prepared = prepare_served(o.rules, o.db);
  if (!prepared.rules) {
    std::fputs(prepared.diagnostics.c_str(), stderr);
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
  services.prepare_rules = [dir = o.rules, db = o.db] { return prepare_served(dir, db); };
  if (!o.db.empty()) {
    services.open_repository = [url = o.db] { return soci_store::open_repository(url); };
    services.pool = std::make_shared<http::RepositoryPool>(services.open_repository);
    services.credentials = std::make_shared<auth::Argon2Credentials>();
    services.session_lifetime = std::chrono::hours(o.session_hours);
  }
  if (!o.today.empty()) services.today = [day = date_or_today(o.today)] { return day; };
  if (!o.today_file.empty()) {
    const auto first = read_today_file(o.today_file);
    if (!first) {
      std::fprintf(stderr, "error: --today-file %s: cannot read a date YYYY-MM-DD from it\n", o.today_file.c_str());
      return kExitUsage;
    }
    services.today = today_from_file(o.today_file, *first);
  }
  services.tls = !o.tls_cert.empty();
  services.extra_routes.push_back(web::add_desk_routes);  // the officer's desk under /desk
  http::Handlers handlers(std::move(services));
  so.on_hangup = [&handlers] {
    const auto r = http::reload_rules(handlers.services());
    if (r.ok())
      std::fprintf(stderr, "SIGHUP: rules reloaded, ruleset %s (was %s)\n", r.hash.c_str(), r.previous_hash.c_str());
    else
      std::fprintf(stderr, "SIGHUP: rules not reloaded: %s; ruleset %s keeps serving\n%s", r.error.c_str(), r.hash.c_str(),
                   r.diagnostics.c_str());
  };
  // The timers run while the service listens (they need the case database).
  std::optional<http::TimerLoop> timers;
  std::optional<http::CheckpointLoop> checkpoints;
  http::TimerEvents timer_events{[](const service::AdvanceReport& r) {
                                   for (const auto& f : r.failed)
                                     std::fprintf(stderr, "timers: case %lld not moved [%s]: %s\n", static_cast<long long>(f.id),
                                                  f.code.c_str(), f.message.c_str());
                                 },
                                 [](const std::string& why) { std::fprintf(stderr, "timers: run stopped: %s\n", why.c_str()); }};
  try {
    http::serve(so, handlers, [&](const std::string& host, unsigned short port) {
      const bool v6 = host.find(':') != std::string::npos;
      if (!so.unix_path.empty())
        std::printf("listening on %s\n", host.c_str());
      else
        std::printf("listening on %s://%s%s%s:%u\n", so.tls_cert.empty() ? "http" : "https", v6 ? "[" : "", host.c_str(),
                  v6 ? "]" : "", port);
      std::fflush(stdout);
      if (o.timers_every > 0 && handlers.services().pool)
        timers.emplace(handlers.services(), std::chrono::seconds(o.timers_every), timer_events);
      if (checkpoint_every.count() > 0 && handlers.services().pool)
        checkpoints.emplace(handlers.services(), checkpoint_every, checkpoint_key, o.checkpoint_dir,
                            http::CheckpointEvents{[](const std::string& f) { std::fprintf(stderr, "checkpoint: wrote %s\n", f.c_str()); },
                                                   [](const std::string& why) {
                                                     std::fprintf(stderr, "checkpoint: not written: %s\n", why.c_str());
                                                   }});
    });
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return kExitUsage;
  }
  if (timers) timers->stop();
  if (checkpoints) checkpoints->stop();
  std::fprintf(stderr, "stopped\n");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "serve decisions over HTTP: /v1/decisions, /v1/rules, /healthz, /readyz (docs/service.md)");
  cmd->add_option("--rules", o->rules,
                  "rules directory (default: the latest rule version published in --db, re-read on reload; else rules)");
  cmd->add_option("--db", o->db, "database URL checked by /readyz (SQLite path or postgresql://…)");
  cmd->add_option("--listen", o->listen, "address and port, HOST:PORT (port 0: a free port), or unix:PATH: a Unix domain socket for a reverse proxy on the same host (no TLS)")->capture_default_str();
  cmd->add_option("--threads", o->threads, "server threads (default: the machine's cores)")->check(CLI::Range(1u, 256u));
  cmd->add_option("--max-body", o->max_body, "largest request body, e.g. 1048576, 512KiB, 64MiB (default 64MiB)")
      ->transform(CLI::AsSizeValue(false));
  cmd->add_option("--read-timeout", o->read_timeout,
                  "seconds a request may take to arrive from its first byte (then 408); a streamed body must move "
                  "bytes within it whenever it waits on the client")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
  cmd->add_option("--max-streams", o->max_streams, "JSON Lines bodies streamed at once (one more: 503)")
      ->check(CLI::Range(1u, 1024u))
      ->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "serve HTTPS with this certificate chain (PEM); needs --tls-key");
  cmd->add_option("--tls-key", o->tls_key, "the private key of --tls-cert (PEM)");
  cmd->add_option("--access-log", o->access_log, "one JSON line per request: off, stderr or a FILE appended to")
      ->capture_default_str();
  cmd->add_option("--timers-every", o->timers_every,
                  "with --db: move cases whose 公示 or correction period ended every SECONDS (default 60, 0: off)")
      ->capture_default_str();
  cmd->add_option("--session-hours", o->session_hours, "with --db: hours a login session (POST /v1/login) lasts")
      ->check(CLI::Range(1u, 8760u))
      ->capture_default_str();
  cmd->add_option("--today", o->today, "for tests only: the workflow date YYYY-MM-DD instead of today (China Standard Time)")
      ->check(date_check);
  cmd->add_option("--today-file", o->today_file,
                  "for tests only: the workflow date read from FILE (YYYY-MM-DD) on each use, so a test can move it "
                  "while the service runs")
      ->excludes("--today");
  cmd->add_option("--checkpoint-every", o->checkpoint_every,
                  "with --db: write a signed checkpoint (`audit checkpoint`) at start and every DURATION (3600, 90s, 15m, "
                  "6h, 1d) into --checkpoint-dir; instances sharing the directory write one chain");
  cmd->add_option("--checkpoint-key", o->checkpoint_key,
                  "the Ed25519 signing key of the scheduled checkpoints (KEY of `audit keygen`; read at start, never stored)");
  cmd->add_option("--checkpoint-dir", o->checkpoint_dir,
                  "where the scheduled checkpoints go: checkpoint-000001.txt, … each naming the one before");
  cmd->callback([&action, o] { action = [o] { return run_serve(*o); }; });
}

}  // namespace subsidy::cli
