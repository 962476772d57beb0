// One test per semantic diagnostic: the code, and the line:col it points at.
#include <gtest/gtest.h>

#include "engine/eval/compile_helper.hpp"

using subsidy::testing::compile_text;

namespace {

const char* kBase = R"R(enum OrgType "单位类型" "org type" { enterprise "企业" "enterprise", institute "院所" "institute" }
enum Level "级别" "level" { none "无" "none", regional "区级" "regional", national "国家级" "national" }
fact org_type: OrgType "单位类型" "org type";
fact level: Level "级别" "level";
fact rd: money "研发费用" "R&D";
fact n: int "人数" "staff";
fact ok: bool "是否" "flag";
fact opt: int? "可选" "optional";
)R";

// Compiles kBase + `extra` and returns "line:col code" of every diagnostic with `code`.
std::vector<std::string> where(const std::string& extra, const std::string& code) {
  auto c = compile_text(std::string(kBase) + extra);
  std::vector<std::string> out;
  for (const auto& d : c->diags.items())
    if (d.code == code) {
      auto lc = c->sources.get(0).line_col(d.span.begin);
      out.push_back(std::to_string(lc.line) + ":" + std::to_string(lc.column));
    }
  return out;
}

const int L = 9;  // first line after kBase
std::string at(int line_offset, int col) { return std::to_string(L + line_offset) + ":" + std::to_string(col); }

TEST(Check, CleanRulesetHasNoDiagnostics) {
  auto c = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c";
  require a: org_type == enterprise and level != none and ok and n >= 3 and value_or(opt, 0) < 5 else "x" "x";
  amount floor_yuan(rd * 10%); })R");
  EXPECT_TRUE(c->rs) << c->rendered();
  EXPECT_EQ(c->diags.items().size(), 0u) << c->rendered();
}

TEST(Check, E0101UndefinedNameWithSuggestion) {
  auto c = compile_text(std::string(kBase) + "program P \"p\" \"p\" { citation \"c\"; require a: org_typ == enterprise else \"x\" \"x\"; amount 1元; }\n");
  ASSERT_TRUE(c->has("E0101"));
  EXPECT_NE(c->rendered().find("did you mean `org_type`?"), std::string::npos) << c->rendered();
  EXPECT_EQ(where("program P \"p\" \"p\" { citation \"c\"; amount nothing; }\n", "E0101"), std::vector<std::string>{at(0, 42)});
}

TEST(Check, E0102DuplicateDefinitionPointsAtSecond) {
  EXPECT_EQ(where("fact rd: int \"x\" \"x\";\n", "E0102"), std::vector<std::string>{at(0, 6)});
}

TEST(Check, E0103UnknownType) { EXPECT_EQ(where("fact x: currency \"x\" \"x\";\n", "E0103"), std::vector<std::string>{at(0, 9)}); }

TEST(Check, E0104AmbiguousEnumValueWithoutContext) {
  auto c = compile_text(std::string(kBase) + "enum Other \"o\" \"o\" { none \"无\" \"none\" }\nprogram P \"p\" \"p\" { citation \"c\"; require a: none == none else \"x\" \"x\"; amount 1元; }\n");
  EXPECT_TRUE(c->has("E0104")) << c->rendered();
}

TEST(Check, E0105ParameterDatesMustIncrease) {
  EXPECT_EQ(where("param p: percent \"p\" \"p\" { from 2022-01-01 = 1% source \"s\" sourced; from 2021-01-01 = 2% source \"s\" sourced; }\n", "E0105").size(), 1u);
}

TEST(Check, E0106EffectivePeriodEndsBeforeStart) {
  EXPECT_EQ(where("program P \"p\" \"p\" { citation \"c\"; effective from 2022-01-01 to 2021-01-01; amount 1元; }\n", "E0106").size(), 1u);
}

TEST(Check, E0302MoneyComparedWithPlainNumber) {
  auto c = compile_text(std::string(kBase) + "program P \"p\" \"p\" { citation \"c\"; require a: rd >= 1000000 else \"x\" \"x\"; amount 1元; }\n");
  ASSERT_TRUE(c->has("E0302"));
  EXPECT_NE(c->rendered().find("write the number as money"), std::string::npos) << c->rendered();
}

TEST(Check, E0301ConditionMustBeBool) {
  EXPECT_EQ(where("program P \"p\" \"p\" { citation \"c\"; require a: n + 1 else \"x\" \"x\"; amount 1元; }\n", "E0301"), std::vector<std::string>{at(0, 46)});
}

TEST(Check, E0303IntegerDivision) {
  EXPECT_EQ(where("program P \"p\" \"p\" { citation \"c\"; require a: n / 2 > 1 else \"x\" \"x\"; amount 1元; }\n", "E0303").size(), 1u);
}

TEST(Check, E0305OptionalFactNeedsIsSet) {
  EXPECT_EQ(where("program P \"p\" \"p\" { citation \"c\"; require a: opt > 1 else \"x\" \"x\"; amount 1元; }\n", "E0305").size(), 1u);
}

TEST(Check, E0310UnroundedMoney) {
  EXPECT_EQ(where("program P \"p\" \"p\" { citation \"c\"; amount rd * 10%; }\n", "E0310"), std::vector<std::string>{at(0, 42)});
}

TEST(Check, E0501OverlapAndW0502GapInUniqueTables) {
  auto c = compile_text(std::string(kBase) + R"R(table t "t" "t": money hit unique { inputs level, n;
  regional, - => 1万;
  regional, >= 3 => 2万;
  national, [0 .. 10) => 3万;
}
program P "p" "p" { citation "c"; amount t; }
)R");
  EXPECT_TRUE(c->has("E0501")) << c->rendered();
  EXPECT_TRUE(c->has("W0502")) << c->rendered();
  EXPECT_NE(c->rendered().find("rows 1 and 2 of unique table `t` overlap: both match level = regional, n = 3"), std::string::npos)
      << c->rendered();
  EXPECT_NE(c->rendered().find("has no row for level = none"), std::string::npos) << c->rendered();
}

TEST(Check, E0601ConflictingAmountExceptions) {
  auto c = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c"; amount 1万; }
exception a "a" "a" { applies to P; when ok; amount amount * 2; }
exception b "b" "b" { applies to P; when ok; amount amount * 3; }
)R");
  EXPECT_TRUE(c->has("E0601")) << c->rendered();
  auto fixed = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c"; amount 1万; }
exception a "a" "a" { applies to P; when ok; amount amount * 2; priority 1; }
exception b "b" "b" { applies to P; when ok; amount amount * 3; priority 2; }
)R");
  EXPECT_FALSE(fixed->has("E0601")) << fixed->rendered();
}

TEST(Check, E0601IsReportedOncePerPairOfExceptions) {
  auto c = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c"; amount 1万; }
program Q "q" "q" { citation "c"; amount 2万; }
exception a "a" "a" { applies to all; when ok; amount amount * 2; }
exception b "b" "b" { applies to all; when ok; amount amount * 3; }
)R");
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "E0601"; }), 1)
      << c->rendered();
}

TEST(Check, W0602ExceptionThatCanNeverApply) {
  auto c = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c"; effective from 2021-01-01 to 2021-12-31; amount 1万; }
exception late "l" "l" { applies to P; when ok; refuse "x" "x"; effective from 2023-01-01; }
exception never "n" "n" { applies to P; when 1 > 2; refuse "x" "x"; }
)R");
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "W0602"; }), 2);
}

TEST(Check, WarningsForMissingCitationEnglishLabelAndUnusedFact) {
  auto c = compile_text("fact used: bool \"用\";\nfact unused: bool \"未用\" \"unused\";\nprogram P \"p\" \"p\" { require a: used else \"x\" \"x\"; amount 1元; }\n");
  EXPECT_TRUE(c->rs) << c->rendered();
  EXPECT_TRUE(c->has("W0201"));
  EXPECT_TRUE(c->has("W0202"));
  EXPECT_TRUE(c->has("W0203"));
  EXPECT_NE(c->rendered().find("fact `unused` is declared but no rule uses it"), std::string::npos);
}

TEST(Check, AllSemanticErrorsOfARunAreReported) {
  auto c = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c";
  require a: missing1 else "x" "x";
  require b: missing2 else "x" "x";
  amount rd * 10%;
}
fact rd: int "x" "x";
)R");
  EXPECT_GE(c->diags.error_count(), 4u) << c->rendered();
}

}  // namespace
