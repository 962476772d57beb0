// Differential test of the evaluator's compiled form (eval/compiled.hpp): eval::evaluate() (which
// runs the compiled superinstructions) and eval::evaluate_plain() (which interprets the nodes) must
// give byte-identical decisions — the encoded JSON line with and without the explanation, and the
// officer's explanation text in both languages — on seeded random applicants (boundary values,
// values near the int64 range that overflow, unset optional facts), random and boundary evaluation
// dates, for the shipped rules/, bench/rules, every compiled shape and random generated rule files,
// each lowered with and without fusion.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "eval/evaluate.hpp"
#include "eval/lower.hpp"
#include "json/decision_encoder.hpp"
#include "model/date.hpp"
#include "differential_support.hpp"
#include "support/random_facts.hpp"
#include "support/rulegen.hpp"

using namespace subsidy;

namespace {

struct Lowered {
  diag::SourceSet sources;
  std::shared_ptr<const eval::Ruleset> rs[2];  // [0] plain lowering, [1] fused
};

void lower(Lowered& l) {
  for (bool fuse : {false, true}) {
    diag::Diagnostics d;
    l.rs[fuse] = eval::compile(l.sources, d, "h", eval::LowerOptions{.fuse = fuse}).ruleset;
    ASSERT_TRUE(l.rs[fuse]) << diag::render_all(d, l.sources);
  }
}

std::unique_ptr<Lowered> from_dir(const std::string& dir) {
  auto l = std::make_unique<Lowered>();
  subsidy::testing::add_rules_dir(l->sources, dir);
  lower(*l);
  return l;
}

std::unique_ptr<Lowered> from_text(const std::string& text) {
  auto l = std::make_unique<Lowered>();
  l->sources.add("t.rules", text);
  lower(*l);
  return l;
}

// How many expressions the compiled form decides by a superinstruction (not `general`).
std::size_t compiled_shapes(const eval::Ruleset& rs) {
  std::size_t n = 0;
  for (const auto& p : rs.compiled.programs) {
    for (const auto& q : p.requirements) n += q.shape != eval::CCond::Shape::general;
    n += p.amount.shape != eval::CAmount::Shape::general;
  }
  for (const auto& w : rs.compiled.when) n += w.shape != eval::CCond::Shape::general;
  return n;
}

// One applicant's decision both ways: JSON without and with the explanation, and the explanation text.
struct Bytes {
  explicit Bytes(const eval::Ruleset& rs) : rs_(rs), enc_(rs) {}
  std::string operator()(const model::Facts& f, model::Days as_of, bool english, bool compiled) {
    using Fn = void (*)(const eval::Ruleset&, const model::Facts&, model::Days, model::Decision&, const eval::Selection*,
                        eval::Explanation*);
    const Fn evaluate = compiled ? static_cast<Fn>(eval::evaluate) : eval::evaluate_plain;
    std::string out;
    model::Decision d;
    evaluate(rs_, f, as_of, d, nullptr, nullptr);
    enc_.append_json(out, "x", d, as_of, nullptr, english, nullptr);
    eval::Explanation ex;
    ex.english = english;
    evaluate(rs_, f, as_of, d, nullptr, &ex);
    enc_.append_json(out, "x", d, as_of, &ex, english, nullptr);
    out += eval::explain_text(rs_, d, ex, english);
    return out;
  }
  const eval::Ruleset& rs_;
  json::DecisionEncoder enc_;
};

// Dates of every change (±1 day); the test draws uniformly random ones in 2017..2028 besides.
std::vector<model::Days> boundary_dates(const eval::Ruleset& rs) {
  std::vector<model::Days> out;
  subsidy::testing::add_change_dates(rs, out);
  return out;
}

struct Tally {
  int applicants = 0, mismatches = 0, errors = 0, eligible = 0;
};

Tally differential(const Lowered& l, std::uint64_t seed, int applicants, const std::string& what) {
  Tally t;
  for (bool fuse : {false, true}) {
    const eval::Ruleset& rs = *l.rs[fuse];
    subsidy::testing::FactSampler sample(rs);
    Bytes bytes(rs);
    const auto edges = boundary_dates(rs);
    std::mt19937_64 rng(seed + fuse);
    std::uniform_int_distribution<model::Days> any(*model::make_date(2017, 1, 1), *model::make_date(2028, 12, 31));
    for (int i = 0; i < applicants && t.mismatches < 5; ++i) {
      const model::Facts f = sample(rng);
      const model::Days as_of = !edges.empty() && i % 2 == 0 ? edges[rng() % edges.size()] : any(rng);
      const bool english = (i & 2) != 0;
      const std::string a = bytes(f, as_of, english, true), p = bytes(f, as_of, english, false);
      ++t.applicants;
      if (a != p) {
        ++t.mismatches;
        ADD_FAILURE() << what << (fuse ? " (fused)" : " (plain lowering)") << ": applicant " << i << " (seed " << seed
                      << ") as of " << model::format_date(as_of) << ": "
                      << subsidy::testing::first_difference(a, p, "compiled", "plain");
      }
      t.errors += a.find("\"outcome\":\"error\"") != std::string::npos;
      t.eligible += a.find("\"outcome\":\"eligible\"") != std::string::npos;
    }
  }
  return t;
}

TEST(Compiled, ShippedRulesCompiledAndPlainAgree) {
  auto l = from_dir("rules");
  EXPECT_GT(compiled_shapes(*l->rs[1]), 0u);
  Tally t = differential(*l, 20261202, 20'000, "rules");
  EXPECT_GT(t.eligible, t.applicants / 100);
}

TEST(Compiled, BenchRulesCompiledAndPlainAgree) {
  auto l = from_dir("bench/rules");
  // Every requirement (19), amount (8) and exception condition (2) of the workload has a
  // superinstruction except the start-up formula; the plain lowering's comparisons and memberships
  // are recognised too (its tables are not precomputed lookups).
  EXPECT_EQ(compiled_shapes(*l->rs[1]), 28u);
  EXPECT_EQ(compiled_shapes(*l->rs[0]), 26u);
  Tally t = differential(*l, 7, 20'000, "bench/rules");
  EXPECT_GT(t.eligible, t.applicants / 100);
}

// Each shape at its edges: overflow of `fact − fact` and of `year(as_of) − fact`, of floor_yuan's
// result, a lookup with no row, a bool fact, comparisons of two facts, the exception amount.
TEST(Compiled, EveryShapeAgreesAtItsEdges) {
  auto l = from_text(R"R(
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional", national "国家级" "national" }
fact x: int "x" "x";
fact y: int "y" "y";
fact m: money "m" "m";
fact n: money "n" "n";
fact lv: Level "级别" "level";
fact flag: bool "f" "f";
table award "奖" "award": money hit unique { inputs lv; regional => 1万; national => 5万; }
program P "p" "p" {
  citation "c";
  require r1: year(as_of) - x <= 3 else "1" "1";
  require r2: m > n else "2" "2";
  require r3: x >= y and flag else "3" "3";
  amount floor_yuan((m - n) * 12.5%);
  minimum 1元;
  cap 100万;
}
program Q "q" "q" { citation "c"; require q1: x != y else "q" "q"; amount floor_yuan(m * 300%); cap award; }
program R "r" "r" { citation "c"; require r1: flag else "r" "r"; amount award; }
program S "s" "s" { citation "c"; require s1: m == n else "s" "s"; amount 2万; }
exception bonus "b" "b" { applies to P, Q; when flag; amount floor_yuan(amount * 120%); priority 1; }
exception no "n" "n" { applies to R, S; when x < y; refuse "n" "n"; }
)R");
  for (const auto& rs : l->rs) EXPECT_GE(compiled_shapes(*rs), 10u);
  Tally t = differential(*l, 11, 30'000, "shapes");
  EXPECT_GT(t.errors, 0);  // the random values near the int64 range reach the error paths
  EXPECT_GT(t.eligible, t.applicants / 100);
}

TEST(Compiled, RandomRulesCompiledAndPlainAgree) {
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    auto l = std::make_unique<Lowered>();
    l->sources.add("rulegen-" + std::to_string(seed) + ".rules", subsidy::testing::random_rules(seed));
    lower(*l);
    if (differential(*l, seed, 150, "rulegen seed " + std::to_string(seed)).mismatches) break;
  }
}

}  // namespace
