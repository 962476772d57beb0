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

// How to lower. `fuse == false` produces only the general operations: no fused fact tests (EqFC…,
// InMaskF), no precomputed table lookups (TableLookup), no requirement fast paths and no cached
// exception conditions. Decisions are identical either way (the differential test checks it); the
// switch exists to check exactly that and to diagnose a suspected fast-path defect.
struct LowerOptions {
  bool fuse = true;
};

std::shared_ptr<const Ruleset> lower(const std::vector<dsl::ast::File>& files, const check::CheckResult& checked,
                                     const diag::SourceSet& sources, LowerOptions opts = {});

struct CompileResult {
  std::shared_ptr<const Ruleset> ruleset;  // null when there were errors
};

// Parses and checks every file of `sources` (all errors are reported to `diags`), then lowers.
// `hash` identifies the sources (the CLI passes their SHA-256) and is stored in the Ruleset.
CompileResult compile(const diag::SourceSet& sources, diag::Diagnostics& diags, std::string hash = {},
                      LowerOptions opts = {});

}  // namespace subsidy::eval
