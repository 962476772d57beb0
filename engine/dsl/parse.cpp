// The X3-free entry point: runs the grammar (grammar.cpp), then numbers every Expr in source
// order (pre-order: a node before its operands) from the caller's counter.
#include "dsl/parse.hpp"

#include <type_traits>

#include "dsl/grammar.hpp"

namespace subsidy::dsl {
namespace {

struct IdAssigner {
  std::uint32_t& next;

  void expr(ast::Expr& e) {
    e.id = next++;
    std::visit([this](auto& n) { node(n); }, e.node);
  }
  void opt(std::optional<ast::Expr>& e) {
    if (e) expr(*e);
  }
  void ptr(ast::ExprPtr& e) {
    if (e) expr(*e);
  }
  void node(ast::Literal&) {}
  void node(ast::Name&) {}
  void node(ast::Unary& u) { ptr(u.operand); }
  void node(ast::Binary& b) {
    ptr(b.lhs);
    ptr(b.rhs);
  }
  void node(ast::Call& c) {
    for (auto& a : c.args) expr(a);
  }
  void node(ast::If& i) {
    ptr(i.cond);
    ptr(i.then_);
    ptr(i.else_);
  }
  void node(ast::SetLit& s) {
    for (auto& a : s.items) expr(a);
  }

  void decl(ast::EnumDecl&) {}
  void decl(ast::FactDecl&) {}
  void decl(ast::ParamDecl& d) {
    for (auto& v : d.values) expr(v.value);
  }
  void decl(ast::Program& d) {
    for (auto& r : d.requirements) expr(r.condition);
    opt(d.amount);
    opt(d.minimum);
    opt(d.cap);
  }
  void decl(ast::TableDecl& d) {
    for (auto& e : d.inputs) expr(e);
    for (auto& row : d.rows) {
      for (auto& cell : row.cells) {
        opt(cell.a);
        opt(cell.b);
        for (auto& e : cell.items) expr(e);
      }
      expr(row.output);
    }
  }
  void decl(ast::ExceptionDecl& d) {
    opt(d.when);
    opt(d.amount);
  }
  void decl(ast::GroupDecl& d) {
    opt(d.cap);
    opt(d.already);
  }
  void decl(ast::RoleDecl&) {}
  void decl(ast::ActionDecl&) {}
  void role(ast::RoleRef& r) { opt(r.index); }
  void decl(ast::WorkflowDecl& d) {
    for (auto& st : d.stages) {
      for (auto& r : st.responsible) {
        role(r.role);
        opt(r.when);
      }
      if (st.joint)
        for (auto& r : st.joint->reviewers) {
          role(r.role);
          opt(r.when);
        }
      for (auto& t : st.transitions) {
        for (auto& b : t.by) role(b);
        opt(t.when);
      }
    }
  }
  void decl(ast::TestDecl& d) {
    for (auto& g : d.given) expr(g.value);
    for (auto& x : d.expects) opt(x.amount);
  }
};

}  // namespace

ParseResult parse(const diag::SourceSet& sources, diag::FileId file, diag::Diagnostics& diags,
                  std::uint32_t& next_expr_id) {
  const diag::SourceFile& src = sources.get(file);
  detail::GrammarResult g = detail::parse_declarations(src.text(), file, diags);
  ParseResult result;
  result.file.file = file;
  result.file.decls = std::move(g.decls);
  IdAssigner ids{next_expr_id};
  for (auto& d : result.file.decls) std::visit([&ids](auto& x) { ids.decl(x); }, d);
  result.ok = g.errors == 0;
  return result;
}

}  // namespace subsidy::dsl
