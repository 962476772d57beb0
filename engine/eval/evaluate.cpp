// The pure evaluator over the lowered node array. No I/O, no logging, no allocation on the
// path without an Explanation (Decision vectors are reused by the caller).
#include "eval/evaluate.hpp"

#include <algorithm>

#include "model/money.hpp"

namespace subsidy::eval {

using model::Kind;
using model::Outcome;

namespace {

constexpr std::int64_t kMicroFenPerYuan = model::kDecimalScale * model::kFenPerYuan;

struct Ctx {
  const Ruleset& rs;
  const model::Facts& facts;
  Days as_of;
  std::int64_t amount = 0;
  EvalError err = EvalError::none;
  std::uint32_t err_node = kNoNode;
  bool illustrative = false;
  ProgramExplanation* ex = nullptr;
  // An exception's `when` depends only on the applicant and the date: evaluated once per call.
  std::uint64_t when_known = 0, when_true = 0;
  const std::int64_t* case_attrs = nullptr;  // workflow guards: values by model::CaseAttr

  std::int64_t fail(EvalError e, std::uint32_t node) {
    if (err == EvalError::none) {
      err = e;
      err_node = node;
    }
    return 0;
  }
};

std::int64_t ev(Ctx& c, std::uint32_t n);

std::string_view text(const Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  if (nd.op == Op::Fact) return c.facts.texts[nd.a];
  return c.rs.text_lists[static_cast<std::size_t>(nd.imm)][0];
}

inline std::int64_t checked(Ctx& c, std::optional<std::int64_t> v, std::uint32_t n) {
  return v ? *v : c.fail(EvalError::overflow, n);
}

std::int64_t param(Ctx& c, std::uint32_t n, std::uint32_t p) {
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
      return vs[i].value;
    }
  }
  return c.fail(EvalError::param_not_in_force, n);
}

bool compare(Op op, std::int64_t a, std::int64_t b) {
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

bool cell_matches(Ctx& c, const Cell& cell, std::uint32_t input, const model::Type& type, std::int64_t v) {
  bool is_text = type.kind == Kind::Text;
  switch (cell.kind) {
    case Cell::Kind::Any: return true;
    case Cell::Kind::Cmp:
      if (is_text) return (text(c, input) == text(c, cell.a)) == (cell.cmp == Op::EqText);
      return compare(cell.cmp, v, ev(c, cell.a));
    case Cell::Kind::Range: {
      std::int64_t lo = ev(c, cell.a), hi = ev(c, cell.b);
      return (cell.lo_open ? v > lo : v >= lo) && (cell.hi_open ? v < hi : v <= hi);
    }
    case Cell::Kind::Set: {
      bool in = false;
      for (auto i : cell.items) {
        in = is_text ? text(c, input) == text(c, i) : v == ev(c, i);
        if (in) break;
      }
      return in != cell.negated;
    }
  }
  return false;
}

std::int64_t table(Ctx& c, std::uint32_t n, std::uint32_t ti) {
  const Table& t = c.rs.tables[ti];
  std::int64_t in[8];
  std::size_t k = std::min<std::size_t>(t.inputs.size(), 8);
  for (std::size_t i = 0; i < k; ++i) in[i] = t.input_types[i].kind == Kind::Text ? 0 : ev(c, t.inputs[i]);
  std::int64_t acc = 0;
  std::int32_t hit_row = -1;
  std::int64_t count = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const Row& row = t.rows[r];
    bool all = true;
    for (std::size_t i = 0; i < k && all; ++i) all = cell_matches(c, row.cells[i], t.inputs[i], t.input_types[i], in[i]);
    if (!all) continue;
    std::int64_t out = ev(c, row.output);
    switch (t.hit) {
      case Hit::unique:
      case Hit::first:
        if (c.ex) c.ex->tables.push_back({ti, static_cast<std::int32_t>(r)});
        return out;
      case Hit::priority:
        if (hit_row < 0 || out > acc) {
          acc = out;
          hit_row = static_cast<std::int32_t>(r);
        }
        break;
      case Hit::collect_sum: acc = checked(c, model::add(acc, out), n); hit_row = static_cast<std::int32_t>(r); break;
      case Hit::collect_min: acc = count == 0 ? out : std::min(acc, out); hit_row = static_cast<std::int32_t>(r); break;
      case Hit::collect_max: acc = count == 0 ? out : std::max(acc, out); hit_row = static_cast<std::int32_t>(r); break;
      case Hit::collect_count: acc = count + 1; hit_row = static_cast<std::int32_t>(r); break;
    }
    ++count;
  }
  if (c.ex) c.ex->tables.push_back({ti, hit_row});
  if (hit_row < 0 && t.hit != Hit::collect_sum && t.hit != Hit::collect_count) return c.fail(EvalError::no_table_row, n);
  return acc;
}

std::int64_t round_raw(Ctx& c, std::uint32_t n, std::int64_t raw, std::int64_t unit, model::Rounding r, std::int64_t scale) {
  auto q = model::round_div(raw, unit, r);
  if (!q) return c.fail(EvalError::overflow, n);
  return checked(c, model::mul(*q, scale), n);
}

std::int64_t ev(Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  switch (nd.op) {
    case Op::Const: return nd.imm;
    case Op::Fact: return c.facts.values[nd.a];
    case Op::FactPresent: return c.facts.present[nd.a];
    case Op::FactOr: return c.facts.present[nd.a] ? c.facts.values[nd.a] : ev(c, nd.b);
    case Op::Param: return param(c, n, nd.a);
    case Op::AsOf: return c.as_of;
    case Op::Amount: return c.amount;
    case Op::Table: return table(c, n, nd.a);
    case Op::NegI:
    case Op::NegM:
    case Op::NegD: return checked(c, model::sub(0, ev(c, nd.a)), n);
    case Op::Not: return !ev(c, nd.a);
    case Op::AddI:
    case Op::AddM:
    case Op::AddD: return checked(c, model::add(ev(c, nd.a), ev(c, nd.b)), n);
    case Op::SubI:
    case Op::SubM:
    case Op::SubD: return checked(c, model::sub(ev(c, nd.a), ev(c, nd.b)), n);
    case Op::MulI:
    case Op::MulMI: return checked(c, model::mul(ev(c, nd.a), ev(c, nd.b)), n);
    case Op::MulMD: return checked(c, model::mul(ev(c, nd.a), ev(c, nd.b)), n);  // 分 × 10^-6 = micro-分
    case Op::MulRD:
    case Op::MulD: return checked(c, model::mul_div_floor(ev(c, nd.a), ev(c, nd.b), model::kDecimalScale), n);
    case Op::DivMI: {
      std::int64_t d = ev(c, nd.b);
      if (d == 0) return c.fail(EvalError::division_by_zero, n);
      return checked(c, model::mul_div_floor(ev(c, nd.a), model::kDecimalScale, d), n);
    }
    case Op::DivRI: {
      std::int64_t d = ev(c, nd.b);
      if (d == 0) return c.fail(EvalError::division_by_zero, n);
      return checked(c, model::mul_div_floor(ev(c, nd.a), 1, d), n);
    }
    case Op::DivMM:
    case Op::DivD: {
      std::int64_t d = ev(c, nd.b);
      if (d == 0) return c.fail(EvalError::division_by_zero, n);
      return checked(c, model::mul_div_floor(ev(c, nd.a), model::kDecimalScale, d), n);
    }
    case Op::IntToDec: return checked(c, model::mul(ev(c, nd.a), model::kDecimalScale), n);
    case Op::MoneyToRaw: return checked(c, model::mul(ev(c, nd.a), model::kDecimalScale), n);
    case Op::SubDate: return ev(c, nd.a) - ev(c, nd.b);
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge: return compare(nd.op, ev(c, nd.a), ev(c, nd.b));
    case Op::EqFC: return c.facts.values[nd.a] == nd.imm;
    case Op::NeFC: return c.facts.values[nd.a] != nd.imm;
    case Op::LtFC: return c.facts.values[nd.a] < nd.imm;
    case Op::LeFC: return c.facts.values[nd.a] <= nd.imm;
    case Op::GtFC: return c.facts.values[nd.a] > nd.imm;
    case Op::GeFC: return c.facts.values[nd.a] >= nd.imm;
    case Op::InMaskF: {
      std::int64_t v = c.facts.values[nd.a];
      return v >= 0 && v < 64 && ((nd.imm >> v) & 1);
    }
    case Op::TableLookup: {
      const Table& t = c.rs.tables[nd.b];
      auto v = static_cast<std::size_t>(c.facts.values[nd.a]);
      std::int32_t row = v < t.lookup_row.size() ? t.lookup_row[v] : -1;
      if (c.ex) c.ex->tables.push_back({nd.b, row});
      if (row < 0) return c.fail(EvalError::no_table_row, n);
      return t.lookup_value[v];
    }
    case Op::EqText: return text(c, nd.a) == text(c, nd.b);
    case Op::NeText: return text(c, nd.a) != text(c, nd.b);
    case Op::And: return ev(c, nd.a) && ev(c, nd.b);
    case Op::Or: return ev(c, nd.a) || ev(c, nd.b);
    case Op::If: return ev(c, nd.a) ? ev(c, nd.b) : ev(c, nd.c);
    case Op::InEnumMask: {
      std::int64_t v = ev(c, nd.a);
      return v >= 0 && v < 64 && ((nd.imm >> v) & 1);
    }
    case Op::EnumSetHas: {
      std::int64_t v = ev(c, nd.a);
      return v >= 0 && v < 64 && ((c.facts.enum_sets[nd.b] >> v) & 1);
    }
    case Op::InTexts: {
      auto t = text(c, nd.a);
      for (const auto& s : c.rs.text_lists[static_cast<std::size_t>(nd.imm)])
        if (s == t) return 1;
      return 0;
    }
    case Op::TextSetHas: {
      auto t = text(c, nd.a);
      for (const auto& s : c.facts.sets[nd.b])
        if (s == t) return 1;
      return 0;
    }
    case Op::CountSet:
      return nd.imm ? __builtin_popcountll(c.facts.enum_sets[nd.a]) : static_cast<std::int64_t>(c.facts.sets[nd.a].size());
    case Op::Min:
    case Op::Max: {
      std::int64_t best = ev(c, c.rs.args[nd.a]);
      for (std::uint32_t i = 1; i < nd.b; ++i) {
        std::int64_t v = ev(c, c.rs.args[nd.a + i]);
        best = nd.op == Op::Min ? std::min(best, v) : std::max(best, v);
      }
      return best;
    }
    case Op::FloorYuanR: return round_raw(c, n, ev(c, nd.a), kMicroFenPerYuan, model::Rounding::floor, model::kFenPerYuan);
    case Op::RoundYuanR: return round_raw(c, n, ev(c, nd.a), kMicroFenPerYuan, model::Rounding::half_up, model::kFenPerYuan);
    case Op::CeilYuanR: return round_raw(c, n, ev(c, nd.a), kMicroFenPerYuan, model::Rounding::ceil, model::kFenPerYuan);
    case Op::FloorFenR: return round_raw(c, n, ev(c, nd.a), model::kDecimalScale, model::Rounding::floor, 1);
    case Op::RoundFenR: return round_raw(c, n, ev(c, nd.a), model::kDecimalScale, model::Rounding::half_up, 1);
    case Op::FloorYuanM: return round_raw(c, n, ev(c, nd.a), model::kFenPerYuan, model::Rounding::floor, model::kFenPerYuan);
    case Op::RoundYuanM: return round_raw(c, n, ev(c, nd.a), model::kFenPerYuan, model::Rounding::half_up, model::kFenPerYuan);
    case Op::CeilYuanM: return round_raw(c, n, ev(c, nd.a), model::kFenPerYuan, model::Rounding::ceil, model::kFenPerYuan);
    case Op::Year: return model::year_of(static_cast<Days>(ev(c, nd.a)));
    case Op::Month: return model::month_of(static_cast<Days>(ev(c, nd.a)));
    case Op::YearsBetween:
      return model::whole_years_between(static_cast<Days>(ev(c, nd.a)), static_cast<Days>(ev(c, nd.b)));
    case Op::CaseAttr: return c.case_attrs ? c.case_attrs[nd.imm] : 0;
  }
  return c.fail(EvalError::overflow, n);
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
// dispatch of ev() (one predictable switch over a handful of shapes).
inline bool condition(Ctx& c, std::uint32_t n) {
  const Node& nd = c.rs.nodes[n];
  const std::int64_t* v = c.facts.values.data();
  switch (nd.op) {
    case Op::Fact: return v[nd.a] != 0;
    case Op::EqFC: return v[nd.a] == nd.imm;
    case Op::NeFC: return v[nd.a] != nd.imm;
    case Op::LtFC: return v[nd.a] < nd.imm;
    case Op::LeFC: return v[nd.a] <= nd.imm;
    case Op::GtFC: return v[nd.a] > nd.imm;
    case Op::GeFC: return v[nd.a] >= nd.imm;
    case Op::InMaskF: return v[nd.a] >= 0 && v[nd.a] < 64 && ((nd.imm >> v[nd.a]) & 1);
    default: return ev(c, n) != 0;
  }
}

bool exception_applies(Ctx& c, std::uint32_t xi) {
  const Exception& x = c.rs.exceptions[xi];
  if (!in_effect(x.effective_from, x.effective_to, c.as_of)) return false;
  if (xi >= 64 || !c.rs.fused) return condition(c, x.when);
  std::uint64_t bit = std::uint64_t{1} << xi;
  if (!(c.when_known & bit)) {
    c.when_known |= bit;
    if (condition(c, x.when)) c.when_true |= bit;
  }
  return (c.when_true & bit) != 0;
}

void step(ProgramExplanation* ex, AmountStep::Kind k, std::int64_t before, std::int64_t after, std::uint32_t ref = 0) {
  if (ex) ex->steps.push_back({k, before, after, ref});
}

void evaluate_program(const Ruleset& rs, std::uint32_t pi, Ctx& c, model::ProgramResult& r) {
  const Program& p = rs.programs[pi];
  c.err = EvalError::none;
  c.err_node = kNoNode;
  c.illustrative = p.status == Status::illustrative;
  for (std::size_t i = 0; i < p.requirements.size(); ++i) {
    const Requirement& q = p.requirements[i];
    bool met = q.fast ? fast_test(q.fast, c.facts.values[q.fast_slot], q.fast_imm) : condition(c, q.cond);
    r.failed |= static_cast<std::uint64_t>(!met) << i;
    if (c.ex) c.ex->requirement_met.push_back(met ? 1 : 0);
  }
  for (auto xi : p.refusals) {
    if (exception_applies(c, xi)) {
      r.refused_by = static_cast<std::int32_t>(xi);
      if (xi < 64) r.exceptions |= std::uint64_t{1} << xi;
      break;
    }
  }
  if (c.err == EvalError::none && (r.failed || r.refused_by >= 0)) {
    r.outcome = Outcome::refused;
    return;
  }
  std::int64_t amount = ev(c, p.amount);
  step(c.ex, AmountStep::Kind::Formula, 0, amount);
  for (auto xi : p.modifiers) {
    const Exception& x = rs.exceptions[xi];
    if (!exception_applies(c, xi)) continue;
    c.amount = amount;
    std::int64_t next = ev(c, x.amount);
    step(c.ex, AmountStep::Kind::Exception, amount, next, xi);
    amount = next;
    if (xi < 64) r.exceptions |= std::uint64_t{1} << xi;
  }
  if (p.minimum != kNoNode) {
    std::int64_t m = ev(c, p.minimum);
    if (amount < m) {
      step(c.ex, AmountStep::Kind::Minimum, amount, m);
      amount = m;
    }
  }
  if (p.cap != kNoNode) {
    std::int64_t m = ev(c, p.cap);
    if (amount > m) {
      step(c.ex, AmountStep::Kind::Cap, amount, m);
      amount = m;
    }
  }
  if (c.err != EvalError::none) {
    r.outcome = Outcome::error;
    r.error_kind = static_cast<std::uint8_t>(c.err);
    r.error_node = static_cast<std::int32_t>(c.err_node);
    return;
  }
  r.outcome = Outcome::eligible;
  r.amount = amount;
  r.illustrative = c.illustrative;
}

void apply_groups(const Ruleset& rs, Ctx& c, model::Decision& out, Explanation* explain) {
  auto ex_of = [&](std::uint32_t p) { return explain ? &explain->programs[p] : nullptr; };
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
    c.err = EvalError::none;
    c.ex = nullptr;
    std::int64_t cap = ev(c, g.cap);
    if (g.already != kNoNode) cap = std::max<std::int64_t>(0, cap - ev(c, g.already));
    std::int64_t sum = 0;
    for (auto p : g.programs)
      if (out.programs[p].outcome == Outcome::eligible) sum += out.programs[p].amount;
    if (c.err != EvalError::none || sum <= cap) continue;
    std::int64_t excess = sum - cap;
    for (std::size_t k = g.programs.size(); k-- > 0 && excess > 0;) {
      auto p = g.programs[k];
      auto& r = out.programs[p];
      if (r.outcome != Outcome::eligible || r.amount == 0) continue;
      std::int64_t cut = std::min(r.amount, excess);
      step(ex_of(p), AmountStep::Kind::GroupCap, r.amount, r.amount - cut, gi);
      r.amount -= cut;
      excess -= cut;
      r.limited_by = static_cast<std::int32_t>(gi);
      if (r.amount == 0) r.outcome = Outcome::refused;
    }
  }
}

}  // namespace

void evaluate(const Ruleset& rs, const model::Facts& facts, Days as_of, model::Decision& out, const Selection* selection,
              Explanation* explain) {
  const std::size_t n = rs.programs.size();
  out.programs.assign(n, model::ProgramResult{});
  out.total = 0;
  out.capped = false;
  out.illustrative = false;
  if (explain) {
    explain->as_of = as_of;
    explain->programs.assign(n, ProgramExplanation{});
    explain->total_cap_group = -1;
  }
  Ctx c{rs, facts, as_of};
  for (std::uint32_t p = 0; p < n; ++p) {
    auto& r = out.programs[p];
    const Program& prog = rs.programs[p];
    if ((selection && !selection->empty() && !(*selection)[p]) || !in_effect(prog.effective_from, prog.effective_to, as_of)) {
      r.outcome = Outcome::not_in_effect;
      continue;
    }
    c.ex = explain ? &explain->programs[p] : nullptr;
    evaluate_program(rs, p, c, r);
    if (c.ex && r.outcome == Outcome::error) c.ex->error = error_message(rs, r);
  }
  apply_groups(rs, c, out, explain);
  std::int64_t total = 0;
  for (auto& r : out.programs) {
    if (r.outcome != Outcome::eligible) continue;
    auto t = model::add(total, r.amount);
    if (!t) {
      r.outcome = Outcome::error;
      r.error_kind = static_cast<std::uint8_t>(EvalError::overflow);
      continue;
    }
    total = *t;
    out.illustrative = out.illustrative || r.illustrative;
  }
  if (explain) explain->uncapped_total = total;
  c.err = EvalError::none;
  c.ex = nullptr;
  for (std::uint32_t gi = 0; gi < rs.groups.size(); ++gi) {
    const Group& g = rs.groups[gi];
    if (!g.total_only || g.cap == kNoNode) continue;
    std::int64_t cap = ev(c, g.cap);
    std::int64_t sum = 0;
    for (auto p : g.programs)
      if (out.programs[p].outcome == Outcome::eligible) sum += out.programs[p].amount;
    if (sum > cap) {
      total -= sum - cap;
      out.capped = true;
      if (explain) explain->total_cap_group = static_cast<std::int32_t>(gi);
    }
  }
  out.total = total;
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

std::string error_message(const Ruleset& rs, const model::ProgramResult& r) {
  auto kind = static_cast<EvalError>(r.error_kind);
  const Node* n = r.error_node >= 0 && static_cast<std::size_t>(r.error_node) < rs.nodes.size() ? &rs.nodes[r.error_node] : nullptr;
  switch (kind) {
    case EvalError::overflow: return "amount overflow: the calculation exceeds the range of exact money";
    case EvalError::division_by_zero: return "division by zero";
    case EvalError::no_table_row:
      return n ? "no row of table `" + rs.tables[n->a].name + "` matches this applicant" : "no table row matches";
    case EvalError::param_not_in_force:
      return n ? "parameter `" + rs.params[n->a].name + "` has no value in force on the evaluation date"
               : "a parameter has no value in force";
    case EvalError::none: break;
  }
  return "evaluation error";
}

NodeValue evaluate_node(const Ruleset& rs, std::uint32_t node, const model::Facts& facts, Days as_of,
                        const std::int64_t* case_attrs) {
  Ctx c{rs, facts, as_of};
  c.case_attrs = case_attrs;
  NodeValue out;
  out.value = ev(c, node);
  out.error = c.err;
  out.error_node = c.err_node;
  return out;
}

}  // namespace subsidy::eval
