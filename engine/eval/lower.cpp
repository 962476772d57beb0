// Lowering: checked AST -> immutable Ruleset (flat nodes, slots, dense ids).
#include "eval/lower.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "check/check.hpp"
#include "check/type_rules.hpp"
#include "eval/evaluate.hpp"
#include "eval/lower_workflows.hpp"
#include "model/money.hpp"
#include "dsl/parse.hpp"

namespace subsidy::eval {

namespace ast = dsl::ast;
using check::Ref;
using model::Kind;
using model::Type;

namespace {

Status status_of(const std::string& s) {
  if (s == "sourced") return Status::sourced;
  if (s == "secondary") return Status::secondary;
  if (s == "derived") return Status::derived;
  if (s == "illustrative") return Status::illustrative;
  return Status::unspecified;
}

struct Lowerer {
  const check::CheckResult& cr;
  const diag::SourceSet& sources;
  LowerOptions opts;
  Ruleset rs;
  std::set<std::uint32_t>* facts_used = nullptr;  // collects fact slots of the programme being lowered

  Lowerer(const check::CheckResult& c, const diag::SourceSet& s, LowerOptions o) : cr(c), sources(s), opts(o) {
    rs.fused = o.fuse;
    for (diag::FileId f = 0; f < s.size(); ++f) rs.sources.push_back(s.get(f));
  }

  // The source text of a span with runs of whitespace (line breaks, indentation) collapsed.
  std::string text_of(const diag::Span& sp) const { return source_text(rs, sp); }

  std::uint32_t push(Node n) {
    rs.nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(rs.nodes.size() - 1);
  }
  Node make(Op op, Kind k, const ast::Expr& e) {
    Node n;
    n.op = op;
    n.kind = k;
    n.ast_id = e.id;
    n.span = e.span;
    return n;
  }
  std::uint32_t text_const(const std::string& s) {
    rs.text_lists.push_back({s});
    return static_cast<std::uint32_t>(rs.text_lists.size() - 1);
  }

  // Converts node `n` of kind `from` to representation `to` (int→decimal, money→raw money).
  std::uint32_t convert(std::uint32_t n, Kind from, Kind to, const ast::Expr& e) {
    if (from == to) return n;
    Node c = make(from == Kind::Int && to == Kind::Decimal ? Op::IntToDec : Op::MoneyToRaw, to, e);
    c.a = n;
    return push(c);
  }

  std::uint32_t lower(const ast::Expr& e) {
    const auto& in = cr.info(e);
    Kind k = in.type.kind;
    if (in.is_const && k != Kind::Text && k != Kind::TextSet && k != Kind::EnumSet) {
      Node n = make(Op::Const, k, e);
      n.imm = in.const_value;
      return push(n);
    }
    return std::visit([&](const auto& node) { return lower_node(e, node); }, e.node);
  }

  std::uint32_t lower_node(const ast::Expr& e, const ast::Literal& l) {
    Node n = make(Op::Const, Kind::Text, e);
    n.imm = text_const(l.text);
    return push(n);
  }

  std::uint32_t lower_node(const ast::Expr& e, const ast::Name&) {
    const auto& in = cr.info(e);
    Node n = make(Op::Const, in.type.kind, e);
    switch (in.ref) {
      case Ref::Fact:
        n.op = Op::Fact;
        n.a = in.index;
        if (facts_used) facts_used->insert(in.index);
        break;
      case Ref::Param: n.op = Op::Param; n.a = in.index; break;
      case Ref::Table: {
        n.op = Op::Table;
        n.a = in.index;
        const Table& t = rs.tables[in.index];
        if (!t.lookup_row.empty()) {  // see Op::TableLookup: fact slot in a, table in b
          n.op = Op::TableLookup;
          n.b = in.index;
          n.a = slot_of(rs.nodes[t.inputs[0]]);
          if (facts_used) facts_used->insert(slot_of(n));
        }
        break;
      }
      case Ref::AsOf: n.op = Op::AsOf; break;
      case Ref::Amount: n.op = Op::Amount; break;
      case Ref::EnumValue: n.imm = in.index; break;
      case Ref::CaseAttr: n.op = Op::CaseAttr; n.imm = in.index; break;
      case Ref::None: break;
    }
    return push(n);
  }

  std::uint32_t lower_node(const ast::Expr& e, const ast::Unary& u) {
    Kind k = cr.info(e).type.kind;
    Node n = make(u.op == ast::UnOp::Not ? Op::Not
                  : k == Kind::Int     ? Op::NegI
                  : k == Kind::Decimal ? Op::NegD
                  : k == Kind::RawMoney ? Op::NegR
                                        : Op::NegM,
                  k, e);
    n.a = lower(*u.operand);
    return push(n);
  }

  std::uint32_t lower_node(const ast::Expr& e, const ast::If& i) {
    Kind k = cr.info(e).type.kind;
    Node n = make(Op::If, k, e);
    n.a = lower(*i.cond);
    n.b = convert(lower(*i.then_), cr.info(*i.then_).type.kind, k, *i.then_);
    n.c = convert(lower(*i.else_), cr.info(*i.else_).type.kind, k, *i.else_);
    return push(n);
  }

  std::uint32_t lower_node(const ast::Expr& e, const ast::SetLit&) { return push(make(Op::Const, Kind::Error, e)); }

  std::uint32_t lower_node(const ast::Expr& e, const ast::Binary& b) {
    using ast::BinOp;
    Kind k = cr.info(e).type.kind;
    Type lt = cr.info(*b.lhs).type, rt = cr.info(*b.rhs).type;
    if (b.op == BinOp::In || b.op == BinOp::NotIn) {
      std::uint32_t m = membership(e, b, lt);
      if (b.op == BinOp::In) return m;
      Node n = make(Op::Not, Kind::Bool, e);
      n.a = m;
      return push(n);
    }
    std::uint32_t l = lower(*b.lhs), r = lower(*b.rhs);
    Node n = make(Op::Const, k, e);
    switch (b.op) {
      case BinOp::And: n.op = Op::And; break;
      case BinOp::Or: n.op = Op::Or; break;
      case BinOp::Eq: case BinOp::Ne: case BinOp::Lt: case BinOp::Le: case BinOp::Gt: case BinOp::Ge: {
        if (lt.kind == Kind::Text) {
          n.op = b.op == BinOp::Eq ? Op::EqText : Op::NeText;
          break;
        }
        auto u = check::unify(lt, rt);
        Kind uk = u ? u->kind : lt.kind;
        l = convert(l, lt.kind, uk, *b.lhs);
        r = convert(r, rt.kind, uk, *b.rhs);
        static constexpr Op ops[] = {Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge};
        n.op = ops[static_cast<int>(b.op) - static_cast<int>(BinOp::Eq)];
        if (auto fused = fuse_compare(n.op, l, r)) return push(*fused);
        break;
      }
      case BinOp::Add: case BinOp::Sub: {
        bool add = b.op == BinOp::Add;
        if (k == Kind::Int && lt.kind == Kind::Date) n.op = Op::SubDate;
        else if (k == Kind::Int || k == Kind::Date) n.op = add ? Op::AddI : Op::SubI;  // date ± days
        else if (k == Kind::Decimal) {
          l = convert(l, lt.kind, Kind::Decimal, *b.lhs);
          r = convert(r, rt.kind, Kind::Decimal, *b.rhs);
          n.op = add ? Op::AddD : Op::SubD;
        } else {
          l = convert(l, lt.kind, k, *b.lhs);
          r = convert(r, rt.kind, k, *b.rhs);
          n.op = k == Kind::RawMoney ? (add ? Op::AddR : Op::SubR) : (add ? Op::AddM : Op::SubM);
        }
        break;
      }
      case BinOp::Mul: {
        // Put the money-like operand on the left.
        if ((rt.kind == Kind::Money || rt.kind == Kind::RawMoney) && !(lt.kind == Kind::Money || lt.kind == Kind::RawMoney)) {
          std::swap(l, r);
          std::swap(lt, rt);
        }
        if (k == Kind::Int) n.op = Op::MulI;
        else if (k == Kind::Decimal) {
          l = convert(l, lt.kind, Kind::Decimal, *b.lhs);
          r = convert(r, rt.kind, Kind::Decimal, *b.rhs);
          n.op = Op::MulD;
        } else if (k == Kind::Money) n.op = Op::MulMI;
        else {  // raw money
          r = convert(r, rt.kind, Kind::Decimal, *b.rhs);
          n.op = lt.kind == Kind::Money ? Op::MulMD : Op::MulRD;
        }
        break;
      }
      case BinOp::Div:
        if (k == Kind::Decimal && lt.kind == Kind::Money) n.op = Op::DivMM;
        else if (k == Kind::Decimal) {
          l = convert(l, lt.kind, Kind::Decimal, *b.lhs);
          r = convert(r, rt.kind, Kind::Decimal, *b.rhs);
          n.op = Op::DivD;
        } else n.op = lt.kind == Kind::Money ? Op::DivMI : Op::DivRI;
        break;
      default: break;
    }
    n.a = l;
    n.b = r;
    return push(n);
  }

  // A comparison of a fact with a constant becomes one node (the common shape of requirements).
  std::optional<Node> fuse_compare(Op op, std::uint32_t l, std::uint32_t r) {
    if (!opts.fuse) return std::nullopt;
    const Node* fl = &rs.nodes[l];
    const Node* cr_ = &rs.nodes[r];
    if (fl->op == Op::Const && cr_->op == Op::Fact) {
      std::swap(fl, cr_);
      switch (op) {  // c < f  ⇔  f > c
        case Op::Lt: op = Op::Gt; break;
        case Op::Le: op = Op::Ge; break;
        case Op::Gt: op = Op::Lt; break;
        case Op::Ge: op = Op::Le; break;
        default: break;
      }
    }
    if (fl->op != Op::Fact || cr_->op != Op::Const) return std::nullopt;
    static constexpr Op fused[] = {Op::EqFC, Op::NeFC, Op::LtFC, Op::LeFC, Op::GtFC, Op::GeFC};
    Node n = *fl;
    n.op = fused[static_cast<int>(op) - static_cast<int>(Op::Eq)];
    n.kind = Kind::Bool;
    n.imm = cr_->imm;
    return n;
  }

  std::uint32_t membership(const ast::Expr& e, const ast::Binary& b, const Type& lt) {
    std::uint32_t l = lower(*b.lhs);
    if (auto* set = std::get_if<ast::SetLit>(&b.rhs->node)) {
      // A mask holds enum values 0..63; membership in a larger enum is the `or` of equalities below.
      if (lt.kind == Kind::Enum && cr.symbols.schema.enums[lt.enum_id].values.size() <= 64) {
        Node n = make(Op::InEnumMask, Kind::Bool, e);
        n.a = l;
        if (opts.fuse && rs.nodes[l].op == Op::Fact) {
          n.op = Op::InMaskF;
          n.a = slot_of(rs.nodes[l]);
        }
        for (const auto& i : set->items) n.imm |= std::int64_t{1} << cr.info(i).const_value;
        return push(n);
      }
      if (lt.kind == Kind::Text) {
        Node n = make(Op::InTexts, Kind::Bool, e);
        n.a = l;
        std::vector<std::string> list;
        for (const auto& i : set->items)
          if (auto* lit = std::get_if<ast::Literal>(&i.node)) list.push_back(lit->text);
        rs.text_lists.push_back(std::move(list));
        n.imm = static_cast<std::int64_t>(rs.text_lists.size() - 1);
        return push(n);
      }
      // Numbers, money, dates, bools: an `or` of equalities with constants.
      std::uint32_t acc = kNoNode;
      for (const auto& i : set->items) {
        auto u = check::unify(lt, cr.info(i).type);
        Kind uk = u ? u->kind : lt.kind;
        Node eq = make(Op::Eq, Kind::Bool, i);
        eq.a = convert(l, lt.kind, uk, *b.lhs);
        eq.b = convert(lower(i), cr.info(i).type.kind, uk, i);
        std::uint32_t en = push(eq);
        if (acc == kNoNode) acc = en;
        else {
          Node o = make(Op::Or, Kind::Bool, e);
          o.a = acc;
          o.b = en;
          acc = push(o);
        }
      }
      if (acc == kNoNode) {
        Node f = make(Op::Const, Kind::Bool, e);
        acc = push(f);
      }
      return acc;
    }
    Node n = make(lt.kind == Kind::Enum ? Op::EnumSetHas : Op::TextSetHas, Kind::Bool, e);
    n.a = l;
    n.b = cr.info(*b.rhs).index;
    if (facts_used) facts_used->insert(n.b);
    return push(n);
  }

  std::uint32_t lower_node(const ast::Expr& e, const ast::Call& c) {
    const std::string& f = c.fn.name;
    Kind k = cr.info(e).type.kind;
    Node n = make(Op::Const, k, e);
    if (f == "is_set" || f == "value_or") {
      const auto& fi = cr.info(c.args[0]);
      if (facts_used) facts_used->insert(fi.index);
      n.op = f == "is_set" ? Op::FactPresent : Op::FactOr;
      n.a = fi.index;
      if (f == "value_or") n.b = convert(lower(c.args[1]), cr.info(c.args[1]).type.kind, k, c.args[1]);
      return push(n);
    }
    if (f == "count") {
      n.op = Op::CountSet;
      n.a = cr.info(c.args[0]).index;
      n.imm = cr.info(c.args[0]).type.kind == Kind::EnumSet;
      if (facts_used) facts_used->insert(n.a);
      return push(n);
    }
    if (f == "min" || f == "max") {
      std::vector<std::uint32_t> args;
      for (const auto& a : c.args) args.push_back(convert(lower(a), cr.info(a).type.kind, k, a));
      n.op = f == "min" ? Op::Min : Op::Max;
      n.a = static_cast<std::uint32_t>(rs.args.size());
      n.b = static_cast<std::uint32_t>(args.size());
      rs.args.insert(rs.args.end(), args.begin(), args.end());
      return push(n);
    }
    std::uint32_t a0 = lower(c.args[0]);
    Kind k0 = cr.info(c.args[0]).type.kind;
    if (f == "floor_yuan" || f == "round_yuan" || f == "ceil_yuan" || f == "floor_fen" || f == "round_fen") {
      bool raw = k0 == Kind::RawMoney;
      if (f == "floor_yuan") n.op = raw ? Op::FloorYuanR : Op::FloorYuanM;
      else if (f == "round_yuan") n.op = raw ? Op::RoundYuanR : Op::RoundYuanM;
      else if (f == "ceil_yuan") n.op = raw ? Op::CeilYuanR : Op::CeilYuanM;
      else if (!raw) return a0;  // money is already whole 分
      else n.op = f == "floor_fen" ? Op::FloorFenR : Op::RoundFenR;
      n.a = a0;
      return push(n);
    }
    if (f == "year") n.op = Op::Year;
    else if (f == "month") n.op = Op::Month;
    else if (f == "years_between") {
      n.op = Op::YearsBetween;
      n.b = lower(c.args[1]);
    }
    n.a = a0;
    return push(n);
  }

  Days date_value(const ast::Literal& l) { return static_cast<Days>(l.value); }

  void lower_all(const std::vector<ast::File>& files) {
    const auto& sym = cr.symbols;
    rs.schema = sym.schema;
    for (std::size_t i = 0; i < sym.params.size(); ++i) {
      const auto& p = *sym.params[i];
      Param out{p.name.name, sym.param_types[i], {p.label.zh, p.label.en}, {}, p.span};
      for (const auto& v : p.values) {
        const auto& vi = cr.info(v.value);
        std::int64_t val = vi.const_value;
        if (out.type.kind == Kind::Decimal && vi.type.kind == Kind::Int) val *= model::kDecimalScale;
        out.values.push_back({date_value(v.from), val, v.provenance.source, status_of(v.provenance.status.name), v.span});
      }
      rs.params.push_back(std::move(out));
    }
    for (std::size_t i = 0; i < sym.tables.size(); ++i) lower_table(*sym.tables[i], sym.table_types[i]);
    for (const auto* xp : sym.exceptions) {
      const auto& x = *xp;
      Exception out;
      out.name = x.name.name;
      out.label = {x.label.zh, x.label.en};
      out.when = lower(*x.when);
      out.refuses = x.refuse.has_value();
      if (x.refuse) out.reason = {x.refuse->zh, x.refuse->en};
      if (x.amount) {
        out.amount = lower(*x.amount);
        out.amount_text = text_of(x.amount->span);
      }
      out.priority = x.priority.value_or(0);
      out.citation = x.citation.value_or("");
      if (x.effective) {
        out.effective_from = date_value(x.effective->from);
        if (x.effective->to) out.effective_to = date_value(*x.effective->to);
      }
      out.span = x.span;
      rs.exceptions.push_back(std::move(out));
    }
    for (const auto* pp : sym.programs) lower_program(*pp);
    // Exceptions' facts count for every programme they apply to.
    for (std::uint32_t xi = 0; xi < sym.exceptions.size(); ++xi) {
      const auto& x = *sym.exceptions[xi];
      std::vector<std::uint32_t> targets;
      if (x.all) {
        for (std::uint32_t p = 0; p < rs.programs.size(); ++p) targets.push_back(p);
      } else {
        for (const auto& t : x.targets) targets.push_back(sym.program_index.at(t.name));
      }
      std::set<std::uint32_t> used;
      facts_used = &used;
      collect_facts(rs.exceptions[xi].when, used);
      if (rs.exceptions[xi].amount != kNoNode) collect_facts(rs.exceptions[xi].amount, used);
      facts_used = nullptr;
      for (auto p : targets) {
        auto& prog = rs.programs[p];
        (x.refuse ? prog.refusals : prog.modifiers).push_back(xi);
        prog.facts_used.insert(prog.facts_used.end(), used.begin(), used.end());
      }
    }
    for (auto& p : rs.programs) {
      std::stable_sort(p.modifiers.begin(), p.modifiers.end(),
                       [&](auto a, auto b) { return rs.exceptions[a].priority < rs.exceptions[b].priority; });
      std::sort(p.facts_used.begin(), p.facts_used.end());
      p.facts_used.erase(std::unique(p.facts_used.begin(), p.facts_used.end()), p.facts_used.end());
    }
    for (const auto* gp : sym.groups) {
      const auto& g = *gp;
      Group out;
      out.name = g.name.name;
      out.label = {g.label.zh, g.label.en};
      if (g.all) {
        for (std::uint32_t p = 0; p < rs.programs.size(); ++p) out.programs.push_back(p);
      } else {
        for (const auto& p : g.programs) out.programs.push_back(sym.program_index.at(p.name));
      }
      std::set<std::uint32_t> used;
      facts_used = &used;
      if (g.cap) out.cap = lower(*g.cap);
      if (g.already) out.already = lower(*g.already);
      facts_used = nullptr;
      for (auto p : out.programs) rs.programs[p].facts_used.insert(rs.programs[p].facts_used.end(), used.begin(), used.end());
      out.total_only = g.cap_total_only;
      out.pay_highest = g.pay_highest;
      out.citation = g.citation.value_or("");
      out.span = g.span;
      rs.groups.push_back(std::move(out));
    }
    for (auto& p : rs.programs) {
      std::sort(p.facts_used.begin(), p.facts_used.end());
      p.facts_used.erase(std::unique(p.facts_used.begin(), p.facts_used.end()), p.facts_used.end());
    }
    for (const auto* tp : sym.tests) lower_test(*tp);
    struct Guards : detail::GuardLowering {
      Lowerer& l;
      explicit Guards(Lowerer& lw) : l(lw) {}
      std::uint32_t lower(const ast::Expr& e) override { return l.lower(e); }
      std::string text(const diag::Span& sp) override { return l.text_of(sp); }
    } guards{*this};
    rs.workflow_decls = detail::lower_workflows(cr, guards);
    (void)files;
  }

  // Facts read by a lowered subtree, following table and parameter references.
  void collect_facts(std::uint32_t n, std::set<std::uint32_t>& out) {
    if (n == kNoNode) return;
    const Node& nd = rs.nodes[n];
    if (std::uint32_t s = slot_of(nd); s != kNoNode) out.insert(s);
    switch (nd.op) {
      case Op::Fact: case Op::FactPresent: case Op::CountSet: case Op::InMaskF: case Op::TableLookup:
      case Op::EqFC: case Op::NeFC: case Op::LtFC: case Op::LeFC: case Op::GtFC: case Op::GeFC:
      case Op::Param: case Op::Const: case Op::AsOf: case Op::Amount: case Op::CaseAttr:
        break;
      case Op::FactOr: collect_facts(default_of(nd), out); break;
      case Op::EnumSetHas: case Op::TextSetHas: case Op::InEnumMask: case Op::InTexts:
        collect_facts(element_of(nd), out);
        break;
      case Op::Table: {
        const auto& t = rs.tables[table_of(nd)];
        for (auto i : t.inputs) collect_facts(i, out);
        for (const auto& r : t.rows) collect_facts(r.output, out);
        break;
      }
      case Op::Min: case Op::Max: {
        ArgRange args = args_of(nd);
        for (std::uint32_t i = 0; i < args.count; ++i) collect_facts(rs.args[args.first + i], out);
        break;
      }
      default:  // operators: a, b, c are child nodes
        collect_facts(nd.a, out);
        collect_facts(nd.b, out);
        collect_facts(nd.c, out);
    }
  }

  void lower_table(const ast::TableDecl& t, const Type& type) {
    Table out;
    out.name = t.name.name;
    out.label = {t.label.zh, t.label.en};
    out.result = type;
    if (t.hit.name == "first") out.hit = Hit::first;
    else if (t.hit.name == "priority") out.hit = Hit::priority;
    else if (t.hit.name == "collect") {
      const std::string agg = t.aggregator ? t.aggregator->name : "sum";
      out.hit = agg == "min" ? Hit::collect_min : agg == "max" ? Hit::collect_max : agg == "count" ? Hit::collect_count : Hit::collect_sum;
    }
    out.span = t.span;
    for (const auto& i : t.inputs) {
      out.inputs.push_back(lower(i));
      out.input_types.push_back(cr.info(i).type);
    }
    for (const auto& row : t.rows) {
      Row r;
      r.span = row.span;
      for (std::size_t c = 0; c < row.cells.size(); ++c) {
        const auto& cell = row.cells[c];
        Kind ik = out.input_types[c].kind;
        auto val = [&](const ast::Expr& e) { return convert(lower(e), cr.info(e).type.kind, ik, e); };
        Cell oc;
        oc.span = cell.span;
        switch (cell.kind) {
          case ast::TableCell::Kind::Any: oc.kind = Cell::Kind::Any; break;
          case ast::TableCell::Kind::Equal:
          case ast::TableCell::Kind::Compare: {
            oc.kind = Cell::Kind::Cmp;
            ast::BinOp op = cell.kind == ast::TableCell::Kind::Equal ? ast::BinOp::Eq : cell.cmp;
            static constexpr Op ops[] = {Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge};
            oc.cmp = ops[static_cast<int>(op) - static_cast<int>(ast::BinOp::Eq)];
            if (ik == Kind::Text) oc.cmp = op == ast::BinOp::Ne ? Op::NeText : Op::EqText;
            oc.a = val(*cell.a);
            break;
          }
          case ast::TableCell::Kind::Range:
            oc.kind = Cell::Kind::Range;
            oc.a = val(*cell.a);
            oc.b = val(*cell.b);
            oc.lo_open = cell.lo_open;
            oc.hi_open = cell.hi_open;
            break;
          case ast::TableCell::Kind::Set:
            oc.kind = Cell::Kind::Set;
            for (const auto& i : cell.items) oc.items.push_back(val(i));
            oc.negated = cell.negated;
            break;
        }
        r.cells.push_back(std::move(oc));
      }
      r.output = convert(lower(row.output), cr.info(row.output).type.kind, type.kind, row.output);
      out.rows.push_back(std::move(r));
    }
    precompute_lookup(out);
    rs.tables.push_back(std::move(out));
  }

  // A table over one enum fact with constant cells and outputs is a lookup by enum value.
  void precompute_lookup(Table& t) {
    if (!opts.fuse) return;
    if (t.inputs.size() != 1 || t.input_types[0].kind != Kind::Enum || rs.nodes[t.inputs[0]].op != Op::Fact) return;
    if (t.hit != Hit::unique && t.hit != Hit::first) return;
    auto is_const = [&](std::uint32_t n) { return rs.nodes[n].op == Op::Const; };
    for (const auto& r : t.rows) {
      if (!is_const(r.output)) return;
      const Cell& c = r.cells[0];
      if (c.kind == Cell::Kind::Range) return;
      if (c.kind == Cell::Kind::Cmp && (!is_const(c.a) || (c.cmp != Op::Eq && c.cmp != Op::Ne))) return;
      for (auto i : c.items)
        if (!is_const(i)) return;
    }
    std::size_t values = cr.symbols.schema.enums[t.input_types[0].enum_id].values.size();
    t.lookup_row.assign(values, -1);
    t.lookup_value.assign(values, 0);
    for (std::size_t v = 0; v < values; ++v) {
      auto val = static_cast<std::int64_t>(v);
      for (std::size_t ri = 0; ri < t.rows.size(); ++ri) {
        const Cell& c = t.rows[ri].cells[0];
        bool m = true;
        if (c.kind == Cell::Kind::Cmp) m = (rs.nodes[c.a].imm == val) == (c.cmp == Op::Eq);
        else if (c.kind == Cell::Kind::Set) {
          bool in = false;
          for (auto i : c.items) in = in || rs.nodes[i].imm == val;
          m = in != c.negated;
        }
        if (m) {
          t.lookup_row[v] = static_cast<std::int32_t>(ri);
          t.lookup_value[v] = rs.nodes[t.rows[ri].output].imm;
          break;
        }
      }
    }
  }

  void set_fast_path(Requirement& q) const {
    if (!opts.fuse) return;
    const Node& n = rs.nodes[q.cond];
    switch (n.op) {
      case Op::EqFC: q.fast = 1; break;
      case Op::NeFC: q.fast = 2; break;
      case Op::LtFC: q.fast = 3; break;
      case Op::LeFC: q.fast = 4; break;
      case Op::GtFC: q.fast = 5; break;
      case Op::GeFC: q.fast = 6; break;
      case Op::InMaskF: q.fast = 7; break;
      case Op::Fact:  // a bool fact: true when != 0
        if (n.kind != Kind::Bool) return;
        q.fast = 2;
        q.fast_slot = slot_of(n);
        q.fast_imm = 0;
        return;
      default: return;
    }
    q.fast_slot = slot_of(n);
    q.fast_imm = n.imm;
  }

  void lower_program(const ast::Program& p) {
    Program out;
    out.id = p.id.name;
    out.title = {p.title.zh, p.title.en};
    out.bureau = p.bureau.value_or("");
    out.citation = p.citation.value_or("");
    if (p.provenance) {
      out.source = p.provenance->source;
      out.status = status_of(p.provenance->status.name);
    }
    if (p.workflow) out.workflow = p.workflow->name;
    if (p.effective) {
      out.effective_from = date_value(p.effective->from);
      if (p.effective->to) out.effective_to = date_value(*p.effective->to);
    }
    std::set<std::uint32_t> used;
    facts_used = &used;
    for (const auto& r : p.requirements) {
      std::uint32_t cond = lower(r.condition);
      collect_facts(cond, used);
      Requirement q;
      q.name = r.name.name;
      q.cond = cond;
      q.reason = {r.reason.zh, r.reason.en};
      q.clause = r.clause;
      q.source_text = text_of(r.condition.span);
      q.span = r.span;
      set_fast_path(q);
      out.requirements.push_back(std::move(q));
    }
    if (p.amount) {
      out.amount = lower(*p.amount);
      out.amount_text = text_of(p.amount->span);
      collect_facts(out.amount, used);
    }
    if (p.minimum) collect_facts(out.minimum = lower(*p.minimum), used);
    if (p.cap) collect_facts(out.cap = lower(*p.cap), used);
    facts_used = nullptr;
    out.facts_used.assign(used.begin(), used.end());
    out.span = p.span;
    rs.programs.push_back(std::move(out));
  }

  void lower_test(const ast::TestDecl& t) {
    Test out;
    out.name = t.name;
    out.span = t.span;
    if (t.as_of) {
      out.as_of = date_value(*t.as_of);
      out.has_as_of = true;
    }
    const auto& schema = cr.symbols.schema;
    for (const auto& g : t.given) {
      TestGiven tg;
      tg.slot = schema.fact_index.at(g.fact.name);
      Kind fk = schema.facts[tg.slot].type.kind;
      if (auto* set = std::get_if<ast::SetLit>(&g.value.node)) {
        for (const auto& i : set->items) {
          if (fk == Kind::EnumSet) tg.enum_mask |= std::uint64_t{1} << cr.info(i).const_value;
          else if (auto* l = std::get_if<ast::Literal>(&i.node)) tg.texts.push_back(l->text);
        }
      } else if (auto* l = std::get_if<ast::Literal>(&g.value.node); l && l->kind == ast::Literal::Kind::Text) {
        tg.text = l->text;
      } else {
        tg.value = cr.info(g.value).const_value;
        if (fk == Kind::Decimal && cr.info(g.value).type.kind == Kind::Int) tg.value *= model::kDecimalScale;
      }
      out.given.push_back(std::move(tg));
    }
    for (const auto& x : t.expects) {
      TestExpect te;
      te.span = x.span;
      te.kind = static_cast<TestExpect::Kind>(static_cast<int>(x.kind));
      if (x.program) te.program = cr.symbols.program_index.count(x.program->name) ? static_cast<std::int32_t>(cr.symbols.program_index.at(x.program->name)) : -1;
      if (x.amount) {
        te.has_amount = true;
        te.amount = cr.info(*x.amount).const_value;
      }
      for (const auto& b : x.because) te.because.push_back(b.name);
      out.expects.push_back(std::move(te));
    }
    rs.tests.push_back(std::move(out));
  }
};

}  // namespace

const char* status_name(Status s) {
  switch (s) {
    case Status::sourced: return "sourced";
    case Status::secondary: return "secondary";
    case Status::derived: return "derived";
    case Status::illustrative: return "illustrative";
    case Status::unspecified: return "unspecified";
  }
  return "unspecified";
}

const char* status_tag(Status s) {
  switch (s) {
    case Status::sourced: return "[S]";
    case Status::secondary: return "[S-2]";
    case Status::derived: return "[D]";
    case Status::illustrative: return "[I]";
    case Status::unspecified: return "";
  }
  return "";
}

std::shared_ptr<const Ruleset> lower(const std::vector<dsl::ast::File>& files, const check::CheckResult& checked,
                                     const diag::SourceSet& sources, LowerOptions opts) {
  Lowerer l(checked, sources, opts);
  l.lower_all(files);
  l.rs.compiled = compile_rules(l.rs);
  return std::make_shared<const Ruleset>(std::move(l.rs));
}

CompileResult compile(const diag::SourceSet& sources, diag::Diagnostics& diags, std::string hash, LowerOptions opts) {
  CompileResult out;
  std::vector<ast::File> files;
  std::uint32_t next_id = 1;
  for (diag::FileId f = 0; f < sources.size(); ++f) files.push_back(dsl::parse(sources, f, diags, next_id).file);
  // Check even after syntax errors: the parser recovered, and every error of the run is reported.
  auto checked = check::check(files, sources, diags);
  if (diags.has_errors()) return out;
  auto rs = lower(files, checked, sources, opts);
  std::const_pointer_cast<Ruleset>(rs)->hash = std::move(hash);
  out.ruleset = std::move(rs);
  return out;
}

}  // namespace subsidy::eval
