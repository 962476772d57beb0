// The `subsidy` executable: subcommands, logging set-up, exit codes.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

int main(int argc, char** argv) {
  using namespace subsidy::cli;
  CLI::App app{"subsidy — decides funding-subsidy eligibility from rule files, with explanations.\n"
               "Docs: docs/language.md (rules), docs/integration.md (JSON contract, exit codes)."};
  app.set_version_flag("--version", std::string("subsidy ") + SUBSIDY_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log stage boundaries to stderr");
  Action action;
  add_rules_commands(app, action);
  add_evaluate_command(app, action);
  add_workflow_commands(app, action);
  add_case_commands(app, action);
  add_case_advance_command(app, action);
  add_db_commands(app, action);
  add_budget_commands(app, action);
  add_audit_commands(app, action);
  add_awards_commands(app, action);
  add_user_commands(app, action);
  add_serve_command(app, action);
  add_replay_commands(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  auto logger = spdlog::stderr_color_mt("subsidy");
  spdlog::set_default_logger(logger);
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
  spdlog::set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return kExitInternal;
  }
}
