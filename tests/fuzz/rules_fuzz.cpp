// Fuzz target `rules`: the rule-language front end on arbitrary bytes, as `subsidy rules check`
// runs it on one file — parse, check, lower (eval::compile), validate the workflows, render the
// diagnostics (text and JSON). When the file compiles, every programme is evaluated once on
// default facts (all absent / zero) with an explanation, and the file's own `test` blocks are run.
// The same decision must come out without an explanation, and from the ruleset lowered without
// fusion (LowerOptions{.fuse = false}); a difference traps.
// Built as a libFuzzer target (-DSUBSIDY_FUZZ=ON) and as a replay test; see tests/fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "eval/evaluate.hpp"
#include "eval/lower.hpp"
#include "eval/run_tests.hpp"
#include "model/date.hpp"
#include "workflow/workflow.hpp"

namespace {

using namespace subsidy;

// The first difference between two decisions ("" when equal): everything but the lowered node
// index of an error, which differs between lowerings; the error's message (naming the expression
// and its place) is compared instead.
std::string difference(const eval::Ruleset& ra, const model::Decision& a, const eval::Ruleset& rb,
                       const model::Decision& b) {
  if (a.total != b.total || a.total_before_caps != b.total_before_caps || a.caps != b.caps || a.capped != b.capped ||
      a.illustrative != b.illustrative || a.errors != b.errors || a.programs.size() != b.programs.size())
    return "the totals or top-level flags (total, total_before_caps, caps, capped, illustrative, errors)";
  for (std::size_t i = 0; i < a.programs.size(); ++i) {
    const auto& x = a.programs[i];
    const auto& y = b.programs[i];
    const std::string p = "programme " + ra.programs[i].id + ": ";
    if (x.outcome != y.outcome) return p + model::outcome_name(x.outcome) + " vs " + model::outcome_name(y.outcome);
    if (x.amount != y.amount) return p + "amount " + std::to_string(x.amount) + " vs " + std::to_string(y.amount);
    if (x.failed != y.failed || x.refused_by != y.refused_by) return p + "the reasons for refusal";
    if (x.exceptions != y.exceptions || x.limited_by != y.limited_by) return p + "the exceptions or groups applied";
    if (x.illustrative != y.illustrative) return p + "illustrative " + std::to_string(x.illustrative) + " vs " + std::to_string(y.illustrative);
    if (x.error_kind != y.error_kind || x.error_group != y.error_group ||
        (x.outcome == model::Outcome::error && eval::error_message(ra, x) != eval::error_message(rb, y)))
      return p + "the error";
  }
  return {};
}

void check_same(const char* what, const std::string& diff) {
  if (diff.empty()) return;
  std::fprintf(stderr, "rules fuzz: %s: %s\n", what, diff.c_str());
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
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

  model::Decision unexplained;
  eval::evaluate(rs, facts, as_of, unexplained);
  check_same("the decision changes when explained", difference(rs, decision, rs, unexplained));
  diag::Diagnostics plain_diags;
  auto plain = eval::compile(sources, plain_diags, {}, eval::LowerOptions{.fuse = false});
  if (!plain.ruleset) check_same("lowering without fusion", "fails");
  model::Decision plain_decision;
  eval::evaluate(*plain.ruleset, facts, as_of, plain_decision);
  check_same("fused and plain lowering decide differently", difference(rs, decision, *plain.ruleset, plain_decision));
  return 0;
}
