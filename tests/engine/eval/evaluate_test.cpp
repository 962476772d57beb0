#include "eval/evaluate.hpp"

#include <gtest/gtest.h>

#include "compile_helper.hpp"
#include "model/date.hpp"
#include "model/money.hpp"

using namespace subsidy;
using subsidy::testing::compile_text;

namespace {

const char* kRules = R"R(
enum OrgType "单位类型" "organisation type" { enterprise "企业" "enterprise", institute "院所" "institute" }
enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional", national "国家级" "national" }
fact org_type: OrgType "单位类型" "organisation type";
fact rd: money "研发费用" "R&D expense";
fact rd_prev: money "上年研发费用" "previous R&D expense";
fact sme: bool "科技型中小企业" "tech SME";
fact dishonest: bool "失信" "dishonest";
fact level: Level "平台级别" "platform level";
fact founded: date? "成立日期" "founded";
fact paid_this_year: money "本年已拨付" "paid this year";

param rate: percent "比例" "rate" {
  from 2021-01-01 = 10% source "S2" sourced;
  from 2023-01-01 = 20% source "draft" illustrative;
}

table platform "平台奖励" "platform award": money hit unique {
  inputs level;
  none => 0元;
  regional => 100万;
  national => 500万;
}

program RD "研发后补助" "R&D post-subsidy" {
  citation "实施细则 一(三)";
  source "S2" sourced;
  effective from 2021-01-01;
  require enterprise: org_type == enterprise else "不是企业" "not an enterprise" clause "一(一)";
  require growth: rd > rd_prev else "研发费用未增长" "no R&D growth" clause "一(三)2";
  amount floor_yuan((rd - rd_prev) * rate);
  cap 300万;
}

program PLAT "平台" "platform" {
  citation "x";
  effective from 2021-01-01 to 2021-12-31;
  require has_level: level != none else "无平台" "no platform";
  amount platform;
}

program YOUNG "初创" "start-up" {
  citation "y";
  require young: is_set(founded) and years_between(value_or(founded, 2000-01-01), as_of) <= 3
    else "成立超过3年" "founded more than 3 years ago";
  amount 20万;
}

exception blacklist "失信" "dishonesty list" {
  applies to all;
  when dishonest;
  refuse "失信主体不予支持" "on the dishonesty list";
  citation "一(一)";
}

exception sme_bonus "中小企业加成" "SME bonus" {
  applies to RD;
  when sme;
  amount floor_yuan(amount * 120%);
}

group shared "合计" "shared" {
  programs RD, PLAT;
  cap 400万;
  already paid_this_year;
}
)R";

struct Fixture : ::testing::Test {
  std::unique_ptr<subsidy::testing::Compiled> c = compile_text(kRules);
  model::Facts facts;
  void SetUp() override {
    ASSERT_TRUE(c->rs) << c->rendered();
    facts.resize(c->rs->schema.facts.size());
    for (const auto& f : c->rs->schema.facts)
      if (!f.type.optional) facts.present[f.slot] = 1;
  }
  void set(const char* name, std::int64_t v) { facts.set(c->rs->schema.find_fact(name)->slot, v); }
  model::Decision eval(const char* date, eval::Explanation* ex = nullptr) {
    model::Decision d;
    eval::evaluate(*c->rs, facts, *model::parse_date(date), d, nullptr, ex);
    return d;
  }
  const model::ProgramResult& prog(const model::Decision& d, const char* id) {
    return d.programs[static_cast<std::size_t>(c->rs->find_program(id))];
  }
};

TEST_F(Fixture, EligibleAmountIsExactAndRoundedDownToYuan) {
  set("rd", 1'000'000'55);      // 1,000,000.55 元
  set("rd_prev", 0);
  auto d = eval("2022-06-01");
  EXPECT_EQ(prog(d, "RD").outcome, model::Outcome::eligible);
  EXPECT_EQ(prog(d, "RD").amount, 100'000'00);  // floor(100,000.055) = 100,000 元
  EXPECT_FALSE(prog(d, "RD").illustrative);
}

TEST_F(Fixture, EveryFailedRequirementIsReported) {
  set("org_type", 1);  // institute
  set("rd", 100);
  set("rd_prev", 200);
  auto d = eval("2022-06-01");
  EXPECT_EQ(prog(d, "RD").outcome, model::Outcome::refused);
  EXPECT_EQ(prog(d, "RD").failed, 0b11u);
}

TEST_F(Fixture, ParameterIsChosenByEvaluationDateAndIllustrativeIsFlagged) {
  set("rd", 100'000'00);
  auto d = eval("2023-06-01");
  EXPECT_EQ(prog(d, "RD").amount, 20'000'00);
  EXPECT_TRUE(prog(d, "RD").illustrative);
  EXPECT_TRUE(d.illustrative);
}

TEST_F(Fixture, ExceptionRefusesEverythingAndModifiesAmounts) {
  set("rd", 100'000'00);
  set("sme", 1);
  auto d = eval("2022-06-01");
  EXPECT_EQ(prog(d, "RD").amount, 12'000'00);
  set("dishonest", 1);
  d = eval("2022-06-01");
  for (const auto& r : d.programs) {
    if (r.outcome == model::Outcome::not_in_effect) continue;
    EXPECT_EQ(r.outcome, model::Outcome::refused);
    EXPECT_EQ(r.refused_by, 0);
  }
  EXPECT_EQ(d.total, 0);
}

TEST_F(Fixture, CapAppliesAfterBonus) {
  set("rd", 3'000'0000'00);  // 3000万 growth → 300万 → bonus 360万 → cap 300万
  set("sme", 1);
  EXPECT_EQ(prog(eval("2022-06-01"), "RD").amount, 300'0000'00);
}

TEST_F(Fixture, GroupCapSubtractsAlreadyPaidAndReducesLastListedFirst) {
  set("rd", 2'000'0000'00);  // RD 200万
  set("level", 2);          // national → PLAT 500万 (only in effect in 2021)
  set("paid_this_year", 50'0000'00);
  eval::Explanation ex;
  auto d = eval("2021-06-01", &ex);
  EXPECT_EQ(prog(d, "RD").amount, 200'0000'00);
  EXPECT_EQ(prog(d, "PLAT").amount, 150'0000'00);  // 400 − 50 − 200
  EXPECT_EQ(prog(d, "PLAT").limited_by, 0);
  EXPECT_EQ(prog(eval("2022-06-01"), "PLAT").outcome, model::Outcome::not_in_effect);
}

TEST_F(Fixture, OptionalFactsAndDates) {
  EXPECT_EQ(prog(eval("2022-06-01"), "YOUNG").outcome, model::Outcome::refused);
  set("founded", *model::parse_date("2019-06-02"));
  EXPECT_EQ(prog(eval("2022-06-01"), "YOUNG").outcome, model::Outcome::eligible);
  EXPECT_EQ(prog(eval("2022-06-02"), "YOUNG").outcome, model::Outcome::eligible);
  EXPECT_EQ(prog(eval("2023-06-02"), "YOUNG").outcome, model::Outcome::refused);
}

TEST_F(Fixture, ParameterNotInForceIsAnErrorNamingIt) {
  set("rd", 100);
  auto d = eval("2020-06-01");
  EXPECT_EQ(prog(d, "RD").outcome, model::Outcome::not_in_effect);  // programme starts 2021
}

TEST_F(Fixture, ExplanationNamesRequirementClauseAndParameter) {
  set("rd", 100'000'00);
  set("rd_prev", 200'000'00);
  eval::Explanation ex;
  auto d = eval("2022-06-01", &ex);
  auto zh = eval::explain_text(*c->rs, d, ex, false);
  EXPECT_NE(zh.find("✗ growth: 研发费用未增长 [条款 一(三)2]"), std::string::npos) << zh;
  auto en = eval::explain_text(*c->rs, d, ex, true);
  EXPECT_NE(en.find("✗ growth: no R&D growth [clause 一(三)2]"), std::string::npos) << en;
  set("rd_prev", 0);
  d = eval("2022-06-01", &ex);
  en = eval::explain_text(*c->rs, d, ex, true);
  EXPECT_NE(en.find("rate (rate) = 10%, valid from 2021-01-01; source S2 [S]"), std::string::npos) << en;
  EXPECT_NE(en.find("formula: floor_yuan((rd - rd_prev) * rate)"), std::string::npos) << en;
}

TEST(Evaluate, OverflowIsReportedNeverWrapped) {
  auto c = compile_text(R"R(
fact big: money "大额" "big";
program P "p" "p" { citation "c"; amount big * 1000000; }
)R");
  ASSERT_TRUE(c->rs) << c->rendered();
  model::Facts f(1);
  f.set(0, 9'000'000'000'000'000);
  auto d = eval::evaluate(*c->rs, f, 0);
  EXPECT_EQ(d.programs[0].outcome, model::Outcome::error);
  EXPECT_EQ(d.programs[0].error_kind, static_cast<std::uint8_t>(eval::EvalError::overflow));
  EXPECT_EQ(d.total, 0);
  EXPECT_NE(eval::error_message(*c->rs, d.programs[0]).find("overflow"), std::string::npos);
}

TEST(Evaluate, TotalCapAndPayHighest) {
  auto c = compile_text(R"R(
program A "a" "a" { citation "c"; amount 300万; }
program B "b" "b" { citation "c"; amount 400万; }
program C "c" "c" { citation "c"; amount 10万; }
program D "d" "d" { citation "c"; amount 20万; }
group top "就高" "highest" { programs C, D; pay highest; }
group all_cap "合计" "total" { programs all; cap total 500万; }
)R");
  ASSERT_TRUE(c->rs) << c->rendered();
  model::Facts f(0);
  auto d = eval::evaluate(*c->rs, f, 0);
  EXPECT_EQ(d.programs[2].outcome, model::Outcome::refused);
  EXPECT_EQ(d.programs[2].limited_by, 0);
  EXPECT_EQ(d.programs[3].amount, 20'0000'00);
  EXPECT_EQ(d.programs[0].amount, 300'0000'00);  // amounts unchanged by a total cap
  EXPECT_EQ(d.total, 500'0000'00);
  EXPECT_TRUE(d.capped);
}

TEST(Evaluate, DecisionTableHitPolicies) {
  auto c = compile_text(R"R(
fact n: int "n" "n";
table first_t "t" "t": int hit first { inputs n; < 10 => 1; < 100 => 2; - => 3; }
table sum_t "t" "t": money hit collect sum { inputs n; >= 1 => 1万; >= 5 => 2万; [10 .. 20) => 4万; }
table count_t "t" "t": int hit collect count { inputs n; >= 1 => 0; >= 5 => 0; }
table prio_t "t" "t": money hit priority { inputs n; >= 1 => 1万; >= 5 => 3万; >= 3 => 2万; }
program P "p" "p" { citation "c"; require a: first_t == 2 and count_t == 2 else "x" "x"; amount sum_t + prio_t; }
)R");
  ASSERT_TRUE(c->rs) << c->rendered();
  model::Facts f(1);
  f.set(0, 10);
  auto d = eval::evaluate(*c->rs, f, 0);
  EXPECT_EQ(d.programs[0].outcome, model::Outcome::eligible);
  EXPECT_EQ(d.programs[0].amount, (1 + 2 + 4 + 3) * 1'0000'00);
}

}  // namespace
