// The workflow declarations of the rule language (docs/workflow.md): roles, actions, workflows,
// their AST, expression ids of guards, syntax errors and recovery.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "dsl/parse.hpp"

namespace subsidy::dsl {
namespace {

struct Parsed {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  ParseResult result;
  std::uint32_t next_id = 1;
  std::string at(std::uint32_t offset) const {
    auto lc = sources.get(0).line_col(offset);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
  std::string text(const diag::Span& s) const { return sources.get(0).text().substr(s.begin, s.end - s.begin); }
};

std::unique_ptr<Parsed> parse_text(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  p->sources.add("t.rules", text);
  p->result = parse(p->sources, 0, p->diags, p->next_id);
  return p;
}

TEST(WorkflowParse, RolesAndActions) {
  auto p = parse_text("role 市科技局 \"市科技局\" \"science bureau\";\nrole 旗县区科技局[County] \"旗县区科技局\";\naction approve \"通过\" \"approve\";\n");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  ASSERT_EQ(p->result.file.decls.size(), 3u);
  const auto& r = std::get<ast::RoleDecl>(p->result.file.decls[0]);
  EXPECT_EQ(r.name.name, "市科技局");
  EXPECT_FALSE(r.family);
  EXPECT_EQ(r.label.en, "science bureau");
  const auto& f = std::get<ast::RoleDecl>(p->result.file.decls[1]);
  ASSERT_TRUE(f.family);
  EXPECT_EQ(f.family->name, "County");
  EXPECT_EQ(f.label.zh, "旗县区科技局");
  EXPECT_TRUE(f.label.en.empty());
  EXPECT_EQ(std::get<ast::ActionDecl>(p->result.file.decls[2]).name.name, "approve");
}

TEST(WorkflowParse, StagesTransitionsAndIds) {
  auto p = parse_text(R"(workflow w "流程" "workflow" {
  start a;
  stage a "申报" "apply" {
    responsible 旗县区科技局[county] when not zone;
    responsible 市科技局;
    deadline 1 working day;
    after 30 days -> done "超时" "timed out";
    on approve by 市科技局, 旗县区科技局 when x - 1 > 0 -> fix as return "通过";
  }
  correction fix "补正" "fix" { responsible 申报单位; on resubmit -> back; }
  stage j "会签" "joint" { joint majority { 甲 when ok; 乙; } on approve -> done; on reject -> done; }
  terminal done "办结" "done";
})");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& w = std::get<ast::WorkflowDecl>(p->result.file.decls.at(0));
  EXPECT_EQ(w.name.name, "w");
  ASSERT_EQ(w.starts.size(), 1u);
  ASSERT_EQ(w.stages.size(), 4u);
  const auto& a = w.stages[0];
  EXPECT_EQ(a.kind, ast::Stage::Kind::Normal);
  ASSERT_EQ(a.responsible.size(), 2u);
  EXPECT_EQ(p->text(a.responsible[0].role.span), "旗县区科技局[county]");
  ASSERT_TRUE(a.responsible[0].role.index);
  ASSERT_TRUE(a.responsible[0].when);
  EXPECT_EQ(p->text(a.responsible[0].when->span), "not zone");
  ASSERT_TRUE(a.deadline);
  EXPECT_EQ(a.deadline->count, 1);
  EXPECT_TRUE(a.deadline->working);
  ASSERT_TRUE(a.after);
  EXPECT_FALSE(a.after->period.working);
  EXPECT_EQ(a.after->period.count, 30);
  EXPECT_EQ(a.after->target.name, "done");
  EXPECT_EQ(a.after->label.en, "timed out");
  ASSERT_EQ(a.transitions.size(), 1u);
  const auto& t = a.transitions[0];
  EXPECT_EQ(t.action.name, "approve");
  EXPECT_EQ(t.by.size(), 2u);
  ASSERT_TRUE(t.when);
  EXPECT_EQ(p->text(t.when->span), "x - 1 > 0");  // '-' before '>' is subtraction, `->` the arrow
  EXPECT_EQ(t.target.name, "fix");
  EXPECT_TRUE(t.as_return);
  EXPECT_EQ(t.label.zh, "通过");
  EXPECT_EQ(w.stages[1].kind, ast::Stage::Kind::Correction);
  EXPECT_TRUE(w.stages[1].transitions.at(0).back);
  ASSERT_TRUE(w.stages[2].joint);
  EXPECT_EQ(w.stages[2].joint->policy.name, "majority");
  EXPECT_EQ(w.stages[2].joint->reviewers.size(), 2u);
  EXPECT_EQ(w.stages[3].kind, ast::Stage::Kind::Terminal);
  // Guards and role indices are numbered like every expression.
  EXPECT_GT(a.responsible[0].role.index->id, 0u);
  EXPECT_GT(t.when->id, a.responsible[0].when->id);
  EXPECT_EQ(p->next_id, 10u);  // county; not zone, zone; the five nodes of x - 1 > 0; ok
}

TEST(WorkflowParse, SingularStageClausesOncePerStage) {
  auto p = parse_text(R"(workflow w "w" "w" {
  stage a "a" "a" { deadline 1 day; deadline 2 days; }
  stage b "b" "b" { deadline 1 day; }
})");
  ASSERT_EQ(p->diags.items().size(), 1u) << diag::render_all(p->diags, p->sources);
  EXPECT_EQ(p->diags.items()[0].code, "E0005");
  EXPECT_EQ(p->at(p->diags.items()[0].span.begin), "2:37");
}

TEST(WorkflowParse, ReservingStageAndAdjustableAmount) {
  auto p = parse_text(R"(workflow w "w" "w" {
  start a;
  reserve at b;
  stage a "a" "a" { responsible x; on approve -> b; }
  stage b "b" "b" { responsible y; amount adjustable; on approve -> done; }
  terminal done "d" "d";
  reserve at a;
})");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& w = std::get<ast::WorkflowDecl>(p->result.file.decls.at(0));
  ASSERT_EQ(w.reserves.size(), 2u);  // the checker reports the second (E0713)
  EXPECT_EQ(w.reserves[0].name, "b");
  EXPECT_EQ(p->at(w.reserves[0].span.begin), "3:14");
  EXPECT_EQ(w.reserves[1].name, "a");
  EXPECT_FALSE(w.stages[0].amount_adjustable);
  EXPECT_TRUE(w.stages[1].amount_adjustable);
  EXPECT_EQ(p->text(w.stages[1].adjustable_span), "amount adjustable;");
}

TEST(WorkflowParse, AmountAdjustableOncePerStage) {
  auto p = parse_text(R"(workflow w "w" "w" {
  stage a "a" "a" { amount adjustable; amount adjustable; }
  stage b "b" "b" { amount adjustable; }
})");
  ASSERT_EQ(p->diags.items().size(), 1u) << diag::render_all(p->diags, p->sources);
  EXPECT_EQ(p->diags.items()[0].code, "E0005");
  EXPECT_EQ(p->diags.items()[0].message, "duplicate `amount` clause");
  EXPECT_EQ(p->at(p->diags.items()[0].span.begin), "2:40");
}

TEST(WorkflowParse, SyntaxErrors) {
  auto first = [](const std::string& src) {
    auto p = parse_text(src);
    EXPECT_FALSE(p->diags.items().empty()) << src;
    if (p->diags.items().empty()) return std::string();
    const auto& d = p->diags.items()[0];
    return p->at(d.span.begin) + " " + d.message;
  };
  EXPECT_EQ(first("workflow w { stage a { on go t; } }"), "1:30 expected '->'");
  EXPECT_EQ(first("workflow w { stage a { deadline 5 weeks; } }"), "1:35 expected `days` or `working days`");
  EXPECT_EQ(first("workflow w { stage a { on go -> ; } }"), "1:33 expected a stage name or `back`");
  EXPECT_EQ(first("workflow w { stage a { joint { x; } } }"), "1:30 expected a joint-review policy (all, veto, majority)");
  EXPECT_EQ(first("workflow w { stage a { resp x; } }"),
            "1:24 expected a stage clause (responsible, joint, deadline, after, amount adjustable, on) or '}'");
  EXPECT_EQ(first("workflow w { phase a; }"), "1:14 expected a workflow clause (start, reserve at, stage, correction, terminal) or '}'");
  EXPECT_EQ(first("workflow w { reserve b; }"), "1:22 expected `at`");
  EXPECT_EQ(first("workflow w { reserve at ; }"), "1:25 expected an identifier");
  EXPECT_EQ(first("workflow w { stage a { amount 5万; } }"), "1:31 expected `adjustable`");
  EXPECT_EQ(first("role 旗县区科技局[County \"x\";"), "1:20 expected ']'");
  EXPECT_EQ(first("fact on: int;"), "1:6 `on` is a reserved word and cannot be used as a name");  // workflow keywords too
}

TEST(WorkflowParse, RecoversAtTheNextDeclarationButNotAtAProgrammesWorkflowClause) {
  auto p = parse_text(R"(program P "p" "p" {
  amount ;
  workflow formula;
}
role a "a" "a";
)");
  ASSERT_EQ(p->diags.items().size(), 1u) << diag::render_all(p->diags, p->sources);
  ASSERT_EQ(p->result.file.decls.size(), 1u);  // the role; `workflow formula;` did not start a declaration
  EXPECT_TRUE(std::holds_alternative<ast::RoleDecl>(p->result.file.decls[0]));
}

}  // namespace
}  // namespace subsidy::dsl
