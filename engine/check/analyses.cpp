#include "check/analyses.hpp"

#include <algorithm>
#include <set>

#include "model/date.hpp"
#include "model/money.hpp"

namespace subsidy::check {

using model::Kind;

namespace {

// One elementary region of an input column: a representative value that every cell either
// matches entirely or not at all.
struct Region {
  std::int64_t value = 0;
  std::string text;  // text columns
  bool other_text = false;
};

std::string show(const model::Schema& schema, const model::Type& t, const Region& r) {
  switch (t.kind) {
    case Kind::Bool: return r.value ? "true" : "false";
    case Kind::Enum: return schema.enums[t.enum_id].values.at(static_cast<std::size_t>(r.value)).name;
    case Kind::Money: return model::format_money_human(r.value);
    case Kind::Decimal: return model::format_decimal(r.value);
    case Kind::Date: return model::format_date(static_cast<model::Days>(r.value));
    case Kind::Text: return r.other_text ? "(other text)" : "\"" + r.text + "\"";
    default: return std::to_string(r.value);
  }
}

struct CellValue {
  std::int64_t v = 0;
  std::string text;
};

CellValue value_of(const CheckResult& res, const dsl::ast::Expr& e) {
  CellValue c;
  if (auto* l = std::get_if<dsl::ast::Literal>(&e.node); l && l->kind == dsl::ast::Literal::Kind::Text) c.text = l->text;
  else c.v = res.info(e).const_value;
  return c;
}

bool cmp(dsl::ast::BinOp op, std::int64_t a, std::int64_t b) {
  using dsl::ast::BinOp;
  switch (op) {
    case BinOp::Eq: return a == b;
    case BinOp::Ne: return a != b;
    case BinOp::Lt: return a < b;
    case BinOp::Le: return a <= b;
    case BinOp::Gt: return a > b;
    case BinOp::Ge: return a >= b;
    default: return false;
  }
}

bool matches(const CheckResult& res, const dsl::ast::TableCell& c, const model::Type& t, const Region& r) {
  using K = dsl::ast::TableCell::Kind;
  bool text = t.kind == Kind::Text;
  auto eq = [&](const dsl::ast::Expr& e) {
    auto v = value_of(res, e);
    return text ? (!r.other_text && v.text == r.text) : v.v == r.value;
  };
  switch (c.kind) {
    case K::Any: return true;
    case K::Equal: return eq(*c.a);
    case K::Compare:
      if (text) return c.cmp == dsl::ast::BinOp::Ne ? !eq(*c.a) : eq(*c.a);
      return cmp(c.cmp, r.value, value_of(res, *c.a).v);
    case K::Range: {
      auto lo = value_of(res, *c.a).v, hi = value_of(res, *c.b).v;
      bool above = c.lo_open ? r.value > lo : r.value >= lo;
      bool below = c.hi_open ? r.value < hi : r.value <= hi;
      return above && below;
    }
    case K::Set: {
      bool in = std::any_of(c.items.begin(), c.items.end(), eq);
      return c.negated ? !in : in;
    }
  }
  return false;
}

std::vector<Region> regions(const CheckResult& res, const dsl::ast::TableDecl& t, std::size_t col, const model::Type& type) {
  std::vector<Region> out;
  if (type.kind == Kind::Bool) return {{0, {}, false}, {1, {}, false}};
  if (type.kind == Kind::Enum) {
    for (std::size_t i = 0; i < res.symbols.schema.enums[type.enum_id].values.size(); ++i)
      out.push_back({static_cast<std::int64_t>(i), {}, false});
    return out;
  }
  std::set<std::int64_t> points;
  std::set<std::string> texts;
  auto add = [&](const dsl::ast::Expr& e) {
    auto v = value_of(res, e);
    if (type.kind == Kind::Text) texts.insert(v.text);
    else points.insert(v.v);
  };
  for (const auto& row : t.rows) {
    if (col >= row.cells.size()) continue;
    const auto& c = row.cells[col];
    if (c.a) add(*c.a);
    if (c.b) add(*c.b);
    for (const auto& i : c.items) add(i);
  }
  if (type.kind == Kind::Text) {
    for (const auto& s : texts) out.push_back({0, s, false});
    out.push_back({0, {}, true});
    return out;
  }
  if (points.empty()) return {{0, {}, false}};
  std::vector<std::int64_t> p(points.begin(), points.end());
  if (p.front() > INT64_MIN) out.push_back({p.front() - 1, {}, false});
  for (std::size_t i = 0; i < p.size(); ++i) {
    out.push_back({p[i], {}, false});
    if (i + 1 < p.size() && p[i] + 1 < p[i + 1]) out.push_back({p[i] + 1, {}, false});
  }
  if (p.back() < INT64_MAX) out.push_back({p.back() + 1, {}, false});
  return out;
}

}  // namespace

void analyse_tables(const CheckResult& res, diag::Diagnostics& diags) {
  const auto& sym = res.symbols;
  // Work: every combination of input regions, tested against every row, cell by cell. A table with
  // more than kMaxCombinations, or beyond what is left of one budget of cell tests for the whole
  // check, is not analysed and W0503 says so (unbounded, 30,000 rows took 27 s, and 20 copies of a
  // 9-input table 5.6 s).
  constexpr std::size_t kMaxCombinations = 200'000;
  std::size_t budget = 10'000'000;
  for (const auto* tp : sym.tables) {
    const auto& t = *tp;
    if (t.hit.name != "unique" || t.inputs.empty()) continue;
    std::vector<model::Type> types;
    std::vector<std::vector<Region>> cols;
    std::size_t combos = 1;
    bool ok = true;
    for (std::size_t c = 0; c < t.inputs.size() && ok; ++c) {
      types.push_back(res.info(t.inputs[c]).type);
      cols.push_back(regions(res, t, c, types.back()));
      combos *= std::max<std::size_t>(cols.back().size(), 1);
      ok = combos <= kMaxCombinations;
    }
    std::size_t cost = ok ? combos * std::max<std::size_t>(t.rows.size(), 1) * t.inputs.size() : 0;
    if (!ok || cost > budget) {
      diags.warning("W0503", t.name.span,
                    "unique table `" + t.name.name + "` is not checked for gaps and overlaps: it is too large to analyse (" +
                        (ok ? std::to_string(combos) : "more than " + std::to_string(kMaxCombinations)) +
                        " combinations of input values, " + std::to_string(t.rows.size()) + " rows)");
      continue;
    }
    budget -= cost;
    std::vector<std::size_t> idx(cols.size(), 0);
    std::set<std::pair<std::size_t, std::size_t>> reported;
    std::size_t gaps = 0;
    std::string first_gap;
    for (std::size_t n = 0; n < combos; ++n) {
      std::vector<std::size_t> hits;
      for (std::size_t r = 0; r < t.rows.size(); ++r) {
        const auto& row = t.rows[r];
        bool all = true;
        for (std::size_t c = 0; c < cols.size() && all; ++c) all = matches(res, row.cells[c], types[c], cols[c][idx[c]]);
        if (all) hits.push_back(r);
      }
      auto describe = [&]() {
        std::string s;
        for (std::size_t c = 0; c < cols.size(); ++c) {
          if (c) s += ", ";
          auto* name = std::get_if<dsl::ast::Name>(&t.inputs[c].node);
          s += (name ? name->name : "input " + std::to_string(c + 1)) + " = " + show(sym.schema, types[c], cols[c][idx[c]]);
        }
        return s;
      };
      if (hits.empty()) {
        if (gaps++ == 0) first_gap = describe();
      } else if (hits.size() > 1 && reported.insert({hits[0], hits[1]}).second) {
        diags.error("E0501", t.rows[hits[1]].span,
                    "rows " + std::to_string(hits[0] + 1) + " and " + std::to_string(hits[1] + 1) + " of unique table `" +
                        t.name.name + "` overlap: both match " + describe(),
                    {{t.rows[hits[0]].span, "the other row"}});
      }
      for (std::size_t c = cols.size(); c-- > 0;) {
        if (++idx[c] < cols[c].size()) break;
        idx[c] = 0;
      }
    }
    if (gaps)
      diags.warning("W0502", t.name.span,
                    "unique table `" + t.name.name + "` has no row for " + first_gap +
                        (gaps > 1 ? " (and " + std::to_string(gaps - 1) + " more cases)" : "") +
                        "; such applicants get no value");
  }
}

void analyse_exceptions(const CheckResult& res, diag::Diagnostics& diags) {
  const auto& sym = res.symbols;
  auto period = [](const std::optional<dsl::ast::Effective>& e) {
    std::int64_t from = e ? e->from.value : INT64_MIN;
    std::int64_t to = e && e->to ? e->to->value : INT64_MAX;
    return std::pair{from, to};
  };
  auto targets = [&](const dsl::ast::ExceptionDecl& x) {
    std::vector<std::uint32_t> out;
    if (x.all) {
      for (std::uint32_t i = 0; i < sym.programs.size(); ++i) out.push_back(i);
    } else {
      for (const auto& t : x.targets)
        if (auto it = sym.program_index.find(t.name); it != sym.program_index.end()) out.push_back(it->second);
    }
    return out;
  };
  // Each exception's programmes, computed once (every programme × every exception rebuilding the
  // target list took 18 s for 5,000 programmes and 300 exceptions).
  std::vector<std::vector<std::uint32_t>> exception_targets;
  for (const auto* xp : sym.exceptions) exception_targets.push_back(targets(*xp));
  for (std::size_t xi = 0; xi < sym.exceptions.size(); ++xi) {
    const auto& x = *sym.exceptions[xi];
    if (x.when && res.info(*x.when).is_const && res.info(*x.when).const_value == 0)
      diags.warning("W0602", x.when->span, "exception `" + x.name.name + "` can never apply: its condition is always false");
    auto [xf, xt] = period(x.effective);
    bool any_overlap = false;
    const auto& ts = exception_targets[xi];
    for (auto p : ts) {
      auto [pf, pt] = period(sym.programs[p]->effective);
      any_overlap = any_overlap || (xf <= pt && pf <= xt);
    }
    if (!ts.empty() && !any_overlap)
      diags.warning("W0602", x.name.span,
                    "exception `" + x.name.name + "` can never apply: its effective period overlaps none of its programmes'");
  }
  // Two amount exceptions on one programme need distinct priorities. Per programme, its amount
  // exceptions ordered by priority: each one with the same priority as the one before it is
  // reported against that one, and each pair only once over all programmes.
  std::vector<std::vector<const dsl::ast::ExceptionDecl*>> mods(sym.programs.size());
  for (std::size_t xi = 0; xi < sym.exceptions.size(); ++xi)
    if (sym.exceptions[xi]->amount)
      for (auto p : exception_targets[xi])
        if (mods[p].empty() || mods[p].back() != sym.exceptions[xi]) mods[p].push_back(sym.exceptions[xi]);  // `applies to P, P`
  std::set<std::pair<const dsl::ast::ExceptionDecl*, const dsl::ast::ExceptionDecl*>> reported;
  for (std::uint32_t p = 0; p < sym.programs.size(); ++p) {
    auto& m = mods[p];
    std::stable_sort(m.begin(), m.end(), [](auto* a, auto* b) { return a->priority.value_or(0) < b->priority.value_or(0); });
    for (std::size_t j = 1; j < m.size(); ++j)
      if (m[j - 1]->priority.value_or(0) == m[j]->priority.value_or(0) && reported.insert({m[j - 1], m[j]}).second)
        diags.error("E0601", m[j]->name.span,
                    "exceptions `" + m[j - 1]->name.name + "` and `" + m[j]->name.name + "` both set the amount of `" +
                        sym.programs[p]->id.name + "` with the same priority; give them distinct `priority` values",
                    {{m[j - 1]->name.span, "the other exception"}});
  }
}

}  // namespace subsidy::check
