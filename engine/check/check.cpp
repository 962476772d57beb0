// Symbol collection and type checking. Analyses (tables, exceptions, lints) are in analyses.cpp.
#include "check/check.hpp"

#include <algorithm>
#include <set>
#include <type_traits>

#include "check/analyses.hpp"
#include "diag/suggest.hpp"
#include "check/type_rules.hpp"
#include "check/workflows.hpp"
#include "model/case_attrs.hpp"

namespace subsidy::check {

using model::Kind;
using model::Type;

namespace {

// Calls f on each direct operand of e.
template <typename F>
void for_each_operand(const ast::Expr& e, F&& f) {
  std::visit(
      [&](const auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, ast::Unary>) {
          f(*n.operand);
        } else if constexpr (std::is_same_v<N, ast::Binary>) {
          f(*n.lhs);
          f(*n.rhs);
        } else if constexpr (std::is_same_v<N, ast::If>) {
          f(*n.cond);
          f(*n.then_);
          f(*n.else_);
        } else if constexpr (std::is_same_v<N, ast::Call>) {
          for (const auto& a : n.args) f(a);
        } else if constexpr (std::is_same_v<N, ast::SetLit>) {
          for (const auto& a : n.items) f(a);
        }
      },
      e.node);
}

struct Checker {
  const diag::SourceSet& sources;
  diag::Diagnostics& diags;
  CheckResult result;
  Symbols& sym = result.symbols;
  std::unordered_map<std::string, std::uint32_t> enum_index;
  // Enum value name -> every (enum, value index) of that name, in declaration order.
  std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, int>>> enum_values;
  // First definition of every top-level name, for duplicate detection across kinds.
  std::unordered_map<std::string, diag::Span> defined;
  std::vector<std::uint8_t> fact_used;
  // What evaluating an expression costs, counting the tables it reads (docs/language.md "Limits").
  struct Cost {
    std::uint64_t depth = 0;  // recursion depth
    std::uint64_t size = 0;   // expression nodes evaluated
  };
  std::vector<Cost> table_cost;  // by table index: the cost of the table's expressions together
  Cost* table_sink = nullptr;    // while checking a table: its entry of table_cost
  int expr_level = 0;            // nesting of expr() calls: 0 outside an expression
  bool in_exception = false;
  bool in_guard = false;  // typing a workflow guard: the case attributes are in scope

  Checker(const diag::SourceSet& s, diag::Diagnostics& d) : sources(s), diags(d) {}

  ExprInfo& info(const ast::Expr& e) {
    if (result.exprs.size() <= e.id) result.exprs.resize(e.id + 1);
    return result.exprs[e.id];
  }

  bool define(const ast::Ident& id, const char* what) {
    auto [it, fresh] = defined.emplace(id.name, id.span);
    if (!fresh) {
      diags.error("E0102", id.span, std::string("duplicate definition of ") + what + " `" + id.name + "`",
                  {{it->second, "first defined here"}});
      return false;
    }
    return true;
  }

  void label_lint(const ast::Label& l, const ast::Ident& owner) {
    if (l.zh.empty() && l.en.empty()) return;
    if (l.en.empty())
      diags.warning("W0202", l.span.end > l.span.begin ? l.span : owner.span,
                    "`" + owner.name + "` has no English label; `--lang en` will show the Chinese text");
  }

  std::string suggestion(const std::string& name) {
    diag::Closest best(name);
    for (const auto& f : sym.schema.facts) best.consider(f.name);
    for (const auto& [n, _] : sym.param_index) best.consider(n);
    for (const auto& [n, _] : sym.table_index) best.consider(n);
    for (const auto& e : sym.schema.enums)
      for (const auto& v : e.values) best.consider(v.name);
    return best.best();
  }


  // ------------------------------------------------------------ types
  std::optional<Type> resolve_type(const ast::TypeRef& t) {
    Type out;
    const std::string& n = t.name.name;
    static const std::map<std::string, Kind> builtin = {{"bool", Kind::Bool},       {"int", Kind::Int},
                                                        {"money", Kind::Money},     {"decimal", Kind::Decimal},
                                                        {"percent", Kind::Decimal}, {"date", Kind::Date},
                                                        {"text", Kind::Text}};
    if (t.is_set && n == "program") {  // `set of program`: programme ids (FactDef::program_ids)
      out.kind = Kind::TextSet;
      out.optional = t.optional;
      return out;
    }
    if (auto it = builtin.find(n); it != builtin.end()) {
      out.kind = it->second;
      if (t.is_set) {
        if (out.kind != Kind::Text) {
          diags.error("E0103", t.span, "only `set of text`, `set of program` and `set of <enum>` are supported, not `set of " + n + "`");
          return std::nullopt;
        }
        out.kind = Kind::TextSet;
      }
    } else if (auto e = enum_index.find(n); e != enum_index.end()) {
      out.kind = t.is_set ? Kind::EnumSet : Kind::Enum;
      out.enum_id = e->second;
      if (t.is_set && sym.schema.enums[e->second].values.size() > 64) {
        diags.error("E0103", t.span, "`set of " + n + "` needs an enum of at most 64 values");
        return std::nullopt;
      }
    } else {
      std::string msg = "unknown type `" + n + "`";
      diags.error("E0103", t.name.span, msg,
                  {{{}, "types are bool, int, money, decimal, percent, date, text, an enum name, `set of …`", false}});
      return std::nullopt;
    }
    out.optional = t.optional;
    return out;
  }

  std::string tname(const Type& t) { return sym.schema.type_name(t); }

  // ------------------------------------------------------------ collection
  void collect(const std::vector<ast::File>& files) {
    // Enums first: fact types refer to them regardless of file order.
    for (const auto& f : files)
      for (const auto& d : f.decls)
        if (auto* e = std::get_if<ast::EnumDecl>(&d)) {
          if (!define(e->name, "enum")) continue;
          model::EnumDef def{e->name.name, {e->label.zh, e->label.en}, {}};
          std::set<std::string> seen;
          for (const auto& v : e->values) {
            if (!seen.insert(v.name.name).second) {
              diags.error("E0102", v.name.span, "duplicate value `" + v.name.name + "` in enum `" + e->name.name + "`");
              continue;
            }
            def.values.push_back({v.name.name, {v.label.zh, v.label.en}});
          }
          auto id = static_cast<std::uint32_t>(sym.schema.enums.size());
          enum_index[e->name.name] = id;
          for (std::size_t i = 0; i < def.values.size(); ++i)
            enum_values[def.values[i].name].push_back({id, static_cast<int>(i)});
          sym.schema.enums.push_back(std::move(def));
        }
    for (const auto& f : files)
      for (const auto& d : f.decls) {
        if (auto* fd = std::get_if<ast::FactDecl>(&d)) {
          if (!define(fd->name, "fact")) continue;
          auto t = resolve_type(fd->type);
          label_lint(fd->label, fd->name);
          auto slot = static_cast<std::uint32_t>(sym.schema.facts.size());
          sym.schema.facts.push_back({fd->name.name, t.value_or(Type{}), {fd->label.zh, fd->label.en}, slot});
          sym.schema.facts.back().program_ids = t && fd->type.is_set && fd->type.name.name == "program";
          sym.schema.fact_index[fd->name.name] = slot;
        } else if (auto* p = std::get_if<ast::ParamDecl>(&d)) {
          if (!define(p->name, "parameter")) continue;
          sym.param_index[p->name.name] = static_cast<std::uint32_t>(sym.params.size());
          sym.params.push_back(p);
          sym.param_types.push_back(resolve_type(p->type).value_or(Type{}));
          label_lint(p->label, p->name);
        } else if (auto* pr = std::get_if<ast::Program>(&d)) {
          if (!define(pr->id, "programme")) continue;
          sym.program_index[pr->id.name] = static_cast<std::uint32_t>(sym.programs.size());
          sym.programs.push_back(pr);
          label_lint(pr->title, pr->id);
        } else if (auto* t = std::get_if<ast::TableDecl>(&d)) {
          if (!define(t->name, "table")) continue;
          sym.table_index[t->name.name] = static_cast<std::uint32_t>(sym.tables.size());
          sym.tables.push_back(t);
          sym.table_types.push_back(resolve_type(t->result).value_or(Type{}));
          label_lint(t->label, t->name);
        } else if (auto* x = std::get_if<ast::ExceptionDecl>(&d)) {
          if (!define(x->name, "exception")) continue;
          sym.exception_index[x->name.name] = static_cast<std::uint32_t>(sym.exceptions.size());
          sym.exceptions.push_back(x);
          label_lint(x->label, x->name);
        } else if (auto* g = std::get_if<ast::GroupDecl>(&d)) {
          if (!define(g->name, "group")) continue;
          sym.group_index[g->name.name] = static_cast<std::uint32_t>(sym.groups.size());
          sym.groups.push_back(g);
          label_lint(g->label, g->name);
        } else if (auto* ts = std::get_if<ast::TestDecl>(&d)) {
          sym.tests.push_back(ts);
        } else if (auto* r = std::get_if<ast::RoleDecl>(&d)) {
          if (!define(r->name, "role")) continue;
          std::int32_t family = -1;
          if (r->family) {
            if (auto e = enum_index.find(r->family->name); e != enum_index.end()) {
              family = static_cast<std::int32_t>(e->second);
            } else {
              diags.error("E0103", r->family->span, "unknown enumeration `" + r->family->name + "` for role family `" + r->name.name + "`",
                          {{{}, "a role family has one member per value of an enum: `role 旗县区科技局[County] …`", false}});
            }
          }
          sym.role_index[r->name.name] = static_cast<std::uint32_t>(sym.roles.size());
          sym.roles.push_back(r);
          sym.role_family.push_back(family);
          label_lint(r->label, r->name);
        } else if (auto* a = std::get_if<ast::ActionDecl>(&d)) {
          if (!define(a->name, "action")) continue;
          sym.action_index[a->name.name] = static_cast<std::uint32_t>(sym.actions.size());
          sym.actions.push_back(a);
          label_lint(a->label, a->name);
        } else if (auto* w = std::get_if<ast::WorkflowDecl>(&d)) {
          if (!define(w->name, "workflow")) continue;
          sym.workflow_index[w->name.name] = static_cast<std::uint32_t>(sym.workflows.size());
          sym.workflows.push_back(w);
          label_lint(w->label, w->name);
          for (const auto& st : w->stages) label_lint(st.label, st.name);
        }
      }
    fact_used.assign(sym.schema.facts.size(), 0);
    order_tables();
  }

  // ------------------------------------------------------------ table dependencies
  // A table may read other tables (in `inputs`, cells and row outputs), declared before or after
  // it. Tables are put in dependency order — a table after every table it reads, otherwise in
  // declaration order — so that lowering meets each table after its dependencies; a cycle is E0113.
  struct TableRef {
    std::uint32_t table;
    diag::Span span;  // the first reference
  };

  void table_refs(const ast::Expr& e, std::vector<TableRef>& out) {
    if (auto* n = std::get_if<ast::Name>(&e.node)) {
      if (auto t = sym.table_index.find(n->name); t != sym.table_index.end()) {
        bool seen = std::any_of(out.begin(), out.end(), [&](const TableRef& r) { return r.table == t->second; });
        if (!seen) out.push_back({t->second, e.span});
      }
      return;
    }
    for_each_operand(e, [&](const ast::Expr& x) { table_refs(x, out); });
  }

  std::vector<TableRef> table_refs(const ast::TableDecl& t) {
    std::vector<TableRef> out;
    for (const auto& i : t.inputs) table_refs(i, out);
    for (const auto& row : t.rows) {
      for (const auto& c : row.cells) {
        if (c.a) table_refs(*c.a, out);
        if (c.b) table_refs(*c.b, out);
        for (const auto& i : c.items) table_refs(i, out);
      }
      table_refs(row.output, out);
    }
    return out;
  }

  void order_tables() {
    const std::size_t n = sym.tables.size();
    std::vector<std::vector<TableRef>> refs(n);
    for (std::size_t i = 0; i < n; ++i) refs[i] = table_refs(*sym.tables[i]);
    // Iterative depth-first search (a chain of many tables must not deepen the C++ stack).
    enum : std::uint8_t { unvisited, open, done };
    std::vector<std::uint8_t> state(n, unvisited);
    std::vector<std::uint32_t> order;
    struct Frame {
      std::uint32_t table;
      std::size_t next = 0;
    };
    std::vector<Frame> stack;
    for (std::uint32_t root = 0; root < n; ++root) {
      if (state[root] != unvisited) continue;
      stack.push_back({root});
      state[root] = open;
      while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.next == refs[f.table].size()) {
          state[f.table] = done;
          order.push_back(f.table);
          stack.pop_back();
          continue;
        }
        const TableRef& r = refs[f.table][f.next++];
        if (state[r.table] == unvisited) {
          state[r.table] = open;
          stack.push_back({r.table});
        } else if (state[r.table] == open) {
          report_cycle(stack, refs, r);
        }
      }
    }
    std::vector<const ast::TableDecl*> tables;
    std::vector<Type> types;
    for (std::uint32_t i = 0; i < n; ++i) {
      std::uint32_t t = order[i];
      tables.push_back(sym.tables[t]);
      types.push_back(sym.table_types[t]);
      sym.table_index[sym.tables[t]->name.name] = i;
    }
    sym.tables = std::move(tables);
    sym.table_types = std::move(types);
  }

  // `closing` leads from the table on top of `stack` back to a table still open on it.
  template <typename Stack>
  void report_cycle(const Stack& stack, const std::vector<std::vector<TableRef>>& refs, const TableRef& closing) {
    std::size_t from = 0;
    while (stack[from].table != closing.table) ++from;
    std::string path;
    std::vector<diag::Note> notes;
    for (std::size_t i = from; i < stack.size(); ++i) {
      const auto& name = sym.tables[stack[i].table]->name.name;
      path += name + " → ";
      if (i + 1 < stack.size()) {
        const TableRef& edge = refs[stack[i].table][stack[i].next - 1];
        notes.push_back({edge.span, "`" + name + "` reads `" + sym.tables[edge.table]->name.name + "` here"});
      }
    }
    path += sym.tables[closing.table]->name.name;
    notes.push_back({{}, "a table cannot depend on its own value; break the cycle", false});
    diags.error("E0113", closing.span, "cyclic definition: " + path, std::move(notes));
  }

  // ------------------------------------------------------------ expressions
  Type error_type() { return Type{}; }

  Type fail(const ast::Expr& e, const char* code, std::string msg, std::vector<diag::Note> notes = {}) {
    diags.error(code, e.span, std::move(msg), std::move(notes));
    return info(e).type = error_type();
  }

  // Resolves a bare name that may be an enum value; `hint` is the expected type.
  Type name_type(const ast::Expr& e, const ast::Name& n, const Type* hint) {
    auto& in = info(e);
    if (n.name == "as_of") {
      in.ref = Ref::AsOf;
      return in.type = Type::of(Kind::Date);
    }
    if (n.name == "amount") {
      if (!in_exception) return fail(e, "E0309", "`amount` names the programme's amount only inside an exception's `amount` clause");
      in.ref = Ref::Amount;
      return in.type = Type::of(Kind::Money);
    }
    if (in_guard) {
      for (std::uint32_t i = 0; i < model::kCaseAttrCount; ++i)
        if (n.name == model::kCaseAttrs[i].name) {
          in.ref = Ref::CaseAttr;
          in.index = i;
          return in.type = Type::of(model::kCaseAttrs[i].kind);
        }
    }
    if (auto f = sym.schema.fact_index.find(n.name); f != sym.schema.fact_index.end()) {
      in.ref = Ref::Fact;
      in.index = f->second;
      fact_used[f->second] = 1;
      return in.type = sym.schema.facts[f->second].type;
    }
    if (auto p = sym.param_index.find(n.name); p != sym.param_index.end()) {
      in.ref = Ref::Param;
      in.index = p->second;
      return in.type = sym.param_types[p->second];
    }
    if (auto t = sym.table_index.find(n.name); t != sym.table_index.end()) {
      in.ref = Ref::Table;
      in.index = t->second;
      return in.type = sym.table_types[t->second];
    }
    // Enum values: the hint's enum first, then a unique match over all enums.
    static const std::vector<std::pair<std::uint32_t, int>> none;
    auto ev = enum_values.find(n.name);
    const auto& found = ev == enum_values.end() ? none : ev->second;
    if (hint && (hint->kind == Kind::Enum || hint->kind == Kind::EnumSet))
      for (auto [ei, v] : found)
        if (ei == hint->enum_id) return enum_value(e, ei, v);
    if (found.size() == 1) return enum_value(e, found[0].first, found[0].second);
    if (found.size() > 1) {
      std::string names;
      for (auto& [ei, _] : found) names += (names.empty() ? "" : ", ") + sym.schema.enums[ei].name;
      return fail(e, "E0104", "`" + n.name + "` is a value of several enums (" + names + "); compare it with a fact of one of them");
    }
    for (const auto& attr : model::kCaseAttrs)
      if (n.name == attr.name)
        return fail(e, "E0712", "`" + n.name + "` is available only in workflow guards (`when` of a workflow's stages)");
    std::string msg = "unknown name `" + n.name + "`";
    std::vector<diag::Note> notes;
    // No suggestion for an error beyond the limit: it is counted, not shown.
    if (auto s = diags.limit_reached() ? std::string() : suggestion(n.name); !s.empty())
      notes.push_back({{}, "did you mean `" + s + "`?", false});
    return fail(e, "E0101", msg, std::move(notes));
  }

  Type enum_value(const ast::Expr& e, std::uint32_t enum_id, int v) {
    auto& in = info(e);
    in.ref = Ref::EnumValue;
    in.index = static_cast<std::uint32_t>(v);
    in.is_const = true;
    in.const_value = v;
    return in.type = Type::enumeration(enum_id);
  }

  bool require_present(const ast::Expr& e, const Type& t) {
    if (t.optional) {
      diags.error("E0305", e.span, "optional value must be tested with `is_set(...)` or read with `value_or(..., default)`");
      return false;
    }
    return true;
  }

  Type expr(const ast::Expr& e, const Type* hint = nullptr) {
    info(e);
    ++expr_level;
    Type t = std::visit([&](const auto& n) { return node(e, n, hint); }, e.node);
    --expr_level;
    info(e).type = t;
    if (expr_level == 0) limit_cost(e);
    return t;
  }

  // ------------------------------------------------------------ evaluation cost (docs/language.md "Limits")
  // The parser bounds each expression's tree (E0007). Reading a table evaluates the table's
  // expressions too, so an expression costs its own tree plus the tables it reads: their depths add
  // up along a chain of tables, and their sizes multiply when tables read tables several times.
  Cost eval_cost(const ast::Expr& e) {
    if (std::holds_alternative<ast::Name>(e.node)) {
      const auto& in = info(e);
      if (in.ref == Ref::Table && in.index < table_cost.size())
        return {1 + table_cost[in.index].depth, 1 + table_cost[in.index].size};
      return {1, 1};
    }
    Cost c;
    for_each_operand(e, [&](const ast::Expr& x) {
      Cost o = eval_cost(x);
      c.depth = std::max(c.depth, o.depth);
      c.size = std::min(c.size + o.size, kCostCeiling);
    });
    return {1 + c.depth, 1 + c.size};
  }
  static constexpr std::uint64_t kCostCeiling = std::uint64_t{1} << 40;  // sizes saturate here

  std::string cost_problem(const Cost& c) {
    if (c.depth > ast::kMaxExprDepth)
      return "it is " + std::to_string(c.depth) + " levels deep (more than " + std::to_string(ast::kMaxExprDepth) + ")";
    if (c.size > ast::kMaxEvalSize)
      return "evaluating it takes more than " + std::to_string(ast::kMaxEvalSize) + " steps";
    return {};
  }

  void limit_cost(const ast::Expr& e) {
    Cost c = eval_cost(e);
    if (table_sink) {  // a table's cost is reported once, at the table
      table_sink->depth = std::max(table_sink->depth, c.depth);
      table_sink->size = std::min(table_sink->size + c.size, kCostCeiling);
    } else if (auto why = cost_problem(c); !why.empty()) {
      diags.error("E0007", e.span, "expression too large: with the tables it reads " + why);
    }
  }


  Type node(const ast::Expr& e, const ast::Literal& l, const Type*) {
    auto& in = info(e);
    in.is_const = l.kind != ast::Literal::Kind::Text;
    in.const_value = l.value;
    switch (l.kind) {
      case ast::Literal::Kind::Bool: return Type::of(Kind::Bool);
      case ast::Literal::Kind::Int: return Type::of(Kind::Int);
      case ast::Literal::Kind::Decimal: return Type::of(Kind::Decimal);
      case ast::Literal::Kind::Money: return Type::of(Kind::Money);
      case ast::Literal::Kind::Date: return Type::of(Kind::Date);
      case ast::Literal::Kind::Text: in.is_const = true; return Type::of(Kind::Text);
    }
    return error_type();
  }

  Type node(const ast::Expr& e, const ast::Name& n, const Type* hint) { return name_type(e, n, hint); }

  Type node(const ast::Expr& e, const ast::Unary& u, const Type*) {
    Type t = expr(*u.operand);
    if (t.kind == Kind::Error) return t;
    if (!require_present(*u.operand, t)) return error_type();
    if (u.op == ast::UnOp::Not) {
      if (t.kind != Kind::Bool) return fail(e, "E0301", "`not` needs a bool, found " + tname(t));
      fold_unary(e, u);
      return t;
    }
    if (t.kind != Kind::Int && t.kind != Kind::Money && t.kind != Kind::RawMoney && t.kind != Kind::Decimal)
      return fail(e, "E0302", "cannot negate a " + tname(t));
    fold_unary(e, u);
    return t;
  }

  void fold_unary(const ast::Expr& e, const ast::Unary& u) {
    const auto& oi = info(*u.operand);
    if (!oi.is_const || oi.type.kind == Kind::Text) return;
    auto& in = info(e);
    in.is_const = true;
    in.const_value = u.op == ast::UnOp::Not ? !oi.const_value : -oi.const_value;
  }

  Type node(const ast::Expr& e, const ast::Binary& b, const Type*) {
    using ast::BinOp;
    if (b.op == BinOp::In || b.op == BinOp::NotIn) return membership(e, b);
    // Bare enum-value names take their enum from the other side.
    Type lt, rt;
    bool lhs_bare = std::holds_alternative<ast::Name>(b.lhs->node) && !is_declared(std::get<ast::Name>(b.lhs->node).name);
    if (lhs_bare) {
      rt = expr(*b.rhs);
      lt = expr(*b.lhs, &rt);
    } else {
      lt = expr(*b.lhs);
      rt = expr(*b.rhs, &lt);
    }
    if (lt.kind == Kind::Error || rt.kind == Kind::Error) return error_type();
    if (!require_present(*b.lhs, lt) || !require_present(*b.rhs, rt)) return error_type();
    auto r = binary_type(b.op, lt, rt);
    if (!r.ok) return fail(e, r.code, r.message(tname(lt), tname(rt)));
    fold_binary(e, b, r.type);
    return r.type;
  }

  void fold_binary(const ast::Expr& e, const ast::Binary& b, const Type& t) {
    const auto& l = info(*b.lhs);
    const auto& r = info(*b.rhs);
    if (!l.is_const || !r.is_const || l.type.kind == Kind::Text || r.type.kind == Kind::Text) return;
    if (l.type.kind != r.type.kind) return;  // mixed representations are not folded
    std::int64_t a = l.const_value, c = r.const_value, v = 0;
    using ast::BinOp;
    switch (b.op) {
      case BinOp::Eq: v = a == c; break;
      case BinOp::Ne: v = a != c; break;
      case BinOp::Lt: v = a < c; break;
      case BinOp::Le: v = a <= c; break;
      case BinOp::Gt: v = a > c; break;
      case BinOp::Ge: v = a >= c; break;
      case BinOp::And: v = a && c; break;
      case BinOp::Or: v = a || c; break;
      default: return;
    }
    (void)t;
    auto& in = info(e);
    in.is_const = true;
    in.const_value = v;
  }

  bool is_declared(const std::string& n) {
    if (in_guard)
      for (const auto& attr : model::kCaseAttrs)
        if (n == attr.name) return true;
    return n == "as_of" || n == "amount" || sym.schema.fact_index.count(n) || sym.param_index.count(n) ||
           sym.table_index.count(n);
  }

  Type membership(const ast::Expr& e, const ast::Binary& b) {
    Type lt = expr(*b.lhs);
    if (lt.kind == Kind::Error) {
      expr(*b.rhs);
      return error_type();
    }
    if (!require_present(*b.lhs, lt)) return error_type();
    if (auto* set = std::get_if<ast::SetLit>(&b.rhs->node)) {
      info(*b.rhs).type = Type{lt.kind == Kind::Enum ? Kind::EnumSet : Kind::TextSet, lt.enum_id, false};
      for (const auto& item : set->items) {
        Type it = expr(item, &lt);
        if (it.kind == Kind::Error) continue;
        if (!info(item).is_const) {
          diags.error("E0302", item.span, "the items of a set literal must be constants");
          continue;
        }
        if (!same_comparable(lt, it))
          diags.error("E0302", item.span, "set item of type " + tname(it) + " cannot be compared with " + tname(lt));
      }
      return Type::of(Kind::Bool);
    }
    Type rt = expr(*b.rhs);
    if (rt.kind == Kind::Error) return error_type();
    if (!require_present(*b.rhs, rt)) return error_type();
    bool ok = (rt.kind == Kind::TextSet && lt.kind == Kind::Text) ||
              (rt.kind == Kind::EnumSet && lt.kind == Kind::Enum && rt.enum_id == lt.enum_id);
    if (!ok) return fail(e, "E0302", "cannot test whether a " + tname(lt) + " is in a " + tname(rt));
    if (!std::holds_alternative<ast::Name>(b.rhs->node) || info(*b.rhs).ref != Ref::Fact)
      return fail(e, "E0306", "the right side of `in` must be a set literal or a `set of` fact");
    if (sym.schema.facts[info(*b.rhs).index].program_ids) program_id(*b.lhs);
    return Type::of(Kind::Bool);
  }

  // A text literal looked for in (or given as an element of) a `set of program` fact must be a
  // programme of the ruleset: `"R3"` for `"R03"` would silently never match.
  void program_id(const ast::Expr& item) {
    auto* l = std::get_if<ast::Literal>(&item.node);
    if (!l || l->kind != ast::Literal::Kind::Text || sym.program_index.count(l->text)) return;
    std::vector<std::string> ids;
    for (const auto* p : sym.programs) ids.push_back(p->id.name);
    std::vector<diag::Note> notes;
    if (auto s = diag::closest(l->text, ids); !s.empty()) notes.push_back({{}, "did you mean `" + s + "`?", false});
    notes.push_back({{}, "the elements of a `set of program` fact are programme ids", false});
    diags.error("E0101", item.span, "unknown programme `" + l->text + "`", std::move(notes));
  }

  Type node(const ast::Expr& e, const ast::If& i, const Type* hint) {
    Type c = expr(*i.cond);
    if (c.kind != Kind::Error && c.kind != Kind::Bool) diags.error("E0301", i.cond->span, "condition must be bool, found " + tname(c));
    Type a = expr(*i.then_, hint);
    Type b = expr(*i.else_, hint ? hint : &a);
    if (a.kind == Kind::Error || b.kind == Kind::Error) return error_type();
    if (!require_present(*i.then_, a) || !require_present(*i.else_, b)) return error_type();
    auto r = unify(a, b);
    if (!r) return fail(e, "E0302", "the branches of `if` have different types: " + tname(a) + " and " + tname(b));
    if (r->kind == Kind::Text || r->is_set()) return fail(e, "E0306", "`if` cannot produce text or sets");
    return *r;
  }

  Type node(const ast::Expr& e, const ast::SetLit&, const Type*) {
    return fail(e, "E0306", "a set literal can only stand on the right of `in` or as a test's given value");
  }

  Type node(const ast::Expr& e, const ast::Call& c, const Type* hint) {
    const std::string& f = c.fn.name;
    auto argc = [&](std::size_t n) {
      if (c.args.size() != n) {
        fail(e, "E0307", "`" + f + "` takes " + std::to_string(n) + " argument" + (n == 1 ? "" : "s") + ", given " +
                             std::to_string(c.args.size()));
        return false;
      }
      return true;
    };
    if (f == "is_set" || f == "value_or") {
      if (!argc(f == "is_set" ? 1 : 2)) return error_type();
      const auto& a0 = c.args[0];
      Type t = expr(a0);
      if (t.kind == Kind::Error) return t;
      if (info(a0).ref != Ref::Fact || !t.optional)
        return fail(a0, "E0307", "`" + f + "` takes an optional fact (declared with `?`)");
      if (f == "is_set") return Type::of(Kind::Bool);
      Type req = t.required();
      Type d = expr(c.args[1], &req);
      if (d.kind == Kind::Error) return d;
      if (!unify(req, d) || unify(req, d)->kind != req.kind)
        return fail(c.args[1], "E0307", "default of type " + tname(d) + " does not match " + tname(req));
      if (req.kind == Kind::Text || req.is_set()) return fail(e, "E0306", "`value_or` is not supported for text or sets");
      return req;
    }
    std::vector<Type> ts;
    for (const auto& a : c.args) {
      Type t = expr(a, hint);
      if (t.kind == Kind::Error) return t;
      if (!require_present(a, t)) return error_type();
      ts.push_back(t);
    }
    auto one = [&](std::initializer_list<Kind> ks, const char* what) -> bool {
      if (!argc(1)) return false;
      for (Kind k : ks)
        if (ts[0].kind == k) return true;
      fail(c.args[0], "E0307", "`" + f + "` takes " + what + ", given " + tname(ts[0]));
      return false;
    };
    if (f == "min" || f == "max") {
      if (ts.empty()) return fail(e, "E0307", "`" + f + "` needs at least one argument");
      Type acc = ts[0];
      for (std::size_t i = 1; i < ts.size(); ++i) {
        auto u = unify(acc, ts[i]);
        if (!u) return fail(c.args[i], "E0302", "`" + f + "` of " + tname(acc) + " and " + tname(ts[i]));
        acc = *u;
      }
      if (acc.kind == Kind::Text || acc.kind == Kind::Bool || acc.is_set() || acc.kind == Kind::Enum)
        return fail(e, "E0307", "`" + f + "` needs numbers, money or dates");
      return acc;
    }
    if (f == "floor_yuan" || f == "round_yuan" || f == "ceil_yuan") {
      if (!one({Kind::Money, Kind::RawMoney}, "money")) return error_type();
      return Type::of(Kind::Money);
    }
    if (f == "floor_fen" || f == "round_fen") {
      if (!one({Kind::Money, Kind::RawMoney}, "money")) return error_type();
      return Type::of(Kind::Money);
    }
    if (f == "year" || f == "month") {
      if (!one({Kind::Date}, "a date")) return error_type();
      return Type::of(Kind::Int);
    }
    if (f == "years_between") {
      if (!argc(2)) return error_type();
      for (std::size_t i = 0; i < 2; ++i)
        if (ts[i].kind != Kind::Date) return fail(c.args[i], "E0307", "`years_between` takes dates, given " + tname(ts[i]));
      return Type::of(Kind::Int);
    }
    if (f == "count") {
      if (!argc(1)) return error_type();
      if (!ts[0].is_set() || info(c.args[0]).ref != Ref::Fact)
        return fail(c.args[0], "E0307", "`count` takes a `set of` fact");
      return Type::of(Kind::Int);
    }
    return fail(e, "E0308", "unknown function `" + f + "`",
                {{{}, "functions: min, max, floor_yuan, round_yuan, ceil_yuan, floor_fen, round_fen, year, month, "
                      "years_between, is_set, value_or, count", false}});
  }

  // Type-check `e` and require a kind; `what` names the clause.
  void expect(const ast::Expr& e, Kind k, const std::string& what) {
    Type t = expr(e);
    if (t.kind == Kind::Error) return;
    if (!require_present(e, t)) return;
    if (t.kind == k) return;
    if (k == Kind::Money && t.kind == Kind::RawMoney) {
      diags.error("E0310", e.span, what + " is unrounded money (money × rate); round it explicitly",
                  {{{}, "wrap it in floor_yuan(...), round_yuan(...) or floor_fen(...)", false}});
      return;
    }
    const char* code = k == Kind::Bool ? "E0301" : "E0304";
    diags.error(code, e.span, what + " must be " + model::type_name(Type::of(k)) + ", found " + tname(t));
  }

  // ------------------------------------------------------------ declarations
  void provenance(const ast::Provenance& p) {
    static const std::set<std::string> ok = {"sourced", "secondary", "derived", "illustrative"};
    if (!ok.count(p.status.name))
      diags.error("E0109", p.status.span, "unknown status `" + p.status.name + "`",
                  {{{}, "use sourced, secondary, derived or illustrative", false}});
  }

  void effective(const ast::Effective& ef) {
    if (ef.to && ef.to->value < ef.from.value)
      diags.error("E0106", ef.span, "effective period ends before it starts");
  }

  void check_params() {
    for (std::size_t i = 0; i < sym.params.size(); ++i) {
      const auto& p = *sym.params[i];
      Type t = sym.param_types[i];
      if (t.optional || t.is_set() || t.kind == Kind::Text) {
        diags.error("E0311", p.type.span, "a parameter must be bool, int, money, decimal, percent, date or an enum");
        continue;
      }
      if (p.values.empty()) diags.error("E0105", p.span, "parameter `" + p.name.name + "` has no values");
      std::int64_t last = INT64_MIN;
      const ast::ParamValue* prev = nullptr;
      for (const auto& v : p.values) {
        if (v.from.value <= last)
          diags.error("E0105", v.from_span, "values of `" + p.name.name + "` must have increasing `from` dates",
                      {{prev->from_span, "previous value starts here"}});
        last = v.from.value;
        prev = &v;
        Type vt = expr(v.value, &t);
        provenance(v.provenance);
        if (vt.kind == Kind::Error) continue;
        if (!info(v.value).is_const || vt.kind != (t.kind == Kind::Decimal && vt.kind == Kind::Int ? Kind::Int : t.kind) ||
            (vt.kind == Kind::Enum && vt.enum_id != t.enum_id))
          diags.error("E0311", v.value.span,
                      "value of `" + p.name.name + "` must be a constant " + tname(t) + ", found " +
                          (info(v.value).is_const ? tname(vt) : "an expression that reads facts, parameters or tables"));
      }
    }
  }

  void check_programs() {
    for (const auto* pp : sym.programs) {
      const auto& p = *pp;
      if (p.provenance) provenance(*p.provenance);
      if (p.effective) effective(*p.effective);
      if (!p.citation) diags.warning("W0201", p.id.span, "programme `" + p.id.name + "` has no citation");
      if (p.requirements.size() > 64) diags.error("E0108", p.span, "a programme may have at most 64 requirements");
      std::map<std::string, diag::Span> names;
      for (const auto& r : p.requirements) {
        if (auto [it, fresh] = names.emplace(r.name.name, r.name.span); !fresh)
          diags.error("E0102", r.name.span, "duplicate requirement `" + r.name.name + "` in `" + p.id.name + "`",
                      {{it->second, "first defined here"}});
        expect(r.condition, Kind::Bool, "requirement `" + r.name.name + "`");
        label_lint(r.reason, r.name);
      }
      if (p.amount) expect(*p.amount, Kind::Money, "the amount of `" + p.id.name + "`");
      if (p.minimum) expect(*p.minimum, Kind::Money, "the minimum of `" + p.id.name + "`");
      if (p.cap) expect(*p.cap, Kind::Money, "the cap of `" + p.id.name + "`");
      if (!p.amount) diags.error("E0304", p.id.span, "programme `" + p.id.name + "` has no `amount` clause");
    }
  }

  void check_tables() {
    for (std::size_t ti = 0; ti < sym.tables.size(); ++ti) {
      const auto& t = *sym.tables[ti];
      Type rt = sym.table_types[ti];
      static const std::set<std::string> hits = {"unique", "first", "priority", "collect"};
      if (!hits.count(t.hit.name)) diags.error("E0110", t.hit.span, "unknown hit policy `" + t.hit.name + "`");
      if (t.hit.name == "collect" && !t.aggregator)
        diags.error("E0110", t.hit.span, "`collect` needs an aggregator: sum, min, max or count");
      if (t.aggregator && t.hit.name != "collect")
        diags.error("E0110", t.aggregator->span, "only `collect` takes an aggregator");
      if (rt.optional || rt.is_set() || rt.kind == Kind::Text)
        diags.error("E0304", t.result.span, "a table's result must be bool, int, money, decimal, date or an enum");
      table_cost.resize(sym.tables.size());
      table_sink = &table_cost[ti];
      std::vector<Type> in_types;
      for (const auto& i : t.inputs) {
        Type it = expr(i);
        if (it.kind != Kind::Error) require_present(i, it);
        in_types.push_back(it);
      }
      for (const auto& row : t.rows) {
        if (row.cells.size() != t.inputs.size()) {
          diags.error("E0107", row.span, "row has " + std::to_string(row.cells.size()) + " cells but the table has " +
                                             std::to_string(t.inputs.size()) + " inputs");
        } else {
          for (std::size_t c = 0; c < row.cells.size(); ++c) cell(row.cells[c], in_types[c]);
        }
        Type ot = expr(row.output, &rt);
        if (ot.kind == Kind::Error || rt.kind == Kind::Error) continue;
        auto u = unify(rt, ot);
        if (!u || u->kind != rt.kind)
          diags.error("E0304", row.output.span, "row output must be " + tname(rt) + ", found " + tname(ot));
      }
      table_sink = nullptr;
      if (auto why = cost_problem(table_cost[ti]); !why.empty()) {
        diags.error("E0007", t.name.span, "table `" + t.name.name + "` is too large: with the tables it reads " + why);
        table_cost[ti] = {};  // reported here, not again at each reader
      }
    }
  }

  void cell(const ast::TableCell& c, const Type& in) {
    auto constant = [&](const ast::Expr& v) {
      Type t = expr(v, &in);
      if (t.kind == Kind::Error || in.kind == Kind::Error) return;
      if (!info(v).is_const) diags.error("E0302", v.span, "table cells must be constants");
      if (!same_comparable(in, t))
        diags.error("E0302", v.span, "cell of type " + tname(t) + " cannot be compared with input of type " + tname(in));
    };
    switch (c.kind) {
      case ast::TableCell::Kind::Any: break;
      case ast::TableCell::Kind::Equal: constant(*c.a); break;
      case ast::TableCell::Kind::Compare:
        constant(*c.a);
        if (c.cmp != ast::BinOp::Eq && c.cmp != ast::BinOp::Ne && !orderable(in))
          diags.error("E0302", c.span, "cannot order values of type " + tname(in));
        break;
      case ast::TableCell::Kind::Range:
        constant(*c.a);
        constant(*c.b);
        if (!orderable(in)) diags.error("E0302", c.span, "a range needs numbers, money or dates, not " + tname(in));
        break;
      case ast::TableCell::Kind::Set:
        for (const auto& i : c.items) constant(i);
        break;
    }
  }

  void check_exceptions() {
    for (const auto* xp : sym.exceptions) {
      const auto& x = *xp;
      if (!x.all && x.targets.empty()) diags.error("E0603", x.name.span, "exception `" + x.name.name + "` has no `applies to` clause");
      for (const auto& tgt : x.targets)
        if (!sym.program_index.count(tgt.name)) diags.error("E0101", tgt.span, "unknown programme `" + tgt.name + "`");
      if (!x.when) diags.error("E0603", x.name.span, "exception `" + x.name.name + "` has no `when` clause");
      else expect(*x.when, Kind::Bool, "the condition of exception `" + x.name.name + "`");
      if (x.refuse.has_value() == x.amount.has_value())
        diags.error("E0603", x.name.span, "exception `" + x.name.name + "` must either `refuse` or set the `amount` (exactly one)");
      if (x.amount) {
        in_exception = true;
        expect(*x.amount, Kind::Money, "the amount of exception `" + x.name.name + "`");
        in_exception = false;
      }
      if (x.refuse) label_lint(*x.refuse, x.name);
      if (x.effective) effective(*x.effective);
    }
  }

  void check_groups() {
    for (const auto* gp : sym.groups) {
      const auto& g = *gp;
      if (!g.all && g.programs.empty()) diags.error("E0603", g.name.span, "group `" + g.name.name + "` lists no programmes");
      std::set<std::string> seen;
      for (const auto& p : g.programs) {
        if (!sym.program_index.count(p.name)) diags.error("E0101", p.span, "unknown programme `" + p.name + "`");
        if (!seen.insert(p.name).second) diags.error("E0102", p.span, "programme `" + p.name + "` listed twice");
      }
      if (g.cap) expect(*g.cap, Kind::Money, "the cap of group `" + g.name.name + "`");
      if (g.already) expect(*g.already, Kind::Money, "the `already` amount of group `" + g.name.name + "`");
      if (g.already && (!g.cap || g.cap_total_only))
        diags.error("E0603", g.already->span, "`already` needs a shared `cap` in the same group");
      if (!g.cap && !g.pay_highest) diags.error("E0603", g.name.span, "group `" + g.name.name + "` has neither `cap` nor `pay highest`");
    }
  }

  void check_tests() {
    for (const auto* tp : sym.tests) {
      const auto& t = *tp;
      std::set<std::string> given;
      for (const auto& g : t.given) {
        auto f = sym.schema.fact_index.find(g.fact.name);
        if (f == sym.schema.fact_index.end()) {
          diags.error("E0101", g.fact.span, "unknown fact `" + g.fact.name + "`");
          continue;
        }
        if (!given.insert(g.fact.name).second) diags.error("E0111", g.fact.span, "fact `" + g.fact.name + "` given twice");
        Type ft = sym.schema.facts[f->second].type.required();
        if (auto* set = std::get_if<ast::SetLit>(&g.value.node)) {
          if (!ft.is_set()) {
            diags.error("E0111", g.value.span, "`" + g.fact.name + "` is a " + tname(ft) + ", not a set");
            continue;
          }
          Type elem{ft.kind == Kind::EnumSet ? Kind::Enum : Kind::Text, ft.enum_id, false};
          info(g.value).type = ft;
          for (const auto& item : set->items) {
            Type it = expr(item, &elem);
            if (it.kind != Kind::Error && (it != elem || !info(item).is_const))
              diags.error("E0111", item.span, "set item must be a constant " + tname(elem));
            else if (sym.schema.facts[f->second].program_ids)
              program_id(item);
          }
          continue;
        }
        Type vt = expr(g.value, &ft);
        if (vt.kind == Kind::Error) continue;
        if (!info(g.value).is_const || !(vt == ft))
          diags.error("E0111", g.value.span, "`" + g.fact.name + "` needs a constant " + tname(ft) + ", given " + tname(vt));
      }
      for (const auto& x : t.expects) {
        if (x.program) {
          auto p = sym.program_index.find(x.program->name);
          if (p == sym.program_index.end()) {
            diags.error("E0101", x.program->span, "unknown programme `" + x.program->name + "`");
            continue;
          }
          const auto& prog = *sym.programs[p->second];
          for (const auto& b : x.because) {
            bool known = sym.exception_index.count(b.name) || sym.group_index.count(b.name) || sym.table_index.count(b.name) ||
                         sym.param_index.count(b.name);
            for (const auto& r : prog.requirements) known = known || r.name.name == b.name;
            if (!known)
              diags.error("E0112", b.span, "`" + b.name + "` is not a requirement of `" + prog.id.name +
                                               "`, nor an exception, group, table or parameter");
          }
        }
        if (x.amount) expect(*x.amount, Kind::Money, "the expected amount");
        if (x.amount && !info(*x.amount).is_const)
          diags.error("E0111", x.amount->span, "the expected amount must be a constant");
      }
    }
  }

  void unused_facts(const std::vector<ast::File>& files) {
    for (const auto& f : files)
      for (const auto& d : f.decls)
        if (auto* fd = std::get_if<ast::FactDecl>(&d)) {
          auto it = sym.schema.fact_index.find(fd->name.name);
          if (it != sym.schema.fact_index.end() && !fact_used[it->second] &&
              sym.schema.facts[it->second].name == fd->name.name)
            diags.warning("W0203", fd->name.span, "fact `" + fd->name.name + "` is declared but no rule uses it");
        }
  }
};

// The rule checker's expression typing, offered to the workflow checks (check/workflows.cpp).
struct CheckerTyper : detail::GuardTyper {
  Checker& c;
  explicit CheckerTyper(Checker& ch) : c(ch) {}
  void guard(const ast::Expr& e, const std::string& what) override {
    c.in_guard = true;
    c.expect(e, Kind::Bool, what);
    c.in_guard = false;
  }
  void role_index(const ast::Expr& e, std::uint32_t enum_id, const std::string& what) override {
    c.in_guard = true;
    Type hint = Type::enumeration(enum_id);
    Type t = c.expr(e, &hint);
    c.in_guard = false;
    if (t.kind == Kind::Error) return;
    bool bare_fact = std::holds_alternative<ast::Name>(e.node) && c.info(e).ref == Ref::Fact;
    if (t.optional && !bare_fact) {
      c.require_present(e, t);
      return;
    }
    if (t.kind != Kind::Enum || t.enum_id != enum_id)
      c.diags.error("E0708", e.span,
                    what + " must be a " + c.sym.schema.enums[enum_id].name + " (the role family's enumeration), found " +
                        c.tname(t));
  }
};

}  // namespace

CheckResult check(const std::vector<ast::File>& files, const diag::SourceSet& sources, diag::Diagnostics& diags) {
  Checker c(sources, diags);
  c.collect(files);
  c.check_params();
  c.check_tables();
  c.check_programs();
  c.check_exceptions();
  c.check_groups();
  CheckerTyper typer(c);
  detail::check_workflows(c.result, typer, diags);  // guards use facts: before the unused-fact lint
  // Facts used only in tests are still unused by rules: measure before checking tests.
  c.unused_facts(files);
  c.check_tests();
  run_analyses(c.result, diags);
  diags.sort();
  return std::move(c.result);
}

}  // namespace subsidy::check
