#pragma once
// Each subcommand file registers its CLI11 subcommand(s) and sets `action` when chosen.
#include <CLI/CLI.hpp>

#include <functional>

namespace subsidy::cli {

using Action = std::function<int()>;

void add_rules_commands(CLI::App& app, Action& action);
void add_evaluate_command(CLI::App& app, Action& action);
void add_whatif_commands(CLI::App& rules, Action& action);  // `rules diff`, `rules whatif` (cmd_whatif.cpp)
void add_publish_commands(CLI::App& rules, Action& action);  // `rules publish`, `rules versions` (cmd_publish.cpp)
void add_workflow_commands(CLI::App& app, Action& action);
void add_case_commands(CLI::App& app, Action& action);
void add_db_commands(CLI::App& app, Action& action);
void add_budget_commands(CLI::App& app, Action& action);
void add_audit_commands(CLI::App& app, Action& action);
void add_case_advance_command(CLI::App& app, Action& action);  // after add_case_commands: `case advance`
void add_awards_commands(CLI::App& app, Action& action);
void add_user_commands(CLI::App& app, Action& action);
void add_serve_command(CLI::App& app, Action& action);

// `case replay`, `audit replay` (cmd_publish.cpp): after add_case_commands and add_audit_commands.
void add_replay_commands(CLI::App& app, Action& action);
}  // namespace subsidy::cli
