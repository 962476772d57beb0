// `subsidy case advance` (docs/cases.md §2.1): moves every open case whose `after` period (公示,
// correction period) ended before --date, as the service's advance_due does.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "model/date.hpp"
#include "service/advance.hpp"

namespace subsidy::cli {

namespace {

struct AdvanceOptions {
  std::string rules = "rules", db, date, format = "text";
  bool progress = false, no_progress = false;
  std::size_t batch = 100;
};

std::string report_json(const service::AdvanceReport& r) {
  namespace bj = boost::json;
  bj::object o;
  o["date"] = model::format_date(r.date);
  o["listed"] = r.listed;
  bj::array moved, skipped, failed;
  for (const auto& m : r.moved) {
    bj::object x;
    x["id"] = m.id;
    x["application_id"] = m.application_id;
    x["programme"] = m.programme;
    x["from"] = m.from;
    x["to"] = m.to;
    x["closed"] = m.closed;
    x["released_fen"] = m.released_fen;
    bj::array notes;
    for (const auto& n : m.budget_notes) notes.emplace_back(n);
    x["budget"] = std::move(notes);
    moved.emplace_back(std::move(x));
  }
  for (const auto& s : r.skipped) skipped.emplace_back(bj::object{{"id", s.id}, {"why", service::advance_skip_name(s.why)}});
  for (const auto& f : r.failed)
    failed.emplace_back(bj::object{
        {"id", f.id}, {"kind", service::error_kind_name(f.kind)}, {"code", f.code}, {"message", f.message}});
  o["moved"] = std::move(moved);
  o["skipped"] = std::move(skipped);
  o["failed"] = std::move(failed);
  o["released_fen"] = r.released_fen;
  return bj::serialize(o);
}

const char* skip_text(service::AdvanceSkip s) {
  switch (s) {
    case service::AdvanceSkip::locked: return "another run is moving it";
    case service::AdvanceSkip::conflict: return "it changed while being moved";
    case service::AdvanceSkip::moved: return "already moved";
  }
  return "";
}

void print_report(const service::AdvanceReport& r) {
  std::printf("case advance %s: %zu due, %zu moved, %zu skipped, %zu failed", model::format_date(r.date).c_str(), r.listed,
              r.moved.size(), r.skipped.size(), r.failed.size());
  if (r.released_fen > 0) std::printf("; released %s of reservations", service::money(r.released_fen).c_str());
  std::printf("\n");
  for (const auto& m : r.moved) {
    std::printf("  case %lld (%s, %s): %s → %s%s", static_cast<long long>(m.id), m.application_id.c_str(), m.programme.c_str(),
                m.from.c_str(), m.to.c_str(), m.closed ? " (terminal)" : "");
    if (m.released_fen > 0) std::printf("; released %s", service::money(m.released_fen).c_str());
    std::printf("\n");
  }
  for (const auto& s : r.skipped)
    std::printf("  case %lld skipped: %s (%s)\n", static_cast<long long>(s.id), service::advance_skip_name(s.why), skip_text(s.why));
  for (const auto& f : r.failed)
    std::fprintf(stderr, "error: case %lld not moved [%s/%s]: %s\n", static_cast<long long>(f.id), service::error_kind_name(f.kind),
                 f.code.c_str(), f.message.c_str());
}

int run_advance(const AdvanceOptions& o) {
  const bool json = o.format == "json";
  Session s;
  if (int rc = open_session(o.rules, o.db, s, json)) return rc;
  const bool show = o.progress || (!o.no_progress && ::isatty(2));
  return guarded(
      [&] {
        const model::Days date = date_or_today(o.date);
        service::AdvanceOptions opts;
        opts.batch = o.batch;
        const auto t0 = std::chrono::steady_clock::now();
        if (show) {
          opts.progress = [&](const service::AdvanceProgress& p) {
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::fprintf(stderr, "\radvance: %zu due cases handled, %zu moved (%.0f cases/s)", p.done, p.moved,
                         secs > 0 ? static_cast<double>(p.done) / secs : 0.0);
          };
        }
        const service::AdvanceReport r = service::advance_due(*s.env, date, opts);
        if (show) std::fputc('\n', stderr);
        if (json) {
          std::printf("%s\n", report_json(r).c_str());
          for (const auto& f : r.failed)
            std::fprintf(stderr, "error: case %lld not moved [%s/%s]: %s\n", static_cast<long long>(f.id),
                         service::error_kind_name(f.kind), f.code.c_str(), f.message.c_str());
        } else {
          print_report(r);
        }
        return r.failed.empty() ? kExitOk : kExitInput;
      },
      json);
}

}  // namespace

void add_case_advance_command(CLI::App& app, Action& action) {
  auto* cc = app.get_subcommand("case");
  auto o = std::make_shared<AdvanceOptions>();
  auto* adv = cc->add_subcommand(
      "advance", "move every case whose 公示 or correction period ended before --date (one system event each; for cron)");
  add_rules_option(adv, o->rules);
  add_db_option(adv, o->db);
  adv->add_option("--date", o->date, "the day it is (default: today, China Standard Time); periods that ended before it fire")
      ->check(date_check);
  adv->add_option("--format", o->format, "output: text|json")->check(CLI::IsMember({"text", "json"}));
  adv->add_option("--batch", o->batch, "due cases moved per transaction (default 100; a failed batch is retried case by case)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  adv->add_flag("--progress", o->progress, "progress on stderr even when it is not a terminal");
  adv->add_flag("--no-progress", o->no_progress, "no progress line");
  adv->callback([&action, o] { action = [o] { return run_advance(*o); }; });
}

}  // namespace subsidy::cli
