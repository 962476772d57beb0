// Workflow declarations in the checker: names, stage structure, guards typed in the guard context,
// and the lowered WorkflowDecls. (Graph validation: tests/engine/workflow.)
#include <gtest/gtest.h>

#include "engine/eval/compile_helper.hpp"
#include "model/case_attrs.hpp"

using subsidy::testing::compile_text;

namespace {

const char* kBase = R"R(enum County "旗县区" "county" { 临河区 "临河区" "Linhe", 五原县 "五原县" "Wuyuan" }
enum Industry "行业" "industry" { agriculture "农业" "agriculture", other "其他" "other" }
fact county: County? "旗县区" "county";
fact industry: Industry "行业" "industry";
fact zone: bool "农高区" "zone";
role 申报单位 "申报单位" "applicant";
role 旗县区科技局[County] "旗县区科技局" "county bureau";
role 市科技局 "市科技局" "science bureau";
role 市农牧局 "市农牧局" "agriculture bureau";
role 市财政局 "市财政局" "finance bureau";
action submit "提交" "submit";
action approve "通过" "approve";
action reject "不予通过" "reject";
action return "退回补正" "return";
action resubmit "重新提交" "resubmit";
program P "p" "p" { citation "c"; workflow w; amount 1元; }
)R";
const int L = 17;  // first line after kBase

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
std::string at(int line_offset, int col) { return std::to_string(L + line_offset) + ":" + std::to_string(col); }

const char* kGood = R"R(workflow w "流程" "workflow" {
  start a;
  stage a "申报" "apply" {
    responsible 申报单位;
    on submit -> b;
  }
  stage b "初审" "review" {
    responsible 旗县区科技局[county] when not zone;
    responsible 市科技局;
    deadline 5 working days;
    on approve when eligible and decided_amount > 0元 -> j;
    on return when corrections < 2 -> fix;
    on reject by 市科技局, 旗县区科技局 -> no;
  }
  correction fix "补正" "correction" {
    responsible 申报单位;
    after 10 days -> no;
    on resubmit -> back;
  }
  stage j "会签" "joint" {
    joint veto { 市农牧局 when industry == agriculture; 市财政局; }
    on approve -> yes;
    on reject -> no;
  }
  terminal yes "通过" "approved";
  terminal no "不予支持" "rejected";
}
)R";

TEST(WorkflowCheck, GoodWorkflowCompilesAndLowers) {
  auto c = compile_text(std::string(kBase) + kGood);
  ASSERT_TRUE(c->rs) << c->rendered();
  EXPECT_EQ(c->diags.items().size(), 0u) << c->rendered();  // no W0203: guards use county, zone, industry
  const auto& d = c->rs->workflow_decls;
  ASSERT_EQ(d.workflows.size(), 1u);
  EXPECT_EQ(d.roles.size(), 5u);
  EXPECT_EQ(d.roles[1].family_enum, 0);
  const auto& w = d.workflows[0];
  EXPECT_EQ(w.programs, std::vector<std::string>{"P"});
  ASSERT_EQ(w.stages.size(), 6u);
  EXPECT_EQ(w.stages[w.start].name, "a");
  const auto& b = w.stages[1];
  ASSERT_EQ(b.responsible.size(), 2u);
  EXPECT_EQ(b.responsible[0].role.text, "旗县区科技局[county]");
  EXPECT_NE(b.responsible[0].role.presence_slot, subsidy::eval::kNoNode);  // optional fact as the member
  EXPECT_EQ(b.responsible[0].guard_text, "not zone");
  EXPECT_TRUE(b.has_deadline);
  EXPECT_TRUE(b.deadline.working);
  EXPECT_EQ(b.deadline.count, 5);
  ASSERT_EQ(b.transitions.size(), 3u);
  EXPECT_EQ(b.transitions[0].deps.case_attrs,
            (1u << static_cast<int>(subsidy::model::CaseAttr::eligible)) |
                (1u << static_cast<int>(subsidy::model::CaseAttr::decided_amount)));
  EXPECT_EQ(b.transitions[1].target, 2);
  EXPECT_EQ(b.transitions[2].by.size(), 2u);
  const auto& fix = w.stages[2];
  EXPECT_EQ(fix.kind, subsidy::eval::StageKind::correction);
  EXPECT_TRUE(fix.has_timer);
  EXPECT_FALSE(fix.timer.working);
  EXPECT_TRUE(fix.transitions[0].back);
  EXPECT_EQ(w.stages[3].joint, subsidy::eval::JointPolicy::veto);
  EXPECT_EQ(w.stages[3].reviewers.size(), 2u);
  EXPECT_EQ(w.stages[3].reviewers[0].deps.facts.size(), 1u);
}

TEST(WorkflowCheck, UnknownNames) {
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a;
  stage a "a" "a" { responsible 市科技; on submit -> z; }
  terminal z "z" "z"; })R", "E0701"), std::vector<std::string>{at(1, 33)});
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a;
  stage a "a" "a" { responsible 市科技局; on sumbit -> z; }
  terminal z "z" "z"; })R", "E0702"), std::vector<std::string>{at(1, 42)});
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a;
  stage a "a" "a" { responsible 市科技局; on submit -> zz; }
  terminal z "z" "z"; })R", "E0703"), std::vector<std::string>{at(1, 52)});
  auto c = compile_text(std::string(kBase) + R"R(workflow w2 "w" "w" { start a;
  stage a "a" "a" { responsible 市科技局; on submit -> z; }
  terminal z "z" "z"; })R");
  ASSERT_TRUE(c->has("E0704")) << c->rendered();
  EXPECT_NE(c->rendered().find("did you mean `w2`?"), std::string::npos) << c->rendered();
}

TEST(WorkflowCheck, StartClauses) {
  EXPECT_EQ(where(R"R(workflow w "w" "w" { stage a "a" "a" { responsible 市科技局; on submit -> z; } terminal z "z" "z"; })R",
                  "E0706"),
            std::vector<std::string>{at(0, 10)});
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start z; stage a "a" "a" { responsible 市科技局; on submit -> z; } terminal z "z" "z"; })R",
                  "E0706"),
            std::vector<std::string>{at(0, 28)});
}

TEST(WorkflowCheck, StageStructure) {
  // no responsible
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { on submit -> z; } terminal z "z" "z"; })R", "E0707"),
            std::vector<std::string>{at(0, 37)});
  // back outside a correction stage
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局; on submit -> back; } terminal z "z" "z"; })R",
                  "E0707"),
            std::vector<std::string>{at(0, 67)});
  // joint review without `on reject`, and with an unknown policy
  auto j = where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { joint most { 市财政局; } on approve -> z; } terminal z "z" "z"; })R",
                 "E0707");
  EXPECT_EQ(j.size(), 2u);
}

TEST(WorkflowCheck, RoleFamilies) {
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 旗县区科技局; on submit -> z; } terminal z "z" "z"; })R",
                  "E0708"),
            std::vector<std::string>{at(0, 61)});
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 旗县区科技局[industry]; on submit -> z; } terminal z "z" "z"; })R",
                  "E0708"),
            std::vector<std::string>{at(0, 68)});
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局[county]; on submit -> z; } terminal z "z" "z"; })R",
                  "E0708"),
            std::vector<std::string>{at(0, 61)});
}

TEST(WorkflowCheck, GuardsAreTypedLikeRules) {
  // a guard must be bool
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局; on submit when decided_amount -> z; } terminal z "z" "z"; })R",
                  "E0301"),
            std::vector<std::string>{at(0, 82)});
  // money compared with a plain number
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局; on submit when decided_amount > 5 -> z; } terminal z "z" "z"; })R",
                  "E0302"),
            std::vector<std::string>{at(0, 82)});
  // an optional fact must be tested
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局; on submit when county == 临河区 -> z; } terminal z "z" "z"; })R",
                  "E0305"),
            std::vector<std::string>{at(0, 82)});
  // the case attributes exist only in guards
  EXPECT_EQ(where(R"R(program Q "q" "q" { citation "c"; workflow w; require r: corrections < 2 else "x" "x"; amount 1元; })R",
                  "E0712"),
            std::vector<std::string>{at(0, 58)});
}

TEST(WorkflowCheck, PeriodsAndShadowedTransitions) {
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局; deadline 0 days; on submit -> z; } terminal z "z" "z"; })R",
                  "E0709"),
            std::vector<std::string>{at(0, 76)});
  EXPECT_EQ(where(R"R(workflow w "w" "w" { start a; stage a "a" "a" { responsible 市科技局; on submit -> z; on submit -> a; } terminal z "z" "z"; })R",
                  "W0710"),
            std::vector<std::string>{at(0, 83)});
}

// kGood with `extra` inserted after `start a;` and `in_b` at the top of stage b's body.
std::string good_with(const std::string& extra, const std::string& in_b = "") {
  std::string w = kGood;
  w.insert(w.find("  start a;\n") + 11, extra);
  w.insert(w.find("    responsible 旗县区科技局[county]"), in_b);
  return w;
}

TEST(WorkflowCheck, ReservingStageAndAdjustableAmountLower) {
  auto c = compile_text(std::string(kBase) + good_with("  reserve at b;\n", "    amount adjustable;\n"));
  ASSERT_TRUE(c->rs) << c->rendered();
  EXPECT_EQ(c->diags.items().size(), 0u) << c->rendered();
  const auto& w = c->rs->workflow_decls.workflows.at(0);
  EXPECT_EQ(w.reserve, 1);
  EXPECT_TRUE(w.stages[1].amount_adjustable);
  EXPECT_FALSE(w.stages[0].amount_adjustable);
  auto plain = compile_text(std::string(kBase) + kGood);
  ASSERT_TRUE(plain->rs) << plain->rendered();
  EXPECT_EQ(plain->rs->workflow_decls.workflows.at(0).reserve, -1);  // not declared: engine/workflow's default
}

TEST(WorkflowCheck, ReservingStageChecks) {
  // `reserve at` lines follow `start a;` (line 1 of the workflow)
  EXPECT_EQ(where(good_with("  reserve at zz;\n"), "E0703"), std::vector<std::string>{at(2, 14)});
  EXPECT_EQ(where(good_with("  reserve at b;\n  reserve at j;\n"), "E0713"), std::vector<std::string>{at(3, 14)});
  EXPECT_EQ(where(good_with("  reserve at fix;\n"), "E0714"), std::vector<std::string>{at(2, 14)});  // correction
  EXPECT_EQ(where(good_with("  reserve at yes;\n"), "E0714"), std::vector<std::string>{at(2, 14)});  // terminal
  EXPECT_EQ(where(good_with("  reserve at a;\n"), "E0715"), std::vector<std::string>{at(2, 14)});    // only `on submit`
  EXPECT_TRUE(where(good_with("  reserve at j;\n"), "E0715").empty());                                // a joint review approves too
  auto c = compile_text(std::string(kBase) + good_with("  reserve at b;\n  reserve at j;\n"));
  EXPECT_NE(c->rendered().find("the first `reserve at` is here"), std::string::npos) << c->rendered();
}

TEST(WorkflowCheck, AmountAdjustableNeedsAnOfficersApproval) {
  auto in = [](const std::string& stage_start, const std::string& w) {
    std::string out = w;
    out.insert(out.find("{", out.find(stage_start)) + 1, " amount adjustable;");
    return where(out, "E0716").size();
  };
  EXPECT_EQ(in("correction fix", kGood), 1u);
  EXPECT_EQ(in("stage j", kGood), 1u);  // joint review: approved by the votes
  EXPECT_EQ(in("stage a", kGood), 1u);  // no `on approve`
  EXPECT_EQ(in("stage b", kGood), 0u);
}

TEST(WorkflowCheck, ProgrammeWithoutWorkflowWarns) {
  EXPECT_EQ(where(std::string(kGood) + R"R(program Q "q" "q" { citation "c"; amount 1元; })R", "W0711"),
            std::vector<std::string>{at(27, 9)});
}

}  // namespace
