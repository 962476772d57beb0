// `subsidy rules check DIR` and `subsidy rules test DIR`.
#include <boost/json.hpp>

#include <cstdio>
#include <string>

#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "diag/diagnostic.hpp"
#include "eval/run_tests.hpp"
#include "files/rules_dir.hpp"
#include "model/date.hpp"

namespace subsidy::cli {

namespace {

std::size_t requirement_count(const eval::Ruleset& rs) {
  std::size_t n = 0;
  for (const auto& p : rs.programs) n += p.requirements.size();
  return n;
}

struct CheckOptions {
  std::string dir;
  std::string format = "text";
};

int run_check(const CheckOptions& o) {
  auto lr = files::load_rules(o.dir);
  if (!lr->error.empty()) return report_rules_error(*lr, lr->error, o.format == "json");
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
  std::string format = "text";
};

void print_test_text(const files::LoadedRules& lr, const eval::TestReport& rep) {
  const auto& rs = *lr.ruleset;
  for (const auto& f : rep.failures) {
    std::printf("FAIL %s: test \"%s\"\n  expected: %s\n  actual:   %s\n", diag::location(f.span, lr.sources).c_str(),
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
                  diag::location(rs.programs[p].requirements[r].span, lr.sources).c_str());
  }
  std::size_t reqs = requirement_count(rs);
  std::printf("coverage: %zu/%zu programmes, %zu/%zu requirements\n", rs.programs.size() - rep.uncovered_programs.size(),
              rs.programs.size(), reqs - rep.uncovered_requirements.size(), reqs);
  std::printf("%zu passed, %zu failed\n", rep.passed, rep.failed);
}

// {"passed":N,"failed":M,"failures":[…],"coverage":{"programmes":{…},"requirements":{…}}} (docs/integration.md §5.2).
void print_test_json(const files::LoadedRules& lr, const eval::TestReport& rep) {
  namespace bj = boost::json;
  const auto& rs = *lr.ruleset;
  bj::array failures;
  for (const auto& f : rep.failures)
    failures.push_back(bj::object{{"test", rs.tests[f.test].name},
                                  {"location", diag::location(f.span, lr.sources)},
                                  {"expected", f.expected},
                                  {"actual", f.actual}});
  bj::array programmes;
  for (auto p : rep.uncovered_programs) programmes.emplace_back(rs.programs[p].id);
  bj::array requirements;
  for (auto [p, r] : rep.uncovered_requirements)
    requirements.push_back(bj::object{{"programme", rs.programs[p].id},
                                      {"requirement", rs.programs[p].requirements[r].name},
                                      {"location", diag::location(rs.programs[p].requirements[r].span, lr.sources)}});
  std::size_t reqs = requirement_count(rs);
  bj::object coverage{
      {"programmes", bj::object{{"covered", rs.programs.size() - rep.uncovered_programs.size()},
                                {"total", rs.programs.size()},
                                {"uncovered", std::move(programmes)}}},
      {"requirements", bj::object{{"covered", reqs - rep.uncovered_requirements.size()},
                                  {"total", reqs},
                                  {"uncovered", std::move(requirements)}}}};
  bj::object o{{"passed", rep.passed}, {"failed", rep.failed}, {"failures", std::move(failures)}, {"coverage", std::move(coverage)}};
  std::printf("%s\n", bj::serialize(o).c_str());
}

int run_test(const TestOptions& o) {
  auto lr = files::load_rules(o.dir);
  if (!lr->ruleset) return report_rules_error(*lr, "the rules have errors", o.format == "json");
  model::Days as_of = model::today_cst();
  if (!o.as_of.empty()) as_of = *model::parse_date(o.as_of);
  auto rep = eval::run_tests(*lr->ruleset, as_of);
  if (o.format == "json")
    print_test_json(*lr, rep);
  else
    print_test_text(*lr, rep);
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
  test->add_option("--format", to->format, "text (for people) or json (one object: results, failures, coverage)")
      ->check(CLI::IsMember({"text", "json"}));
  test->add_option("--as-of", to->as_of, "evaluation date for tests without `as of` (YYYY-MM-DD; default: today)")
      ->check([](const std::string& s) { return model::parse_date(s) ? std::string() : "not a date (YYYY-MM-DD): " + s; });
  test->callback([&action, to] { action = [to] { return run_test(*to); }; });
  add_publish_commands(*rules, action);
  add_whatif_commands(*rules, action);
}

}  // namespace subsidy::cli
