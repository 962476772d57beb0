// `subsidy workflow check|show|dot|simulate` (docs/workflow.md §7).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "files/rules_dir.hpp"
#include "diag/diagnostic.hpp"
#include "diag/suggest.hpp"
#include "eval/evaluate.hpp"
#include "json/fact_decoder.hpp"
#include "model/date.hpp"
#include "model/money.hpp"
#include "workflow/calendar.hpp"
#include "workflow/render.hpp"
#include "workflow/transition.hpp"

extern char** environ;

namespace subsidy::cli {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Loads the rules; on failure prints why and sets `rc`.
std::unique_ptr<files::LoadedRules> load(const std::string& dir, int& rc) {
  auto lr = files::load_rules(dir);
  if (!lr->error.empty()) {
    std::fprintf(stderr, "error: %s\n", lr->error.c_str());
    rc = kExitRules;
    return nullptr;
  }
  if (!lr->ruleset) {
    files::print_diagnostics(*lr);
    rc = kExitRules;
    return nullptr;
  }
  return lr;
}

// Reads the calendar (files::load_calendar); false (after saying why) when --calendar cannot be read.
bool read_calendar(files::LoadedRules& lr, const std::string& option, files::CalendarFile& out) {
  out = files::load_calendar(lr, option);
  if (out.error.empty()) return true;
  std::fprintf(stderr, "error: %s\n", out.error.c_str());
  return false;
}

std::string names(const workflow::WorkflowSet& set) {
  std::string out;
  for (const auto& w : set.workflows) out += (out.empty() ? "" : ", ") + w.name();
  return out;
}

// The workflows named by --workflow (all when empty); usage error when unknown.
std::vector<const workflow::Workflow*> select(const workflow::WorkflowSet& set, const std::string& name, int& rc) {
  std::vector<const workflow::Workflow*> out;
  if (name.empty()) {
    for (const auto& w : set.workflows) out.push_back(&w);
    if (out.empty()) {
      std::fprintf(stderr, "error: the rules declare no workflow\n");
      rc = kExitUsage;
    }
    return out;
  }
  if (const auto* w = set.find(name)) {
    out.push_back(w);
  } else {
    std::fprintf(stderr, "error: unknown workflow `%s`; the workflows are: %s\n", name.c_str(), names(set).c_str());
    rc = kExitUsage;
  }
  return out;
}

// ------------------------------------------------------------------ check

struct CheckOptions {
  std::string dir, calendar;
};

int run_check(const CheckOptions& o) {
  auto lr = files::load_rules(o.dir);
  if (!lr->error.empty()) {
    std::fprintf(stderr, "error: %s\n", lr->error.c_str());
    return kExitRules;
  }
  files::CalendarFile cal;
  if (!read_calendar(*lr, o.calendar, cal)) return kExitInput;
  std::fputs(diag::render_all(lr->diags, lr->sources).c_str(), stdout);
  if (lr->workflows) {
    for (const auto& w : lr->workflows->workflows) {
      const auto& s = w.spec();
      std::size_t terminals = 0;
      for (const auto& st : s.stages) terminals += st.kind == eval::StageKind::terminal;
      std::string progs;
      for (const auto& p : s.programs) progs += " " + p;
      std::printf("workflow %s \"%s\": %zu stages (%zu terminal), %zu edges, start %s; used by%s\n", w.name().c_str(),
                  s.label.zh.c_str(), s.stages.size(), terminals, w.edge_count(), s.stages[s.start].name.c_str(),
                  progs.empty() ? " no programme" : progs.c_str());
    }
  }
  if (cal.found)
    std::printf("calendar %s: %d–%d, %zu days off, %zu weekend working days\n", cal.path.c_str(), cal.cal.first_year(),
                cal.cal.last_year(), cal.cal.count(workflow::Calendar::Kind::off), cal.cal.count(workflow::Calendar::Kind::work));
  else
    std::printf("calendar: none at %s (working days count Monday–Friday only; see docs/workflow.md §4)\n", cal.path.c_str());
  std::printf("%zu file%s checked: %s\n", lr->sources.size(), lr->sources.size() == 1 ? "" : "s",
              diag::summary(lr->diags).c_str());
  return lr->diags.has_errors() ? kExitRules : kExitOk;
}

// ------------------------------------------------------------------ show, dot

struct ShowOptions {
  std::string dir, workflow;
};

int run_show(const ShowOptions& o) {
  int rc = kExitOk;
  auto lr = load(o.dir, rc);
  if (!lr) return rc;
  auto ws = select(*lr->workflows, o.workflow, rc);
  for (std::size_t i = 0; i < ws.size(); ++i) {
    if (i) std::fputs("\n\n", stdout);
    std::fputs(workflow::show_text(*ws[i]).c_str(), stdout);
  }
  return rc;
}

struct DotOptions {
  std::string dir, workflow, svg;
};

std::string find_on_path(const std::string& exe) {
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "");
  std::string d;
  while (std::getline(ss, d, ':')) {
    if (d.empty()) continue;
    fs::path p = fs::path(d) / exe;
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

int write_svg(const std::string& dot_text, const std::string& out) {
  std::string dot = find_on_path("dot");
  if (dot.empty()) {
    std::fprintf(stderr,
                 "error: Graphviz is not installed: `dot` was not found on PATH (Debian: apt-get install graphviz).\n"
                 "       Without --svg the command prints the DOT text, which any Graphviz viewer can draw.\n");
    return kExitInternal;
  }
  char tmpl[] = "/tmp/subsidy-workflow-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) {
    std::perror("error: cannot create a temporary file");
    return kExitInternal;
  }
  bool wrote = ::write(fd, dot_text.data(), dot_text.size()) == static_cast<ssize_t>(dot_text.size());
  ::close(fd);
  int rc = kExitInternal;
  if (wrote) {
    std::string a0 = "dot", a1 = "-Tsvg", a2 = "-o", a3 = out, a4 = tmpl;
    char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(), nullptr};
    pid_t pid = 0;
    if (::posix_spawn(&pid, dot.c_str(), nullptr, nullptr, argv, environ) == 0) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) rc = kExitOk;
      else std::fprintf(stderr, "error: `dot -Tsvg` failed (exit %d) writing %s\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1, out.c_str());
    } else {
      std::fprintf(stderr, "error: cannot run %s\n", dot.c_str());
    }
  }
  ::unlink(tmpl);
  return rc;
}

int run_dot(const DotOptions& o) {
  int rc = kExitOk;
  auto lr = load(o.dir, rc);
  if (!lr) return rc;
  auto ws = select(*lr->workflows, o.workflow, rc);
  if (rc != kExitOk) return rc;
  if (!o.svg.empty()) {
    if (ws.size() != 1) {
      std::fprintf(stderr, "error: --svg draws one workflow: choose it with --workflow (%s)\n", names(*lr->workflows).c_str());
      return kExitUsage;
    }
    rc = write_svg(workflow::to_dot(*ws[0]), o.svg);
    if (rc == kExitOk) std::fprintf(stderr, "wrote %s (workflow %s)\n", o.svg.c_str(), ws[0]->name().c_str());
    return rc;
  }
  for (const auto* w : ws) std::fputs(workflow::to_dot(*w).c_str(), stdout);
  return rc;
}

// ------------------------------------------------------------------ simulate

struct SimOptions {
  std::string dir, facts, actions, workflow, program, as_of, start, amount, calendar, format = "text";
  bool ineligible = false, fail_on_refusal = false;
};

struct ActionLine {
  std::uint32_t line = 0;
  model::Days date = 0;
  std::string actor, action;
  bool advance = false;
};

// Problems in an input file, rendered like rule diagnostics (file:line:col, the line, a caret).
struct InputErrors {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  diag::FileId file = 0;
  void error(std::size_t begin, std::size_t end, std::string message) {
    diags.error("", diag::Span{file, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)}, std::move(message));
  }
  void error(std::size_t begin, std::size_t end, std::string message, std::vector<diag::Note> notes) {
    diags.error("", diag::Span{file, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)}, std::move(message),
                std::move(notes));
  }
  void print() const { std::fputs(diag::render_all(diags, sources).c_str(), stderr); }
};

std::vector<ActionLine> parse_actions(const workflow::Workflow& w, const std::string& path, const std::string& text, InputErrors& errs) {
  errs.file = errs.sources.add(path, text);
  std::vector<ActionLine> out;
  std::size_t pos = 0;
  std::uint32_t line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::size_t end = eol;
    if (auto hash = text.find('#', pos); hash != std::string::npos && hash < end) end = hash;
    // tokens: [begin, end) offsets, separated by spaces, tabs, \r or U+3000
    std::vector<std::pair<std::size_t, std::size_t>> toks;
    std::size_t i = pos;
    auto blank = [&](std::size_t k) -> std::size_t {
      if (text[k] == ' ' || text[k] == '\t' || text[k] == '\r') return 1;
      if (k + 2 < end && static_cast<unsigned char>(text[k]) == 0xE3 && static_cast<unsigned char>(text[k + 1]) == 0x80 &&
          static_cast<unsigned char>(text[k + 2]) == 0x80)
        return 3;
      return 0;
    };
    while (i < end) {
      if (std::size_t b = blank(i)) {
        i += b;
        continue;
      }
      std::size_t s = i;
      while (i < end && !blank(i)) ++i;
      toks.push_back({s, i});
    }
    pos = eol + 1;
    if (toks.empty()) continue;
    auto tok = [&](std::size_t k) { return text.substr(toks[k].first, toks[k].second - toks[k].first); };
    ActionLine a;
    a.line = line_no;
    auto date = model::parse_date(tok(0));
    if (!date) {
      errs.error(toks[0].first, toks[0].second, "`" + tok(0) + "` is not a date (YYYY-MM-DD)",
                 {{{}, "each line is: DATE ROLE ACTION, or DATE advance", false}});
      continue;
    }
    a.date = *date;
    if (toks.size() == 2 && tok(1) == "advance") {
      a.advance = true;
      out.push_back(a);
      continue;
    }
    if (toks.size() != 3) {
      std::size_t at = toks.size() > 3 ? 3 : toks.size() - 1;
      errs.error(toks[at].first, toks[at].second,
                 toks.size() > 3 ? "too many fields: expected DATE ROLE ACTION" : "expected DATE ROLE ACTION (or DATE advance)");
      continue;
    }
    std::string why;
    if (!w.parse_role(tok(1), &why)) {
      errs.error(toks[1].first, toks[1].second, why);
      continue;
    }
    if (w.decls().find_action(tok(2)) < 0) {
      std::vector<std::string> acts;
      for (const auto& x : w.decls().actions) acts.push_back(x.name);
      auto s = diag::closest(tok(2), acts);
      errs.error(toks[2].first, toks[2].second, "unknown action `" + tok(2) + "`" + (s.empty() ? "" : "; did you mean `" + s + "`?"));
      continue;
    }
    a.actor = tok(1);
    a.action = tok(2);
    out.push_back(a);
  }
  if (out.empty() && !errs.diags.has_errors()) errs.error(0, 0, "no steps: write one per line, DATE ROLE ACTION");
  return out;
}

// The byte range of `"field"` as a JSON key in `text` (for error positions), or {0,0}.
std::pair<std::size_t, std::size_t> find_key(const std::string& text, const std::string& field) {
  if (field.empty()) return {0, 0};
  std::string quoted = "\"" + field + "\"";
  for (std::size_t at = text.find(quoted); at != std::string::npos; at = text.find(quoted, at + 1)) {
    std::size_t k = at + quoted.size();
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' || text[k] == '\r')) ++k;
    if (k < text.size() && text[k] == ':') return {at, at + quoted.size()};
  }
  return {0, 0};
}

std::string money(std::int64_t fen) { return model::format_money_human(fen); }

struct Printer {
  const workflow::Workflow& w;
  bool json = false;
  std::size_t step = 0;

  std::string stage_label(const std::string& name) const {
    int s = w.find_stage(name);
    return s < 0 ? std::string() : w.stage(static_cast<std::uint32_t>(s)).label.zh;
  }

  void arrival(const workflow::Event& e, const std::string& indent) const {
    std::string line = indent + "→ " + e.to;
    if (auto l = stage_label(e.to); !l.empty()) line += " " + l;
    int si = w.find_stage(e.to);
    const auto* st = si < 0 ? nullptr : &w.stage(static_cast<std::uint32_t>(si));
    if (st && st->kind == eval::StageKind::terminal) {
      std::printf("%s (end)\n", line.c_str());
      return;
    }
    if (st && st->joint != eval::JointPolicy::none) line += " · joint review by " + (e.responsible.empty() ? "nobody" : e.responsible);
    else if (!e.responsible.empty()) line += " · " + e.responsible;
    if (e.due) line += " · due " + model::format_date(*e.due);
    if (e.timer && st && st->has_timer) {
      line += std::string(st->kind == eval::StageKind::correction ? " · closes " : " · until ") + model::format_date(*e.timer) +
              " (then → " + w.stage(static_cast<std::uint32_t>(st->timer_target)).name + ")";
    }
    std::printf("%s\n", line.c_str());
  }

  void events(const std::vector<workflow::Event>& evs, const std::string& indent) const {
    using K = workflow::EventKind;
    for (const auto& e : evs) {
      switch (e.kind) {
        case K::created:
        case K::entered: arrival(e, indent); break;
        case K::timer: std::printf("%stimer: %s\n", indent.c_str(), e.detail.c_str()); break;
        case K::vote: std::printf("%svote recorded: %s\n", indent.c_str(), e.detail.c_str()); break;
        case K::joint_decided: std::printf("%sjoint review decided: %s\n", indent.c_str(), e.detail.c_str()); break;
        case K::clock_paused: std::printf("%sclock of %s paused: %s\n", indent.c_str(), e.stage.c_str(), e.detail.c_str()); break;
        case K::clock_resumed: std::printf("%sclock of %s resumed: %s\n", indent.c_str(), e.to.c_str(), e.detail.c_str()); break;
        case K::overdue: std::printf("%soverdue at %s: %s\n", indent.c_str(), e.stage.c_str(), e.detail.c_str()); break;
        case K::no_responsible:
        case K::no_transition:
        case K::calendar_gap: std::printf("%swarning: %s\n", indent.c_str(), e.detail.c_str()); break;
      }
    }
  }

  void print(const std::string& date, const std::string& who, const workflow::StepResult& r) {
    ++step;
    if (json) {
      std::string j = workflow::to_json(r);
      std::printf("{\"step\":%zu,\"date\":\"%s\",\"input\":\"%s\",%s\n", step, date.c_str(), who.c_str(), j.c_str() + 1);
      return;
    }
    std::printf("%s  %s\n", date.c_str(), who.c_str());
    const std::string indent = "            ";
    events(r.events, indent);
    if (r.refusal)
      std::printf("%sREFUSED [%s]: %s\n", indent.c_str(), workflow::refusal_kind_name(r.refusal->kind), r.refusal->message.c_str());
  }
};

int run_simulate(const SimOptions& o) {
  int rc = kExitOk;
  auto lr = load(o.dir, rc);
  if (!lr) return rc;
  const auto& rs = *lr->ruleset;
  // Which workflow, and which programme decides `eligible` / `decided_amount`.
  int program = -1;
  const workflow::Workflow* w = nullptr;
  if (!o.program.empty()) {
    program = rs.find_program(o.program);
    if (program < 0) {
      std::fprintf(stderr, "error: unknown programme `%s`\n", o.program.c_str());
      return kExitUsage;
    }
    const auto& p = rs.programs[static_cast<std::size_t>(program)];
    if (p.workflow.empty()) {
      std::fprintf(stderr, "error: programme `%s` names no workflow; pass --workflow\n", o.program.c_str());
      return kExitUsage;
    }
    if (!o.workflow.empty() && o.workflow != p.workflow) {
      std::fprintf(stderr, "error: programme `%s` follows workflow `%s`, not `%s`\n", o.program.c_str(), p.workflow.c_str(),
                   o.workflow.c_str());
      return kExitUsage;
    }
    w = lr->workflows->find(p.workflow);
  } else if (!o.workflow.empty()) {
    auto ws = select(*lr->workflows, o.workflow, rc);
    if (rc != kExitOk) return rc;
    w = ws[0];
  } else if (lr->workflows->workflows.size() == 1) {
    w = &lr->workflows->workflows[0];
  } else {
    std::fprintf(stderr, "error: choose the workflow with --program P or --workflow W (%s)\n", names(*lr->workflows).c_str());
    return kExitUsage;
  }
  if (program >= 0 && (!o.amount.empty() || o.ineligible)) {
    std::fprintf(stderr, "error: --amount and --ineligible set the decision when there is no --program; with --program the rules decide\n");
    return kExitUsage;
  }
  std::optional<model::Fen> amount;
  if (!o.amount.empty()) {
    std::string a = o.amount;
    std::int64_t scale = 1;
    auto strip = [&](const std::string& suffix, std::int64_t s) {
      if (a.size() > suffix.size() && a.compare(a.size() - suffix.size(), suffix.size(), suffix) == 0) {
        a.resize(a.size() - suffix.size());
        scale = s;
        return true;
      }
      return false;
    };
    strip("万元", 10000) || strip("万", 10000) || strip("元", 1);
    amount = model::parse_yuan(a);
    if (amount && scale != 1) amount = model::mul(*amount, scale);
    if (!amount) {
      std::fprintf(stderr, "error: --amount `%s` is not an amount (e.g. 12000, 12000.50, 50万)\n", o.amount.c_str());
      return kExitUsage;
    }
  }

  files::CalendarFile cal;
  if (!read_calendar(*lr, o.calendar, cal)) return kExitInput;
  if (lr->diags.has_errors()) {
    files::print_diagnostics(*lr);
    return kExitRules;
  }
  if (!cal.found && files::uses_working_days(*w)) {
    std::fprintf(stderr,
                 "error: no working-day calendar: %s does not exist (workflow `%s` counts working days; pass --calendar FILE, "
                 "see docs/workflow.md §4)\n",
                 cal.path.c_str(), w->name().c_str());
    return kExitRules;
  }

  // Facts.
  auto facts_text = read_file(o.facts);
  if (!facts_text) {
    std::fprintf(stderr, "error: cannot read the facts file `%s`\n", o.facts.c_str());
    return kExitInput;
  }
  eval::Selection selection(rs.programs.size(), 0);
  if (program >= 0) selection[static_cast<std::size_t>(program)] = 1;
  // The workflow routes the application: the facts its guards read are required too.
  json::FactDecoder decoder(rs, {&selection, /*routing=*/true, rs.workflow_decls.find_workflow(w->name())});
  model::Facts facts;
  json::DecodeError derr;
  std::string id;
  InputErrors ferrs;
  ferrs.file = ferrs.sources.add(o.facts, *facts_text);
  if (!decoder.decode(*facts_text, facts, derr, id)) {
    auto [b, e] = derr.offset != json::DecodeError::kNoOffset ? std::pair{derr.offset, derr.offset + 1}
                                                              : find_key(*facts_text, derr.field);
    ferrs.error(b, e, derr.code + (derr.field.empty() ? "" : " `" + derr.field + "`") + ": " + derr.message);
    ferrs.print();
    return kExitInput;
  }
  // Steps.
  auto actions_text = read_file(o.actions);
  if (!actions_text) {
    std::fprintf(stderr, "error: cannot read the actions file `%s`\n", o.actions.c_str());
    return kExitInput;
  }
  InputErrors aerrs;
  auto steps = parse_actions(*w, o.actions, *actions_text, aerrs);
  if (aerrs.diags.has_errors()) {
    aerrs.print();
    return kExitInput;
  }
  model::Days start = steps.front().date;
  if (!o.start.empty()) start = *model::parse_date(o.start);
  model::Days as_of = o.as_of.empty() ? start : *model::parse_date(o.as_of);

  workflow::Decision decision{!o.ineligible, amount.value_or(0)};
  std::string decided;
  if (program >= 0) {
    model::Decision d;
    eval::evaluate(rs, facts, as_of, d, &selection);
    const auto& pr = d.programs[static_cast<std::size_t>(program)];
    decision.eligible = pr.outcome == model::Outcome::eligible;
    decision.amount = decision.eligible ? pr.amount : 0;
    decided = "programme " + o.program + " " + rs.programs[static_cast<std::size_t>(program)].title.zh + ": " +
              model::outcome_name(pr.outcome) + (decision.eligible ? ", " + money(decision.amount) : "") + " (as of " +
              model::format_date(as_of) + ")";
  } else {
    decided = std::string("no programme: ") + (decision.eligible ? "eligible" : "not eligible") + ", decided_amount " +
              money(decision.eligible ? decision.amount : 0) + (o.amount.empty() && !o.ineligible ? " (set with --amount / --ineligible)" : "");
  }

  workflow::Context ctx{facts, decision, cal.cal};
  Printer out{*w, o.format == "json"};
  if (!out.json) {
    std::printf("workflow %s %s · %s\n", w->name().c_str(), w->spec().label.zh.c_str(), decided.c_str());
    if (cal.found)
      std::printf("calendar %s (%d–%d)\n\n", cal.path.c_str(), cal.cal.first_year(), cal.cal.last_year());
    else
      std::printf("calendar: none (Monday–Friday only)\n\n");
  }
  auto r = workflow::start(*w, ctx, start);
  out.print(model::format_date(start), "case created", r);
  workflow::CaseState state = r.state;
  std::size_t applied = 0, refused = 0;
  for (const auto& s : steps) {
    std::string date = model::format_date(s.date);
    if (s.advance) {
      r = workflow::advance(*w, state, ctx, s.date);
      out.print(date, "advance", r);
    } else {
      r = workflow::apply(*w, state, workflow::Step{s.action, s.actor, s.date}, ctx);
      out.print(date, s.actor + " " + s.action, r);
      (r.applied() ? applied : refused) += 1;
    }
    state = r.state;
  }
  if (!out.json) {
    auto sum = workflow::summarize(*w, state);
    std::string where = state.stage + " " + out.stage_label(state.stage);
    std::printf("\nresult: %s%s after %zu step%s: %zu applied, %zu refused\n", where.c_str(), sum.terminal ? " (end)" : "",
                steps.size(), steps.size() == 1 ? "" : "s", applied, refused);
    if (!sum.terminal) {
      std::string roles;
      for (const auto& x : sum.roles) roles += (roles.empty() ? "" : ", ") + x;
      std::printf("waiting for: %s", roles.empty() ? "nobody" : roles.c_str());
      for (const auto& d : workflow::deadlines(state))
        std::printf(" · %s %s", d.kind == workflow::Deadline::Kind::deadline ? "due" : "until", model::format_date(d.date).c_str());
      std::printf("\n");
    }
  }
  return o.fail_on_refusal && refused ? kExitTestsFailed : kExitOk;
}

std::string date_check(const std::string& s) { return model::parse_date(s) ? std::string() : "not a date (YYYY-MM-DD): " + s; }

}  // namespace

void add_workflow_commands(CLI::App& app, Action& action) {
  auto* wfc = app.add_subcommand("workflow", "check, show, draw and simulate the approval workflows (docs/workflow.md)");
  wfc->require_subcommand(1);

  auto co = std::make_shared<CheckOptions>();
  auto* check = wfc->add_subcommand("check", "validate the workflows of a rules directory and its working-day calendar");
  check->add_option("DIR", co->dir, "rules directory (every *.rules file below it) or one .rules file")->required();
  check->add_option("--calendar", co->calendar, "calendar file (default: DIR/calendar/cn-mainland.tsv)");
  check->callback([&action, co] { action = [co] { return run_check(*co); }; });

  auto so = std::make_shared<ShowOptions>();
  auto* show = wfc->add_subcommand("show", "print stages, roles, transitions and deadlines as text");
  show->add_option("DIR", so->dir, "rules directory or one .rules file")->required();
  show->add_option("--workflow", so->workflow, "only this workflow (default: all)");
  show->callback([&action, so] { action = [so] { return run_show(*so); }; });

  auto dopt = std::make_shared<DotOptions>();
  auto* dot = wfc->add_subcommand("dot", "print a workflow as Graphviz DOT, or draw it as SVG");
  dot->add_option("DIR", dopt->dir, "rules directory or one .rules file")->required();
  dot->add_option("--workflow", dopt->workflow, "only this workflow (default: all; --svg needs one)");
  dot->add_option("--svg", dopt->svg, "write an SVG picture to this file (runs Graphviz `dot -Tsvg`)");
  dot->callback([&action, dopt] { action = [dopt] { return run_dot(*dopt); }; });

  auto sim = std::make_shared<SimOptions>();
  auto* s = wfc->add_subcommand("simulate", "run a case through a workflow step by step, without a database");
  s->add_option("DIR", sim->dir, "rules directory or one .rules file")->required();
  s->add_option("--facts", sim->facts, "the applicant: one JSON object as for `subsidy evaluate`")->required();
  s->add_option("--actions", sim->actions, "the steps: one per line, DATE ROLE ACTION (or DATE advance); # comments")->required();
  s->add_option("--program", sim->program, "the programme applied for: its decision and its workflow");
  s->add_option("--workflow", sim->workflow, "the workflow (when no --program, or to confirm it)");
  s->add_option("--start", sim->start, "the day the case is created (default: the first step's date)")->check(date_check);
  s->add_option("--as-of", sim->as_of, "evaluation date of the programme's decision (default: the start date)")->check(date_check);
  s->add_option("--amount", sim->amount, "without --program: decided_amount, e.g. 50万 or 12000.50 (元)");
  s->add_flag("--ineligible", sim->ineligible, "without --program: the decision is not eligible");
  s->add_option("--calendar", sim->calendar, "calendar file (default: DIR/calendar/cn-mainland.tsv)");
  s->add_option("--format", sim->format, "text (for people) or json (one object per step)")->check(CLI::IsMember({"text", "json"}));
  s->add_flag("--fail-on-refusal", sim->fail_on_refusal, "exit 1 when a step was refused");
  s->callback([&action, sim] { action = [sim] { return run_simulate(*sim); }; });
}

}  // namespace subsidy::cli
