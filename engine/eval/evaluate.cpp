// The pure evaluator over the lowered node array. No I/O, no logging, no allocation on the
// path without an Explanation (Decision vectors are reused by the caller).
//
// Errors are values: every evaluation returns a Result (value, or error kind and node), and each
// caller decides what an error means where it happens — a programme in `error`, a group whose cap
// failed. Nothing is remembered between calls that a caller would have to reset.
#include "eval/evaluate.hpp"

#include <algorithm>
#include <cstdint>

#include "model/money.hpp"

namespace subsidy::eval {

using model::Kind;
using model::Outcome;
using model::Wide;

namespace {

using Val = Result<std::int64_t>;
using WVal = Result<Wide>;  // raw money (and other numbers widened) in 128 bits

constexpr std::int64_t kMicroFenPerYuan = model::kDecimalScale * model::kFenPerYuan;

// Returns the failure of `r` from the enclosing function (whose Result type may differ), or binds it.
#define SUBSIDY_TRY(var, expr)                           \
  const auto var = (expr);                               \
  if (!var.ok()) return {{}, var.error, var.error_node}

constexpr Val value(std::int64_t v) { return {v}; }
constexpr Val failure(EvalError e, std::uint32_t n) { return {0, e, n}; }

struct Ctx {
  const Ruleset& rs;
  const model::Facts& facts;
  Days as_of;
  std::int64_t amount = 0;  // `amount` inside an exception's formula
  bool illustrative = false;
  ProgramExplanation* ex = nullptr;
  // An exception's `when` depends only on the applicant and the date: evaluated once per call
  // (when the ruleset was lowered with fusion, and without an explanation, which lists the
  // parameters each programme used). A condition that failed is not cached; one that read an
  // illustrative parameter value marks every programme it applies to, as evaluating it would.
  bool cache_when = false;
  std::uint64_t when_known = 0, when_true = 0, when_illustrative = 0;
  const std::int64_t* case_attrs = nullptr;  // workflow guards: values by model::CaseAttr
  // The compiled form (eval/compiled.hpp), or null: the nodes are interpreted.
  const CompiledRules* compiled = nullptr;
  std::int64_t year = 0;  // year(as_of), for the compiled year_sub_fact shape
};

Val ev(Ctx& c, std::uint32_t n);
WVal ev_wide(Ctx& c, std::uint32_t n);

std::string_view text(const Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  if (nd.op == Op::Fact) return c.facts.texts[slot_of(nd)];
  return c.rs.text_lists[static_cast<std::size_t>(nd.imm)][0];
}

inline Val checked(std::optional<std::int64_t> v, std::uint32_t n) { return v ? value(*v) : failure(EvalError::overflow, n); }
inline WVal checked_wide(std::optional<Wide> v, std::uint32_t n) {
  if (v) return {*v};
  return {0, EvalError::overflow, n};
}

Val param(Ctx& c, std::uint32_t n, std::uint32_t p) {
  const Param& pr = c.rs.params[p];
  const auto& vs = pr.values;
  for (std::size_t i = vs.size(); i-- > 0;) {
    if (vs[i].from <= c.as_of) {
      if (vs[i].status == Status::illustrative) c.illustrative = true;
      if (c.ex) {
        bool seen = false;
        for (const auto& u : c.ex->params) seen = seen || u.param == p;
        if (!seen) c.ex->params.push_back({p, static_cast<std::uint32_t>(i)});
      }
      return value(vs[i].value);
    }
  }
  return failure(EvalError::param_not_in_force, n);
}

template <class T>
bool compare(Op op, T a, T b) {
  switch (op) {
    case Op::Eq: return a == b;
    case Op::Ne: return a != b;
    case Op::Lt: return a < b;
    case Op::Le: return a <= b;
    case Op::Gt: return a > b;
    case Op::Ge: return a >= b;
    default: return false;
  }
}

Val cell_matches(Ctx& c, const Cell& cell, std::uint32_t input, bool is_text, Wide v) {
  switch (cell.kind) {
    case Cell::Kind::Any: return value(1);
    case Cell::Kind::Cmp: {
      if (is_text) return value((text(c, input) == text(c, cell.a)) == (cell.cmp == Op::EqText));
      SUBSIDY_TRY(x, ev_wide(c, cell.a));
      return value(compare(cell.cmp, v, x.value));
    }
    case Cell::Kind::Range: {
      SUBSIDY_TRY(lo, ev_wide(c, cell.a));
      SUBSIDY_TRY(hi, ev_wide(c, cell.b));
      return value((cell.lo_open ? v > lo.value : v >= lo.value) && (cell.hi_open ? v < hi.value : v <= hi.value));
    }
    case Cell::Kind::Set: {
      bool in = false;
      for (auto i : cell.items) {
        if (is_text) {
          in = text(c, input) == text(c, i);
        } else {
          SUBSIDY_TRY(x, ev_wide(c, i));
          in = v == x.value;
        }
        if (in) break;
      }
      return value(in != cell.negated);
    }
  }
  return value(0);
}

Val table(Ctx& c, std::uint32_t n, std::uint32_t ti) {
  const Table& t = c.rs.tables[ti];
  // Inputs are evaluated when a row first needs them; the first kCached are remembered for the
  // following rows, the others (tables that wide are rare) evaluated again — no allocation either way.
  constexpr std::size_t kCached = 16;
  Wide cache[kCached];
  std::uint32_t known = 0;
  auto input = [&](std::size_t i) -> WVal {
    if (i < kCached && (known >> i & 1U)) return {cache[i]};
    WVal v = t.input_types[i].kind == Kind::Text ? WVal{} : ev_wide(c, t.inputs[i]);
    if (v.ok() && i < kCached) {
      cache[i] = v.value;
      known |= 1U << i;
    }
    return v;
  };
  std::int64_t acc = 0;
  std::int32_t hit_row = -1;
  std::int64_t count = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const Row& row = t.rows[r];
    bool all = true;
    for (std::size_t i = 0; i < row.cells.size() && all; ++i) {
      const Cell& cell = row.cells[i];
      if (cell.kind == Cell::Kind::Any) continue;
      SUBSIDY_TRY(v, input(i));
      SUBSIDY_TRY(m, cell_matches(c, cell, t.inputs[i], t.input_types[i].kind == Kind::Text, v.value));
      all = m.value != 0;
    }
    if (!all) continue;
    SUBSIDY_TRY(o, ev(c, row.output));
    std::int64_t out = o.value;
    switch (t.hit) {
      case Hit::unique:
      case Hit::first:
        if (c.ex) c.ex->tables.push_back({ti, static_cast<std::int32_t>(r)});
        return value(out);
      case Hit::priority:
        if (hit_row < 0 || out > acc) {
          acc = out;
          hit_row = static_cast<std::int32_t>(r);
        }
        break;
      case Hit::collect_sum: {
        SUBSIDY_TRY(s, checked(model::add(acc, out), n));
        acc = s.value;
        hit_row = static_cast<std::int32_t>(r);
        break;
      }
      case Hit::collect_min: acc = count == 0 ? out : std::min(acc, out); hit_row = static_cast<std::int32_t>(r); break;
      case Hit::collect_max: acc = count == 0 ? out : std::max(acc, out); hit_row = static_cast<std::int32_t>(r); break;
      case Hit::collect_count: acc = count + 1; hit_row = static_cast<std::int32_t>(r); break;
    }
    ++count;
  }
  if (c.ex) c.ex->tables.push_back({ti, hit_row});
  if (hit_row < 0 && t.hit != Hit::collect_sum && t.hit != Hit::collect_count) return failure(EvalError::no_table_row, n);
  return value(acc);
}

// `v` (in units of 1/unit) rounded by `r`, times `scale`.
Val round_raw(std::uint32_t n, const WVal& v, std::int64_t unit, model::Rounding r, std::int64_t scale) {
  if (!v.ok()) return {0, v.error, v.error_node};
  auto q = model::round_div(v.value, unit, r);
  if (!q) return failure(EvalError::overflow, n);
  return checked(model::mul(*q, scale), n);
}

Val narrowed(const WVal& w, std::uint32_t n) {
  if (!w.ok()) return {0, w.error, w.error_node};
  return checked(model::narrow(w.value), n);
}

WVal widened(const Val& v) { return {v.value, v.error, v.error_node}; }

Val min_max(Ctx& c, const Node& nd) {
  ArgRange args = args_of(nd);
  SUBSIDY_TRY(first, ev(c, c.rs.args[args.first]));
  std::int64_t best = first.value;
  for (std::uint32_t i = 1; i < args.count; ++i) {
    SUBSIDY_TRY(v, ev(c, c.rs.args[args.first + i]));
    best = nd.op == Op::Min ? std::min(best, v.value) : std::max(best, v.value);
  }
  return value(best);
}

// Raw money (micro-分) in 128 bits; any other numeric node widened.
WVal ev_wide(Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  switch (nd.op) {
    case Op::MulMD: {  // 分 × 10^-6 = micro-分, exact: |a·b| < 2^126
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      return {static_cast<Wide>(a.value) * b.value};
    }
    case Op::MulRD: {
      SUBSIDY_TRY(a, ev_wide(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      SUBSIDY_TRY(p, checked_wide(model::mul_wide(a.value, b.value), n));
      return checked_wide(model::div_floor_wide(p.value, model::kDecimalScale), n);
    }
    case Op::DivMI:
    case Op::DivRI: {
      SUBSIDY_TRY(a, ev_wide(c, nd.a));
      SUBSIDY_TRY(d, ev(c, nd.b));
      if (d.value == 0) return {0, EvalError::division_by_zero, n};
      Wide num = a.value;
      if (nd.op == Op::DivMI) num *= model::kDecimalScale;  // |分 × 10^6| < 2^84
      return checked_wide(model::div_floor_wide(num, d.value), n);
    }
    case Op::MoneyToRaw: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      return {static_cast<Wide>(a.value) * model::kDecimalScale};
    }
    case Op::AddR:
    case Op::SubR: {
      SUBSIDY_TRY(a, ev_wide(c, nd.a));
      SUBSIDY_TRY(b, ev_wide(c, nd.b));
      return checked_wide(nd.op == Op::AddR ? model::add_wide(a.value, b.value) : model::sub_wide(a.value, b.value), n);
    }
    case Op::NegR: {
      SUBSIDY_TRY(a, ev_wide(c, nd.a));
      return checked_wide(model::sub_wide(0, a.value), n);
    }
    case Op::If: {
      SUBSIDY_TRY(cond, ev(c, nd.a));
      return ev_wide(c, cond.value ? nd.b : nd.c);
    }
    case Op::Min:
    case Op::Max: {
      ArgRange args = args_of(nd);
      SUBSIDY_TRY(first, ev_wide(c, c.rs.args[args.first]));
      Wide best = first.value;
      for (std::uint32_t i = 1; i < args.count; ++i) {
        SUBSIDY_TRY(v, ev_wide(c, c.rs.args[args.first + i]));
        best = nd.op == Op::Min ? std::min(best, v.value) : std::max(best, v.value);
      }
      return {best};
    }
    default: return widened(ev(c, n));
  }
}

Val ev(Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  switch (nd.op) {
    case Op::Const: return value(nd.imm);
    case Op::Fact: return value(c.facts.values[slot_of(nd)]);
    case Op::FactPresent: return value(c.facts.present[slot_of(nd)]);
    case Op::FactOr: {
      std::uint32_t s = slot_of(nd);
      return c.facts.present[s] ? value(c.facts.values[s]) : ev(c, default_of(nd));
    }
    case Op::Param: return param(c, n, param_of(nd));
    case Op::AsOf: return value(c.as_of);
    case Op::Amount: return value(c.amount);
    case Op::Table: return table(c, n, table_of(nd));
    case Op::NegI:
    case Op::NegM:
    case Op::NegD: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      return checked(model::sub(0, a.value), n);
    }
    case Op::Not: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      return value(!a.value);
    }
    case Op::AddI:
    case Op::AddM:
    case Op::AddD:
    case Op::SubI:
    case Op::SubM:
    case Op::SubD:
    case Op::MulI:
    case Op::MulMI: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      switch (nd.op) {
        case Op::AddI: case Op::AddM: case Op::AddD: return checked(model::add(a.value, b.value), n);
        case Op::SubI: case Op::SubM: case Op::SubD: return checked(model::sub(a.value, b.value), n);
        default: return checked(model::mul(a.value, b.value), n);
      }
    }
    case Op::MulD: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      return checked(model::mul_div_floor(a.value, b.value, model::kDecimalScale), n);
    }
    case Op::DivMM:
    case Op::DivD: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(d, ev(c, nd.b));
      if (d.value == 0) return failure(EvalError::division_by_zero, n);
      return checked(model::mul_div_floor(a.value, model::kDecimalScale, d.value), n);
    }
    // Raw money is computed in 128 bits; as a plain value it must fit.
    case Op::MulMD:
    case Op::MulRD:
    case Op::DivMI:
    case Op::DivRI:
    case Op::MoneyToRaw:
    case Op::AddR:
    case Op::SubR:
    case Op::NegR: return narrowed(ev_wide(c, n), n);
    case Op::IntToDec: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      return checked(model::mul(a.value, model::kDecimalScale), n);
    }
    case Op::SubDate: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      return value(a.value - b.value);
    }
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: {
      if (c.rs.nodes[nd.a].kind == Kind::RawMoney) {
        SUBSIDY_TRY(a, ev_wide(c, nd.a));
        SUBSIDY_TRY(b, ev_wide(c, nd.b));
        return value(compare(nd.op, a.value, b.value));
      }
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      return value(compare(nd.op, a.value, b.value));
    }
    case Op::EqFC: return value(c.facts.values[slot_of(nd)] == nd.imm);
    case Op::NeFC: return value(c.facts.values[slot_of(nd)] != nd.imm);
    case Op::LtFC: return value(c.facts.values[slot_of(nd)] < nd.imm);
    case Op::LeFC: return value(c.facts.values[slot_of(nd)] <= nd.imm);
    case Op::GtFC: return value(c.facts.values[slot_of(nd)] > nd.imm);
    case Op::GeFC: return value(c.facts.values[slot_of(nd)] >= nd.imm);
    case Op::InMaskF: {
      std::int64_t v = c.facts.values[slot_of(nd)];
      return value(v >= 0 && v < 64 && ((nd.imm >> v) & 1));
    }
    case Op::TableLookup: {
      std::uint32_t ti = table_of(nd);
      const Table& t = c.rs.tables[ti];
      auto v = static_cast<std::size_t>(c.facts.values[slot_of(nd)]);
      std::int32_t row = v < t.lookup_row.size() ? t.lookup_row[v] : -1;
      if (c.ex) c.ex->tables.push_back({ti, row});
      if (row < 0) return failure(EvalError::no_table_row, n);
      return value(t.lookup_value[v]);
    }
    case Op::EqText: return value(text(c, nd.a) == text(c, nd.b));
    case Op::NeText: return value(text(c, nd.a) != text(c, nd.b));
    case Op::And:
    case Op::Or: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      if ((a.value != 0) == (nd.op == Op::Or)) return value(a.value != 0);
      SUBSIDY_TRY(b, ev(c, nd.b));
      return value(b.value != 0);
    }
    case Op::If: {
      if (nd.kind == Kind::RawMoney) return narrowed(ev_wide(c, n), n);
      SUBSIDY_TRY(cond, ev(c, nd.a));
      return ev(c, cond.value ? nd.b : nd.c);
    }
    case Op::InEnumMask: {
      SUBSIDY_TRY(e, ev(c, element_of(nd)));
      std::int64_t v = e.value;
      return value(v >= 0 && v < 64 && ((nd.imm >> v) & 1));
    }
    case Op::EnumSetHas: {
      SUBSIDY_TRY(e, ev(c, element_of(nd)));
      std::int64_t v = e.value;
      return value(v >= 0 && v < 64 && ((c.facts.enum_sets[slot_of(nd)] >> v) & 1));
    }
    case Op::InTexts: {
      auto t = text(c, element_of(nd));
      for (const auto& s : c.rs.text_lists[static_cast<std::size_t>(nd.imm)])
        if (s == t) return value(1);
      return value(0);
    }
    case Op::TextSetHas: {
      auto t = text(c, element_of(nd));
      for (const auto& s : c.facts.sets[slot_of(nd)])
        if (s == t) return value(1);
      return value(0);
    }
    case Op::CountSet: {
      std::uint32_t s = slot_of(nd);
      return value(nd.imm ? __builtin_popcountll(c.facts.enum_sets[s]) : static_cast<std::int64_t>(c.facts.sets[s].size()));
    }
    case Op::Min:
    case Op::Max:
      if (nd.kind == Kind::RawMoney) return narrowed(ev_wide(c, n), n);
      return min_max(c, nd);
    case Op::FloorYuanR: return round_raw(n, ev_wide(c, nd.a), kMicroFenPerYuan, model::Rounding::floor, model::kFenPerYuan);
    case Op::RoundYuanR: return round_raw(n, ev_wide(c, nd.a), kMicroFenPerYuan, model::Rounding::half_up, model::kFenPerYuan);
    case Op::CeilYuanR: return round_raw(n, ev_wide(c, nd.a), kMicroFenPerYuan, model::Rounding::ceil, model::kFenPerYuan);
    case Op::FloorFenR: return round_raw(n, ev_wide(c, nd.a), model::kDecimalScale, model::Rounding::floor, 1);
    case Op::RoundFenR: return round_raw(n, ev_wide(c, nd.a), model::kDecimalScale, model::Rounding::half_up, 1);
    case Op::FloorYuanM: return round_raw(n, widened(ev(c, nd.a)), model::kFenPerYuan, model::Rounding::floor, model::kFenPerYuan);
    case Op::RoundYuanM: return round_raw(n, widened(ev(c, nd.a)), model::kFenPerYuan, model::Rounding::half_up, model::kFenPerYuan);
    case Op::CeilYuanM: return round_raw(n, widened(ev(c, nd.a)), model::kFenPerYuan, model::Rounding::ceil, model::kFenPerYuan);
    case Op::Year:
    case Op::Month: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      auto d = static_cast<Days>(a.value);
      return value(nd.op == Op::Year ? model::year_of(d) : model::month_of(d));
    }
    case Op::YearsBetween: {
      SUBSIDY_TRY(a, ev(c, nd.a));
      SUBSIDY_TRY(b, ev(c, nd.b));
      return value(model::whole_years_between(static_cast<Days>(a.value), static_cast<Days>(b.value)));
    }
    case Op::CaseAttr: return value(c.case_attrs ? c.case_attrs[nd.imm] : 0);
  }
  return failure(EvalError::overflow, n);
}

bool in_effect(Days from, Days to, Days d) { return from <= d && d <= to; }

// A fused fact test without branches on the test kind or its outcome (requirements repeat the same
// sequence of kinds for every applicant; their outcomes vary).
inline bool fast_test(std::uint8_t kind, std::int64_t x, std::int64_t imm) {
  unsigned eq = x == imm, lt = x < imm;
  unsigned in = static_cast<std::uint64_t>(x) < 64 ? static_cast<unsigned>((static_cast<std::uint64_t>(imm) >> (x & 63)) & 1) : 0u;
  unsigned bits = eq | (!eq << 1) | (lt << 2) | ((lt | eq) << 3) | (!(lt | eq) << 4) | (!lt << 5) | (in << 6);
  return (bits >> (kind - 1)) & 1;
}

// Requirements are mostly one fused comparison: those are decided here without the general
// dispatch of ev() (one predictable switch over a handful of shapes). Returns 0 or 1.
inline Val condition(Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  const std::int64_t* v = c.facts.values.data();
  switch (nd.op) {
    case Op::Fact: return value(v[slot_of(nd)] != 0);
    case Op::EqFC: return value(v[slot_of(nd)] == nd.imm);
    case Op::NeFC: return value(v[slot_of(nd)] != nd.imm);
    case Op::LtFC: return value(v[slot_of(nd)] < nd.imm);
    case Op::LeFC: return value(v[slot_of(nd)] <= nd.imm);
    case Op::GtFC: return value(v[slot_of(nd)] > nd.imm);
    case Op::GeFC: return value(v[slot_of(nd)] >= nd.imm);
    case Op::InMaskF: {
      std::int64_t x = v[slot_of(nd)];
      return value(x >= 0 && x < 64 && ((nd.imm >> x) & 1));
    }
    default: {
      SUBSIDY_TRY(r, ev(c, n));
      return value(r.value != 0);
    }
  }
}

// The compiled form's superinstructions: each computes what the plain interpreter computes for
// the nodes it stands for (eval/compiled.cpp says which), with the same error kind and node.
Val run_cond(Ctx& c, const CCond& k) {
  const std::int64_t* v = c.facts.values.data();
  switch (k.shape) {
    case CCond::Shape::fact_imm: return value(compare3(k.cmp, v[k.slot], k.imm));
    case CCond::Shape::fact_mask: return value(in_mask(v[k.slot], k.imm));
    case CCond::Shape::fact_fact: return value(compare3(k.cmp, v[k.slot], v[k.slot2]));
    case CCond::Shape::year_sub_fact: {
      SUBSIDY_TRY(d, checked(model::sub(c.year, v[k.slot]), k.sub));
      return value(compare3(k.cmp, d.value, k.imm));
    }
    case CCond::Shape::text_in: {
      const std::string& t = c.facts.texts[k.slot];
      for (const auto& s : c.rs.text_lists[static_cast<std::size_t>(k.imm)])
        if (s == t) return value(1);
      return value(0);
    }
    case CCond::Shape::general: break;
  }
  return condition(c, k.node);
}

Val run_amount(Ctx& c, const CAmount& k) {
  const std::int64_t* v = c.facts.values.data();
  switch (k.shape) {
    case CAmount::Shape::constant: return value(k.imm);
    case CAmount::Shape::lookup: {
      const Table& t = c.rs.tables[k.table];
      auto e = static_cast<std::size_t>(v[k.slot]);
      std::int32_t row = e < t.lookup_row.size() ? t.lookup_row[e] : -1;
      if (c.ex) c.ex->tables.push_back({k.table, row});
      if (row < 0) return failure(EvalError::no_table_row, k.node);
      return value(t.lookup_value[e]);
    }
    case CAmount::Shape::floor_yuan_mul: {
      std::int64_t x = c.amount;
      if (k.x == CAmount::X::fact) x = v[k.slot];
      if (k.x == CAmount::X::fact_minus_fact) {
        SUBSIDY_TRY(d, checked(model::sub(v[k.slot], v[k.slot2]), k.sub));
        x = d.value;
      }
      return round_raw(k.node, WVal{static_cast<Wide>(x) * k.imm}, kMicroFenPerYuan, model::Rounding::floor, model::kFenPerYuan);
    }
    case CAmount::Shape::general: break;
  }
  return ev(c, k.node);
}

// A requirement (plain), an exception's condition, an amount: compiled when the form is there.
Val requirement(Ctx& c, const Requirement& q) {
  if (q.fast) return value(fast_test(q.fast, c.facts.values[q.fast_slot], q.fast_imm));
  return condition(c, q.cond);
}
Val when(Ctx& c, std::uint32_t xi) {
  return c.compiled ? run_cond(c, c.compiled->when[xi]) : condition(c, c.rs.exceptions[xi].when);
}
Val amount_of(Ctx& c, std::uint32_t node, const CAmount CompiledProgram::*which, std::uint32_t pi) {
  return c.compiled ? run_amount(c, c.compiled->programs[pi].*which) : ev(c, node);
}

Val exception_applies(Ctx& c, std::uint32_t xi) {
  const Exception& x = c.rs.exceptions[xi];
  if (!in_effect(x.effective_from, x.effective_to, c.as_of)) return value(0);
  if (xi >= 64 || !c.cache_when) return when(c, xi);
  std::uint64_t bit = std::uint64_t{1} << xi;
  if (!(c.when_known & bit)) {
    bool before = c.illustrative;
    c.illustrative = false;
    Val w = when(c, xi);
    if (c.illustrative) c.when_illustrative |= bit;
    c.illustrative = c.illustrative || before;
    if (!w.ok()) return w;
    c.when_known |= bit;
    if (w.value) c.when_true |= bit;
  } else if (c.when_illustrative & bit) {
    c.illustrative = true;
  }
  return value((c.when_true & bit) != 0);
}

void step(ProgramExplanation* ex, AmountStep::Kind k, std::int64_t before, std::int64_t after, std::uint32_t ref = 0) {
  if (ex) ex->steps.push_back({k, before, after, ref});
}

template <class T>
void set_error(model::ProgramResult& r, const Result<T>& v, std::int32_t group = -1) {
  r.outcome = Outcome::error;
  r.amount = 0;
  r.error_kind = static_cast<std::uint8_t>(v.error);
  r.error_node = v.error_node == kNoNode ? -1 : static_cast<std::int32_t>(v.error_node);
  r.error_group = group;
}

// Every requirement of programme `pi` (all are evaluated: the decision lists each failed one) into
// r.failed; false after an error (r is then `error`).
bool requirements(Ctx& c, std::uint32_t pi, model::ProgramResult& r) {
  const Program& p = c.rs.programs[pi];
  if (c.compiled) {  // the compiled loop: fact tests decided inline, branch-free
    const CCond* k = c.compiled->programs[pi].requirements.data();
    const std::size_t n = c.compiled->programs[pi].requirements.size();
    const std::int64_t* v = c.facts.values.data();
    std::uint64_t failed = 0;
    for (std::size_t i = 0; i < n; ++i) {
      bool met;
      if (k[i].shape == CCond::Shape::fact_imm) {
        met = compare3(k[i].cmp, v[k[i].slot], k[i].imm);
      } else {
        Val x = run_cond(c, k[i]);
        if (!x.ok()) {
          r.failed = failed;
          set_error(r, x);
          return false;
        }
        met = x.value != 0;
      }
      failed |= static_cast<std::uint64_t>(!met) << i;
      if (c.ex) c.ex->requirement_met.push_back(met ? 1 : 0);
    }
    r.failed = failed;
    return true;
  }
  for (std::size_t i = 0; i < p.requirements.size(); ++i) {
    Val v = requirement(c, p.requirements[i]);
    if (!v.ok()) {
      set_error(r, v);
      return false;
    }
    bool met = v.value != 0;
    r.failed |= static_cast<std::uint64_t>(!met) << i;
    if (c.ex) c.ex->requirement_met.push_back(met ? 1 : 0);
  }
  return true;
}

void evaluate_program(const Ruleset& rs, std::uint32_t pi, Ctx& c, model::ProgramResult& r) {
  const Program& p = rs.programs[pi];
  c.illustrative = p.status == Status::illustrative;
  if (!requirements(c, pi, r)) return;
  for (auto xi : p.refusals) {
    Val applies = exception_applies(c, xi);
    if (!applies.ok()) return set_error(r, applies);
    if (applies.value) {
      r.refused_by = static_cast<std::int32_t>(xi);
      if (xi < 64) r.exceptions |= std::uint64_t{1} << xi;
      break;
    }
  }
  if (r.failed || r.refused_by >= 0) {
    r.outcome = Outcome::refused;
    return;
  }
  Val formula = amount_of(c, p.amount, &CompiledProgram::amount, pi);
  if (!formula.ok()) return set_error(r, formula);
  std::int64_t amount = formula.value;
  step(c.ex, AmountStep::Kind::Formula, 0, amount);
  for (auto xi : p.modifiers) {
    const Exception& x = rs.exceptions[xi];
    Val applies = exception_applies(c, xi);
    if (!applies.ok()) return set_error(r, applies);
    if (!applies.value) continue;
    c.amount = amount;
    Val next = c.compiled ? run_amount(c, c.compiled->exception_amount[xi]) : ev(c, x.amount);
    if (!next.ok()) return set_error(r, next);
    step(c.ex, AmountStep::Kind::Exception, amount, next.value, xi);
    amount = next.value;
    if (xi < 64) r.exceptions |= std::uint64_t{1} << xi;
  }
  if (p.minimum != kNoNode) {
    Val m = amount_of(c, p.minimum, &CompiledProgram::minimum, pi);
    if (!m.ok()) return set_error(r, m);
    if (amount < m.value) {
      step(c.ex, AmountStep::Kind::Minimum, amount, m.value);
      amount = m.value;
    }
  }
  if (p.cap != kNoNode) {
    Val m = amount_of(c, p.cap, &CompiledProgram::cap, pi);
    if (!m.ok()) return set_error(r, m);
    if (amount > m.value) {
      step(c.ex, AmountStep::Kind::Cap, amount, m.value);
      amount = m.value;
    }
  }
  r.outcome = Outcome::eligible;
  r.amount = amount;
  r.illustrative = c.illustrative;
}

// The limit of group `g`: its cap less what was already paid, never below 0.
Val group_limit(Ctx& c, const Group& g) {
  SUBSIDY_TRY(cap, ev(c, g.cap));
  std::int64_t left = cap.value;
  if (g.already != kNoNode) {
    SUBSIDY_TRY(already, ev(c, g.already));
    SUBSIDY_TRY(rest, checked(model::sub(cap.value, already.value), g.cap));
    left = rest.value;
  }
  return value(std::max<std::int64_t>(0, left));
}

Wide eligible_sum(const Group& g, const model::Decision& out) {
  Wide sum = 0;
  for (auto p : g.programs)
    if (out.programs[p].outcome == Outcome::eligible) sum += out.programs[p].amount;
  return sum;
}

// Every still-eligible programme of group `gi` becomes `error`: the group's cap cannot be evaluated.
void fail_group(const Ruleset& rs, std::uint32_t gi, const Val& v, model::Decision& out, Explanation* explain) {
  for (auto p : rs.groups[gi].programs) {
    auto& r = out.programs[p];
    if (r.outcome != Outcome::eligible) continue;
    set_error(r, v, static_cast<std::int32_t>(gi));
    if (explain) explain->programs[p].error = error_message(rs, r, explain->english);
  }
}

void note_cap(model::Decision& out, std::uint32_t gi) {
  if (std::find(out.caps.begin(), out.caps.end(), gi) == out.caps.end()) out.caps.push_back(gi);
}

// Pay-highest and per-programme group caps. Returns the amount the caps cut (Σ ≤ the total before).
std::int64_t apply_groups(const Ruleset& rs, Ctx& c, model::Decision& out, Explanation* explain) {
  auto ex_of = [&](std::uint32_t p) { return explain ? &explain->programs[p] : nullptr; };
  std::int64_t cut_total = 0;
  for (std::uint32_t gi = 0; gi < rs.groups.size(); ++gi) {
    const Group& g = rs.groups[gi];
    if (g.pay_highest) {
      std::int32_t best = -1;
      for (auto p : g.programs)
        if (out.programs[p].outcome == Outcome::eligible && (best < 0 || out.programs[p].amount > out.programs[best].amount))
          best = static_cast<std::int32_t>(p);
      for (auto p : g.programs) {
        auto& r = out.programs[p];
        if (r.outcome != Outcome::eligible || static_cast<std::int32_t>(p) == best) continue;
        step(ex_of(p), AmountStep::Kind::PayHighest, r.amount, 0, gi);
        r.outcome = Outcome::refused;
        r.amount = 0;
        r.limited_by = static_cast<std::int32_t>(gi);
      }
    }
    if (g.cap == kNoNode || g.total_only) continue;
    Val limit = group_limit(c, g);
    if (!limit.ok()) {
      fail_group(rs, gi, limit, out, explain);
      continue;
    }
    Wide sum = eligible_sum(g, out);
    if (sum <= limit.value) continue;
    auto excess = static_cast<std::int64_t>(sum - limit.value);  // 0 ≤ limit < sum ≤ the total before, which fits
    note_cap(out, gi);
    cut_total += excess;
    for (std::size_t k = g.programs.size(); k-- > 0 && excess > 0;) {
      auto p = g.programs[k];
      auto& r = out.programs[p];
      if (r.outcome != Outcome::eligible || r.amount <= 0) continue;
      std::int64_t cut = std::min(r.amount, excess);
      step(ex_of(p), AmountStep::Kind::GroupCap, r.amount, r.amount - cut, gi);
      r.amount -= cut;
      excess -= cut;
      r.limited_by = static_cast<std::int32_t>(gi);
      if (r.amount == 0) r.outcome = Outcome::capped;
    }
    cut_total -= excess;  // what could not be cut (negative amounts) was not cut
  }
  return cut_total;
}

}  // namespace

namespace {

void evaluate_with(const Ruleset& rs, const model::Facts& facts, Days as_of, model::Decision& out, const Selection* selection,
                   Explanation* explain, bool compiled) {
  const std::size_t n = rs.programs.size();
  out.programs.assign(n, model::ProgramResult{});
  out.total = 0;
  out.total_before_caps = 0;
  out.caps.clear();
  out.caps.reserve(rs.groups.size());  // allocates on a Decision's first use only
  out.capped = false;
  if (explain) {
    explain->as_of = as_of;
    explain->programs.assign(n, ProgramExplanation{});
  }
  Ctx c{rs, facts, as_of};
  c.cache_when = rs.fused && explain == nullptr;
  if (compiled && rs.compiled.programs.size() == n && rs.compiled.when.size() == rs.exceptions.size()) {
    c.compiled = &rs.compiled;
    c.year = model::year_of(as_of);
  }
  // The amounts must add up: a programme whose amount would take the sum of magnitudes beyond an
  // int64 is an error. Every later sum (groups, totals, before and after caps) is then in range.
  Wide magnitude = 0;
  for (std::uint32_t p = 0; p < n; ++p) {
    auto& r = out.programs[p];
    const Program& prog = rs.programs[p];
    if ((selection && !selection->empty() && !(*selection)[p]) || !in_effect(prog.effective_from, prog.effective_to, as_of)) {
      r.outcome = Outcome::not_in_effect;
      continue;
    }
    c.ex = explain ? &explain->programs[p] : nullptr;
    evaluate_program(rs, p, c, r);
    if (r.outcome == Outcome::eligible) {
      Wide m = r.amount < 0 ? -static_cast<Wide>(r.amount) : static_cast<Wide>(r.amount);
      if (magnitude + m > INT64_MAX)
        set_error(r, Val{0, EvalError::overflow, kNoNode});
      else
        magnitude += m;
    }
    if (c.ex && r.outcome == Outcome::error) c.ex->error = error_message(rs, r, explain->english);
  }
  c.ex = nullptr;
  // `cap total` limits that cannot be evaluated make their programmes errors before anything is
  // summed. The first kKept limits are kept for the total below (the others are evaluated again).
  constexpr std::uint32_t kKept = 4;
  Val kept[kKept];
  for (std::uint32_t gi = 0; gi < rs.groups.size(); ++gi) {
    const Group& g = rs.groups[gi];
    if (!g.total_only || g.cap == kNoNode) continue;
    Val limit = group_limit(c, g);
    if (gi < kKept) kept[gi] = limit;
    if (!limit.ok()) fail_group(rs, gi, limit, out, explain);
  }
  std::int64_t cut = apply_groups(rs, c, out, explain);
  std::int64_t total = 0;
  bool errors = false, illustrative = false;
  for (const auto& r : out.programs) {
    errors |= r.outcome == Outcome::error;
    if (r.outcome != Outcome::eligible) continue;
    total += r.amount;
    illustrative |= r.illustrative;
  }
  out.errors = errors;
  out.illustrative = illustrative;
  out.total_before_caps = total + cut;
  for (std::uint32_t gi = 0; gi < rs.groups.size(); ++gi) {
    const Group& g = rs.groups[gi];
    if (!g.total_only || g.cap == kNoNode) continue;
    Val limit = gi < kKept ? kept[gi] : group_limit(c, g);
    if (!limit.ok()) continue;  // its programmes are errors (above)
    Wide sum = eligible_sum(g, out);
    if (sum > limit.value) {
      total -= static_cast<std::int64_t>(sum - limit.value);
      out.capped = true;
      note_cap(out, gi);
    }
  }
  out.total = total;
}

}  // namespace

void evaluate(const Ruleset& rs, const model::Facts& facts, Days as_of, model::Decision& out, const Selection* selection,
              Explanation* explain) {
  evaluate_with(rs, facts, as_of, out, selection, explain, true);
}

void evaluate_plain(const Ruleset& rs, const model::Facts& facts, Days as_of, model::Decision& out,
                    const Selection* selection, Explanation* explain) {
  evaluate_with(rs, facts, as_of, out, selection, explain, false);
}

const char* error_kind_name(EvalError e) {
  switch (e) {
    case EvalError::none: return "none";
    case EvalError::overflow: return "overflow";
    case EvalError::no_table_row: return "no_table_row";
    case EvalError::param_not_in_force: return "param_not_in_force";
    case EvalError::division_by_zero: return "division_by_zero";
  }
  return "error";
}

std::string source_text(const Ruleset& rs, const diag::Span& sp) {
  if (sp.file >= rs.sources.size()) return {};
  const auto& t = rs.sources[sp.file].text();
  std::string out;
  bool space = false;
  for (std::uint32_t i = sp.begin; i < sp.end && i < t.size(); ++i) {
    char ch = t[i];
    if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

std::string source_location(const Ruleset& rs, const diag::Span& sp) {
  if (sp.file >= rs.sources.size()) return {};
  const auto& f = rs.sources[sp.file];
  auto lc = f.line_col(sp.begin);
  return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

std::string error_message(const Ruleset& rs, EvalError kind, std::uint32_t node, bool en) {
  const Node* n = node < rs.nodes.size() ? &rs.nodes[node] : nullptr;
  std::string text = n ? source_text(rs, n->span) : std::string(), loc = n ? source_location(rs, n->span) : std::string();
  // Where it happened: " in `expr` (file:line:col)" / "`expr`（file:line:col）". `named` is the
  // table or parameter the message already names: an expression that is just that name is not repeated.
  auto where = [&](const std::string& named = {}) {
    std::string w;
    bool show_text = !text.empty() && text != named;
    if (en) {
      if (show_text) w += " in `" + text + "`";
      if (!loc.empty()) w += " (" + loc + ")";
    } else if (named.empty()) {
      if (show_text) w += "`" + text + "`";
      if (!loc.empty()) w += "（" + loc + "）";
    } else if (show_text || !loc.empty()) {
      w += "（";
      if (show_text) w += "`" + text + "`" + (loc.empty() ? "" : "，");
      w += loc + "）";
    }
    return w;
  };
  switch (kind) {
    case EvalError::overflow:
      if (!n) return en ? "amount overflow: the total exceeds the range of exact money" : "金额溢出：合计超出精确金额的范围";
      if (!model::Type::of(n->kind).is_moneyish())  // an int, decimal or date computation
        return en ? "overflow" + where() + ": the result exceeds the range of exact 64-bit numbers"
                  : "数值溢出：" + where() + "的结果超出 64 位精确数值的范围";
      return en ? "amount overflow" + where() + ": the result exceeds the range of exact money"
                : "金额溢出：" + where() + "的结果超出精确金额的范围";
    case EvalError::division_by_zero: return en ? "division by zero" + where() : "除数为零：" + where();
    case EvalError::no_table_row: {
      std::uint32_t t = n ? table_of(*n) : kNoNode;
      std::string name = t < rs.tables.size() ? rs.tables[t].name : "?";
      return en ? "no row of table `" + name + "` matches this applicant" + where(name)
                : "决策表 `" + name + "` 没有与该申请人匹配的行" + where(name);
    }
    case EvalError::param_not_in_force: {
      std::uint32_t p = n ? param_of(*n) : kNoNode;
      std::string name = p < rs.params.size() ? rs.params[p].name : "?";
      return en ? "parameter `" + name + "` has no value in force on the evaluation date" + where(name)
                : "参数 `" + name + "` 在评估日期没有生效的值" + where(name);
    }
    case EvalError::none: break;
  }
  return en ? "evaluation error" : "计算出错";
}

std::string error_message(const Ruleset& rs, const model::ProgramResult& r, bool en) {
  auto node = r.error_node >= 0 ? static_cast<std::uint32_t>(r.error_node) : kNoNode;
  std::string what = error_message(rs, static_cast<EvalError>(r.error_kind), node, en);
  if (r.error_group < 0 || static_cast<std::size_t>(r.error_group) >= rs.groups.size()) return what;
  const std::string& g = rs.groups[static_cast<std::size_t>(r.error_group)].name;
  return en ? "the cap of group `" + g + "` cannot be evaluated: " + what : "组合限额 `" + g + "` 无法计算：" + what;
}

#undef SUBSIDY_TRY

NodeValue evaluate_node(const Ruleset& rs, std::uint32_t node, const model::Facts& facts, Days as_of,
                        const std::int64_t* case_attrs) {
  Ctx c{rs, facts, as_of};
  c.case_attrs = case_attrs;
  return ev(c, node);
}

}  // namespace subsidy::eval
