// `subsidy awards list` (docs/cases.md §5, "Awards"): the disbursed awards that drive exclusions,
// as a table, JSON Lines or CSV.
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/table.hpp"
#include "json/case_json.hpp"
#include "model/money.hpp"
#include "service/budgets.hpp"

namespace subsidy::cli {

namespace {

struct AwardsOptions {
  std::string db, applicant, program, format = "table";
  int year = 0;
};

std::vector<std::string> award_fields(const store::Award& a) {
  return {std::to_string(a.id), a.applicant, a.programme, std::to_string(a.year), model::format_yuan(a.amount_fen),
          a.achievement.value_or(""), a.case_id ? std::to_string(*a.case_id) : "", a.disbursed_at};
}

int run_list(const AwardsOptions& o) {
  return guarded([&] {
    store::AwardFilter f;
    if (!o.applicant.empty()) f.applicant = o.applicant;
    if (!o.program.empty()) f.programme = o.program;
    if (o.year != 0) f.year = o.year;
    auto repo = open_db(o.db);
    const auto awards = service::list_awards(*repo, f);
    if (o.format == "json") {
      for (const auto& a : awards) std::printf("%s\n", boost::json::serialize(json::award_object(a)).c_str());
    } else if (o.format == "csv") {
      CsvWriter csv(std::cout, {"id", "applicant", "programme", "year", "amount", "achievement", "case", "disbursed_at"});
      for (const auto& a : awards) csv.add_row(award_fields(a));
    } else if (awards.empty()) {
      std::printf("no awards\n");
    } else {
      Table t({{"id", Align::right},
               {"applicant"},
               {"programme"},
               {"year", Align::right},
               {"amount", Align::right},
               {"achievement", Align::left, 40},
               {"case", Align::right},
               {"disbursed"}});
      for (const auto& a : awards) t.add_row(award_fields(a));
      std::fputs(t.render().c_str(), stdout);
    }
    return kExitOk;
  }, o.format == "json");
}

}  // namespace

void add_awards_commands(CLI::App& app, Action& action) {
  auto* ac = app.add_subcommand("awards", "disbursed awards, which drive the exclusions of later applications (docs/cases.md)");
  ac->require_subcommand(1);
  auto o = std::make_shared<AwardsOptions>();
  auto* list = ac->add_subcommand("list", "awards by applicant, programme and year (each optional), by year");
  list->add_option("--applicant", o->applicant, "only this organisation (统一社会信用代码 or applicant key)");
  list->add_option("--program", o->program, "only this programme");
  list->add_option("--year", o->year, "only this call year");
  list->add_option("--format", o->format, "table (default), json (one object per line) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  add_db_option(list, o->db);
  list->callback([&action, o] { action = [o] { return run_list(*o); }; });
}

}  // namespace subsidy::cli
