#pragma once
// Lowering and the compile driver: parse every source → check → lower to an immutable Ruleset.
#include <memory>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "dsl/ast.hpp"
#include "eval/ruleset.hpp"

namespace subsidy::check {
struct CheckResult;
}

namespace subsidy::eval {

std::shared_ptr<const Ruleset> lower(const std::vector<dsl::ast::File>& files, const check::CheckResult& checked,
                                     const diag::SourceSet& sources);

struct CompileResult {
  std::shared_ptr<const Ruleset> ruleset;  // null when there were errors
};

// Parses and checks every file of `sources` (all errors are reported to `diags`), then lowers.
// `hash` identifies the sources (the CLI passes their SHA-256) and is stored in the Ruleset.
CompileResult compile(const diag::SourceSet& sources, diag::Diagnostics& diags, std::string hash = {});

}  // namespace subsidy::eval
