#pragma once
// Random well-typed rule files (docs/language.md), for tests and fuzzing. Byte-level fuzzing
// rarely gets past the checker; these files do, so lowering and evaluation of unusual rules get
// exercised: facts of every type (optional ones too; sets of text, of enums and of programme ids),
// parameters with several dated values, programmes with requirements, amounts, minimums and caps,
// decision tables of every hit policy with 1..10 inputs, refusing and amount-modifying exceptions
// with distinct priorities, groups with every cap form (shared cap with `already`, `pay highest`,
// `cap total`) and `test` blocks.
//
// Every file passes `subsidy rules check` with 0 errors (warnings — unused facts, gaps in unique
// tables, programmes without a workflow — are expected). Used by scripts/fuzz.sh (the `rulegen`
// tool writes seeds for the `rules` fuzz target) and by
// tests/engine/eval/random_rules_differential_test.cpp.
#include <cstdint>
#include <string>

namespace subsidy::testing {

struct RulegenOptions {
  int max_enums = 4;          // 1..max_enums enumerations (one of them may be large: > 64 values)
  int max_extra_facts = 16;   // facts beyond the one-of-every-type base set
  int max_params = 6;
  int max_tables = 6;
  int max_table_inputs = 10;  // arity 1..this
  int max_rows = 8;
  int max_programs = 8;
  int max_requirements = 8;
  int max_exceptions = 5;
  int max_groups = 4;
  int max_tests = 2;
  int max_depth = 3;          // nesting of generated expressions
  bool unicode_names = true;  // some identifiers and labels in Chinese, escapes in texts
};

// A complete rule file, deterministic in `seed` and `opts`.
std::string random_rules(std::uint64_t seed, const RulegenOptions& opts = {});

}  // namespace subsidy::testing
