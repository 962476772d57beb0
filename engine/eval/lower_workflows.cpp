// Checked workflow declarations -> eval::WorkflowDecls (names resolved, guards lowered to nodes).
#include "eval/lower_workflows.hpp"

#include <map>
#include <set>

#include "eval/ruleset.hpp"

namespace subsidy::eval::detail {

namespace ast = dsl::ast;
using check::Ref;

namespace {

// What an expression reads, from the checker's annotations (tables are followed into their cells).
struct DepsWalker {
  const check::CheckResult& cr;
  std::set<std::uint32_t> facts;
  std::set<std::uint32_t> tables;
  GuardDeps deps;

  void expr(const ast::Expr& e) {
    const auto& in = cr.info(e);
    switch (in.ref) {
      case Ref::Fact: facts.insert(in.index); break;
      case Ref::Param:
      case Ref::AsOf: deps.uses_date = true; break;
      case Ref::CaseAttr: deps.case_attrs = static_cast<std::uint8_t>(deps.case_attrs | (1u << in.index)); break;
      case Ref::Table: table(in.index); break;
      default: break;
    }
    std::visit([this](const auto& n) { node(n); }, e.node);
  }
  void opt(const std::optional<ast::Expr>& e) {
    if (e) expr(*e);
  }
  void node(const ast::Literal&) {}
  void node(const ast::Name&) {}
  void node(const ast::Unary& u) { expr(*u.operand); }
  void node(const ast::Binary& b) {
    expr(*b.lhs);
    expr(*b.rhs);
  }
  void node(const ast::Call& c) {
    for (const auto& a : c.args) expr(a);
  }
  void node(const ast::If& i) {
    expr(*i.cond);
    expr(*i.then_);
    expr(*i.else_);
  }
  void node(const ast::SetLit& s) {
    for (const auto& a : s.items) expr(a);
  }
  void table(std::uint32_t ti) {
    if (!tables.insert(ti).second) return;
    const auto& t = *cr.symbols.tables[ti];
    for (const auto& i : t.inputs) expr(i);
    for (const auto& r : t.rows) {
      for (const auto& c : r.cells) {
        opt(c.a);
        opt(c.b);
        for (const auto& i : c.items) expr(i);
      }
      expr(r.output);
    }
  }
  GuardDeps result() {
    deps.facts.assign(facts.begin(), facts.end());
    return deps;
  }
};

struct WorkflowLowerer {
  const check::CheckResult& cr;
  GuardLowering& lo;

  GuardDeps deps_of(const ast::Expr& e) {
    DepsWalker w{cr, {}, {}, {}};
    w.expr(e);
    return w.result();
  }

  RoleRefSpec role_ref(const ast::RoleRef& r) {
    RoleRefSpec out;
    out.role = cr.symbols.role_index.at(r.role.name);
    out.text = lo.text(r.span);
    out.span = r.span;
    if (r.index) {
      out.index = lo.lower(*r.index);
      out.index_deps = deps_of(*r.index);
      const auto& in = cr.info(*r.index);
      if (std::holds_alternative<ast::Name>(r.index->node) && in.ref == Ref::Fact && in.type.optional)
        out.presence_slot = in.index;
    }
    return out;
  }

  GuardedRoleSpec guarded(const ast::GuardedRole& g) {
    GuardedRoleSpec out;
    out.role = role_ref(g.role);
    if (g.when) {
      out.guard = lo.lower(*g.when);
      out.guard_text = lo.text(g.when->span);
      out.deps = deps_of(*g.when);
    }
    out.span = g.span;
    return out;
  }

  static PeriodSpec period(const ast::Period& p) { return PeriodSpec{static_cast<std::int32_t>(p.count), p.working}; }

  WorkflowSpec workflow(const ast::WorkflowDecl& w) {
    WorkflowSpec out;
    out.name = w.name.name;
    out.label = {w.label.zh, w.label.en};
    out.span = w.span;
    out.name_span = w.name.span;
    std::map<std::string, std::int32_t> index;
    for (const auto& st : w.stages) index.emplace(st.name.name, static_cast<std::int32_t>(index.size()));
    auto stage_of = [&](const ast::Ident& id) { return index.at(id.name); };
    out.start = static_cast<std::uint32_t>(stage_of(w.starts.at(0)));
    if (!w.reserves.empty()) out.reserve = stage_of(w.reserves.front());
    for (const auto& st : w.stages) {
      StageSpec s;
      s.name = st.name.name;
      s.label = {st.label.zh, st.label.en};
      s.kind = st.kind == ast::Stage::Kind::Terminal     ? StageKind::terminal
               : st.kind == ast::Stage::Kind::Correction ? StageKind::correction
                                                         : StageKind::normal;
      s.span = st.span;
      s.name_span = st.name.span;
      s.amount_adjustable = st.amount_adjustable;
      for (const auto& r : st.responsible) s.responsible.push_back(guarded(r));
      if (st.joint) {
        const std::string& p = st.joint->policy.name;
        s.joint = p == "all" ? JointPolicy::all : p == "veto" ? JointPolicy::veto : JointPolicy::majority;
        for (const auto& r : st.joint->reviewers) s.reviewers.push_back(guarded(r));
        s.joint_span = st.joint->span;
      }
      if (st.deadline) {
        s.has_deadline = true;
        s.deadline = period(*st.deadline);
        s.deadline_span = st.deadline->span;
      }
      if (st.after) {
        s.has_timer = true;
        s.timer = period(st.after->period);
        s.timer_target = stage_of(st.after->target);
        s.timer_label = {st.after->label.zh, st.after->label.en};
        s.timer_span = st.after->span;
      }
      for (const auto& t : st.transitions) {
        TransitionSpec ts;
        ts.action = cr.symbols.action_index.at(t.action.name);
        for (const auto& b : t.by) ts.by.push_back(role_ref(b));
        if (t.when) {
          ts.guard = lo.lower(*t.when);
          ts.guard_text = lo.text(t.when->span);
          ts.deps = deps_of(*t.when);
        }
        ts.back = t.back;
        if (!t.back) ts.target = stage_of(t.target);
        ts.as_return = t.as_return;
        ts.label = {t.label.zh, t.label.en};
        ts.span = t.span;
        s.transitions.push_back(std::move(ts));
      }
      out.stages.push_back(std::move(s));
    }
    for (const auto* p : cr.symbols.programs)
      if (p->workflow && p->workflow->name == w.name.name) out.programs.push_back(p->id.name);
    return out;
  }
};

}  // namespace

WorkflowDecls lower_workflows(const check::CheckResult& cr, GuardLowering& lo) {
  WorkflowDecls out;
  const auto& sym = cr.symbols;
  for (std::size_t i = 0; i < sym.roles.size(); ++i) {
    const auto& r = *sym.roles[i];
    out.roles.push_back({r.name.name, {r.label.zh, r.label.en}, sym.role_family[i], r.span});
  }
  for (const auto* a : sym.actions) out.actions.push_back({a->name.name, {a->label.zh, a->label.en}, a->span});
  WorkflowLowerer wl{cr, lo};
  for (const auto* w : sym.workflows) out.workflows.push_back(wl.workflow(*w));
  return out;
}

}  // namespace subsidy::eval::detail
