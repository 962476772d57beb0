// `subsidy case submit|show|list|act|correct|history|import` (docs/cases.md).
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "json/case_json.hpp"
#include "json/codec.hpp"
#include "cli/table.hpp"
#include "diag/suggest.hpp"
#include "model/date.hpp"
#include "model/money.hpp"

namespace subsidy::cli {

namespace {

using service::money;

struct Common {
  std::string rules = "rules", db, date, format = "text";
};

std::string decision_text(const store::Case& c) {
  if (!c.decision) return "none";
  const auto& d = *c.decision;
  return d.outcome + (d.outcome == "eligible" ? " " + money(d.amount_fen) : "") + " (as of " + model::format_date(d.as_of) +
         ", ruleset " + d.ruleset_hash.substr(0, 12) + ")";
}

void print_where(const service::Env& env, const store::Case& c, model::Days today) {
  for (const auto& s : c.stages) {
    std::string line = "stage: " + s;
    if (auto l = service::stage_label(env, c, s); !l.empty()) line += " " + l;
    if (!c.roles.empty()) line += " · responsible " + join(c.roles, ", ");
    if (auto it = c.deadlines.find(s); it != c.deadlines.end())
      line += " · due " + model::format_date(it->second) + (it->second < today ? " (OVERDUE)" : "");
    std::printf("%s\n", line.c_str());
  }
  if (auto t = service::running_timer(env, c)) std::printf("timer: %s\n", service::timer_text(*t).c_str());
}

// ------------------------------------------------------------------ submit

struct SubmitOptions : Common {
  std::string program, facts, as_of, applicant, actor = "申报单位";
};

// An unreadable --facts file (exit 3).
int unreadable_facts(const std::string& path, bool json) {
  return report_error({"input", "unreadable_file", "cannot read the facts file `" + path + "`", {{"file", path}}, kExitInput}, json);
}

int run_submit(const SubmitOptions& o) {
  const bool json = o.format == "json";
  Session s;
  if (int rc = open_session(o.rules, o.db, s, json)) return rc;
  auto text = read_text(o.facts);
  if (!text) return unreadable_facts(o.facts, json);
  return guarded([&] {
    service::SubmitRequest r;
    r.programme = o.program;
    r.facts_json = *text;
    r.applicant = o.applicant;
    r.actor = o.actor;
    r.date = date_or_today(o.date);
    if (!o.as_of.empty()) r.as_of = *model::parse_date(o.as_of);
    auto res = service::submit(*s.env, r);
    if (res.prepared)
      for (const auto& w : res.prepared->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    if (o.format == "json") {
      std::string j = json::case_json(res.c, r.date, &*s.env);
      std::printf("{\"created\":%s,%s\n", res.created ? "true" : "false", j.c_str() + 1);
      return kExitOk;
    }
    if (!res.created)
      std::printf("case %lld already exists for application %s (nothing changed; submit is idempotent)\n",
                  static_cast<long long>(res.id), res.c.application_id.c_str());
    else
      std::printf("case %lld created: application %s, programme %s, call year %d\n", static_cast<long long>(res.id),
                  res.c.application_id.c_str(), res.c.programme.c_str(), res.c.call_year);
    print_where(*s.env, res.c, r.date);
    std::printf("decision: %s\n", decision_text(res.c).c_str());
    return kExitOk;
  }, json);
}

// ------------------------------------------------------------------ show

struct ShowOptions : Common {
  long long id = 0;
  bool explain = false;
  std::string lang = "zh", role;
};

// "approve (旗县区科技局[临河区]) → formal_review", or why the step would be refused now.
std::string action_text(const workflow::AvailableAction& a) {
  std::string out = a.action + " (" + join(a.roles, " / ") + ")";
  if (a.allowed) return "next: " + out + " → " + a.leads_to + (a.amount_adjustable ? " · a smaller amount may be approved" : "");
  return "not now: " + out + ": " + (a.refusal ? a.refusal->message : std::string("refused"));
}

int run_show(const ShowOptions& o) {
  const bool json = o.format == "json";
  return guarded([&] {
    auto repo = open_db(o.db);
    auto c = repo->load_case(o.id);
    model::Days today = date_or_today(o.date);
    // The current rules (for the next steps) and the ruleset the decision was made with (stored
    // with it): a case can be shown, and its decision explained as made, without the rules directory.
    auto current = current_rules(o.rules, *repo).disk;
    std::shared_ptr<const service::PreparedRules> decided;
    if (c.decision)
      decided = current.rules ? service::rules_for(service::Env{*current.rules, *repo}, c.decision->ruleset_hash)
                              : service::stored_rules(*repo, c.decision->ruleset_hash, json::codec(), current.calendar.cal);
    const service::PreparedRules* rules = current.rules ? current.rules.get() : decided.get();
    if (!rules) return report_rules_error(*current.lr, current.error, json);
    if (!current.rules)
      std::fprintf(stderr, "note: the rules at `%s` cannot be used (%s); the case is shown with the ruleset of its decision (%s)\n",
                   o.rules.empty() ? "rules" : o.rules.c_str(), current.error.c_str(), c.decision->ruleset_hash.substr(0, 12).c_str());
    service::Env env{*rules, *repo};
    auto actions = service::available_actions(env, c.id, o.role, today);
    if (json) {
      std::string j = json::case_json(c, today, &env);
      j.pop_back();
      j += ",\"available_actions\":[";
      for (std::size_t i = 0; i < actions.size(); ++i) j += (i ? "," : "") + workflow::to_json(actions[i]);
      std::printf("%s]}\n", j.c_str());
    } else {
      std::printf("case %lld · application %s · programme %s · call year %d\n", static_cast<long long>(c.id),
                  c.application_id.c_str(), c.programme.c_str(), c.call_year);
      std::printf("workflow %s · version %lld · facts version %d · created %s · updated %s\n", c.workflow.c_str(),
                  static_cast<long long>(c.version), c.facts_version, c.created_at.c_str(), c.updated_at.c_str());
      print_where(env, c, today);
      std::printf("decision: %s\n", decision_text(c).c_str());
      std::printf("budget: reserved %s · consumed %s\n", c.reserved_fen > 0 ? money(c.reserved_fen).c_str() : "none",
                  c.consumed_fen > 0 ? money(c.consumed_fen).c_str() : "none");
      for (const auto& a : actions) std::printf("%s\n", action_text(a).c_str());
    }
    if (auto ex = o.explain ? service::explain_decision(env, c, o.lang == "en") : std::nullopt) {
      if (ex->with_current_rules)
        std::fprintf(stderr, "warning: the ruleset of the decision (%s) was not stored (decided before migration 004); the explanation uses the current rules (%s)\n",
                     c.decision->ruleset_hash.substr(0, 12).c_str(), rules->hash().substr(0, 12).c_str());
      if (!ex->text.empty() && ex->text.back() != '\n') ex->text += '\n';
      std::printf("\n%s", ex->text.c_str());
    }
    return kExitOk;
  }, json);
}

// ------------------------------------------------------------------ list

struct ListOptions : Common {
  std::string stage, role, program, applicant;
  bool overdue = false, all = false;
};

std::string stages_with_labels(const service::Env& env, const store::Case& c) {
  std::vector<std::string> out;
  for (const auto& st : c.stages) {
    auto l = service::stage_label(env, c, st);
    out.push_back(l.empty() ? st : st + " " + l);
  }
  return join(out, ", ");
}

void print_list_table(const service::Env& env, const std::vector<store::Case>& cs, const ListOptions& o, model::Days today) {
  Table t({{"id", Align::right},
           {"application", Align::left, 24},
           {"programme"},
           {"stage", Align::left, 30},
           {"responsible", Align::left, 32},
           {"due"},
           {"timer", Align::left, 30},
           {"amount", Align::right}});
  for (const auto& c : cs) {
    auto due = store::next_due(c);
    auto timer = service::running_timer(env, c);
    t.add_row({std::to_string(c.id), c.application_id, c.programme, stages_with_labels(env, c), join(c.roles, ", "),
               due ? model::format_date(*due) + (*due < today ? "!" : "") : "-",
               timer ? model::format_date(timer->ends) + " → " + timer->then : "-", model::format_yuan(service::shown_amount(c))});
  }
  std::fputs(t.render().c_str(), stdout);
  std::printf("%zu %scase%s (! = overdue as of %s%s)\n", cs.size(), o.all ? "" : "open ", cs.size() == 1 ? "" : "s",
              model::format_date(today).c_str(), o.all ? "" : "; --all lists closed cases too");
}

void print_list_csv(const service::Env& env, const std::vector<store::Case>& cs, model::Days today) {
  CsvWriter w(std::cout, {"id", "application_id", "applicant", "programme", "call_year", "stage", "stage_label", "responsible", "due",
                          "overdue", "timer_ends", "timer_then", "outcome", "amount_fen", "amount", "closed"});
  for (const auto& c : cs) {
    auto due = store::next_due(c);
    auto timer = service::running_timer(env, c);
    std::vector<std::string> labels;
    for (const auto& st : c.stages) labels.push_back(service::stage_label(env, c, st));
    model::Fen amount = service::shown_amount(c);
    w.add_row({std::to_string(c.id), c.application_id, c.applicant, c.programme, std::to_string(c.call_year), join(c.stages, ","),
               join(labels, ","), join(c.roles, ","), due ? model::format_date(*due) : "", due && *due < today ? "true" : "false",
               timer ? model::format_date(timer->ends) : "", timer ? timer->then : "", c.decision ? c.decision->outcome : "",
               std::to_string(amount), model::format_yuan(amount), c.closed ? "true" : "false"});
  }
  std::cout.flush();
}

int run_list(const ListOptions& o) {
  const bool json = o.format == "json";
  Session s;
  if (int rc = open_session(o.rules, o.db, s, json)) return rc;
  return guarded(
      [&] {
        model::Days today = date_or_today(o.date);
        service::InboxQuery q{o.stage, o.role, o.program, o.applicant};
        if (o.overdue) q.overdue_as_of = today;
        q.include_closed = o.all;
        auto cs = service::inbox(*s.env, q);
        if (json)
          for (const auto& c : cs) std::printf("%s\n", json::case_json(c, today, &*s.env).c_str());
        else if (o.format == "csv")
          print_list_csv(*s.env, cs, today);
        else
          print_list_table(*s.env, cs, o, today);
        return kExitOk;
      },
      json);
}

// ------------------------------------------------------------------ act, correct

struct ActOptions : Common {
  long long id = 0;
  std::string action, role, actor, note, amount, reason;
};

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::printf("budget: %s\n", n.c_str());
}

int run_act(const ActOptions& o) {
  const bool json = o.format == "json";
  Session s;
  if (int rc = open_session(o.rules, o.db, s, json)) return rc;
  return guarded([&] {
    service::ActRequest r{o.id, o.action, o.role, o.actor, o.note, date_or_today(o.date)};
    if (!o.amount.empty()) {
      auto fen = model::parse_yuan(o.amount);
      if (!fen)
        throw service::ServiceError(service::ErrorKind::usage, "bad_amount",
                                    "--amount `" + o.amount + "` is not an amount in yuan (e.g. 150000 or 1234.56)", {{"field", "amount"}});
      r.amount = *fen;
      r.reason = o.reason;
    } else if (!o.reason.empty()) {
      throw service::ServiceError(service::ErrorKind::usage, "reason_without_amount", "--reason goes with --amount (the approved smaller amount)",
                                  {{"field", "reason"}});
    }
    auto res = service::act(*s.env, r);
    if (o.format == "json") {
      std::string j = json::case_json(res.c, r.date, &*s.env);
      std::printf("{\"action\":\"%s\",\"step\":%s,%s\n", o.action.c_str(), workflow::to_json(res.step).c_str(), j.c_str() + 1);
      return kExitOk;
    }
    std::printf("case %lld: %s by %s (%s) → %s\n", static_cast<long long>(res.c.id), o.action.c_str(), o.actor.c_str(),
                o.role.c_str(), join(res.c.stages, ",").c_str());
    for (const auto& e : res.step.events)
      if (!e.detail.empty()) std::printf("  %s: %s\n", workflow::event_kind_name(e.kind), e.detail.c_str());
    print_where(*s.env, res.c, r.date);
    print_notes(res.budget_notes);
    return kExitOk;
  }, json);
}

struct CorrectOptions : Common {
  long long id = 0;
  std::string facts, actor, note;
};

int run_correct(const CorrectOptions& o) {
  const bool json = o.format == "json";
  Session s;
  if (int rc = open_session(o.rules, o.db, s, json)) return rc;
  auto text = read_text(o.facts);
  if (!text) return unreadable_facts(o.facts, json);
  return guarded([&] {
    auto res = service::correct(*s.env, {o.id, *text, o.actor, o.note, date_or_today(o.date)});
    if (o.format == "json") {
      std::printf("%s\n", json::case_json(res.c, date_or_today(o.date), &*s.env).c_str());
      return kExitOk;
    }
    std::printf("case %lld: facts version %d recorded (corrected by %s)\n", static_cast<long long>(res.c.id), res.facts_version,
                o.actor.c_str());
    std::printf("decision: %s %s → %s %s\n", res.before.outcome.c_str(), money(res.before.amount_fen).c_str(),
                res.after.outcome.c_str(), money(res.after.amount_fen).c_str());
    print_notes(res.budget_notes);
    return kExitOk;
  }, json);
}

// ------------------------------------------------------------------ history

struct HistoryOptions : Common {
  long long id = 0;
};

int run_history(const HistoryOptions& o) {
  const bool json = o.format == "json";
  return guarded(
      [&] {
        auto repo = open_db(o.db);
        repo->load_case(o.id);  // not found → exit 3
        Table t({{"#", Align::right},
                 {"date"},
                 {"written (UTC)"},
                 {"actor", Align::left, 20},
                 {"role", Align::left, 28},
                 {"action"},
                 {"from → to"},
                 {"hash"},
                 {"note"}});
        for (const auto& e : repo->events(o.id)) {
          const auto j = json::event_object(e);
          const auto* date_v = j.if_contains("date");
          const std::string date = date_v && date_v->is_string() ? std::string(date_v->get_string()) : std::string();
          if (json) {
            std::printf("%s\n", boost::json::serialize(j).c_str());
            continue;
          }
          t.add_row({std::to_string(e.seq), date.empty() ? "-" : date, e.at, e.actor, e.role.empty() ? "-" : e.role, e.action,
                     (e.from_stage.empty() ? "(new)" : e.from_stage) + " → " + e.to_stage, e.hash.substr(0, 12), e.note});
        }
        if (!json) std::fputs(t.render().c_str(), stdout);
        return kExitOk;
      },
      json);
}

// ------------------------------------------------------------------ import

struct ImportOptions : Common {
  std::string file, program, as_of, applicant_field;
  std::size_t batch = 500;
  bool progress = false, no_progress = false;
};

int run_import(const ImportOptions& o) {
  Session s;
  if (int rc = open_session(o.rules, o.db, s)) return rc;
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "error: cannot open `%s`\n", o.file.c_str());
    return kExitInput;
  }
  bool show = o.progress || (!o.no_progress && ::isatty(2));
  return guarded([&] {
    auto p = s.env->rules.programme(o.program);
    service::SubmitRequest r;
    r.programme = o.program;
    r.date = date_or_today(o.date);
    if (!o.as_of.empty()) r.as_of = *model::parse_date(o.as_of);
    std::vector<service::Prepared> batch;
    std::vector<std::string> lines;     // read, not yet prepared
    std::vector<std::size_t> line_nos;  // their line numbers
    std::size_t line_no = 0, created = 0, failed = 0, seen = 0;
    auto t0 = std::chrono::steady_clock::now();
    auto flush = [&] {
      auto prepared = service::prepare_batch(*s.env, p, r, lines);
      for (std::size_t i = 0; i < prepared.size(); ++i) {
        if (prepared[i].error) {
          ++failed;
          std::fprintf(stderr, "%s%s:%zu: %s\n", show ? "\n" : "", o.file.c_str(), line_nos[i], prepared[i].error->what());
          continue;
        }
        for (const auto& w : prepared[i].prepared->warnings)
          std::fprintf(stderr, "%s%s:%zu: warning: %s\n", show ? "\n" : "", o.file.c_str(), line_nos[i], w.c_str());
        batch.push_back(std::move(*prepared[i].prepared));
      }
      lines.clear();
      line_nos.clear();
      std::size_t n = batch.size();
      created += service::store_batch(*s.env, batch);
      seen += n;
      batch.clear();
      if (show) {
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "\rimport: %zu lines, %zu created, %zu skipped, %zu failed (%.0f cases/s)", line_no, created,
                     seen - created, failed, secs > 0 ? static_cast<double>(seen) / secs : 0.0);
      }
    };
    std::string line;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      lines.push_back(std::move(line));
      line_nos.push_back(line_no);
      if (lines.size() >= o.batch) flush();
    }
    flush();
    if (show) std::fputc('\n', stderr);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("imported %s: %zu created, %zu skipped (application id already has a case), %zu failed; %.1f s\n", o.file.c_str(),
                created, seen - created, failed, secs);
    return failed ? kExitInput : kExitOk;
  });
}

template <class O>
void common(CLI::App* c, O& o, bool rules, bool date, const char* formats = nullptr) {
  if (rules) add_rules_option(c, o.rules);
  add_db_option(c, o.db);
  if (date) c->add_option("--date", o.date, "the day of the action (default: today, China Standard Time)")->check(date_check);
  if (formats) {
    std::vector<std::string> f;
    std::string all = formats;
    for (std::size_t a = 0, b; a < all.size(); a = b + 1) {
      b = all.find('|', a);
      if (b == std::string::npos) b = all.size();
      f.push_back(all.substr(a, b - a));
    }
    o.format = f.front();
    c->add_option("--format", o.format, std::string("output: ") + formats)->check(CLI::IsMember(f));
  }
}

}  // namespace

void add_case_commands(CLI::App& app, Action& action) {
  auto* cc = app.add_subcommand("case", "submit applications and move cases through their workflow (docs/cases.md)");
  cc->require_subcommand(1);

  auto so = std::make_shared<SubmitOptions>();
  auto* sub = cc->add_subcommand("submit", "evaluate an application and create its case");
  sub->add_option("--program", so->program, "the programme applied for")->required();
  sub->add_option("--facts", so->facts, "the applicant's facts: one JSON object with an \"id\" (- = stdin)")->required();
  sub->add_option("--as-of", so->as_of, "evaluation date (default: --date, else today)")->check(date_check);
  sub->add_option("--applicant", so->applicant, "organisation key for awards (统一社会信用代码; default: the application id)");
  sub->add_option("--actor", so->actor, "who submits (default: 申报单位)");
  common(sub, *so, true, true, "text|json");
  sub->callback([&action, so] { action = [so] { return run_submit(*so); }; });

  auto sh = std::make_shared<ShowOptions>();
  auto* show = cc->add_subcommand("show", "a case: stages, responsible roles, deadlines, timer, decision and each role's next steps");
  show->add_option("ID", sh->id, "case id")->required();
  show->add_flag("--explain", sh->explain, "re-evaluate the latest facts at the stored as-of date and explain");
  show->add_option("--lang", sh->lang, "explanation language: zh or en")->check(CLI::IsMember({"zh", "en"}));
  show->add_option("--as", sh->role, "list only the next steps of this role, e.g. 市科技局 (default: every role's)");
  common(show, *sh, true, true, "text|json");
  show->callback([&action, sh] { action = [sh] { return run_show(*sh); }; });

  auto lo = std::make_shared<ListOptions>();
  auto* list = cc->add_subcommand("list", "an officer's inbox: open cases by stage, role, programme, applicant, overdue");
  list->add_option("--stage", lo->stage, "only cases at this stage");
  list->add_option("--role", lo->role, "only cases waiting for this role, e.g. 市科技局");
  list->add_option("--program", lo->program, "only this programme");
  list->add_option("--applicant", lo->applicant, "only this applicant's cases (统一社会信用代码)");
  list->add_flag("--overdue", lo->overdue, "only cases past their due date (as of --date)");
  list->add_flag("--all", lo->all, "closed cases too (default: open cases only)");
  common(list, *lo, true, true, "table|json|csv");
  list->callback([&action, lo] { action = [lo] { return run_list(*lo); }; });

  auto ao = std::make_shared<ActOptions>();
  auto* act = cc->add_subcommand("act", "take a workflow action on a case (approve, return, vote, disburse, …)");
  act->add_option("ID", ao->id, "case id")->required();
  act->add_option("ACTION", ao->action, "the action, e.g. approve")->required();
  act->add_option("--as", ao->role, "the role acting, e.g. 旗县区科技局[临河区]")->required();
  act->add_option("--actor", ao->actor, "the person acting")->required();
  act->add_option("--note", ao->note, "a note recorded with the event");
  act->add_option("--amount", ao->amount, "approve a smaller amount in yuan, where the workflow marks the stage `amount adjustable`");
  act->add_option("--reason", ao->reason, "why the amount is smaller (required with --amount; recorded with the event)");
  common(act, *ao, true, true, "text|json");
  act->callback([&action, ao] { action = [ao] { return run_act(*ao); }; });

  auto co = std::make_shared<CorrectOptions>();
  auto* cor = cc->add_subcommand("correct", "record corrected facts after data verification and re-evaluate");
  cor->add_option("ID", co->id, "case id")->required();
  cor->add_option("--facts", co->facts, "the corrected facts (same \"id\")")->required();
  cor->add_option("--actor", co->actor, "who corrected the data")->required();
  cor->add_option("--note", co->note, "a note recorded with the event");
  common(cor, *co, true, true, "text|json");
  cor->callback([&action, co] { action = [co] { return run_correct(*co); }; });

  auto ho = std::make_shared<HistoryOptions>();
  auto* hist = cc->add_subcommand("history", "every event of a case, with its chain hash");
  hist->add_option("ID", ho->id, "case id")->required();
  common(hist, *ho, false, false, "text|json");
  hist->callback([&action, ho] { action = [ho] { return run_history(*ho); }; });

  auto io = std::make_shared<ImportOptions>();
  auto* imp = cc->add_subcommand("import", "bulk submission from JSON Lines, in batched transactions (idempotent)");
  imp->add_option("FILE", io->file, "one applicant JSON object per line")->required();
  imp->add_option("--program", io->program, "the programme applied for")->required();
  imp->add_option("--as-of", io->as_of, "evaluation date (default: --date, else today)")->check(date_check);
  imp->add_option("--batch", io->batch, "lines per transaction (default 500): one awards look-up and one transaction per batch")->check(CLI::Range(1, 1000000));
  imp->add_flag("--progress", io->progress, "progress on stderr even when it is not a terminal");
  imp->add_flag("--no-progress", io->no_progress, "no progress line");
  common(imp, *io, true, true);
  imp->callback([&action, io] { action = [io] { return run_import(*io); }; });
}

}  // namespace subsidy::cli
