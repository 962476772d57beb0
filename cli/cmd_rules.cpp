// `subsidy rules check DIR` and `subsidy rules test DIR`.
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/load_rules.hpp"
#include "diag/diagnostic.hpp"
#include "eval/run_tests.hpp"
#include "model/date.hpp"

namespace subsidy::cli {

namespace {

struct CheckOptions {
  std::string dir;
  std::string format = "text";
};

int run_check(const CheckOptions& o) {
  auto lr = load_rules(o.dir);
  if (!lr->error.empty()) {
    std::fprintf(stderr, "error: %s\n", lr->error.c_str());
    return kExitRules;
  }
  if (o.format == "json") {
    std::fputs(diag::render_json(lr->diags, lr->sources).c_str(), stdout);
  } else {
    std::fputs(diag::render_all(lr->diags, lr->sources).c_str(), stdout);
    std::printf("%zu file%s checked: %s\n", lr->sources.size(), lr->sources.size() == 1 ? "" : "s",
                diag::summary(lr->diags).c_str());
    if (lr->ruleset)
      std::printf("ruleset %s: %zu programmes, %zu facts, %zu parameters, %zu tables, %zu exceptions, %zu groups, %zu tests\n",
                  lr->ruleset->hash.substr(0, 12).c_str(), lr->ruleset->programs.size(), lr->ruleset->schema.facts.size(),
                  lr->ruleset->params.size(), lr->ruleset->tables.size(), lr->ruleset->exceptions.size(),
                  lr->ruleset->groups.size(), lr->ruleset->tests.size());
  }
  return lr->diags.has_errors() ? kExitRules : kExitOk;
}

struct TestOptions {
  std::string dir;
  std::string as_of;
};

int run_test(const TestOptions& o) {
  auto lr = load_rules(o.dir);
  if (!lr->ruleset) {
    print_diagnostics(*lr);
    return kExitRules;
  }
  model::Days as_of = model::today_cst();
  if (!o.as_of.empty()) as_of = *model::parse_date(o.as_of);
  const auto& rs = *lr->ruleset;
  auto rep = eval::run_tests(rs, as_of);
  for (const auto& f : rep.failures) {
    std::printf("FAIL %s: test \"%s\"\n  expected: %s\n  actual:   %s\n", diag::location(f.span, lr->sources).c_str(),
                rs.tests[f.test].name.c_str(), f.expected.c_str(), f.actual.c_str());
  }
  if (!rep.uncovered_programs.empty()) {
    std::printf("programmes no test names:");
    for (auto p : rep.uncovered_programs) std::printf(" %s", rs.programs[p].id.c_str());
    std::printf("\n");
  }
  if (!rep.uncovered_requirements.empty()) {
    std::printf("requirements no test sees failing:\n");
    for (auto [p, r] : rep.uncovered_requirements)
      std::printf("  %s.%s (%s)\n", rs.programs[p].id.c_str(), rs.programs[p].requirements[r].name.c_str(),
                  diag::location(rs.programs[p].requirements[r].span, lr->sources).c_str());
  }
  std::size_t reqs = 0;
  for (const auto& p : rs.programs) reqs += p.requirements.size();
  std::printf("coverage: %zu/%zu programmes, %zu/%zu requirements\n", rs.programs.size() - rep.uncovered_programs.size(),
              rs.programs.size(), reqs - rep.uncovered_requirements.size(), reqs);
  std::printf("%zu passed, %zu failed\n", rep.passed, rep.failed);
  return rep.failed ? kExitTestsFailed : kExitOk;
}

}  // namespace

void add_rules_commands(CLI::App& app, Action& action) {
  auto* rules = app.add_subcommand("rules", "check and test rule files");
  rules->require_subcommand(1);

  auto co = std::make_shared<CheckOptions>();
  auto* check = rules->add_subcommand("check", "report errors and warnings in a rules directory (file:line:col, caret, code)");
  check->add_option("DIR", co->dir, "rules directory (every *.rules file below it) or one .rules file")->required();
  check->add_option("--format", co->format, "text (for people) or json (for machines)")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&action, co] { action = [co] { return run_check(*co); }; });

  auto to = std::make_shared<TestOptions>();
  auto* test = rules->add_subcommand("test", "run the `test` blocks of a rules directory and report coverage");
  test->add_option("DIR", to->dir, "rules directory or one .rules file")->required();
  test->add_option("--as-of", to->as_of, "evaluation date for tests without `as of` (YYYY-MM-DD; default: today)")
      ->check([](const std::string& s) { return model::parse_date(s) ? std::string() : "not a date (YYYY-MM-DD): " + s; });
  test->callback([&action, to] { action = [to] { return run_test(*to); }; });
}

}  // namespace subsidy::cli
