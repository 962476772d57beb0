// Regression tests for wrong amounts and wrong messages (issue 8, "engine/eval"): each failed
// before its fix.
#include <gtest/gtest.h>

#include <string>

#include "compile_helper.hpp"
#include "eval/evaluate.hpp"
#include "eval/run_tests.hpp"
#include "model/date.hpp"
#include "model/money.hpp"

using namespace subsidy;
using subsidy::testing::compile_text;

namespace {

struct Case {
  std::unique_ptr<subsidy::testing::Compiled> c;
  model::Facts facts;
  explicit Case(const std::string& rules) : c(compile_text(rules)) {
    if (!c->rs) return;
    facts.resize(c->rs->schema.facts.size());
    for (const auto& f : c->rs->schema.facts)
      if (!f.type.optional) facts.present[f.slot] = 1;
  }
  const eval::Ruleset& rs() const { return *c->rs; }
  void set(const char* name, std::int64_t v) { facts.set(c->rs->schema.find_fact(name)->slot, v); }
  model::Decision eval(const char* date = "2024-06-01", eval::Explanation* ex = nullptr) const {
    model::Decision d;
    eval::evaluate(*c->rs, facts, *model::parse_date(date), d, nullptr, ex);
    return d;
  }
  const model::ProgramResult& prog(const model::Decision& d, const char* id) const {
    return d.programs[static_cast<std::size_t>(c->rs->find_program(id))];
  }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ---------------------------------------------------------------- 1. lookup-table messages

TEST(TableLookupError, NamesTheTableThatHadNoRow) {
  Case k(R"R(
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional", national "国家级" "national" }
fact level: Level "级别" "level";
table first_t "一" "first": money hit unique { inputs level; regional => 1万; national => 2万; }
table second_t "二" "second": money hit unique { inputs level; national => 3万; }
program P "p" "p" { citation "c"; amount first_t + second_t; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("level", 1);  // regional: first_t has a row, second_t has none
  auto d = k.eval();
  const auto& r = k.prog(d, "P");
  ASSERT_EQ(r.outcome, model::Outcome::error);
  EXPECT_EQ(r.error_kind, static_cast<std::uint8_t>(eval::EvalError::no_table_row));
  std::string en = eval::error_message(k.rs(), r, true);
  EXPECT_TRUE(contains(en, "table `second_t`")) << en;
  EXPECT_TRUE(contains(en, "t.rules:6:")) << en;
  std::string zh = eval::error_message(k.rs(), r, false);
  EXPECT_TRUE(contains(zh, "决策表 `second_t`")) << zh;
}

TEST(TableLookupError, FactAtSlotFourWithOneTableDoesNotCrash) {
  Case k(R"R(
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional" }
fact f0: int "0" "0";
fact f1: int "1" "1";
fact f2: int "2" "2";
fact f3: int "3" "3";
fact level: Level "级别" "level";
table only_t "唯一" "only": money hit unique { inputs level; regional => 1万; }
program P "p" "p" { citation "c"; amount only_t; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  ASSERT_EQ(k.rs().schema.find_fact("level")->slot, 4u);
  auto d = k.eval();  // level = none: no row
  const auto& r = k.prog(d, "P");
  ASSERT_EQ(r.outcome, model::Outcome::error);
  EXPECT_TRUE(contains(eval::error_message(k.rs(), r, true), "table `only_t`")) << eval::error_message(k.rs(), r, true);
}

TEST(TableLookupError, OperandAccessorsNameOneThingEach) {
  Case k(R"R(
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional" }
fact f0: int "0" "0";
fact level: Level "级别" "level";
table only_t "唯一" "only": money hit unique { inputs level; regional => 1万; }
param p: money "p" "p" { from 2020-01-01 = 1元 source "s" sourced; }
program P "p" "p" { citation "c"; amount only_t + p; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  int lookups = 0;
  for (const auto& n : k.rs().nodes) {
    if (n.op == eval::Op::TableLookup) {
      ++lookups;
      EXPECT_EQ(eval::table_of(n), 0u);
      EXPECT_EQ(eval::slot_of(n), 1u);
      EXPECT_EQ(eval::param_of(n), eval::kNoNode);
    }
    if (n.op == eval::Op::Param) {
      EXPECT_EQ(eval::table_of(n), eval::kNoNode);
      EXPECT_EQ(eval::slot_of(n), eval::kNoNode);
    }
  }
  EXPECT_EQ(lookups, 1);
}

TEST(TableLookupError, NodeErrorsAsWorkflowGuardsReportThemNameTheTable) {
  Case k(R"R(
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional" }
fact f0: int "0" "0";
fact level: Level "级别" "level";
table only_t "唯一" "only": money hit unique { inputs level; regional => 1万; }
program P "p" "p" { citation "c"; amount only_t; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  auto v = eval::evaluate_node(k.rs(), k.rs().programs[0].amount, k.facts, 0, nullptr);
  ASSERT_EQ(v.error, eval::EvalError::no_table_row);
  // The expression is the table itself: its name is not repeated after the location.
  EXPECT_EQ(eval::error_message(k.rs(), v.error, v.error_node), "no row of table `only_t` matches this applicant (t.rules:6:42)");
  EXPECT_EQ(eval::error_message(k.rs(), v.error, v.error_node, false), "决策表 `only_t` 没有与该申请人匹配的行（t.rules:6:42）");
}

// ---------------------------------------------------------------- 2. wide tables

TEST(DecisionTable, NineInputsAreAllMatched) {
  Case k(R"R(
fact i1: int "1" "1";
fact i2: int "2" "2";
fact i3: int "3" "3";
fact i4: int "4" "4";
fact i5: int "5" "5";
fact i6: int "6" "6";
fact i7: int "7" "7";
fact i8: int "8" "8";
fact i9: int "9" "9";
table wide "宽" "wide": money hit first {
  inputs i1, i2, i3, i4, i5, i6, i7, i8, i9;
  -, -, -, -, -, -, -, -, 1 => 100元;
  -, -, -, -, -, -, -, -, - => 7元;
}
program P "p" "p" { citation "c"; amount wide; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("i9", 5);
  EXPECT_EQ(k.prog(k.eval(), "P").amount, 700);
  k.set("i9", 1);
  EXPECT_EQ(k.prog(k.eval(), "P").amount, 10000);
}

TEST(DecisionTable, SeventeenInputsBeyondTheCachedOnes) {
  std::string rules;
  std::string inputs, row, any;
  for (int i = 1; i <= 17; ++i) {
    rules += "fact i" + std::to_string(i) + ": int \"x\" \"x\";\n";
    inputs += (i > 1 ? ", i" : "i") + std::to_string(i);
    row += i > 1 ? ", " : "";
    any += i > 1 ? ", -" : "-";
    row += i == 17 ? "[1 .. 3]" : i == 2 ? "2" : "-";
  }
  rules += "table wide \"宽\" \"wide\": money hit first { inputs " + inputs + "; " + row + " => 100元; " + any + " => 7元; }\n";
  rules += "program P \"p\" \"p\" { citation \"c\"; amount wide; }\n";
  Case k(rules);
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("i2", 2);
  k.set("i17", 4);
  EXPECT_EQ(k.prog(k.eval(), "P").amount, 700);
  k.set("i17", 3);
  EXPECT_EQ(k.prog(k.eval(), "P").amount, 10000);
}

// ---------------------------------------------------------------- 3. group caps that fail

const char* kGroupNotInForce = R"R(
param shared_cap: money "合计上限" "shared cap" { from 2025-01-01 = 1500元 source "s" sourced; }
program A "a" "a" { citation "c"; amount 1000元; }
program B "b" "b" { citation "c"; amount 1000元; }
program C "c" "c" { citation "c"; amount 50元; }
group shared "合计" "shared" { programs A, B; cap shared_cap; }
)R";

TEST(GroupCapError, CapNotInForceMakesItsProgrammesErrorsNamingTheGroup) {
  Case k(kGroupNotInForce);
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  eval::Explanation ex;
  ex.english = true;
  auto d = k.eval("2024-06-01", &ex);
  for (const char* id : {"A", "B"}) {
    const auto& r = k.prog(d, id);
    ASSERT_EQ(r.outcome, model::Outcome::error) << id;
    EXPECT_EQ(r.amount, 0);
    std::string m = eval::error_message(k.rs(), r, true);
    EXPECT_TRUE(contains(m, "group `shared`")) << m;
    EXPECT_TRUE(contains(m, "parameter `shared_cap`")) << m;
    EXPECT_TRUE(contains(eval::error_message(k.rs(), r, false), "组合限额 `shared`"));
  }
  EXPECT_EQ(k.prog(d, "C").outcome, model::Outcome::eligible);
  EXPECT_EQ(d.total, 5000);  // only C: never 2000元 silently
  EXPECT_TRUE(d.errors);
  // From 2025 the cap is in force and applies.
  d = k.eval("2025-06-01");
  EXPECT_FALSE(d.errors);
  EXPECT_EQ(d.total, 1550'00);
}

TEST(GroupCapError, TotalCapNotInForceIsAnErrorNotZero) {
  Case k(R"R(
param total_cap: money "合计上限" "total cap" { from 2025-01-01 = 1500元 source "s" sourced; }
program A "a" "a" { citation "c"; amount 1000元; }
program B "b" "b" { citation "c"; amount 1000元; }
group per_applicant "合计" "per applicant" { programs A, B; cap total total_cap; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  auto d = k.eval("2024-06-01");
  EXPECT_EQ(k.prog(d, "A").outcome, model::Outcome::error);
  EXPECT_EQ(k.prog(d, "B").outcome, model::Outcome::error);
  EXPECT_EQ(k.prog(d, "A").error_group, 0);
  EXPECT_FALSE(d.capped);
  EXPECT_EQ(d.total, 0);
  EXPECT_TRUE(d.errors);
}

TEST(GroupCapError, ErrorInAlreadyPaidIsAnErrorToo) {
  Case k(R"R(
fact paid: money "已拨付" "paid";
fact n: int "n" "n";
program A "a" "a" { citation "c"; amount 1000元; }
group g "合计" "g" { programs A; cap 5000元; already paid * n; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("paid", INT64_MAX / 2);
  k.set("n", 3);
  auto d = k.eval();
  const auto& r = k.prog(d, "A");
  ASSERT_EQ(r.outcome, model::Outcome::error);
  EXPECT_EQ(r.error_kind, static_cast<std::uint8_t>(eval::EvalError::overflow));
  EXPECT_TRUE(contains(eval::error_message(k.rs(), r, true), "`paid * n`")) << eval::error_message(k.rs(), r, true);
}

// ---------------------------------------------------------------- 4. exact money in range

const char* kRd = R"R(
fact rd_expense: money "研发费用" "R&D expense";
fact n: int "n" "n";
param rd_post_rate: percent "比例" "rate" { from 2021-01-01 = 1% source "s" sourced; }
program R01 "研发后补助" "R&D post-subsidy" {
  citation "c";
  amount floor_yuan(rd_expense * rd_post_rate);
  cap 500万;
}
program R02 "除法" "division" {
  citation "c";
  amount floor_yuan(rd_expense / n);
}
)R";

TEST(ExactMoney, HugeExpenseAtOnePercentIsRepresentableAndCapped) {
  Case k(kRd);
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("rd_expense", 92'233'720'368'547'758);  // 922,337,203,685,477.58 元
  k.set("n", 1);
  auto d = k.eval();
  const auto& r = k.prog(d, "R01");
  ASSERT_EQ(r.outcome, model::Outcome::eligible) << eval::error_message(k.rs(), r);
  EXPECT_EQ(r.amount, 500'0000'00);
}

TEST(ExactMoney, OverflowAndDivisionNameTheExpressionAndPlace) {
  Case k(R"R(
fact big: money "大额" "big";
fact n: int "n" "n";
program P "p" "p" { citation "c"; amount big * 1000000; }
program Q "q" "q" { citation "c"; amount floor_yuan(big / n); }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("big", 9'000'000'000'000'000);
  k.set("n", 0);
  eval::Explanation ex;
  auto d = k.eval("2024-06-01", &ex);
  const auto& p = k.prog(d, "P");
  ASSERT_EQ(p.outcome, model::Outcome::error);
  EXPECT_EQ(eval::error_message(k.rs(), p, true),
            "amount overflow in `big * 1000000` (t.rules:4:42): the result exceeds the range of exact money");
  EXPECT_EQ(eval::error_message(k.rs(), p, false), "金额溢出：`big * 1000000`（t.rules:4:42）的结果超出精确金额的范围");
  const auto& q = k.prog(d, "Q");
  ASSERT_EQ(q.outcome, model::Outcome::error);
  EXPECT_EQ(eval::error_message(k.rs(), q, true), "division by zero in `big / n` (t.rules:5:53)");
  // The explanation records the message in its language, and shows no amount for an error.
  EXPECT_EQ(ex.programs[0].error, eval::error_message(k.rs(), p, false));
  std::string text = eval::explain_text(k.rs(), d, ex, false);
  EXPECT_FALSE(contains(text, "= 0.00元")) << text;
  EXPECT_TRUE(contains(text, "! 金额溢出：`big * 1000000`")) << text;
  EXPECT_TRUE(contains(text, "计算出错的项目（本决定不完整，不得据此拨付）： P Q")) << text;
}

TEST(ExactMoney, AnIntOverflowInARequirementIsNotCalledAnAmount) {
  Case k(R"R(
fact n: int "n" "n";
program P "p" "p" { citation "c"; require r: n * n > 0 else "x" "x"; amount 1元; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("n", 4'000'000'000'000);
  auto d = k.eval("2024-06-01");
  const auto& p = k.prog(d, "P");
  ASSERT_EQ(p.outcome, model::Outcome::error);
  EXPECT_EQ(eval::error_message(k.rs(), p, true),
            "overflow in `n * n` (t.rules:3:46): the result exceeds the range of exact 64-bit numbers");
  EXPECT_EQ(eval::error_message(k.rs(), p, false), "数值溢出：`n * n`（t.rules:3:46）的结果超出 64 位精确数值的范围");
}

TEST(ExactMoney, RawMoneyComparisonsAndSumsStayExact) {
  Case k(R"R(
fact big: money "大额" "big";
program P "p" "p" {
  citation "c";
  require over: big * 1% > 1000元 else "x" "x";
  amount min(floor_yuan(big * 1% + big * 1%), 300万);
}
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  k.set("big", 92'233'720'368'547'758);
  auto d = k.eval();
  EXPECT_EQ(k.prog(d, "P").outcome, model::Outcome::eligible) << eval::error_message(k.rs(), k.prog(d, "P"));
  EXPECT_EQ(k.prog(d, "P").amount, 300'0000'00);
  // The rounded result itself out of range is an overflow.
  Case h(R"R(
fact big: money "大额" "big";
program P "p" "p" { citation "c"; amount floor_fen(big * 20000%); }
)R");
  ASSERT_TRUE(h.c->rs) << h.c->rendered();
  h.set("big", 92'233'720'368'547'758);
  EXPECT_EQ(h.prog(h.eval(), "P").outcome, model::Outcome::error);
}

// ---------------------------------------------------------------- 7. fast paths agree

TEST(FastPaths, CachedExceptionConditionMarksEveryProgrammeIllustrative) {
  const char* rules = R"R(
fact x: int "x" "x";
param threshold: int "门槛" "threshold" { from 2020-01-01 = 5 source "draft" illustrative; }
program A "a" "a" { citation "c"; amount 1万; }
program B "b" "b" { citation "c"; amount 2万; }
exception bonus "加成" "bonus" { applies to A, B; when x >= threshold; amount amount + 1元; }
)R";
  for (bool fuse : {true, false}) {
    auto c = std::make_unique<subsidy::testing::Compiled>();
    c->sources.add("t.rules", rules);
    c->rs = eval::compile(c->sources, c->diags, "t", eval::LowerOptions{.fuse = fuse}).ruleset;
    ASSERT_TRUE(c->rs) << c->rendered();
    model::Facts f(1);
    f.set(0, 7);
    auto d = eval::evaluate(*c->rs, f, *model::parse_date("2024-06-01"));
    EXPECT_TRUE(d.programs[0].illustrative) << "fuse " << fuse;
    EXPECT_TRUE(d.programs[1].illustrative) << "fuse " << fuse;
    EXPECT_EQ(d.programs[1].amount, 2'0001'00);
  }
}

// ---------------------------------------------------------------- 5. capped is its own outcome

TEST(GroupCapOutcome, ProgrammeCutToZeroIsCappedAndTheTopLevelNamesTheCaps) {
  Case k(R"R(
program A "a" "a" { citation "c"; amount 400万; }
program B "b" "b" { citation "c"; amount 200万; }
program C "c" "c" { citation "c"; amount 300万; }
program D "d" "d" { citation "c"; amount 300万; }
group shared "合计" "shared" { programs A, B; cap 400万; citation "cl"; }
group top "总额" "per applicant" { programs C, D; cap total 500万; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  eval::Explanation ex;
  auto d = k.eval("2024-06-01", &ex);
  EXPECT_EQ(k.prog(d, "A").outcome, model::Outcome::eligible);
  EXPECT_EQ(k.prog(d, "A").amount, 400'0000'00);
  const auto& b = k.prog(d, "B");
  EXPECT_EQ(b.outcome, model::Outcome::capped);
  EXPECT_EQ(b.amount, 0);
  EXPECT_EQ(b.limited_by, 0);
  EXPECT_EQ(b.failed, 0u);
  EXPECT_EQ(d.total_before_caps, 1200'0000'00);
  EXPECT_EQ(d.total, 900'0000'00);
  ASSERT_EQ(d.caps.size(), 2u);
  EXPECT_EQ(d.caps[0], 0u);
  EXPECT_EQ(d.caps[1], 1u);
  EXPECT_TRUE(d.capped);
  std::string zh = eval::explain_text(k.rs(), d, ex, false);
  EXPECT_TRUE(contains(zh, "B b — 符合条件，但组合限额已用尽，不再拨付 (shared)")) << zh;
  EXPECT_TRUE(contains(zh, "限额前合计：12000000.00元")) << zh;
  EXPECT_TRUE(contains(zh, "适用的限额： shared (合计) [cl] top (总额)")) << zh;
  std::string en = eval::explain_text(k.rs(), d, ex, true);
  EXPECT_TRUE(contains(en, "eligible, but the shared group cap left nothing to pay (shared)")) << en;
  EXPECT_TRUE(contains(en, "caps applied: shared (shared) [cl] top (per applicant)")) << en;
}

TEST(GroupCapOutcome, RuleTestsExpectCappedByTheGroup) {
  Case k(R"R(
program A "a" "a" { citation "c"; amount 400万; }
program B "b" "b" { citation "c"; amount 200万; }
group shared "合计" "shared" { programs A, B; cap 400万; }
test "B is capped" as of 2024-01-01 {
  expect A eligible amount 400万;
  expect B capped by shared;
  expect B capped;
}
test "wrong expectations" as of 2024-01-01 {
  expect B refused;
  expect A capped;
}
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  auto rep = eval::run_tests(k.rs(), 0);
  EXPECT_EQ(rep.passed, 1u);
  ASSERT_EQ(rep.failures.size(), 2u);
  EXPECT_EQ(rep.failures[0].expected, "B refused");
  EXPECT_EQ(rep.failures[0].actual, "B capped by shared");
  EXPECT_EQ(rep.failures[1].expected, "A capped");
  EXPECT_EQ(rep.failures[1].actual, "A eligible amount 400万元");
}

TEST(GroupCapOutcome, PartlyCutStaysEligibleAndUnboundCapsAreNotListed) {
  Case k(R"R(
program A "a" "a" { citation "c"; amount 300万; }
program B "b" "b" { citation "c"; amount 200万; }
group shared "合计" "shared" { programs A, B; cap 400万; }
group loose "宽松" "loose" { programs A; cap 900万; }
)R");
  ASSERT_TRUE(k.c->rs) << k.c->rendered();
  auto d = k.eval();
  EXPECT_EQ(k.prog(d, "B").outcome, model::Outcome::eligible);
  EXPECT_EQ(k.prog(d, "B").amount, 100'0000'00);
  EXPECT_EQ(k.prog(d, "B").limited_by, 0);
  ASSERT_EQ(d.caps.size(), 1u);
  EXPECT_EQ(d.caps[0], 0u);
  EXPECT_FALSE(d.capped);
  EXPECT_EQ(d.total_before_caps, 500'0000'00);
}

}  // namespace
