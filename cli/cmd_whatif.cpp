// `subsidy rules diff BASE DRAFT` and `subsidy rules whatif --base BASE --draft DRAFT
// (--population FILE | --cases DB) …` (docs/whatif.md). Parses arguments, loads the rules, calls
// eval::diff_rulesets / service::whatif_* and prints; the analysis itself is in the engine.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/stream_io.hpp"
#include "cli/table.hpp"
#include "eval/diff.hpp"
#include "files/rules_dir.hpp"
#include "json/codec.hpp"
#include "model/date.hpp"
#include "model/money.hpp"
#include "service/budgets.hpp"
#include "service/publish.hpp"
#include "service/whatif.hpp"
#include "service/whatif_html.hpp"

namespace subsidy::cli {

namespace {

std::string yuan(model::Fen f) { return model::format_yuan(f); }
std::string signed_yuan(model::Fen f) { return (f > 0 ? "+" : "") + model::format_yuan(f); }
std::string signed_num(std::int64_t n) { return (n > 0 ? "+" : "") + std::to_string(n); }

// ---------------------------------------------------------------- rules diff

struct DiffOptions {
  std::string base, draft, db;
  std::string format = "text";
};

std::string contract_line(const eval::ContractChange& c) {
  std::string s = (c.breaking ? "warning: input contract: fact `" : "note: input contract: fact `") + c.fact + "` " + c.what;
  if (!c.base.empty() || !c.draft.empty()) s += " (" + (c.base.empty() ? "-" : c.base) + " → " + (c.draft.empty() ? "-" : c.draft) + ")";
  if (!c.required_by.empty()) s += ", required by " + c.required_by;
  s += "\n    base:  " + (c.base_at.empty() ? "-" : c.base_at) + "\n    draft: " + (c.draft_at.empty() ? "-" : c.draft_at) + "\n";
  return s;
}

// BASE or DRAFT: a rules directory, or a published version `@N` / `version:N` of the database --db.
struct RulesSide {
  files::PreparedFromDisk disk;                          // a directory (prepared: workflows and calendar)
  std::unique_ptr<files::LoadedRules> lr;                // a directory (compiled only)
  std::shared_ptr<const service::PreparedRules> prepared;  // a published version, or disk.rules
  const eval::Ruleset* rs = nullptr;
};

std::optional<int> version_of(const std::string& spec) {
  std::string n = spec.starts_with("@") ? spec.substr(1) : spec.starts_with("version:") ? spec.substr(8) : "";
  if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 9) return std::nullopt;
  return std::stoi(n);
}

// Loads one side; `prepared`: with workflows and calendar (for cases). An exit code when it cannot be used.
int load_side(const std::string& spec, const std::string& db, bool prepared, const char* which, RulesSide& out, bool json) {
  if (auto v = version_of(spec)) {
    if (db.empty()) {
      std::fprintf(stderr, "error: the %s rules `%s` are a published version: give the database with --db\n", which, spec.c_str());
      return kExitUsage;
    }
    return guarded([&] {
      auto repo = open_db(db);
      out.prepared = service::published_rules(*repo, *v, json::codec());
      out.rs = &out.prepared->ruleset();
      return kExitOk;
    }, json);
  }
  if (prepared) {
    out.disk = files::prepare(spec);
    if (!out.disk.rules) return report_rules_error(*out.disk.lr, std::string("the ") + which + " rules (" + spec + "): " + out.disk.error, json);
    out.prepared = out.disk.rules;
    out.rs = &out.prepared->ruleset();
    return kExitOk;
  }
  out.lr = files::load_rules(spec);
  if (!out.lr->ruleset) return report_rules_error(*out.lr, std::string("the ") + which + " rules (" + spec + ") cannot be used", json);
  out.rs = out.lr->ruleset.get();
  return kExitOk;
}

int run_diff(const DiffOptions& o) {
  RulesSide b, d;
  if (int rc = load_side(o.base, o.db, false, "base", b, o.format == "json")) return rc;
  if (int rc = load_side(o.draft, o.db, false, "draft", d, o.format == "json")) return rc;
  const auto diff = eval::diff_rulesets(*b.rs, *d.rs);
  if (o.format == "json") {
    std::printf("%s\n", service::diff_json(diff).c_str());
    return kExitOk;
  }
  for (const auto& c : diff.contract) std::fputs(contract_line(c).c_str(), c.breaking ? stderr : stdout);
  for (const auto& i : diff.items) {
    std::printf("%s %s %s%s\n", eval::change_name(i.change), i.kind.c_str(), i.name.c_str(),
                i.what.empty() ? "" : (" (" + i.what + ")").c_str());
    if (i.change != eval::Change::added) std::printf("  - %s\n      at %s\n", i.base.c_str(), i.base_at.c_str());
    if (i.change != eval::Change::removed) std::printf("  + %s\n      at %s\n", i.draft.c_str(), i.draft_at.c_str());
  }
  std::size_t breaking = 0;
  for (const auto& c : diff.contract) breaking += c.breaking;
  std::printf("%zu change%s, %zu input-contract change%s (%zu breaking): base %s → draft %s\n", diff.items.size(),
              diff.items.size() == 1 ? "" : "s", diff.contract.size(), diff.contract.size() == 1 ? "" : "s", breaking,
              b.rs->hash.substr(0, 12).c_str(), d.rs->hash.substr(0, 12).c_str());
  return kExitOk;
}

// ---------------------------------------------------------------- rules whatif

struct WhatIfCliOptions {
  std::string base, draft, population, cases, db, as_of, by, html, format = "text", lang = "zh", stage = "open";
  int year = 0;
  bool all = false, progress = false, no_progress = false;
  std::size_t sample = 20;
  unsigned jobs = 0;
};

struct Words {
  const char *programme, *title, *eligible, *amount, *base, *draft, *delta, *band, *count, *budget, *demand, *status, *over,
      *within, *changed, *id, *outcome, *why, *applicants, *total, *heading, *showing;
};
const Words kZh{"项目", "名称", "符合条件", "金额", "现行", "草案", "变化", "类别", "数量", "预算", "需求", "状态", "超出预算",
                "未超出", "发生变化的申报", "申报编号", "结果", "变化原因", "申报数", "合计", "规则草案影响评估", "列出前"};
const Words kEn{"programme", "title", "eligible", "amount", "base", "draft", "Δ", "band", "count", "budget", "demand", "status",
                "over budget", "within budget", "changed applicants", "id", "outcome", "why", "applicants", "total",
                "What-if", "showing the first"};

std::string change_row_text(const service::ChangedApplicant& c, bool en) {
  std::string s;
  for (const auto& p : c.programmes)
    s += c.id + "\t" + p.programme + "\t" + p.base_outcome + " → " + p.draft_outcome + "\t" + yuan(p.base_amount) + " → " +
         yuan(p.draft_amount) + "\t" + signed_yuan(p.draft_amount - p.base_amount) + "\t" + eval::why_text(p.why, en) +
         (p.why.draft_at.empty() ? "" : " @ " + p.why.draft_at) + "\n";
  return s;
}

void print_text(const service::WhatIfReport& r, const WhatIfCliOptions& o, const eval::RulesDiff& diff, std::FILE* all_rows) {
  const bool en = o.lang == "en";
  const Words& w = en ? kEn : kZh;
  std::printf("%s: %s %s (%s) → %s %s (%s), %s %s, %zu %s (%s)\n\n", w.heading, w.base, o.base.c_str(), r.base_hash.substr(0, 12).c_str(),
              w.draft, o.draft.c_str(), r.draft_hash.substr(0, 12).c_str(), en ? "as of" : "评估日期",
              model::format_date(r.as_of).c_str(), r.records, w.applicants, r.source.c_str());
  for (const auto& c : diff.contract)
    if (c.breaking) std::fputs(contract_line(c).c_str(), stderr);
  Table t({{w.programme}, {w.title, Align::left, 24}, {std::string(w.eligible) + " " + w.base, Align::right}, {w.draft, Align::right},
           {w.delta, Align::right}, {std::string(w.amount) + " " + w.base, Align::right}, {w.draft, Align::right}, {w.delta, Align::right}});
  for (const auto& p : r.programmes)
    t.add_row({p.id, en && !p.title_en.empty() ? p.title_en : p.title_zh, std::to_string(p.base_eligible), std::to_string(p.draft_eligible),
               signed_num(p.draft_eligible - p.base_eligible), yuan(p.base_amount), yuan(p.draft_amount),
               signed_yuan(p.draft_amount - p.base_amount)});
  t.add_row({w.total, "", "", "", "", yuan(r.base_total), yuan(r.draft_total), signed_yuan(r.delta())});
  std::fputs(t.render().c_str(), stdout);

  Table bands({{w.band}, {w.count, Align::right}, {w.base, Align::right}, {w.draft, Align::right}, {w.delta, Align::right}});
  for (std::size_t k = 0; k < service::kBands; ++k) {
    const auto& b = r.bands[k];
    bands.add_row({service::band_label(static_cast<service::Band>(k), en), std::to_string(b.count), yuan(b.base), yuan(b.draft),
                   signed_yuan(b.delta())});
  }
  std::printf("\n");
  std::fputs(bands.render().c_str(), stdout);

  if (!r.by.empty()) {
    Table g({{r.by}, {w.applicants, Align::right}, {w.changed, Align::right}, {std::string(w.amount) + " " + w.base, Align::right},
             {w.draft, Align::right}, {w.delta, Align::right}});
    for (const auto& x : r.groups)
      g.add_row({x.key, std::to_string(x.applicants), std::to_string(x.changed), yuan(x.base_amount), yuan(x.draft_amount),
                 signed_yuan(x.draft_amount - x.base_amount)});
    std::printf("\n");
    std::fputs(g.render().c_str(), stdout);
  }
  if (r.budget_year) {
    Table b({{std::string(w.budget) + " " + std::to_string(r.budget_year)}, {w.budget, Align::right},
             {std::string(w.demand) + " " + w.base, Align::right}, {w.draft, Align::right}, {w.status}});
    for (const auto& x : r.budgets)
      b.add_row({x.programme, yuan(x.total), yuan(x.base_demand), yuan(x.draft_demand),
                 x.draft_over ? std::string(w.over) + " " + yuan(x.draft_demand - x.total) : w.within});
    std::printf("\n");
    std::fputs(b.render().c_str(), stdout);
  }
  std::printf("\n%s: %lld", w.changed, static_cast<long long>(r.changed));
  if (!all_rows && static_cast<std::int64_t>(r.sample.size()) < r.changed)
    std::printf(" (%s %zu; --all)", w.showing, r.sample.size());
  std::printf("\n");
  if (all_rows) return;
  Table c({{w.id}, {w.programme}, {w.outcome}, {w.base, Align::right}, {w.draft, Align::right}, {w.delta, Align::right}, {w.why}});
  for (const auto& x : r.sample)
    for (const auto& p : x.programmes)
      c.add_row({x.id, p.programme, p.base_outcome + " → " + p.draft_outcome, yuan(p.base_amount), yuan(p.draft_amount),
                 signed_yuan(p.draft_amount - p.base_amount),
                 eval::why_text(p.why, en) + (p.why.draft_at.empty() ? "" : " @ " + p.why.draft_at)});
  if (c.rows()) std::fputs(c.render().c_str(), stdout);
}

// Copies the rows written to `f` (one JSON object per line) to stdout, separated by `sep`.
void copy_rows(std::FILE* f, const char* sep) {
  std::rewind(f);
  char* line = nullptr;
  std::size_t cap = 0;
  bool first = true;
  for (ssize_t n; (n = ::getline(&line, &cap, f)) > 0;) {
    std::string_view v(line, static_cast<std::size_t>(n));
    if (sep) {
      while (!v.empty() && v.back() == '\n') v.remove_suffix(1);
      if (!first) std::fputs(sep, stdout);
    }
    std::fwrite(v.data(), 1, v.size(), stdout);
    first = false;
  }
  std::free(line);
}

int run_whatif(const WhatIfCliOptions& o) {
  const bool json = o.format == "json";
  const bool en = o.lang == "en";
  if (o.population.empty() == o.cases.empty()) {
    std::fprintf(stderr, "error: give exactly one of --population FILE and --cases DB\n");
    return kExitUsage;
  }
  service::WhatIfOptions wo;
  wo.as_of = o.as_of.empty() ? model::today_cst() : *model::parse_date(o.as_of);
  wo.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  wo.by = o.by;
  wo.sample = o.sample;
  wo.all = o.all;
  wo.english = en;
  if (o.all) {
    if (o.format == "json")
      wo.format_changed = [en](const service::ChangedApplicant& c, std::string& out) { out += service::changed_json(c, en) + "\n"; };
    else if (o.format == "csv")
      wo.format_changed = [en](const service::ChangedApplicant& c, std::string& out) { out += service::changed_csv(c, en); };
    else
      wo.format_changed = [en](const service::ChangedApplicant& c, std::string& out) { out += change_row_text(c, en); };
  }
  Progress progress(o.progress || (!o.no_progress && ::isatty(STDERR_FILENO)), 0);
  // Rows of --all go to a temporary file first, printed after the summary.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> rows(o.all ? std::tmpfile() : nullptr, [](std::FILE* f) { return f ? std::fclose(f) : 0; });
  if (o.all && !rows) {
    std::fprintf(stderr, "error: cannot create a temporary file for --all: %s\n", std::strerror(errno));
    return kExitInternal;
  }
  FileSink sink(rows ? rows.get() : stdout);
  service::WhatIfReport r;
  eval::RulesDiff diff;
  const int year = o.year ? o.year : model::year_of(wo.as_of);
  int rc = guarded([&] {
    if (!o.population.empty()) {
      RulesSide b, d;
      if (int lrc = load_side(o.base, o.db, false, "base", b, json)) return lrc;
      if (int lrc = load_side(o.draft, o.db, false, "draft", d, json)) return lrc;
      diff = eval::diff_rulesets(*b.rs, *d.rs);
      std::FILE* in = stdin;
      std::size_t size = 0;
      if (o.population != "-") {
        in = std::fopen(o.population.c_str(), "rb");
        if (!in) {
          std::fprintf(stderr, "error: cannot open --population `%s`: %s\n", o.population.c_str(), std::strerror(errno));
          return kExitInput;
        }
        struct stat st {};
        if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::size_t>(st.st_size);
      }
      progress = Progress(o.progress || (!o.no_progress && ::isatty(STDERR_FILENO)), size);
      wo.progress = [&progress](std::size_t n, std::size_t bytes, bool final) { progress.update(n, bytes, final); };
      FileSource source(in);
      r = service::whatif_population(*b.rs, *d.rs, json::codec(), wo, source, sink);
      if (in != stdin) std::fclose(in);
      if (!o.db.empty()) {
        auto repo = open_db(o.db);
        service::check_budgets(r, service::list_budgets(*repo, "", year), year);
      }
      return kExitOk;
    }
    RulesSide b, d;
    const std::string& db = o.db.empty() ? o.cases : o.db;
    if (int lrc = load_side(o.base, db, true, "base", b, json)) return lrc;
    if (int lrc = load_side(o.draft, db, true, "draft", d, json)) return lrc;
    diff = eval::diff_rulesets(*b.rs, *d.rs);
    auto repo = open_db(o.cases);
    wo.progress = [&progress](std::size_t n, std::size_t bytes, bool final) { progress.update(n, bytes, final); };
    service::CaseScope scope;
    if (o.year) scope.year = o.year;
    scope.all_stages = o.stage == "all";
    r = service::whatif_cases(*b.prepared, *d.prepared, *repo, wo, scope, sink);
    service::check_budgets(r, service::list_budgets(*repo, "", year), year);
    return kExitOk;
  }, json);
  if (rc) return rc;
  if (!r.io_error.empty()) {
    std::fprintf(stderr, "error: %s\n", r.io_error.c_str());
    return kExitInput;
  }
  if (rows) std::fflush(rows.get());
  if (json) {
    if (rows) {
      auto copy = r;
      copy.sample.clear();
      std::string s = service::whatif_json(copy, en);
      s.resize(s.size() - 2);  // ends with "[]}": the rows go between the brackets
      std::fputs(s.c_str(), stdout);
      copy_rows(rows.get(), ",");
      std::fputs("]}\n", stdout);
    } else {
      std::printf("%s\n", service::whatif_json(r, en).c_str());
    }
  } else if (o.format == "csv") {
    std::fputs(service::whatif_csv(r, en).c_str(), stdout);
    if (rows)
      copy_rows(rows.get(), nullptr);
    else
      for (const auto& c : r.sample) std::fputs(service::changed_csv(c, en).c_str(), stdout);
  } else {
    print_text(r, o, diff, rows.get());
    if (rows) copy_rows(rows.get(), nullptr);
  }
  if (!o.html.empty()) {
    std::ofstream f(o.html, std::ios::binary);
    f << service::whatif_html(r, &diff, en);
    if (!f.flush()) {
      std::fprintf(stderr, "error: cannot write --html `%s`\n", o.html.c_str());
      return kExitInput;
    }
  }
  if (r.failed)
    std::fprintf(stderr, "error: %zu of %zu record%s could not be decoded (first: %s%s); they are left out of the figures\n", r.failed,
                 r.records, r.records == 1 ? "" : "s",
                 r.first_failed_line ? ("line " + std::to_string(r.first_failed_line) + ", ").c_str() : "", r.first_failure.c_str());
  if (r.with_errors)
    std::fprintf(stderr, "error: %zu record%s had a programme in `error` on one side\n", r.with_errors, r.with_errors == 1 ? "" : "s");
  if (r.failed) return kExitInput;
  return r.with_errors ? kExitEvaluation : kExitOk;
}

}  // namespace

void add_whatif_commands(CLI::App& rules, Action& action) {
  auto dopt = std::make_shared<DiffOptions>();
  auto* diff = rules.add_subcommand(
      "diff",
      "what a rule draft changes, without a population: programmes, requirements, amounts and caps, parameter values\n"
      "(each with its valid-from date), table rows, exceptions, groups and workflow stages added, removed or changed,\n"
      "each with file:line:col on both sides; and the input-contract change (facts that became required, changed\n"
      "type, appeared or disappeared) as warnings on stderr (docs/whatif.md)");
  diff->add_option("BASE", dopt->base, "the rules in force: a rules directory, or a published version @N (with --db)")->required();
  diff->add_option("DRAFT", dopt->draft, "the draft: a rules directory, or a published version @N (with --db)")->required();
  diff->add_option("--db", dopt->db, "the database of the published versions @N / version:N");
  diff->add_option("--format", dopt->format, "text, or json ({\"changes\":[…],\"contract\":[…]})")->check(CLI::IsMember({"text", "json"}));
  diff->callback([&action, dopt] { action = [dopt] { return run_diff(*dopt); }; });

  auto o = std::make_shared<WhatIfCliOptions>();
  auto* w = rules.add_subcommand(
      "whatif",
      "what a rule draft does to a population or to the stored cases, before publishing: per programme eligible count\n"
      "and total base → draft and Δ (exact), grouped --by a fact, budgets of the year (demand vs budget, each\n"
      "over-commit), gainers and losers by band, and the changed applicants each with why (docs/whatif.md)");
  w->add_option("--base", o->base, "the rules in force: a rules directory, or a published version @N / version:N (of --db or --cases)")->required();
  w->add_option("--draft", o->draft, "the draft: a rules directory, or a published version @N")->required();
  w->add_option("--population", o->population, "applicants, JSON Lines (as `evaluate` reads them; - for standard input)");
  w->add_option("--cases", o->cases, "the stored cases of this database instead (their latest facts, with the awards feedback)");
  w->add_option("--year", o->year, "cases of this call year only; the budgets' year (default: the year of --as-of)")
      ->check(CLI::Range(1900, 9999));
  w->add_option("--stage", o->stage, "with --cases: open cases (default) or all of them")->check(CLI::IsMember({"open", "all"}));
  w->add_option("--db", o->db, "compare the demand with the budgets of the year in this database (and read published versions @N from it)");
  w->add_option("--as-of", o->as_of, "evaluation date YYYY-MM-DD for both rulesets (default: today, China Standard Time)")
      ->check([](const std::string& s) { return model::parse_date(s) ? std::string() : "not a date (YYYY-MM-DD): " + s; });
  w->add_option("--by", o->by, "group the totals by this fact (county, industry, org_type …)");
  w->add_option("--format", o->format, "text (tables), json (one object) or csv (sections: programme, total, band, group, budget, changed)")
      ->check(CLI::IsMember({"text", "json", "csv"}));
  w->add_option("--html", o->html, "also write a self-contained HTML report with charts to this file");
  w->add_option("--lang", o->lang, "language of labels and why texts: zh (default) or en")->check(CLI::IsMember({"zh", "en"}));
  w->add_flag("--all", o->all, "list every changed applicant (default: the first --sample ones)");
  w->add_option("--sample", o->sample, "how many changed applicants to list without --all (default 20)")->check(CLI::Range(0, 100000));
  w->add_option("-j,--jobs", o->jobs, "worker threads for --population (default: the machine's cores)")->check(CLI::Range(1u, 256u));
  auto* pg = w->add_flag("--progress", o->progress, "always show a progress line on stderr");
  auto* npg = w->add_flag("--no-progress", o->no_progress, "never show progress (default: only when stderr is a terminal)");
  pg->excludes(npg);
  w->callback([&action, o] { action = [o] { return run_whatif(*o); }; });
}

}  // namespace subsidy::cli
