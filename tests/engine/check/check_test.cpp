// One test per semantic diagnostic: the code, and the line:col it points at.
#include <gtest/gtest.h>

#include "engine/eval/compile_helper.hpp"
#include "eval/run_tests.hpp"
#include "model/date.hpp"

#include <tuple>

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


// ------------------------------------------------------------ cyclic definitions (E0113)

const char* kTableFact = "fact n: int \"n\" \"n\";\n";

TEST(Check, E0113TableReadingItselfIsACycleNotACrash) {
  auto c = compile_text(std::string(kTableFact) + R"R(table t "t" "t": int hit first {
  inputs t;
  1 => 2;
}
program P "p" "p" { citation "c"; require a: t > 0 else "x" "x"; amount 1元; }
)R");
  EXPECT_FALSE(c->rs);
  ASSERT_TRUE(c->has("E0113")) << c->rendered();
  EXPECT_NE(c->rendered().find("t.rules:3:10: error[E0113]: cyclic definition: t → t"), std::string::npos) << c->rendered();
}

TEST(Check, E0113TwoTablesReadingEachOtherNameTheCycleOnce) {
  auto c = compile_text(std::string(kTableFact) + R"R(table a "a" "a": int hit first {
  inputs n;
  1 => b;
  - => 0;
}
table b "b" "b": int hit first {
  inputs a;
  - => 1;
}
program P "p" "p" { citation "c"; require ok: a > 0 else "x" "x"; amount 1元; }
)R");
  EXPECT_FALSE(c->rs);
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "E0113"; }), 1)
      << c->rendered();
  EXPECT_NE(c->rendered().find("cyclic definition: a → b → a"), std::string::npos) << c->rendered();
  EXPECT_NE(c->rendered().find("`a` reads `b` here"), std::string::npos) << c->rendered();
}

TEST(Check, E0113LongerCycleThroughACellIsFound) {
  auto c = compile_text(std::string(kTableFact) + R"R(table a "a" "a": int hit first { inputs b; - => 0; }
table b "b" "b": int hit first { inputs n; [c .. 3] => 1; - => 0; }
table c "c" "c": int hit first { inputs n; - => a; }
program P "p" "p" { citation "c"; require ok: a > 0 else "x" "x"; amount 1元; }
)R");
  EXPECT_FALSE(c->rs);
  EXPECT_NE(c->rendered().find("cyclic definition: a → b → c → a"), std::string::npos) << c->rendered();
}

TEST(Check, TableReadingALaterTableIsLoweredInDependencyOrder) {
  auto c = compile_text(std::string(kTableFact) + R"R(table a "a" "a": int hit first {
  inputs b;
  1 => 10;
  - => 0;
}
table b "b" "b": int hit first {
  inputs n;
  5 => 1;
  - => 0;
}
program P "p" "p" { citation "c"; require ok: a > 0 else "x" "x"; amount 1元; }
test "n = 5" as of 2024-01-01 { given n = 5; expect P eligible amount 1元; }
test "n = 4" as of 2024-01-01 { given n = 4; expect P refused; }
)R");
  ASSERT_TRUE(c->rs) << c->rendered();
  auto rep = subsidy::eval::run_tests(*c->rs, *subsidy::model::parse_date("2024-01-01"));
  EXPECT_EQ(rep.passed, 2u);
  EXPECT_EQ(rep.failed, 0u);
}


// ------------------------------------------------------------ `set of program`

const char* kPrograms = R"R(fact prior_awards: set of program "已获资助项目编号" "programme ids already awarded";
fact tags: set of text "标签" "tags";
program R03 "r" "r" { citation "c"; require new: "R03" not in prior_awards and "x" in tags else "x" "x"; amount 1万; }
)R";

TEST(Check, SetOfProgramIsATextSetMarkedAsProgrammeIds) {
  auto c = compile_text(kPrograms);
  ASSERT_TRUE(c->rs) << c->rendered();
  const auto* f = c->rs->schema.find_fact("prior_awards");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->type.kind, subsidy::model::Kind::TextSet);
  EXPECT_TRUE(f->program_ids);
  EXPECT_FALSE(c->rs->schema.find_fact("tags")->program_ids);
}

TEST(Check, E0101TextThatIsNoProgrammeIdInASetOfProgram) {
  auto c = compile_text(std::string(kPrograms) + R"R(program M01 "m" "m" { citation "c";
  require r: "R3" in prior_awards else "x" "x";
  require s: "R03" in prior_awards and "anything" in tags else "x" "x";
  amount 1万; }
test "t" as of 2024-01-01 { given prior_awards = {"R03", "M1"}, tags = {"free text"}; expect M01 eligible; }
)R");
  EXPECT_FALSE(c->rs);
  auto r = c->rendered();
  EXPECT_NE(r.find("t.rules:5:14: error[E0101]: unknown programme `R3`"), std::string::npos) << r;
  EXPECT_NE(r.find("did you mean `R03`?"), std::string::npos) << r;
  EXPECT_NE(r.find("t.rules:8:58: error[E0101]: unknown programme `M1`"), std::string::npos) << r;
  EXPECT_NE(r.find("did you mean `M01`?"), std::string::npos) << r;
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "E0101"; }), 2)
      << r;
}

// ------------------------------------------------------------ depth (E0007) end to end

std::string chain(int terms, const std::string& term, const std::string& op) {
  std::string e = term;
  for (int i = 1; i < terms; ++i) e += " " + op + " " + term;
  return e;
}

TEST(Check, LongChainsGiveALocatedErrorAndReasonableOnesEvaluate) {
  for (auto [terms, term, op] : {std::tuple<int, std::string, std::string>{20000, "1元", "+"}, {15000, "ok", "and"}}) {
    std::string clause = op == "+" ? "amount " + chain(terms, term, op) + ";" : "require a: " + chain(terms, term, op) + " else \"x\" \"x\"; amount 1元;";
    auto c = compile_text(std::string(kBase) + "program P \"p\" \"p\" { citation \"c\"; " + clause + " }\n");
    EXPECT_FALSE(c->rs);
    ASSERT_TRUE(c->has("E0007")) << c->rendered().substr(0, 500);
  }
  auto c = compile_text(std::string(kBase) + "program P \"p\" \"p\" { citation \"c\"; require a: " + chain(150, "ok", "and") +
                        " else \"x\" \"x\"; amount " + chain(150, "1元", "+") + "; }\n"
                        "test \"t\" as of 2024-01-01 { given org_type = enterprise, level = none, rd = 0元, n = 0, ok = true; "
                        "expect P eligible amount 150元; }\n");
  ASSERT_TRUE(c->rs) << c->rendered();
  auto rep = subsidy::eval::run_tests(*c->rs, *subsidy::model::parse_date("2024-01-01"));
  EXPECT_EQ(rep.passed, 1u);
}

TEST(Check, E0007DepthCountsTheTablesAnExpressionReads) {
  // t0 reads n; t(i) reads t(i-1): reading t(k) is k + 1 levels deep.
  auto tables = [](int count) {
    std::string out = "table t0 \"t\" \"t\": int hit first { inputs n; - => 1; }\n";
    for (int i = 1; i < count; ++i)
      out += "table t" + std::to_string(i) + " \"t\" \"t\": int hit first { inputs t" + std::to_string(i - 1) + "; - => 1; }\n";
    return out;
  };
  auto fine = compile_text(std::string(kBase) + tables(200) + "program P \"p\" \"p\" { citation \"c\"; require a: t199 > 0 else \"x\" \"x\"; amount 1元; }\n");
  EXPECT_TRUE(fine->rs) << fine->rendered().substr(0, 500);
  auto deep = compile_text(std::string(kBase) + tables(300) + "program P \"p\" \"p\" { citation \"c\"; require a: t299 > 0 else \"x\" \"x\"; amount 1元; }\n");
  EXPECT_FALSE(deep->rs);
  // Reported once, at the first table beyond the limit (t256 is 257 deep), not at each reader.
  EXPECT_EQ(std::count_if(deep->diags.items().begin(), deep->diags.items().end(), [](auto& d) { return d.code == "E0007"; }), 1)
      << deep->rendered().substr(0, 800);
  EXPECT_NE(deep->rendered().find("table `t256` is too large: with the tables it reads it is 257 levels deep (more than 256)"),
            std::string::npos)
      << deep->rendered().substr(0, 800);
  // An expression whose own tree and the table it reads are both within the limit, but not together.
  auto sum = compile_text(std::string(kBase) + tables(200) + "program P \"p\" \"p\" { citation \"c\"; require a: " +
                          chain(100, "t199", "+") + " > 0 else \"x\" \"x\"; amount 1元; }\n");
  EXPECT_FALSE(sum->rs);
  EXPECT_NE(sum->rendered().find("error[E0007]: expression too large: with the tables it reads it is 301 levels deep"),
            std::string::npos)
      << sum->rendered().substr(0, 800);
}


// ------------------------------------------------------------ how many diagnostics are shown

TEST(Check, ManyErrorsAndWarningsAreAllCountedButOnlyTheFirstAreKept) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "fact unused" + std::to_string(i) + ": int \"x\" \"x\";\n";  // W0203 each
  text += "program P \"p\" \"p\" { citation \"c\";\n";
  for (int i = 0; i < 300; ++i) text += "  require r" + std::to_string(i) + ": missing" + std::to_string(i) + " else \"x\" \"x\";\n";
  text += "  amount 1元; }\n";
  auto c = compile_text(text);
  EXPECT_FALSE(c->rs);
  EXPECT_EQ(c->diags.error_count(), 301u);  // 300 unknown names and more than 64 requirements
  EXPECT_EQ(c->diags.errors_not_shown(), 101u);
  EXPECT_EQ(c->diags.warning_count(), 1000u);
  EXPECT_EQ(c->diags.warnings_not_shown(), 800u);
  EXPECT_EQ(c->diags.items().size(), 400u);
  EXPECT_EQ(subsidy::diag::summary(c->diags), "301 errors (101 not shown), 1000 warnings (800 not shown)");
}


TEST(Check, E0007TablesReadingTablesSeveralTimesAreBoundedNotExponential) {
  // t(i) reads t(i-1) twice: evaluating t(i) evaluates t0 2^i times. Without a limit, 32 such
  // tables stalled `rules check` for minutes.
  std::string text = std::string(kBase) + "table t0 \"t\" \"t\": int hit first { inputs n; - => 1; }\n";
  for (int i = 1; i < 40; ++i)
    text += "table t" + std::to_string(i) + " \"t\" \"t\": int hit first { inputs t" + std::to_string(i - 1) + ", t" +
            std::to_string(i - 1) + "; -, - => 1; }\n";
  text += "program P \"p\" \"p\" { citation \"c\"; require a: t39 > 0 else \"x\" \"x\"; amount 1元; }\n";
  auto c = compile_text(text);
  EXPECT_FALSE(c->rs);
  // At t18, the first beyond the limit; a reported table counts as cheap for its readers, so the
  // chain is reported again only where it grows beyond the limit once more (t37).
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "E0007"; }), 2)
      << c->rendered().substr(0, 800);
  EXPECT_NE(c->rendered().find("table `t18` is too large: with the tables it reads evaluating it takes more than 1000000 steps"),
            std::string::npos)
      << c->rendered().substr(0, 800);
}


TEST(Check, W0503UniqueTableTooLargeToAnalyseIsSaidNotAStall) {
  std::string text = std::string(kBase) + "table t \"t\" \"t\": int hit unique {\n  inputs n;\n";
  for (int i = 0; i < 30000; ++i) text += "  " + std::to_string(i) + " => " + std::to_string(i) + ";\n";
  text += "}\nprogram P \"p\" \"p\" { citation \"c\"; require a: t > 0 else \"x\" \"x\"; amount 1元; }\n";
  auto c = compile_text(text);  // took 27 s before the analysis had a budget
  EXPECT_TRUE(c->rs) << c->rendered().substr(0, 500);
  EXPECT_TRUE(c->has("W0503")) << c->rendered().substr(0, 500);
}


TEST(Check, ParametersReadingParametersAreRefusedSoTheyCannotFormACycle) {
  auto c = compile_text(R"R(param p: int "p" "p" { from 2020-01-01 = q source "s" sourced; }
param q: int "q" "q" { from 2020-01-01 = p + 1 source "s" sourced; }
param r: int "r" "r" { from 2020-01-01 = r source "s" sourced; }
program P "p" "p" { citation "c"; require a: p > 0 else "x" "x"; amount 1元; }
)R");
  EXPECT_FALSE(c->rs);
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "E0311"; }), 3);
  EXPECT_NE(c->rendered().find("t.rules:3:42: error[E0311]: value of `r` must be a constant int, found an expression that reads "
                               "facts, parameters or tables"),
            std::string::npos)
      << c->rendered();
}


TEST(Check, E0601EqualPrioritiesAreReportedAgainstThePreviousOneAndNotForARepeatedTarget) {
  auto c = compile_text(std::string(kBase) + R"R(program P "p" "p" { citation "c"; amount 1元; }
program Q "q" "q" { citation "c"; amount 1元; }
exception a "a" "a" { applies to P, P; when ok; amount amount; }
exception b "b" "b" { applies to all; when ok; amount amount; }
exception c "c" "c" { applies to P, Q; when ok; amount amount; }
exception d "d" "d" { applies to P; when ok; amount amount; priority 1; }
)R");
  std::vector<std::string> msgs;
  for (const auto& d : c->diags.items())
    if (d.code == "E0601") msgs.push_back(d.message.substr(0, d.message.find(" both")));
  // P: a, b, c share priority 0 (a–b, b–c); Q: b, c (already reported); d has its own priority.
  EXPECT_EQ(msgs, (std::vector<std::string>{"exceptions `a` and `b`", "exceptions `b` and `c`"})) << c->rendered();
}


TEST(Check, W0503TheGapAnalysisHasOneBudgetForAllTablesOfACheck) {
  // Each table: 1,000 rows over 2,001 regions of n, about 2,000,000 cell tests; the budget of
  // 10,000,000 covers four of them, the others say that they were not analysed.
  std::string text = kBase;
  for (int t = 0; t < 8; ++t) {
    text += "table t" + std::to_string(t) + " \"t\" \"t\": int hit unique {\n  inputs n;\n";
    for (int i = 0; i < 1000; ++i) text += "  " + std::to_string(2 * i) + " => 1;\n";  // gaps between: 2,001 regions
    text += "}\n";
  }
  text += "program P \"p\" \"p\" { citation \"c\"; require a: t0 + t1 + t2 + t3 + t4 + t5 + t6 + t7 > 0 else \"x\" \"x\"; amount 1元; }\n";
  auto c = compile_text(text);
  ASSERT_TRUE(c->rs) << c->rendered().substr(0, 500);
  EXPECT_EQ(std::count_if(c->diags.items().begin(), c->diags.items().end(), [](auto& d) { return d.code == "W0503"; }), 4)
      << c->rendered().substr(0, 500);
  EXPECT_NE(c->rendered().find("unique table `t4` is not checked for gaps and overlaps: it is too large to analyse (2001 "
                               "combinations of input values, 1000 rows)"),
            std::string::npos)
      << c->rendered().substr(0, 800);
}

}  // namespace
