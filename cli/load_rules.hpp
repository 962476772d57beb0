#pragma once
// Reads a rules directory (every *.rules file below it, in path order), compiles it and validates
// its workflows (engine/workflow: graph checks E0720–E0726).
#include <memory>
#include <string>

#include "diag/diagnostic.hpp"
#include "diag/source.hpp"
#include "eval/ruleset.hpp"
#include "workflow/workflow.hpp"

namespace subsidy::cli {

struct LoadedRules {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  std::shared_ptr<const eval::Ruleset> ruleset;  // null on errors
  std::shared_ptr<const workflow::WorkflowSet> workflows;  // the validated workflows (null on errors)
  std::string error;                             // set when the path could not be read
};

std::unique_ptr<LoadedRules> load_rules(const std::string& path);

// Prints diagnostics to stderr (text) — shared by every command that loads rules.
void print_diagnostics(const LoadedRules& lr);

}  // namespace subsidy::cli
