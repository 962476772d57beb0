// Tests of the rule-language parser (engine/dsl/parse.hpp): every declaration, every literal,
// precedence, spans, ids, every E00xx diagnostic and error recovery.
#include "dsl/parse.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "model/date.hpp"

namespace subsidy::dsl {
namespace {

using ast::BinOp;
using ast::Literal;

struct Parsed {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  ParseResult result;
  diag::FileId file = 0;
  std::uint32_t next_id = 1;

  const diag::SourceFile& src() const { return sources.get(file); }
  // "line:col" of a byte offset.
  std::string at(std::uint32_t offset) const {
    auto lc = src().line_col(offset);
    return std::to_string(lc.line) + ":" + std::to_string(lc.column);
  }
  std::string text(const diag::Span& s) const { return src().text().substr(s.begin, s.end - s.begin); }
  template <typename D>
  const D& decl(std::size_t i) const {
    return std::get<D>(result.file.decls.at(i));
  }
  std::vector<std::string> codes() const {
    std::vector<std::string> out;
    for (const auto& d : diags.items()) out.push_back(d.code);
    return out;
  }
};

std::unique_ptr<Parsed> parse_text(const std::string& text, const std::string& path = "test.rules") {
  auto p = std::make_unique<Parsed>();
  p->file = p->sources.add(path, text);
  p->result = parse(p->sources, p->file, p->diags, p->next_id);
  return p;
}

const char* op_name(BinOp op) {
  switch (op) {
    case BinOp::Add: return "+";
    case BinOp::Sub: return "-";
    case BinOp::Mul: return "*";
    case BinOp::Div: return "/";
    case BinOp::Eq: return "==";
    case BinOp::Ne: return "!=";
    case BinOp::Lt: return "<";
    case BinOp::Le: return "<=";
    case BinOp::Gt: return ">";
    case BinOp::Ge: return ">=";
    case BinOp::And: return "and";
    case BinOp::Or: return "or";
    case BinOp::In: return "in";
    case BinOp::NotIn: return "not-in";
  }
  return "?";
}

std::string sexpr(const ast::Expr& e);

std::string lit_str(const Literal& l) {
  switch (l.kind) {
    case Literal::Kind::Bool: return l.value ? "true" : "false";
    case Literal::Kind::Int: return std::to_string(l.value);
    case Literal::Kind::Decimal: return "dec:" + std::to_string(l.value);
    case Literal::Kind::Money: return "fen:" + std::to_string(l.value);
    case Literal::Kind::Date: return "date:" + model::format_date(static_cast<model::Days>(l.value));
    case Literal::Kind::Text: return "\"" + l.text + "\"";
  }
  return "?";
}

struct SexprVisitor {
  std::string operator()(const Literal& l) const { return lit_str(l); }
  std::string operator()(const ast::Name& n) const { return n.name; }
  std::string operator()(const ast::Unary& u) const {
    return std::string("(") + (u.op == ast::UnOp::Neg ? "neg " : "not ") + sexpr(*u.operand) + ")";
  }
  std::string operator()(const ast::Binary& b) const {
    return std::string("(") + op_name(b.op) + " " + sexpr(*b.lhs) + " " + sexpr(*b.rhs) + ")";
  }
  std::string operator()(const ast::Call& c) const {
    std::string s = "(call " + c.fn.name;
    for (const auto& a : c.args) s += " " + sexpr(a);
    return s + ")";
  }
  std::string operator()(const ast::If& i) const {
    return "(if " + sexpr(*i.cond) + " " + sexpr(*i.then_) + " " + sexpr(*i.else_) + ")";
  }
  std::string operator()(const ast::SetLit& s) const {
    std::string out = "{";
    for (std::size_t i = 0; i < s.items.size(); ++i) out += (i ? " " : "") + sexpr(s.items[i]);
    return out + "}";
  }
};
std::string sexpr(const ast::Expr& e) { return std::visit(SexprVisitor{}, e.node); }

// Parses `program P { amount <expr>; }` and returns the amount expression as an s-expression.
std::string expr(const std::string& src) {
  auto p = parse_text("program P {\n  amount " + src + ";\n}\n");
  EXPECT_TRUE(p->result.ok) << src;
  EXPECT_TRUE(p->diags.items().empty()) << src << ": " << diag::render_all(p->diags, p->sources);
  if (p->result.file.decls.empty()) return "<none>";
  const auto& prog = p->decl<ast::Program>(0);
  return prog.amount ? sexpr(*prog.amount) : "<no amount>";
}

std::int64_t days(int y, unsigned m, unsigned d) { return *model::make_date(y, m, d); }

// ------------------------------------------------------------------ declarations

TEST(ParseDecl, Enum) {
  auto p = parse_text(R"~(enum OrgType "单位类型" "organisation type" {
  enterprise "企业" "enterprise",
  university "高校" "university",
  institute "科研院所",
  service_org,
}
enum Empty { }
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  ASSERT_EQ(p->result.file.decls.size(), 2u);
  const auto& e = p->decl<ast::EnumDecl>(0);
  EXPECT_EQ(e.name.name, "OrgType");
  EXPECT_EQ(e.label.zh, "单位类型");
  EXPECT_EQ(e.label.en, "organisation type");
  ASSERT_EQ(e.values.size(), 4u);
  EXPECT_EQ(e.values[0].name.name, "enterprise");
  EXPECT_EQ(e.values[0].label.zh, "企业");
  EXPECT_EQ(e.values[0].label.en, "enterprise");
  EXPECT_EQ(e.values[2].label.zh, "科研院所");
  EXPECT_EQ(e.values[2].label.en, "");
  EXPECT_EQ(e.values[3].name.name, "service_org");
  EXPECT_EQ(e.values[3].label.zh, "");
  EXPECT_EQ(p->text(e.span).substr(0, 12), "enum OrgType");
  EXPECT_EQ(p->text(e.span).back(), '}');
  EXPECT_TRUE(p->decl<ast::EnumDecl>(1).values.empty());
}

TEST(ParseDecl, Facts) {
  auto p = parse_text(R"~(fact org_type: OrgType "单位类型" "organisation type";
fact prior_awards: set of text "已获资助项目" "programmes already awarded";
fact cert_date: date? "认定日期" "certification date";
fact levels: set of Level? "级别";
fact 研发费用: money;
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  ASSERT_EQ(p->result.file.decls.size(), 5u);
  const auto& f0 = p->decl<ast::FactDecl>(0);
  EXPECT_EQ(f0.name.name, "org_type");
  EXPECT_EQ(f0.type.name.name, "OrgType");
  EXPECT_FALSE(f0.type.is_set);
  EXPECT_FALSE(f0.type.optional);
  EXPECT_EQ(f0.label.zh, "单位类型");
  EXPECT_EQ(f0.label.en, "organisation type");
  EXPECT_EQ(p->text(f0.span), R"(fact org_type: OrgType "单位类型" "organisation type";)");
  EXPECT_EQ(p->text(f0.type.span), "OrgType");
  const auto& f1 = p->decl<ast::FactDecl>(1);
  EXPECT_TRUE(f1.type.is_set);
  EXPECT_EQ(f1.type.name.name, "text");
  EXPECT_EQ(p->text(f1.type.span), "set of text");
  const auto& f2 = p->decl<ast::FactDecl>(2);
  EXPECT_TRUE(f2.type.optional);
  EXPECT_EQ(f2.type.name.name, "date");
  EXPECT_EQ(p->text(f2.type.span), "date?");
  const auto& f3 = p->decl<ast::FactDecl>(3);
  EXPECT_TRUE(f3.type.is_set);
  EXPECT_TRUE(f3.type.optional);
  EXPECT_EQ(f3.label.en, "");
  const auto& f4 = p->decl<ast::FactDecl>(4);
  EXPECT_EQ(f4.name.name, "研发费用");
  EXPECT_EQ(f4.label.zh, "");
}

TEST(ParseDecl, Param) {
  auto p = parse_text(R"~(param rd_post_rate: percent "研发后补助比例" "R&D post-subsidy rate" {
  from 2021-01-01 = 1%   source "S2 实施细则 一(三)1" sourced;
  from 2024-01-01 = 1.5% source "illustrative draft" illustrative;
}
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& d = p->decl<ast::ParamDecl>(0);
  EXPECT_EQ(d.name.name, "rd_post_rate");
  EXPECT_EQ(d.type.name.name, "percent");
  ASSERT_EQ(d.values.size(), 2u);
  EXPECT_EQ(d.values[0].from.kind, Literal::Kind::Date);
  EXPECT_EQ(d.values[0].from.value, days(2021, 1, 1));
  EXPECT_EQ(p->text(d.values[0].from_span), "2021-01-01");
  EXPECT_EQ(sexpr(d.values[0].value), "dec:10000");
  EXPECT_EQ(d.values[0].provenance.source, "S2 实施细则 一(三)1");
  EXPECT_EQ(d.values[0].provenance.status.name, "sourced");
  EXPECT_EQ(p->text(d.values[0].provenance.span), R"(source "S2 实施细则 一(三)1" sourced)");
  EXPECT_EQ(p->text(d.values[0].span), R"(from 2021-01-01 = 1%   source "S2 实施细则 一(三)1" sourced;)");
  EXPECT_EQ(d.values[1].from.value, days(2024, 1, 1));
  EXPECT_EQ(sexpr(d.values[1].value), "dec:15000");
  EXPECT_EQ(d.values[1].provenance.status.name, "illustrative");
  EXPECT_EQ(p->text(d.values[1].provenance.status.span), "illustrative");
}

TEST(ParseDecl, Program) {
  auto p = parse_text(R"~(program R01 "企业年度研发费用后补助" "Annual R&D-expense post-subsidy" {
  bureau "市科技局";
  citation "内党发〔2020〕17号";
  source "S2" sourced;
  effective from 2021-11-17 to 2025-12-31;
  workflow formula;

  require registered_in_im: registered_in_im
    else "未在自治区境内注册" "not registered in Inner Mongolia" clause "实施细则 一(一)";
  require claimed_deduction: claimed_super_deduction else "未享受研发费用加计扣除";

  amount floor_yuan(rd_expense * rd_post_rate);
  minimum 0元;
  cap 500万;
}
program R02 { effective from 2021-01-01; }
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  ASSERT_EQ(p->result.file.decls.size(), 2u);
  const auto& r = p->decl<ast::Program>(0);
  EXPECT_EQ(r.id.name, "R01");
  EXPECT_EQ(r.title.zh, "企业年度研发费用后补助");
  EXPECT_EQ(r.title.en, "Annual R&D-expense post-subsidy");
  EXPECT_EQ(r.bureau, "市科技局");
  EXPECT_EQ(p->text(r.bureau_span), R"(bureau "市科技局";)");
  EXPECT_EQ(r.citation, "内党发〔2020〕17号");
  ASSERT_TRUE(r.provenance);
  EXPECT_EQ(r.provenance->source, "S2");
  EXPECT_EQ(r.provenance->status.name, "sourced");
  ASSERT_TRUE(r.effective);
  EXPECT_EQ(r.effective->from.value, days(2021, 11, 17));
  ASSERT_TRUE(r.effective->to);
  EXPECT_EQ(r.effective->to->value, days(2025, 12, 31));
  EXPECT_EQ(p->text(r.effective->span), "effective from 2021-11-17 to 2025-12-31");
  ASSERT_TRUE(r.workflow);
  EXPECT_EQ(r.workflow->name, "formula");
  ASSERT_EQ(r.requirements.size(), 2u);
  EXPECT_EQ(r.requirements[0].name.name, "registered_in_im");
  EXPECT_EQ(sexpr(r.requirements[0].condition), "registered_in_im");
  EXPECT_EQ(r.requirements[0].reason.zh, "未在自治区境内注册");
  EXPECT_EQ(r.requirements[0].reason.en, "not registered in Inner Mongolia");
  EXPECT_EQ(r.requirements[0].clause, "实施细则 一(一)");
  EXPECT_EQ(p->at(r.requirements[0].span.begin), "8:3");
  EXPECT_EQ(r.requirements[1].reason.en, "");
  EXPECT_EQ(r.requirements[1].clause, "");
  ASSERT_TRUE(r.amount && r.minimum && r.cap);
  EXPECT_EQ(sexpr(*r.amount), "(call floor_yuan (* rd_expense rd_post_rate))");
  EXPECT_EQ(sexpr(*r.minimum), "fen:0");
  EXPECT_EQ(sexpr(*r.cap), "fen:500000000");
  const auto& r2 = p->decl<ast::Program>(1);
  EXPECT_EQ(r2.title.zh, "");
  ASSERT_TRUE(r2.effective);
  EXPECT_FALSE(r2.effective->to);
  EXPECT_FALSE(r2.bureau);
  EXPECT_FALSE(r2.amount);
}

TEST(ParseDecl, Table) {
  auto p = parse_text(R"~(table platform_award "平台奖励" "platform award": money hit unique {
  inputs platform_level;
  national  => 500万;
  regional  => 100万;
}
table band "分档": money hit first {
  inputs rd_expense, org_type, employees;
  < 100万,          enterprise,              -          => 0元;
  [100万 .. 500万), {enterprise, institute}, >= 10      => 10万;
  (500万 .. 1000万], not {university},       != 0       => 20万;
  [1..5],           -,                       (1 .. 50)  => 30万;
  -,                (x),                     -5         => -1元;
}
table c "计数": int hit collect count { inputs a; - => 1; }
table s "和": money hit collect sum { inputs a; - => 1元; }
table b "最优": money hit priority { inputs a; <= 3 => 1元; > 3 => 2元; == 4 => 3元; }
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  ASSERT_EQ(p->result.file.decls.size(), 5u);
  const auto& t = p->decl<ast::TableDecl>(0);
  EXPECT_EQ(t.name.name, "platform_award");
  EXPECT_EQ(t.label.en, "platform award");
  EXPECT_EQ(t.result.name.name, "money");
  EXPECT_EQ(t.hit.name, "unique");
  EXPECT_FALSE(t.aggregator);
  ASSERT_EQ(t.inputs.size(), 1u);
  EXPECT_EQ(sexpr(t.inputs[0]), "platform_level");
  EXPECT_EQ(p->text(t.inputs_span), "inputs platform_level;");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].cells.size(), 1u);
  EXPECT_EQ(t.rows[0].cells[0].kind, ast::TableCell::Kind::Equal);
  EXPECT_EQ(sexpr(*t.rows[0].cells[0].a), "national");
  EXPECT_EQ(sexpr(t.rows[0].output), "fen:500000000");
  EXPECT_EQ(p->text(t.rows[1].span), "regional  => 100万;");

  using K = ast::TableCell::Kind;
  const auto& b = p->decl<ast::TableDecl>(1);
  EXPECT_EQ(b.hit.name, "first");
  ASSERT_EQ(b.inputs.size(), 3u);
  ASSERT_EQ(b.rows.size(), 5u);
  for (const auto& row : b.rows) EXPECT_EQ(row.cells.size(), 3u);
  const auto& r0 = b.rows[0].cells;
  EXPECT_EQ(r0[0].kind, K::Compare);
  EXPECT_EQ(r0[0].cmp, BinOp::Lt);
  EXPECT_EQ(sexpr(*r0[0].a), "fen:100000000");
  EXPECT_EQ(p->text(r0[0].span), "< 100万");
  EXPECT_EQ(r0[1].kind, K::Equal);
  EXPECT_EQ(r0[2].kind, K::Any);
  EXPECT_EQ(p->text(r0[2].span), "-");
  const auto& r1 = b.rows[1].cells;
  EXPECT_EQ(r1[0].kind, K::Range);
  EXPECT_FALSE(r1[0].lo_open);
  EXPECT_TRUE(r1[0].hi_open);
  EXPECT_EQ(sexpr(*r1[0].a), "fen:100000000");
  EXPECT_EQ(sexpr(*r1[0].b), "fen:500000000");
  EXPECT_EQ(p->text(r1[0].span), "[100万 .. 500万)");
  EXPECT_EQ(r1[1].kind, K::Set);
  EXPECT_FALSE(r1[1].negated);
  ASSERT_EQ(r1[1].items.size(), 2u);
  EXPECT_EQ(sexpr(r1[1].items[1]), "institute");
  EXPECT_EQ(r1[2].kind, K::Compare);
  EXPECT_EQ(r1[2].cmp, BinOp::Ge);
  const auto& r2 = b.rows[2].cells;
  EXPECT_TRUE(r2[0].lo_open);
  EXPECT_FALSE(r2[0].hi_open);
  EXPECT_EQ(r2[1].kind, K::Set);
  EXPECT_TRUE(r2[1].negated);
  EXPECT_EQ(p->text(r2[1].span), "not {university}");
  EXPECT_EQ(r2[2].cmp, BinOp::Ne);
  const auto& r3 = b.rows[3].cells;
  EXPECT_EQ(r3[0].kind, K::Range);  // `..` is not eaten by a decimal
  EXPECT_EQ(sexpr(*r3[0].a), "1");
  EXPECT_EQ(sexpr(*r3[0].b), "5");
  EXPECT_EQ(r3[2].kind, K::Range);
  EXPECT_TRUE(r3[2].lo_open);
  EXPECT_TRUE(r3[2].hi_open);
  const auto& r4 = b.rows[4].cells;
  EXPECT_EQ(r4[0].kind, K::Any);
  EXPECT_EQ(r4[1].kind, K::Equal);  // a parenthesised expression, not a range
  EXPECT_EQ(sexpr(*r4[1].a), "x");
  EXPECT_EQ(r4[2].kind, K::Equal);  // `-5` is not "any"
  EXPECT_EQ(sexpr(*r4[2].a), "(neg 5)");
  EXPECT_EQ(sexpr(b.rows[4].output), "(neg fen:100)");

  const auto& c = p->decl<ast::TableDecl>(2);
  EXPECT_EQ(c.hit.name, "collect");
  ASSERT_TRUE(c.aggregator);
  EXPECT_EQ(c.aggregator->name, "count");
  EXPECT_EQ(c.result.name.name, "int");
  EXPECT_EQ(p->decl<ast::TableDecl>(3).aggregator->name, "sum");
  const auto& pr = p->decl<ast::TableDecl>(4);
  EXPECT_EQ(pr.hit.name, "priority");
  ASSERT_EQ(pr.rows.size(), 3u);
  EXPECT_EQ(pr.rows[0].cells[0].cmp, BinOp::Le);
  EXPECT_EQ(pr.rows[1].cells[0].cmp, BinOp::Gt);
  EXPECT_EQ(pr.rows[2].cells[0].cmp, BinOp::Eq);
}

TEST(ParseDecl, Exceptions) {
  auto p = parse_text(R"~(exception dishonest_list "严重失信主体" "serious-dishonesty list" {
  applies to all;
  when on_dishonesty_list or on_abnormal_operation_list;
  refuse "列入严重失信或经营异常名录，不予支持" "on the list";
  citation "实施细则 一(一)";
}
exception sme_bonus "科技型中小企业加成" "tech-SME bonus" {
  applies to RD_POST, TECH_BUY;
  when sme_registered;
  amount floor_yuan(amount * 120%);
  priority 10;
  effective from 2022-01-01;
}
exception neg { applies to A; priority -2; }
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& e = p->decl<ast::ExceptionDecl>(0);
  EXPECT_EQ(e.name.name, "dishonest_list");
  EXPECT_TRUE(e.all);
  EXPECT_TRUE(e.targets.empty());
  EXPECT_EQ(p->text(e.applies_span), "applies to all;");
  EXPECT_EQ(sexpr(*e.when), "(or on_dishonesty_list on_abnormal_operation_list)");
  ASSERT_TRUE(e.refuse);
  EXPECT_EQ(e.refuse->zh, "列入严重失信或经营异常名录，不予支持");
  EXPECT_EQ(e.refuse->en, "on the list");
  EXPECT_EQ(e.citation, "实施细则 一(一)");
  EXPECT_FALSE(e.amount);
  EXPECT_FALSE(e.priority);
  const auto& s = p->decl<ast::ExceptionDecl>(1);
  EXPECT_FALSE(s.all);
  ASSERT_EQ(s.targets.size(), 2u);
  EXPECT_EQ(s.targets[0].name, "RD_POST");
  EXPECT_EQ(s.targets[1].name, "TECH_BUY");
  EXPECT_EQ(p->text(s.targets[1].span), "TECH_BUY");
  EXPECT_EQ(sexpr(*s.amount), "(call floor_yuan (* amount dec:1200000))");
  EXPECT_EQ(s.priority, 10);
  EXPECT_EQ(p->text(s.priority_span), "priority 10;");
  ASSERT_TRUE(s.effective);
  EXPECT_EQ(s.effective->from.value, days(2022, 1, 1));
  EXPECT_FALSE(s.refuse);
  EXPECT_EQ(p->decl<ast::ExceptionDecl>(2).priority, -2);
}

TEST(ParseDecl, Groups) {
  auto p = parse_text(R"~(group rd_shared "研发后补助合计" "combined R&D post-subsidies" {
  programs R01, R02;
  cap 500万;
  already rd_awarded_this_year;   # money already paid this year inside the group (a fact)
  citation "实施细则 一(三)2";
}
group hnte_levels "高企奖励就高不重复" "HNTE awards: the highest only" {
  programs R03, M01;
  pay highest;
}
group per_applicant "单个申请人合计上限" "per-applicant total" {
  programs all;
  cap total 500万;
}
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& g = p->decl<ast::GroupDecl>(0);
  EXPECT_EQ(g.name.name, "rd_shared");
  ASSERT_EQ(g.programs.size(), 2u);
  EXPECT_EQ(g.programs[1].name, "R02");
  EXPECT_EQ(p->text(g.programs_span), "programs R01, R02;");
  EXPECT_EQ(sexpr(*g.cap), "fen:500000000");
  EXPECT_FALSE(g.cap_total_only);
  EXPECT_EQ(sexpr(*g.already), "rd_awarded_this_year");
  EXPECT_EQ(g.citation, "实施细则 一(三)2");
  EXPECT_FALSE(g.pay_highest);
  const auto& h = p->decl<ast::GroupDecl>(1);
  EXPECT_TRUE(h.pay_highest);
  EXPECT_EQ(p->text(h.pay_highest_span), "pay highest;");
  EXPECT_FALSE(h.cap);
  const auto& a = p->decl<ast::GroupDecl>(2);
  EXPECT_TRUE(a.all);
  EXPECT_TRUE(a.cap_total_only);
  EXPECT_EQ(sexpr(*a.cap), "fen:500000000");
}

TEST(ParseDecl, Test) {
  auto p = parse_text(R"~(test "R01 at the threshold" as of 2022-06-01 {
  given org_type = enterprise, registered_in_im = true, rd_expense = 100万;
  given prior_awards = {"R03"};
  expect R01 eligible amount 1万;
  expect R03 eligible;
  expect R02 refused because above_scale, not_recent;
  expect R05 refused;
  expect R40 not in effect;
  expect total 1万;
  expect capped;
  expect not capped;
}
test "无日期" { }
)~");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& t = p->decl<ast::TestDecl>(0);
  EXPECT_EQ(t.name, "R01 at the threshold");
  ASSERT_TRUE(t.as_of);
  EXPECT_EQ(t.as_of->value, days(2022, 6, 1));
  ASSERT_EQ(t.given.size(), 4u);
  EXPECT_EQ(t.given[0].fact.name, "org_type");
  EXPECT_EQ(sexpr(t.given[0].value), "enterprise");
  EXPECT_EQ(sexpr(t.given[1].value), "true");
  EXPECT_EQ(sexpr(t.given[2].value), "fen:100000000");
  EXPECT_EQ(sexpr(t.given[3].value), "{\"R03\"}");
  using K = ast::Expectation::Kind;
  ASSERT_EQ(t.expects.size(), 8u);
  EXPECT_EQ(t.expects[0].kind, K::Eligible);
  EXPECT_EQ(t.expects[0].program->name, "R01");
  EXPECT_EQ(sexpr(*t.expects[0].amount), "fen:1000000");
  EXPECT_EQ(p->text(t.expects[0].span), "expect R01 eligible amount 1万;");
  EXPECT_EQ(t.expects[1].kind, K::Eligible);
  EXPECT_FALSE(t.expects[1].amount);
  EXPECT_EQ(t.expects[2].kind, K::Refused);
  ASSERT_EQ(t.expects[2].because.size(), 2u);
  EXPECT_EQ(t.expects[2].because[0].name, "above_scale");
  EXPECT_EQ(t.expects[2].because[1].name, "not_recent");
  EXPECT_EQ(t.expects[3].kind, K::Refused);
  EXPECT_TRUE(t.expects[3].because.empty());
  EXPECT_EQ(t.expects[4].kind, K::NotInEffect);
  EXPECT_EQ(t.expects[4].program->name, "R40");
  EXPECT_EQ(t.expects[5].kind, K::Total);
  EXPECT_FALSE(t.expects[5].program);
  EXPECT_EQ(sexpr(*t.expects[5].amount), "fen:1000000");
  EXPECT_EQ(t.expects[6].kind, K::Capped);
  EXPECT_EQ(t.expects[7].kind, K::NotCapped);
  const auto& t2 = p->decl<ast::TestDecl>(1);
  EXPECT_EQ(t2.name, "无日期");
  EXPECT_FALSE(t2.as_of);
}

// ------------------------------------------------------------------ literals

TEST(ParseLiteral, Numbers) {
  EXPECT_EQ(expr("3"), "3");
  EXPECT_EQ(expr("1_000_000"), "1000000");
  EXPECT_EQ(expr("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(expr("0.25"), "dec:250000");
  EXPECT_EQ(expr("1.000001"), "dec:1000001");
  EXPECT_EQ(expr("10%"), "dec:100000");
  EXPECT_EQ(expr("12.5%"), "dec:125000");
  EXPECT_EQ(expr("120%"), "dec:1200000");
  EXPECT_EQ(expr("0.0001%"), "dec:1");
}

TEST(ParseLiteral, Money) {
  EXPECT_EQ(expr("500万"), "fen:" + std::to_string(500LL * 10000 * 100));
  EXPECT_EQ(expr("500万元"), "fen:500000000");
  EXPECT_EQ(expr("500wan"), "fen:500000000");
  EXPECT_EQ(expr("12.34元"), "fen:1234");
  EXPECT_EQ(expr("12.3元"), "fen:1230");
  EXPECT_EQ(expr("12.340元"), "fen:1234");
  EXPECT_EQ(expr("3yuan"), "fen:300");
  EXPECT_EQ(expr("50分"), "fen:50");
  EXPECT_EQ(expr("7fen"), "fen:7");
  EXPECT_EQ(expr("0.0001万"), "fen:100");
  EXPECT_EQ(expr("0.000001万"), "fen:1");
  EXPECT_EQ(expr("0.00001万"), "fen:10");
  EXPECT_EQ(expr("1.5万"), "fen:1500000");
  EXPECT_EQ(expr("1_000_000元"), "fen:100000000");
}

TEST(ParseLiteral, DatesBoolsText) {
  EXPECT_EQ(expr("2021-11-17"), "date:2021-11-17");
  auto p = parse_text("program P { amount 2021-11-17; }");
  ASSERT_TRUE(p->result.ok);
  const auto& lit = std::get<Literal>(p->decl<ast::Program>(0).amount->node);
  EXPECT_EQ(lit.kind, Literal::Kind::Date);
  EXPECT_EQ(lit.value, days(2021, 11, 17));
  EXPECT_EQ(expr("2024-02-29"), "date:2024-02-29");
  EXPECT_EQ(expr("true"), "true");
  EXPECT_EQ(expr("false"), "false");
  EXPECT_EQ(expr(R"("市科技局")"), "\"市科技局\"");
  auto q = parse_text(R"(program P { amount "a\"b\\c\nd"; })");
  ASSERT_TRUE(q->result.ok);
  EXPECT_EQ(std::get<Literal>(q->decl<ast::Program>(0).amount->node).text, "a\"b\\c\nd");
  EXPECT_EQ(std::get<Literal>(q->decl<ast::Program>(0).amount->node).kind, Literal::Kind::Text);
}

TEST(ParseLiteral, DateWinsOverSubtraction) {
  EXPECT_EQ(expr("2021-01-01"), "date:2021-01-01");
  EXPECT_EQ(expr("as_of - 2021-01-01"), "(- as_of date:2021-01-01)");
  EXPECT_EQ(expr("2021 - 01 - 01"), "(- (- 2021 1) 1)");
  EXPECT_EQ(expr("a-1"), "(- a 1)");
  EXPECT_EQ(expr("x - -1"), "(- x (neg 1))");
}

// ------------------------------------------------------------------ expressions

TEST(ParseExpr, Precedence) {
  EXPECT_EQ(expr("a or b and not c == d + e * f"), "(or a (and b (not (== c (+ d (* e f))))))");
  EXPECT_EQ(expr("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(expr("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(expr("a / b * c"), "(* (/ a b) c)");
  EXPECT_EQ(expr("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(expr("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(expr("a and b or c and d"), "(or (and a b) (and c d))");
  EXPECT_EQ(expr("not a and b"), "(and (not a) b)");
  EXPECT_EQ(expr("not not a"), "(not (not a))");
  EXPECT_EQ(expr("a + 1 < b * 2"), "(< (+ a 1) (* b 2))");
  EXPECT_EQ(expr("a <= b"), "(<= a b)");
  EXPECT_EQ(expr("a >= b"), "(>= a b)");
  EXPECT_EQ(expr("a > b"), "(> a b)");
  EXPECT_EQ(expr("a != b"), "(!= a b)");
  EXPECT_EQ(expr("\"R03\" in prior_awards"), "(in \"R03\" prior_awards)");
  EXPECT_EQ(expr("x not in {1, 2}"), "(not-in x {1 2})");
  EXPECT_EQ(expr("not x in s"), "(not (in x s))");
  EXPECT_EQ(expr("{}"), "{}");
}

TEST(ParseExpr, CallsNamesIf) {
  EXPECT_EQ(expr("min(a, b, c)"), "(call min a b c)");
  EXPECT_EQ(expr("max(a, 1元)"), "(call max a fen:100)");
  EXPECT_EQ(expr("count(prior_awards)"), "(call count prior_awards)");
  EXPECT_EQ(expr("f()"), "(call f)");
  EXPECT_EQ(expr("years_between(founded, as_of)"), "(call years_between founded as_of)");
  EXPECT_EQ(expr("amount"), "amount");
  EXPECT_EQ(expr("as_of"), "as_of");
  EXPECT_EQ(expr("if a then b else c + 1"), "(if a b (+ c 1))");
  EXPECT_EQ(expr("if a then if b then 1 else 2 else 3"), "(if a (if b 1 2) 3)");
  // Keywords are whole words: these are identifiers.
  EXPECT_EQ(expr("andx or notable and total_x"), "(or andx (and notable total_x))");
  EXPECT_EQ(expr("in_s in s"), "(in in_s s)");
}

TEST(ParseExpr, ChineseIdentifiersAndStrings) {
  auto p = parse_text("fact 研发费用: money \"研发费用\" \"R&D expense\";\n"
                      "program 项目一 \"项目\" { amount floor_yuan(研发费用 * 规上工业比例); citation \"第一条\"; }\n");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  EXPECT_EQ(p->decl<ast::FactDecl>(0).name.name, "研发费用");
  EXPECT_EQ(p->decl<ast::FactDecl>(0).label.zh, "研发费用");
  const auto& prog = p->decl<ast::Program>(1);
  EXPECT_EQ(prog.id.name, "项目一");
  EXPECT_EQ(sexpr(*prog.amount), "(call floor_yuan (* 研发费用 规上工业比例))");
  EXPECT_EQ(p->at(prog.id.span.begin), "2:9");
  EXPECT_EQ(p->at(prog.amount->span.begin), "2:27");  // columns count code points
}

// ------------------------------------------------------------------ spans and ids

TEST(ParseSpans, ExpressionSpans) {
  auto p = parse_text("# header\nprogram P {\n  amount floor_yuan(a * b) + 3元;\n}\n", "spans.rules");
  ASSERT_TRUE(p->result.ok);
  const auto& prog = p->decl<ast::Program>(0);
  EXPECT_EQ(p->at(prog.span.begin), "2:1");
  EXPECT_EQ(p->at(prog.span.end), "4:2");
  EXPECT_EQ(prog.span.file, p->file);
  const auto& amount = *prog.amount;
  EXPECT_EQ(p->text(amount.span), "floor_yuan(a * b) + 3元");
  EXPECT_EQ(p->at(amount.span.begin), "3:10");
  const auto& sum = std::get<ast::Binary>(amount.node);
  EXPECT_EQ(p->text(sum.lhs->span), "floor_yuan(a * b)");
  EXPECT_EQ(p->text(sum.rhs->span), "3元");
  EXPECT_EQ(p->at(sum.rhs->span.begin), "3:30");
  const auto& call = std::get<ast::Call>(sum.lhs->node);
  EXPECT_EQ(p->text(call.fn.span), "floor_yuan");
  EXPECT_EQ(p->text(call.args[0].span), "a * b");
  const auto& mul = std::get<ast::Binary>(call.args[0].node);
  EXPECT_EQ(p->at(mul.rhs->span.begin), "3:25");
  EXPECT_EQ(p->text(mul.rhs->span), "b");
  // Left-nested operators: the inner node spans its own operands.
  auto q = parse_text("program P { amount a - (b) - c; }");
  const auto& outer = std::get<ast::Binary>(q->decl<ast::Program>(0).amount->node);
  EXPECT_EQ(q->text(q->decl<ast::Program>(0).amount->span), "a - (b) - c");
  EXPECT_EQ(q->text(outer.lhs->span), "a - (b)");
  EXPECT_EQ(q->text(std::get<ast::Binary>(outer.lhs->node).rhs->span), "(b)");
}

TEST(ParseSpans, UniqueIdsAcrossFiles) {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  auto f1 = sources.add("a.rules", "program P { amount a + b * c; cap 3元; }");
  auto f2 = sources.add("b.rules", "program Q { amount -x; }");
  std::uint32_t next = 1;
  auto r1 = parse(sources, f1, diags, next);
  auto r2 = parse(sources, f2, diags, next);
  ASSERT_TRUE(r1.ok && r2.ok);
  const auto& p = std::get<ast::Program>(r1.file.decls[0]);
  const auto& add = std::get<ast::Binary>(p.amount->node);
  EXPECT_EQ(p.amount->id, 1u);  // pre-order, source order
  EXPECT_EQ(add.lhs->id, 2u);
  EXPECT_EQ(add.rhs->id, 3u);
  EXPECT_EQ(p.cap->id, 6u);
  const auto& q = std::get<ast::Program>(r2.file.decls[0]);
  EXPECT_EQ(q.amount->id, 7u);
  EXPECT_EQ(std::get<ast::Unary>(q.amount->node).operand->id, 8u);
  EXPECT_EQ(next, 9u);
  EXPECT_EQ(r2.file.file, f2);
  EXPECT_EQ(q.amount->span.file, f2);
}

TEST(ParseSpans, AllConstructsSampleParses) {
  auto path = std::filesystem::path(SUBSIDY_SOURCE_DIR) / "tests/golden/parse/good/all_constructs.rules";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  auto p = parse_text(ss.str(), "all_constructs.rules");
  EXPECT_TRUE(p->result.ok);
  EXPECT_TRUE(p->diags.items().empty()) << diag::render_all(p->diags, p->sources);
  std::set<std::size_t> kinds;
  for (const auto& d : p->result.file.decls) kinds.insert(d.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<ast::Decl>);  // every declaration kind is present
  EXPECT_GT(p->next_id, 100u);
}

// ------------------------------------------------------------------ diagnostics

const diag::Diagnostic& only(const Parsed& p) {
  EXPECT_EQ(p.diags.items().size(), 1u) << diag::render_all(p.diags, p.sources);
  return p.diags.items().at(0);
}

TEST(ParseErrors, MissingSemicolon) {
  auto p = parse_text("fact a: int \"甲\"\nfact b: int;\n");
  const auto& d = only(*p);
  EXPECT_EQ(d.code, "E0001");
  EXPECT_EQ(d.severity, diag::Severity::error);
  EXPECT_EQ(d.message, "expected ';'");
  EXPECT_EQ(p->at(d.span.begin), "2:1");  // at the token found instead
  EXPECT_EQ(p->text(d.span), "fact");
  EXPECT_FALSE(p->result.ok);
  // Recovery: the second fact is still parsed.
  ASSERT_EQ(p->result.file.decls.size(), 1u);
  EXPECT_EQ(p->decl<ast::FactDecl>(0).name.name, "b");
}

TEST(ParseErrors, ExpectedWords) {
  auto check = [](const std::string& src, const std::string& message, const std::string& pos) {
    auto p = parse_text(src);
    ASSERT_FALSE(p->diags.items().empty()) << src;
    const auto& d = p->diags.items()[0];
    EXPECT_EQ(d.code, "E0001") << src;
    EXPECT_EQ(d.message, message) << src;
    EXPECT_EQ(p->at(d.span.begin), pos) << src;
    EXPECT_FALSE(p->result.ok);
  };
  check("program P { amount ; }", "expected an expression", "1:20");
  check("program P { amount 1 + ; }", "expected an expression", "1:24");
  check("foo bar;\n", "expected a declaration (enum, fact, param, program, table, exception, group, test, role, action, workflow)", "1:1");
  check("program P { bogus; }",
        "expected a programme clause (bureau, citation, source, effective, workflow, require, amount, minimum, cap) "
        "or '}'",
        "1:13");
  check("program P { effective 2021-01-01; }", "expected `from`", "1:23");
  check("program P { effective from 2021; }", "expected a date (YYYY-MM-DD)", "1:28");
  check("fact x int;", "expected ':'", "1:8");
  check("fact x: ;", "expected a type", "1:9");
  check("table t: money hit sometimes { }", "expected a hit policy (unique, first, priority, collect)", "1:20");
  check("table t: money hit collect avg { }", "expected an aggregator (sum, min, max, count)", "1:28");
  check("table t: money hit first { inputs a; 1 2; }", "expected ',' or '=>'", "1:40");
  check("table t: money hit first { inputs a; [1 .. 2 => 3; }", "expected ']' or ')'", "1:46");
  check("param p: int { from 2021-01-01 = 1; }", "expected a provenance (source \"…\" STATUS)", "1:35");
  check("param p: int { from 2021-01-01 = 1 source \"x\" maybe; }",
        "expected a provenance status (sourced, secondary, derived, illustrative)", "1:47");
  check("test \"t\" { expect R01 maybe; }", "expected `eligible`, `refused`, `capped` or `not`", "1:23");
  check("test \"t\" { given x 1; }", "expected '='", "1:20");
  check("program P { amount f(a b); }", "expected ')'", "1:24");
  check("enum E { a b }", "expected an enum value, ',' or '}'", "1:12");
  check("program P { amount \"abc; }\n", "expected '\"' to close the string", "1:27");
  check("program P { amount \"a\\tb\"; }", "expected an escape sequence (\\\", \\\\ or \\n)", "1:22");
  check("program P { require x: a else ; }", "expected a reason (\"中文理由\" \"English reason\")", "1:31");
  check("program P {", "expected a programme clause (bureau, citation, source, effective, workflow, require, amount, "
                       "minimum, cap) or '}'", "1:12");
}

TEST(ParseErrors, MoneyPrecisionE0002) {
  auto p = parse_text("program P {\n  cap 12.345元;\n}\n");
  const auto& d = only(*p);
  EXPECT_EQ(d.code, "E0002");
  EXPECT_EQ(d.message, "money literal `12.345元` is finer than 1 分");
  EXPECT_EQ(p->at(d.span.begin), "2:7");
  EXPECT_EQ(p->text(d.span), "12.345元");
  EXPECT_FALSE(p->result.ok);
  auto q = parse_text("program P { cap 0.0000001万; minimum 1.5分; }");
  EXPECT_EQ(q->codes(), (std::vector<std::string>{"E0002", "E0002"}));
}

TEST(ParseErrors, InvalidDateE0003) {
  auto p = parse_text("program P {\n  effective from 2021-02-30;\n}\n");
  const auto& d = only(*p);
  EXPECT_EQ(d.code, "E0003");
  EXPECT_EQ(d.message, "invalid date `2021-02-30`: not a calendar day");
  EXPECT_EQ(p->at(d.span.begin), "2:18");
  EXPECT_EQ(p->text(d.span), "2021-02-30");
  EXPECT_FALSE(p->result.ok);
  auto q = parse_text("test \"t\" as of 2023-13-01 { }");
  EXPECT_EQ(q->codes(), std::vector<std::string>{"E0003"});
  auto leap = parse_text("program P { amount 2023-02-29; }");
  EXPECT_EQ(leap->codes(), std::vector<std::string>{"E0003"});
}

TEST(ParseErrors, IntegerOutOfRangeE0004) {
  auto p = parse_text("exception e {\n  priority 9223372036854775808;\n}\n");
  const auto& d = only(*p);
  EXPECT_EQ(d.code, "E0004");
  EXPECT_EQ(d.message, "number literal `9223372036854775808` is out of range");
  EXPECT_EQ(p->at(d.span.begin), "2:12");
  auto q = parse_text("program P { cap 99999999999999万; }");
  EXPECT_EQ(q->codes(), std::vector<std::string>{"E0004"});
}

TEST(ParseErrors, DuplicateClauseE0005) {
  auto p = parse_text("program P {\n  amount 1元;\n  cap 2元;\n  amount 3元;\n}\n");
  const auto& d = only(*p);
  EXPECT_EQ(d.code, "E0005");
  EXPECT_EQ(d.message, "duplicate `amount` clause");
  EXPECT_EQ(p->at(d.span.begin), "4:3");
  EXPECT_EQ(p->text(d.span), "amount 3元;");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(p->at(d.notes[0].span.begin), "2:3");
  EXPECT_EQ(p->text(d.notes[0].span), "amount 1元;");
  // The first clause is kept.
  ASSERT_EQ(p->result.file.decls.size(), 1u);
  EXPECT_EQ(sexpr(*p->decl<ast::Program>(0).amount), "fen:100");
  EXPECT_FALSE(p->result.ok);

  auto q = parse_text(R"~(exception e { priority 1; when a; priority 2; }
group g { cap 1元; cap total 2元; pay highest; pay highest; }
table t: int hit first { inputs a; - => 1; inputs b; }
program Q { source "a" sourced; source "b" derived; effective from 2021-01-01; effective from 2022-01-01; }
program R { bureau "x"; citation "y"; workflow w; minimum 1元; bureau "x"; citation "y"; workflow w; minimum 1元; }
)~");
  std::vector<std::string> messages;
  for (const auto& x : q->diags.items()) {
    EXPECT_EQ(x.code, "E0005");
    messages.push_back(x.message);
  }
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "duplicate `priority` clause", "duplicate `cap` clause", "duplicate `pay` clause",
                          "duplicate `inputs` clause", "duplicate `source` clause", "duplicate `effective` clause",
                          "duplicate `bureau` clause", "duplicate `citation` clause", "duplicate `workflow` clause",
                          "duplicate `minimum` clause"}));
  // Requirements are not singular; nor are clauses of different programmes.
  auto r = parse_text("program A { amount 1元; require a: x else \"甲\"; require b: y else \"乙\"; }\n"
                      "program B { amount 2元; }\n");
  EXPECT_TRUE(r->diags.items().empty());
}

TEST(ParseErrors, DecimalPrecisionE0006) {
  auto p = parse_text("program P { amount 0.0000001 + 0.00001%; }");
  EXPECT_EQ(p->codes(), (std::vector<std::string>{"E0006", "E0006"}));
  EXPECT_EQ(p->diags.items()[0].message, "decimal literal `0.0000001` is finer than 0.000001");
  EXPECT_EQ(p->diags.items()[1].message, "decimal literal `0.00001%` is finer than 0.0001%");
}

TEST(ParseErrors, RecoveryReportsEveryDeclaration) {
  auto p = parse_text(R"~(fact ok1: int "一";
fact bad1: int "二"
program P1 "项目" {
  amount 1 + ;
  cap 3元;
}
fact ok2: money;
table t "表": money hit unique {
  inputs a;
  x => ;
}
group g { programs all; } enum E { a, b }
test "t" { expect R01 eligble; }
fact ok3: bool;
)~");
  std::vector<std::string> where;
  for (const auto& d : p->diags.items()) {
    EXPECT_EQ(d.code, "E0001");
    where.push_back(p->at(d.span.begin) + " " + d.message);
  }
  EXPECT_EQ(where, (std::vector<std::string>{"3:1 expected ';'", "4:14 expected an expression",
                                             "10:8 expected an expression",
                                             "13:23 expected `eligible`, `refused`, `capped` or `not`"}));
  EXPECT_FALSE(p->result.ok);
  std::vector<std::string> names;
  for (const auto& d : p->result.file.decls) {
    std::visit(
        [&](const auto& x) {
          using D = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<D, ast::FactDecl> || std::is_same_v<D, ast::EnumDecl> ||
                        std::is_same_v<D, ast::GroupDecl>)
            names.push_back(x.name.name);
        },
        d);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"ok1", "ok2", "g", "E", "ok3"}));
}

TEST(ParseErrors, ThreeErrorsThreeDiagnostics) {
  auto p = parse_text(R"~(fact a: int "甲"
program P {
  amount * 2;
}
exception e {
  applies to ;
}
fact b: int;
)~");
  EXPECT_EQ(p->codes(), (std::vector<std::string>{"E0001", "E0001", "E0001"}));
  ASSERT_EQ(p->result.file.decls.size(), 1u);
  EXPECT_EQ(p->decl<ast::FactDecl>(0).name.name, "b");
}

TEST(ParseErrors, RecoveryAfterBraceOnSameLine) {
  auto p = parse_text("program P { amount ); } program Q { cap 1元; }\n");
  EXPECT_EQ(p->codes(), std::vector<std::string>{"E0001"});
  ASSERT_EQ(p->result.file.decls.size(), 1u);
  EXPECT_EQ(p->decl<ast::Program>(0).id.name, "Q");
}

TEST(ParseErrors, NestingIsBoundedE0007) {
  auto deep = [](int n, const std::string& open, const std::string& close) {
    std::string e;
    for (int i = 0; i < n; ++i) e += open;
    e += "x";
    for (int i = 0; i < n; ++i) e += close;
    return "program P { amount " + e + "; }\nfact ok: int;\n";
  };
  auto fine = parse_text(deep(150, "(", ")"));
  EXPECT_TRUE(fine->result.ok) << diag::render_all(fine->diags, fine->sources);
  for (auto [open, close] : {std::pair<std::string, std::string>{"(", ")"}, {"f(", ")"}, {"not ", ""}, {"- ", ""},
                             {"{", "}"}, {"if a then 1 else ", ""}}) {
    auto p = parse_text(deep(5000, open, close));
    ASSERT_EQ(p->diags.items().size(), 1u) << open;
    EXPECT_EQ(p->diags.items()[0].code, "E0007");
    EXPECT_EQ(p->diags.items()[0].message, "expression nested too deeply (more than 200 levels)");
    ASSERT_EQ(p->result.file.decls.size(), 1u);  // recovered at the next declaration
    EXPECT_EQ(p->decl<ast::FactDecl>(0).name.name, "ok");
  }
}

// A flat chain is as deep as it is long: 20,000 `+` terms or 15,000 `and`s must give a located
// error, not a stack overflow in a later pass or in the tree's destructor.
std::string chain(int terms, const std::string& op) {
  std::string e = "x";
  for (int i = 1; i < terms; ++i) e += " " + op + " x";
  return e;
}

TEST(ParseErrors, LongChainsAreBoundedE0007) {
  for (auto [op, terms] : {std::pair<std::string, int>{"+", 20000}, {"and", 15000}, {"*", 20000}, {"or", 15000}}) {
    auto p = parse_text("program P {\n  amount " + chain(terms, op) + ";\n}\nfact ok: int;\n");
    ASSERT_EQ(p->diags.items().size(), 1u) << op;
    const auto& d = p->diags.items()[0];
    EXPECT_EQ(d.code, "E0007");
    EXPECT_EQ(d.message, "expression too deep (more than 256 levels)");
    // At the 256th operator, the one that would make the tree 257 deep. The chain starts in column
    // 10 and each ` op x` is op.size() + 3 columns wide.
    EXPECT_EQ(p->at(d.span.begin), "2:" + std::to_string(12 + 255 * (op.size() + 3))) << op;
    EXPECT_EQ(p->text(d.span), op);
    ASSERT_EQ(p->result.file.decls.size(), 1u);
    EXPECT_EQ(p->decl<ast::FactDecl>(0).name.name, "ok");
  }
  for (int terms : {150, 256}) {
    auto ok = parse_text("program P { amount " + chain(terms, "+") + "; }\n");
    EXPECT_TRUE(ok->result.ok) << terms << diag::render_all(ok->diags, ok->sources);
    EXPECT_EQ(std::get<ast::Program>(ok->result.file.decls.at(0)).amount->depth, static_cast<std::uint32_t>(terms));
  }
  auto over = parse_text("program P { amount " + chain(257, "+") + "; }\n");
  EXPECT_EQ(over->codes(), std::vector<std::string>{"E0007"});
}

TEST(ParseErrors, DepthCountsChainsInsideNesting) {
  // 60 negations around a chain of 200 terms: 260 levels.
  std::string e = chain(200, "+");
  for (int i = 0; i < 60; ++i) e = "-(" + e + ")";
  auto p = parse_text("program P { amount " + e + "; }\n");
  EXPECT_EQ(p->codes(), std::vector<std::string>{"E0007"});
  auto q = parse_text("program P { amount min(" + chain(200, "+") + ", " + chain(200, "+") + ") + 1; }\n");
  EXPECT_TRUE(q->result.ok);
  EXPECT_EQ(std::get<ast::Program>(q->result.file.decls.at(0)).amount->depth, 202u);
}

TEST(ParseErrors, LongListsAndManyDeclarationsAreNotDeep) {
  std::string items = "x";
  for (int i = 0; i < 20000; ++i) items += ", x";
  auto p = parse_text("program P { require a: x in {" + items + "} else \"r\"; amount max(" + items + "); }\n");
  EXPECT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "fact f" + std::to_string(i) + ": int;\n";
  auto q = parse_text(many);
  EXPECT_TRUE(q->result.ok);
  EXPECT_EQ(q->result.file.decls.size(), 20000u);
}

TEST(ParseErrors, InvalidUtf8E0008) {
  // In a label, an identifier and a comment; each line reported once, at the first bad byte.
  auto p = parse_text("fact a: int \"\xB2\xE2\" \"x\";\nfact b\xFF\xFE: int \"b\" \"b\"; # ok\n# \xC0\xAF \xFF\nfact c: int;\n");
  EXPECT_EQ(p->codes(), (std::vector<std::string>{"E0008", "E0008", "E0008"}));
  EXPECT_EQ(p->at(p->diags.items()[0].span.begin), "1:14");
  EXPECT_EQ(p->diags.items()[0].message, "invalid UTF-8 (byte 0xB2)");
  EXPECT_EQ(p->at(p->diags.items()[1].span.begin), "2:7");
  EXPECT_EQ(p->diags.items()[1].span.end - p->diags.items()[1].span.begin, 2u);
  EXPECT_EQ(p->at(p->diags.items()[2].span.begin), "3:3");
  EXPECT_FALSE(p->result.ok);
  EXPECT_EQ(p->result.file.decls.size(), 3u);  // parsing goes on
  auto q = parse_text("# 注释 ünïcode 😀\nfact 研发: int \"研发\" \"R&D\";\n");
  EXPECT_TRUE(q->result.ok);
  EXPECT_TRUE(q->diags.items().empty());
}

TEST(ParseErrors, UnknownMoneyUnitE0009) {
  auto p = parse_text("program P {\n  amount 500美元;\n}\nfact ok: int;\n");
  const auto& d = only(*p);
  EXPECT_EQ(d.code, "E0009");
  EXPECT_EQ(d.message, "unknown money unit `美元` in `500美元`");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "money units are 元 (yuan), 万 or 万元 (wan) and 分 (fen); a percentage ends in %");
  EXPECT_EQ(p->at(d.span.begin), "2:10");
  EXPECT_EQ(p->text(d.span), "500美元");
  EXPECT_FALSE(p->result.ok);
  ASSERT_EQ(p->result.file.decls.size(), 2u);  // the programme is kept: only the literal is wrong
  for (const char* bad : {"3kg", "5分钟", "12USD", "1_"}) {
    auto q = parse_text(std::string("program P { amount ") + bad + "; }");
    EXPECT_EQ(q->codes(), std::vector<std::string>{"E0009"}) << bad;
  }
  for (const char* good : {"500元", "500万元", "500万", "3yuan", "2 + 3", "5分", "10%"}) {
    auto q = parse_text(std::string("program P { amount ") + good + "; }");
    EXPECT_TRUE(q->result.ok) << good << diag::render_all(q->diags, q->sources);
  }
}

TEST(ParseErrors, ReservedWordAsANameE0010) {
  auto check = [](const std::string& src, const std::string& word, const std::string& pos) {
    auto p = parse_text(src);
    ASSERT_FALSE(p->diags.items().empty()) << src;
    const auto& d = p->diags.items()[0];
    EXPECT_EQ(d.code, "E0010") << src;
    EXPECT_EQ(d.message, "`" + word + "` is a reserved word and cannot be used as a name") << src;
    EXPECT_EQ(p->at(d.span.begin), pos) << src;
  };
  check("fact program: bool;", "program", "1:6");
  check("fact and: int;", "and", "1:6");
  check("enum E \"e\" { a, total }", "total", "1:17");
  check("table from: int hit first { }", "from", "1:7");
  check("test \"t\" { given cap = 1; }", "cap", "1:18");
  // Not a name position: still a plain syntax error.
  auto p = parse_text("program P { amount else; }");
  EXPECT_EQ(p->codes(), std::vector<std::string>{"E0001"});
}

TEST(Parse, SetOfProgramType) {
  auto p = parse_text("fact prior: set of program \"已获\" \"awarded\";\nfact other: set of text?;\n");
  ASSERT_TRUE(p->result.ok) << diag::render_all(p->diags, p->sources);
  const auto& f = p->decl<ast::FactDecl>(0);
  EXPECT_TRUE(f.type.is_set);
  EXPECT_EQ(f.type.name.name, "program");
  EXPECT_EQ(p->text(f.type.span), "set of program");
}

TEST(ParseErrors, EmptyAndCommentOnlyFiles) {
  auto p = parse_text("");
  EXPECT_TRUE(p->result.ok);
  EXPECT_TRUE(p->result.file.decls.empty());
  auto q = parse_text("# 只有注释\n   \n# another\n");
  EXPECT_TRUE(q->result.ok);
  EXPECT_TRUE(q->diags.items().empty());
}

}  // namespace

TEST(ParseErrors, FullWidthPunctuationIsNoPartOfANameAndIsExplained) {
  auto check = [](const std::string& src, const std::string& message, const std::string& note, const std::string& pos) {
    auto p = parse_text(src);
    ASSERT_FALSE(p->diags.items().empty()) << src;
    const auto& d = p->diags.items()[0];
    EXPECT_EQ(d.code, "E0001") << src;
    EXPECT_EQ(d.message, message) << src;
    ASSERT_EQ(d.notes.size(), 1u) << src;
    EXPECT_EQ(d.notes[0].message, note) << src;
    EXPECT_EQ(p->at(d.span.begin), pos) << src;
  };
  // Before, `；` was read as part of the name `a；` or as a money unit `元；` (E0009).
  check("fact a：int;", "expected ':'", "`：` is full-width punctuation (from a Chinese input method); write `:`", "1:7");
  check("program P { amount 500元； }", "expected ';'", "`；` is full-width punctuation (from a Chinese input method); write `;`",
        "1:24");
  check("program P { amount floor_yuan（1元); }", "expected ';'",
        "`（` is full-width punctuation (from a Chinese input method); write `(`", "1:30");
  check("fact a: int “甲” \"x\";", "expected ';'", "`“` is full-width punctuation (from a Chinese input method); write `\"`", "1:13");
  auto ok = parse_text("fact 研发费用: money \"研发费用（万元）；\" \"x\";");  // inside strings it is text
  EXPECT_TRUE(ok->result.ok) << diag::render_all(ok->diags, ok->sources);
}

}  // namespace subsidy::dsl
