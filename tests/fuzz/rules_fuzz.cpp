// Fuzz target `rules`: the rule-language front end on arbitrary bytes, as `subsidy rules check`
// runs it on one file — parse, check, lower (eval::compile), validate the workflows, render the
// diagnostics (text and JSON). When the file compiles, every programme is evaluated once on
// default facts (all absent / zero) with an explanation, and the file's own `test` blocks are run.
// Built as a libFuzzer target (-DSUBSIDY_FUZZ=ON) and as a replay test; see tests/fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "diag/diagnostic.hpp"
#include "eval/evaluate.hpp"
#include "eval/lower.hpp"
#include "eval/run_tests.hpp"
#include "model/date.hpp"
#include "workflow/workflow.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace subsidy;
  diag::SourceSet sources;
  sources.add("fuzz.rules", std::string(reinterpret_cast<const char*>(data), size));
  diag::Diagnostics diags;
  auto compiled = eval::compile(sources, diags);
  if (compiled.ruleset) workflow::compile_workflows(compiled.ruleset, diags);
  diags.sort();
  (void)diag::render_all(diags, sources);
  (void)diag::render_json(diags, sources);
  if (!compiled.ruleset) return 0;

  const eval::Ruleset& rs = *compiled.ruleset;
  const model::Days as_of = *model::make_date(2024, 6, 28);
  model::Facts facts(rs.schema.facts.size());
  model::Decision decision;
  eval::Explanation explanation;
  eval::evaluate(rs, facts, as_of, decision, nullptr, &explanation);
  for (const auto& r : decision.programs)
    if (r.outcome == model::Outcome::error) (void)eval::error_message(rs, r);
  (void)eval::explain_text(rs, decision, explanation, false);
  (void)eval::explain_text(rs, decision, explanation, true);
  (void)eval::run_tests(rs, as_of);
  return 0;
}
