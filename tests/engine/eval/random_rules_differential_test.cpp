// Random well-typed rule files (tests/support/rulegen.hpp) as test input:
//  * every generated file compiles (parse, check, lower) with 0 errors — the generator only writes
//    what the language accepts, so the differential test below exercises real rules;
//  * random rules × random applicants: lowered with and without fusion, the decisions (with
//    explanations) are byte-identical, on random evaluation dates around the parameters' dates.
// A failure names the rulegen seed: `build/tests/fuzz/rulegen SEED` prints the file.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "diag/diagnostic.hpp"
#include "eval/lower.hpp"
#include "model/date.hpp"
#include "differential_support.hpp"
#include "support/random_facts.hpp"
#include "support/rulegen.hpp"

using namespace subsidy;

namespace {

struct Generated {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  std::shared_ptr<const eval::Ruleset> rs;
};

std::unique_ptr<Generated> compile_seed(std::uint64_t seed, bool fuse) {
  auto g = std::make_unique<Generated>();
  g->sources.add("rulegen-" + std::to_string(seed) + ".rules", subsidy::testing::random_rules(seed));
  g->rs = eval::compile(g->sources, g->diags, "rulegen", eval::LowerOptions{.fuse = fuse}).ruleset;
  return g;
}

TEST(RandomRules, EveryGeneratedFileChecksWithoutErrors) {
  for (std::uint64_t seed = 1; seed <= 500; ++seed) {
    auto g = compile_seed(seed, true);
    ASSERT_EQ(g->diags.error_count(), 0u) << "rulegen seed " << seed << ":\n" << diag::render_all(g->diags, g->sources);
    ASSERT_TRUE(g->rs) << "rulegen seed " << seed;
  }
}

TEST(RandomRules, GeneratedFilesUseEveryConstruct) {
  // The generator's reach, measured on the compiled rulesets: otherwise the tests above could pass
  // on files that never contain a wide table, an exception or a `cap total`.
  std::size_t wide_tables = 0, collect = 0, unique = 0, refusals = 0, modifiers = 0, shared_caps = 0, already = 0,
              highest = 0, totals = 0, params_dated = 0, optionals = 0;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    auto g = compile_seed(seed, true);
    ASSERT_TRUE(g->rs) << "rulegen seed " << seed;
    for (const auto& t : g->rs->tables) {
      wide_tables += t.inputs.size() > 8;
      collect += t.hit == eval::Hit::collect_sum || t.hit == eval::Hit::collect_count;
      unique += t.hit == eval::Hit::unique;
    }
    for (const auto& x : g->rs->exceptions) (x.refuses ? refusals : modifiers) += 1;
    for (const auto& gr : g->rs->groups) {
      shared_caps += gr.cap != eval::kNoNode && !gr.total_only;
      already += gr.already != eval::kNoNode;
      highest += gr.pay_highest;
      totals += gr.total_only;
    }
    for (const auto& p : g->rs->params) params_dated += p.values.size() > 1;
    for (const auto& f : g->rs->schema.facts) optionals += f.type.optional;
  }
  for (std::size_t n : {wide_tables, collect, unique, refusals, modifiers, shared_caps, already, highest, totals,
                        params_dated, optionals})
    EXPECT_GT(n, 5u);
}

using subsidy::testing::first_difference;

// The smallest case the random test found (rulegen seed 9): an exception applying to every
// programme reads a parameter in its condition. Each programme's explanation lists the parameter,
// however often the condition is evaluated.
TEST(RandomRules, ExceptionConditionParametersAreListedForEveryProgramme) {
  const std::string text = R"(
fact a: bool "a" "a";
fact b: bool "b" "b";
param p: bool "p" "p" { from 2020-01-01 = true source "s" sourced; }
program A "A" "A" { citation "c"; require ra: a else "ra" "ra"; amount 1元; }
program B "B" "B" { citation "c"; require rb: b else "rb" "rb"; amount 1元; }
exception x "x" "x" { applies to all; when p and a; refuse "x" "x"; }
)";
  std::shared_ptr<const eval::Ruleset> both[2];
  diag::SourceSet sources;
  sources.add("x.rules", text);
  for (bool fuse : {true, false}) {
    diag::Diagnostics diags;
    both[fuse] = eval::compile(sources, diags, "x", eval::LowerOptions{.fuse = fuse}).ruleset;
    ASSERT_TRUE(both[fuse]) << diag::render_all(diags, sources);
  }
  model::Facts facts(both[0]->schema.facts.size());
  facts.set(0, 0);
  facts.set(1, 1);
  const model::Days as_of = *model::make_date(2024, 6, 28);
  const std::string fused = subsidy::testing::decision_bytes(*both[1], facts, as_of);
  const std::string plain = subsidy::testing::decision_bytes(*both[0], facts, as_of);
  EXPECT_TRUE(fused == plain) << first_difference(fused, plain);
}

TEST(RandomRules, FusedAndPlainLoweringDecideAlike) {
  const model::Days first = *model::make_date(2017, 6, 1), last = *model::make_date(2028, 12, 31);
  std::size_t decisions = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    auto fused = compile_seed(seed, true);
    auto plain = compile_seed(seed, false);
    ASSERT_TRUE(fused->rs && plain->rs) << "rulegen seed " << seed << ":\n" << diag::render_all(fused->diags, fused->sources);
    subsidy::testing::FactSampler sample(*fused->rs);
    subsidy::testing::DecisionBytes fused_bytes(*fused->rs), plain_bytes(*plain->rs);
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<model::Days> date(first, last);
    for (int i = 0; i < 300; ++i) {
      const model::Facts facts = sample(rng);
      const model::Days as_of = date(rng);
      const bool english = i % 2 == 1;
      const std::string a = fused_bytes(facts, as_of, english);
      const std::string b = plain_bytes(facts, as_of, english);
      ++decisions;
      if (a != b) {  // one report per seed, then the next seed
        ADD_FAILURE() << "rulegen seed " << seed << ", applicant " << i << ", as of " << model::format_date(as_of)
                      << ": " << first_difference(a, b);
        break;
      }
    }
  }
  EXPECT_GT(decisions, 0u);
}

}  // namespace
