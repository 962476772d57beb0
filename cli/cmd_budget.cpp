// `subsidy budget set|show|history|allocate` (docs/cases.md §5).
#include <boost/json.hpp>

#include <cstdio>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "json/case_json.hpp"
#include "model/money.hpp"
#include "service/budgets.hpp"

namespace subsidy::cli {

namespace {

struct BudgetOptions {
  std::string rules = "rules", db, program, total, method = "pro-rata", actor, note, format = "text";
  int year = 0;
};

namespace bj = boost::json;

void print_budget(const store::Budget& b) {
  std::printf("%-6s %4d  total %16s  reserved %16s  consumed %16s  available %16s\n", b.programme.c_str(), b.year,
              model::format_yuan(b.total_fen).c_str(), model::format_yuan(b.reserved_fen).c_str(),
              model::format_yuan(b.consumed_fen).c_str(), model::format_yuan(b.available_fen()).c_str());
}

int run_set(const BudgetOptions& o) {
  auto total = model::parse_yuan(o.total);
  if (!total || *total < 0) {
    std::fprintf(stderr, "error: --total `%s` is not an amount in yuan (e.g. 5000000 or 1234.56)\n", o.total.c_str());
    return kExitUsage;
  }
  Session s;
  if (int rc = open_session(o.rules, o.db, s)) return rc;
  return guarded([&] {
    print_budget(service::set_budget(*s.env, o.program, o.year, *total, o.actor, o.note));
    return kExitOk;
  });
}

int run_show(const BudgetOptions& o) {
  return guarded([&] {
    auto repo = open_db(o.db);
    std::size_t n = 0;
    for (const auto& b : service::list_budgets(*repo, o.program, o.year ? std::optional<int>(o.year) : std::nullopt)) {
      if (o.format == "json") {
        std::printf("%s\n", bj::serialize(json::budget_object(b)).c_str());
      } else {
        print_budget(b);
      }
      ++n;
    }
    if (!n && o.format != "json") std::printf("no budget%s\n", o.program.empty() && !o.year ? "s" : " matches");
    return kExitOk;
  }, o.format == "json");
}

// Text: one line per event (seq, time, action, total after, actor, note, hash); an allocation also
// says what it shared (the cases' amounts are in its JSON payload and in each case's history).
int run_history(const BudgetOptions& o) {
  return guarded([&] {
    auto repo = open_db(o.db);
    for (const auto& e : service::budget_history(*repo, o.program, o.year)) {
      if (o.format == "json") {
        std::printf("%s\n", bj::serialize(json::budget_event_object(e)).c_str());
        continue;
      }
      std::printf("%3lld  %s  %-8s  total %16s  by %s%s%s  #%s\n", static_cast<long long>(e.seq), e.at.c_str(),
                  e.action.c_str(), model::format_yuan(e.total_fen).c_str(), e.actor.c_str(), e.note.empty() ? "" : "  note: ",
                  e.note.c_str(), e.hash.substr(0, 12).c_str());
      bj::error_code ec;
      const bj::value p = e.payload_json.empty() ? bj::value() : bj::parse(e.payload_json, ec);
      if (ec || !p.is_object()) continue;
      const bj::object& a = p.as_object();
      auto fen = [&](const char* key) {
        const bj::value* v = a.if_contains(key);
        return v && v->is_int64() ? model::format_yuan(v->as_int64()) : std::string("?");
      };
      const bj::value* method = a.if_contains("method");
      const bj::value* cases = a.if_contains("cases");
      std::printf("     %s: demand %s, available %s, %zu case(s)\n",
                  method && method->is_string() ? method->as_string().c_str() : "?", fen("demand_fen").c_str(),
                  fen("available_fen").c_str(), cases && cases->is_array() ? cases->as_array().size() : 0);
    }
    return kExitOk;
  }, o.format == "json");
}

int run_allocate(const BudgetOptions& o) {
  Session s;
  if (int rc = open_session(o.rules, o.db, s)) return rc;
  return guarded([&] {
    auto m = o.method == "ranked" ? service::Allocation::ranked : service::Allocation::pro_rata;
    auto r = service::allocate(*s.env, o.program, o.year, m, o.actor);
    std::printf("%s %d, %s: demand %s, available %s\n", o.program.c_str(), o.year, o.method.c_str(),
                model::format_yuan(r.demand).c_str(), model::format_yuan(r.available).c_str());
    std::printf("%-6s %-22s %16s %16s %16s\n", "case", "application", "decided", "before", "allocated");
    for (const auto& l : r.lines)
      std::printf("%-6lld %-22s %16s %16s %16s\n", static_cast<long long>(l.id), l.application_id.c_str(),
                  model::format_yuan(l.decided).c_str(), model::format_yuan(l.before).c_str(), model::format_yuan(l.allocated).c_str());
    print_budget(r.budget);
    return kExitOk;
  });
}

}  // namespace

void add_budget_commands(CLI::App& app, Action& action) {
  auto* bc = app.add_subcommand("budget", "budgets per programme and year: set, show, history, allocate (docs/cases.md)");
  bc->require_subcommand(1);
  auto o = std::make_shared<BudgetOptions>();

  auto* set = bc->add_subcommand("set", "create or change a budget's total");
  set->add_option("--program", o->program, "programme id (of the ruleset in --rules)")->required();
  set->add_option("--year", o->year, "call year (2000–2100)")->required();
  set->add_option("--total", o->total, "total in yuan, e.g. 5000000 or 1234.56")->required();
  set->add_option("--actor", o->actor, "who sets the budget (recorded in the budget's ledger)")->required();
  set->add_option("--note", o->note, "a note recorded with the budget's ledger event");
  add_rules_option(set, o->rules);
  add_db_option(set, o->db);
  set->callback([&action, o] { action = [o] { return run_set(*o); }; });

  auto* show = bc->add_subcommand("show", "total, reserved, consumed and available");
  show->add_option("--program", o->program, "only this programme");
  show->add_option("--year", o->year, "only this year");
  show->add_option("--format", o->format, "text (default) or json (one object per budget and line)")
      ->check(CLI::IsMember({"text", "json"}));
  add_db_option(show, o->db);
  show->callback([&action, o] { action = [o] { return run_show(*o); }; });

  auto* hist = bc->add_subcommand("history", "every change of a budget's total and every allocation, with actor and chain hash");
  hist->add_option("--program", o->program, "programme id")->required();
  hist->add_option("--year", o->year, "call year")->required();
  hist->add_option("--format", o->format, "text (default) or json (one object per event and line)")
      ->check(CLI::IsMember({"text", "json"}));
  add_db_option(hist, o->db);
  hist->callback([&action, o] { action = [o] { return run_history(*o); }; });

  auto* al = bc->add_subcommand("allocate", "share the budget among the open eligible cases of a programme and year");
  al->add_option("--program", o->program, "programme id")->required();
  al->add_option("--year", o->year, "call year")->required();
  al->add_option("--method", o->method, "pro-rata or ranked")->required()->check(CLI::IsMember({"pro-rata", "ranked"}));
  al->add_option("--actor", o->actor, "who allocates")->required();
  add_rules_option(al, o->rules);
  add_db_option(al, o->db);
  al->callback([&action, o] { action = [o] { return run_allocate(*o); }; });
}

}  // namespace subsidy::cli
