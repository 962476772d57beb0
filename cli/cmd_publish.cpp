// `subsidy rules publish DIR --note …`, `subsidy rules versions`, `subsidy case replay ID` and
// `subsidy audit replay` (docs/whatif.md "Publishing and replay"): published rule versions and the
// replay of stored decisions. Parses arguments and prints; the logic is service/publish.hpp and
// service/replay.hpp.
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <string>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/table.hpp"
#include "json/codec.hpp"
#include "service/publish.hpp"
#include "service/replay.hpp"

namespace subsidy::cli {

namespace {

namespace bj = boost::json;

// ------------------------------------------------------------------ rules publish

struct PublishOptions {
  std::string dir, db, note, calendar, as_of, format = "text";
};

int run_publish(const PublishOptions& o) {
  const bool json = o.format == "json";
  auto disk = files::prepare(o.dir, o.calendar);
  if (!disk.rules)
    return report_rules_error(*disk.lr, disk.error, json, disk.calendar.error.empty() ? "no_calendar" : "calendar_unreadable");
  std::string calendar_text;
  if (disk.calendar.found) calendar_text = read_text(disk.calendar.path).value_or("");
  return guarded(
        [&] {
          auto repo = open_db(o.db);
          service::PublishRequest r;
          r.compiled = disk.lr.get();
          r.files = disk.lr->files;
          r.calendar_text = std::move(calendar_text);
          r.note = o.note;
          r.who = os_user();
          r.tests_as_of = date_or_today(o.as_of);
          service::PublishResult res;
          try {
            res = service::publish_rules(*repo, r);
          } catch (const service::ServiceError& e) {
            if (e.code() != "rule_tests_failed") throw;
            ErrorView view = error_view(e);
            view.exit_code = kExitTestsFailed;  // as `rules test` (docs/integration.md §6)
            return report_error(view, json);
          }
          const auto& v = res.published;
          if (json) {
            std::printf("%s\n", service::version_json(v, res.unchanged).c_str());
          } else if (res.unchanged) {
            std::printf("unchanged: rule version %d already is ruleset %s (published %s by %s); nothing stored\n", v.version,
                        v.ruleset_hash.substr(0, 12).c_str(), v.published_at.c_str(), v.published_by.c_str());
          } else {
            std::printf("published rule version %d: ruleset %s · %s · by %s at %s\n", v.version, v.ruleset_hash.substr(0, 12).c_str(),
                        v.test_summary.c_str(), v.published_by.c_str(), v.published_at.c_str());
            std::printf("the service and the case commands given --db without --rules now use it\n");
          }
          return kExitOk;
        },
        json);
}

// ------------------------------------------------------------------ rules versions

struct VersionsOptions {
  std::string db, format = "text";
};

int run_versions(const VersionsOptions& o) {
  const bool json = o.format == "json";
  return guarded(
      [&] {
        auto repo = open_db(o.db);
        const auto all = repo->published_rulesets();
        if (json) {
          std::printf("%s\n", service::versions_json(all).c_str());
          return kExitOk;
        }
        if (all.empty()) {
          std::printf("no published rule version (publish one with `subsidy rules publish DIR --note …`)\n");
          return kExitOk;
        }
        Table t({{"version", Align::right}, {"ruleset"}, {"published at"}, {"by", Align::left, 24}, {"tests", Align::left, 72},
                 {"note", Align::left, 60}});
        for (const auto& v : all)
          t.add_row({std::to_string(v.version) + (&v == &all.back() ? "*" : ""), v.ruleset_hash.substr(0, 12), v.published_at,
                     v.published_by, v.test_summary, v.note});
        std::fputs(t.render().c_str(), stdout);
        std::printf("* current: the rules the service and the case commands use without --rules\n");
        return kExitOk;
      },
      json);
}

// ------------------------------------------------------------------ replay

bj::object replay_json(const service::ReplayResult& r) {
  bj::array diffs;
  for (const auto& d : r.differences) diffs.push_back(bj::object{{"what", d.what}, {"stored", d.stored}, {"replayed", d.replayed}});
  bj::object o{{"case", r.id},
               {"application_id", r.application_id},
               {"programme", r.programme},
               {"status", service::replay_status_name(r.status)},
               {"ruleset_hash", r.ruleset_hash},
               {"facts_version", r.facts_version},
               {"decided_at", r.decided_at},
               {"differences", std::move(diffs)}};
  if (r.as_of) o["as_of"] = model::format_date(r.as_of);
  if (!r.problem.empty()) o["problem"] = r.problem;
  return o;
}

void print_replay_text(const service::ReplayResult& r) {
  std::printf("case %lld · application %s · programme %s", static_cast<long long>(r.id), r.application_id.c_str(), r.programme.c_str());
  if (r.status != service::ReplayStatus::no_decision)
    std::printf(" · ruleset %s · as of %s · facts version %d", r.ruleset_hash.substr(0, 12).c_str(), model::format_date(r.as_of).c_str(),
                r.facts_version);
  std::printf("\n");
  switch (r.status) {
    case service::ReplayStatus::identical:
      std::printf("  identical: the replay gives exactly the stored decision\n");
      break;
    case service::ReplayStatus::no_decision:
      std::printf("  no decision to replay\n");
      break;
    case service::ReplayStatus::unreplayable:
      std::printf("  cannot be replayed: %s\n", r.problem.c_str());
      break;
    case service::ReplayStatus::differs:
      std::printf("  DIFFERS from the stored decision:\n");
      for (const auto& d : r.differences)
        std::printf("    %s: stored %s, replayed %s\n", d.what.c_str(), d.stored.c_str(), d.replayed.c_str());
      break;
  }
}

int replay_exit(service::ReplayStatus s) {
  switch (s) {
    case service::ReplayStatus::identical:
    case service::ReplayStatus::no_decision: return kExitOk;
    case service::ReplayStatus::differs: return kExitTestsFailed;
    case service::ReplayStatus::unreplayable: return kExitRules;
  }
  return kExitInternal;
}

struct ReplayOptions {
  std::string db, format = "text";
  long long id = 0;
  bool progress = false;
};

int run_case_replay(const ReplayOptions& o) {
  const bool json = o.format == "json";
  return guarded(
      [&] {
        auto repo = open_db(o.db);
        const auto r = service::replay_case(*repo, o.id, json::codec());
        if (json)
          std::printf("%s\n", bj::serialize(replay_json(r)).c_str());
        else
          print_replay_text(r);
        return replay_exit(r.status);
      },
      json);
}

int run_audit_replay(const ReplayOptions& o) {
  const bool json = o.format == "json";
  return guarded(
      [&] {
        auto repo = open_db(o.db);
        const bool tty = ::isatty(STDERR_FILENO) != 0;
        auto progress = [&](std::size_t done) {
          if (!o.progress && !tty) return;
          if (done % 1000 == 0) std::fprintf(stderr, tty ? "\rreplayed %zu cases" : "replayed %zu cases\n", done);
        };
        const auto s = service::replay_all(*repo, json::codec(), progress);
        if (tty || o.progress) std::fprintf(stderr, tty ? "\rreplayed %zu cases\n" : "replayed %zu cases\n", s.cases);
        if (json) {
          bj::array findings;
          for (const auto& r : s.findings) findings.push_back(replay_json(r));
          std::printf("%s\n", bj::serialize(bj::object{{"cases", s.cases},
                                                       {"identical", s.identical},
                                                       {"differs", s.differs},
                                                       {"unreplayable", s.unreplayable},
                                                       {"no_decision", s.no_decision},
                                                       {"findings", std::move(findings)},
                                                       {"findings_left_off", s.findings_left_off}})
                                  .c_str());
        } else {
          for (const auto& r : s.findings) print_replay_text(r);
          if (s.findings_left_off) std::printf("… and %zu more cases with findings, not listed\n", s.findings_left_off);
          std::printf("%zu cases replayed: %zu identical, %zu differ, %zu cannot be replayed, %zu without a decision\n", s.cases,
                      s.identical, s.differs, s.unreplayable, s.no_decision);
        }
        // 1 when a stored decision differs (tampering, or another evaluator); else 4 when some cannot be
        // replayed here (decided before migration 004 stored rulesets, or facts that no longer decode) —
        // the same code as `case replay` of such a case, so that "not checkable" is not "clean".
        if (s.differs) return kExitTestsFailed;
        if (s.unreplayable) {
          std::fprintf(stderr, "warning: %zu decision%s cannot be replayed (see the findings); none differs\n", s.unreplayable,
                       s.unreplayable == 1 ? "" : "s");
          return kExitRules;
        }
        return kExitOk;
      },
      json);
}

}  // namespace

void add_publish_commands(CLI::App& rules, Action& action) {
  auto po = std::make_shared<PublishOptions>();
  auto* pub = rules.add_subcommand(
      "publish",
      "check and test a rules directory and store it as the next published rule version: the ruleset the service and the "
      "case commands use when given --db without --rules (refused, exit 1, when a rule test fails; exit 4 when the rules "
      "do not check)");
  pub->add_option("DIR", po->dir, "rules directory")->required();
  add_db_option(pub, po->db);
  pub->add_option("--note", po->note, "why this version is published (recorded with it)")->required();
  pub->add_option("--calendar", po->calendar, "working-day calendar published with it (default: DIR/calendar/cn-mainland.tsv)");
  pub->add_option("--as-of", po->as_of, "evaluation date for tests without `as of` (YYYY-MM-DD; default: today)")->check(date_check);
  pub->add_option("--format", po->format, "text or json (the version as stored)")->check(CLI::IsMember({"text", "json"}));
  pub->callback([&action, po] { action = [po] { return run_publish(*po); }; });

  auto vo = std::make_shared<VersionsOptions>();
  auto* ver = rules.add_subcommand("versions", "list the published rule versions (the last is current)");
  add_db_option(ver, vo->db);
  ver->add_option("--format", vo->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  ver->callback([&action, vo] { action = [vo] { return run_versions(*vo); }; });
}

void add_replay_commands(CLI::App& app, Action& action) {
  auto co = std::make_shared<ReplayOptions>();
  auto* cs = app.get_subcommand("case")->add_subcommand(
      "replay",
      "re-evaluate a case's stored facts with the stored ruleset and as-of date of its decision and show that the decision "
      "is identical, or exactly what differs (exit 1 when it differs, 4 when it cannot be replayed)");
  cs->add_option("ID", co->id, "case id")->required();
  add_db_option(cs, co->db);
  cs->add_option("--format", co->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cs->callback([&action, co] { action = [co] { return run_case_replay(*co); }; });

  auto ao = std::make_shared<ReplayOptions>();
  auto* as = app.get_subcommand("audit")->add_subcommand(
      "replay",
      "replay every case's decision (as `case replay`): counts, and each case whose stored decision differs from its replay "
      "or cannot be replayed (at most 100 listed); exit 1 when one differs, else 4 when one cannot be replayed (decided "
      "before migration 004)");
  add_db_option(as, ao->db);
  as->add_option("--format", ao->format, "text or json (one object: counts and findings)")->check(CLI::IsMember({"text", "json"}));
  as->add_flag("--progress", ao->progress, "progress on stderr every 1,000 cases (default: only on a terminal)");
  as->callback([&action, ao] { action = [ao] { return run_audit_replay(*ao); }; });
}

}  // namespace subsidy::cli
