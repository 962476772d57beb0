// Differential test: the fused fast paths (fused fact tests, precomputed table lookups, requirement
// fast paths, the exception-condition cache) must decide exactly as the general interpreter. The
// shipped rules and the benchmark rules are lowered both ways and ≥ 100,000 seeded random applicants
// each, on several evaluation dates, must give byte-identical decisions with explanations.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "eval/lower.hpp"
#include "model/date.hpp"
#include "differential_support.hpp"
#include "support/random_facts.hpp"

using namespace subsidy;

namespace {

struct Both {
  diag::SourceSet sources;
  std::shared_ptr<const eval::Ruleset> fused, plain;
};

void lower_both(Both& b) {
  diag::Diagnostics d1, d2;
  b.fused = eval::compile(b.sources, d1, "h", eval::LowerOptions{.fuse = true}).ruleset;
  b.plain = eval::compile(b.sources, d2, "h", eval::LowerOptions{.fuse = false}).ruleset;
  EXPECT_TRUE(b.fused) << diag::render_all(d1, b.sources);
  EXPECT_TRUE(b.plain) << diag::render_all(d2, b.sources);
}

std::unique_ptr<Both> compile_dir(const std::string& dir) {
  auto b = std::make_unique<Both>();
  subsidy::testing::add_rules_dir(b->sources, dir);
  lower_both(*b);
  return b;
}

bool is_fused(eval::Op op) {
  using eval::Op;
  switch (op) {
    case Op::EqFC: case Op::NeFC: case Op::LtFC: case Op::LeFC: case Op::GtFC: case Op::GeFC: case Op::InMaskF:
    case Op::TableLookup:
      return true;
    default: return false;
  }
}

struct FastPaths {
  std::size_t fused_nodes = 0, lookups = 0, fast_requirements = 0, cached_exceptions = 0;
};
FastPaths fast_paths(const eval::Ruleset& rs) {
  FastPaths f;
  for (const auto& n : rs.nodes) {
    f.fused_nodes += is_fused(n.op);
    f.lookups += n.op == eval::Op::TableLookup;
  }
  for (const auto& p : rs.programs)
    for (const auto& q : p.requirements) f.fast_requirements += q.fast != 0;
  if (rs.fused) f.cached_exceptions = std::min<std::size_t>(rs.exceptions.size(), 64);
  return f;
}

// The evaluation dates: fixed ones in each policy year and the day before and of every change
// (parameter values, programme and exception periods).
std::vector<model::Days> dates(const eval::Ruleset& rs) {
  std::vector<model::Days> out;
  for (const char* d : {"2020-06-30", "2021-06-30", "2022-06-01", "2023-06-30", "2024-06-28", "2025-06-01", "2027-01-01"})
    out.push_back(*model::parse_date(d));
  subsidy::testing::add_change_dates(rs, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void differential(const std::string& dir, std::uint64_t seed, int applicants = 100'000, std::unique_ptr<Both> b = nullptr) {
  if (!b) b = compile_dir(dir);
  ASSERT_TRUE(b->fused && b->plain);
  const auto& fused = *b->fused;
  const auto& plain = *b->plain;
  // The plain lowering has no fast path left, and the fused one has them (so both are exercised).
  FastPaths fp = fast_paths(fused), pp = fast_paths(plain);
  EXPECT_EQ(pp.fused_nodes, 0u);
  EXPECT_EQ(pp.fast_requirements, 0u);
  EXPECT_EQ(pp.cached_exceptions, 0u);
  EXPECT_GT(fp.fused_nodes, 0u);
  EXPECT_GT(fp.fast_requirements, 0u);
  ::testing::Test::RecordProperty("fused_nodes", static_cast<int>(fp.fused_nodes));
  ::testing::Test::RecordProperty("table_lookups", static_cast<int>(fp.lookups));
  ::testing::Test::RecordProperty("fast_requirements", static_cast<int>(fp.fast_requirements));
  ::testing::Test::RecordProperty("cached_exceptions", static_cast<int>(fp.cached_exceptions));

  subsidy::testing::FactSampler sample(fused);  // both rulesets share the schema
  subsidy::testing::DecisionBytes fused_bytes(fused), plain_bytes(plain);
  const auto when = dates(fused);
  std::mt19937_64 rng(seed);
  const int kApplicants = applicants;
  int mismatches = 0, errors = 0, eligible = 0, capped = 0;
  for (int i = 0; i < kApplicants && mismatches < 5; ++i) {
    model::Facts f = sample(rng);
    model::Days as_of = when[static_cast<std::size_t>(i) % when.size()];
    bool english = (i & 1) != 0;
    // With the explanation, and without (the batch path: the exception-condition cache is used
    // only there).
    std::string a = fused_bytes(f, as_of, english), p = plain_bytes(f, as_of, english);
    if (a == p) {
      a = fused_bytes(f, as_of, english, false);
      p = plain_bytes(f, as_of, english, false);
    }
    if (a != p) {
      ++mismatches;
      ADD_FAILURE() << dir << ": applicant " << i << " (seed " << seed << ") as of " << model::format_date(as_of)
                    << "\nfused: " << a << "plain: " << p;
    }
    errors += a.find("\"outcome\":\"error\"") != std::string::npos;
    eligible += a.find("\"outcome\":\"eligible\"") != std::string::npos;
    capped += a.find("\"caps\":[]") == std::string::npos;
  }
  // The random applicants reach the interesting outcomes, not only refusals.
  EXPECT_GT(eligible, kApplicants / 100);
  ::testing::Test::RecordProperty("with_error", errors);
  ::testing::Test::RecordProperty("with_eligible", eligible);
  ::testing::Test::RecordProperty("with_caps", capped);
}

TEST(Differential, ShippedRulesFusedAndPlainAgree) { differential("rules", 20261201); }

TEST(Differential, BenchRulesFusedAndPlainAgree) { differential("bench/rules", 42); }

// Every fused shape where the shipped rules have none: each comparison and membership as an
// exception condition (condition()'s cache path), inside compound expressions (ev()), and as
// requirements (fast_test); a lookup table; values at and beside each constant.
TEST(Differential, EveryFusedShapeAgrees) {
  auto b = std::make_unique<Both>();
  b->sources.add("shapes.rules", R"R(
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional", national "国家级" "national" }
fact x: int "x" "x";
fact m: money "m" "m";
fact lv: Level "级别" "level";
fact flag: bool "f" "f";
table award "奖" "award": money hit first { inputs lv; regional => 1万; national => 5万; }
program P "p" "p" {
  citation "c";
  require r1: x >= 5 else "1" "1";
  require r2: m < 100元 or lv in {national} else "2" "2";
  require r3: not (x == 7) and 3 < x else "3" "3";
  amount award + (if x <= 9 and m > 1元 then 2万 else 0元);
}
program Q "q" "q" { citation "c"; require q1: lv != none and x != 6 else "q" "q"; amount 1万; }
exception e_ge "ge" "ge" { applies to P, Q; when x >= 8; amount amount + 1元; priority 1; }
exception e_lt "lt" "lt" { applies to P, Q; when m < 50元; amount amount + 2元; priority 2; }
exception e_le "le" "le" { applies to Q; when x <= 5; amount amount + 3元; priority 3; }
exception e_eq "eq" "eq" { applies to P; when x == 9; refuse "eq" "eq"; }
exception e_ne "ne" "ne" { applies to Q; when m != 0元 and flag; amount amount + 4元; priority 4; }
exception e_in "in" "in" { applies to P, Q; when lv in {regional}; amount amount + 5元; priority 5; }
exception e_f "f" "f" { applies to Q; when flag; amount amount + 6元; priority 6; }
exception e_gt "gt" "gt" { applies to Q; when x > 11; refuse "gt" "gt"; }
param thr: int "门槛" "threshold" { from 2020-01-01 = 6 source "draft" illustrative; from 2024-01-01 = 8 source "s" sourced; }
exception e_p "p" "p" { applies to P, Q; when x >= thr; amount amount + 7元; priority 7; }
)R");
  lower_both(*b);
  ASSERT_TRUE(b->fused && b->plain);
  EXPECT_GE(fast_paths(*b->fused).lookups, 1u);
  differential("shapes", 7, 30'000, std::move(b));
}

}  // namespace
