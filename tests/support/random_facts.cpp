#include "support/random_facts.hpp"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

#include "eval/evaluate.hpp"
#include "json/decision_encoder.hpp"
#include "model/money.hpp"

namespace subsidy::testing {

namespace {

using eval::Node;
using eval::Op;
using model::Kind;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// Values worth drawing, gathered once per ruleset.
struct Pools {
  std::vector<std::vector<std::int64_t>> by_slot;  // constants each fact is compared with
  std::vector<std::int64_t> by_kind[static_cast<int>(Kind::Error) + 1];
  std::vector<std::string> texts;        // the ruleset's text literals
  std::vector<std::string> program_ids;
};

// The fact slot a comparison operand reads and the factor from the fact's unit to the operand's
// (int → decimal and money → raw money are ×10^6), or kNoNode.
std::pair<std::uint32_t, std::int64_t> fact_operand(const eval::Ruleset& rs, std::uint32_t n) {
  if (n >= rs.nodes.size()) return {eval::kNoNode, 1};
  const Node& nd = rs.nodes[n];
  if (nd.op == Op::Fact) return {eval::slot_of(nd), 1};
  if ((nd.op == Op::IntToDec || nd.op == Op::MoneyToRaw) && nd.a < rs.nodes.size() && rs.nodes[nd.a].op == Op::Fact)
    return {eval::slot_of(rs.nodes[nd.a]), model::kDecimalScale};
  return {eval::kNoNode, 1};
}

void add_const(Pools& p, std::uint32_t slot, std::int64_t c, std::int64_t scale) {
  if (slot >= p.by_slot.size()) return;
  p.by_slot[slot].push_back(c / scale);
  if (c % scale) p.by_slot[slot].push_back(c / scale + (c > 0 ? 1 : -1));
}

void add_cell_consts(const eval::Ruleset& rs, Pools& p, std::uint32_t input, std::uint32_t value) {
  auto [slot, scale] = fact_operand(rs, input);
  if (slot == eval::kNoNode || value >= rs.nodes.size() || rs.nodes[value].op != Op::Const) return;
  add_const(p, slot, rs.nodes[value].imm, scale);
}

Pools gather(const eval::Ruleset& rs) {
  Pools p;
  p.by_slot.resize(rs.schema.facts.size());
  for (const auto& nd : rs.nodes) {
    switch (nd.op) {
      case Op::EqFC: case Op::NeFC: case Op::LtFC: case Op::LeFC: case Op::GtFC: case Op::GeFC:
        add_const(p, eval::slot_of(nd), nd.imm, 1);
        break;
      case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
        for (auto [f, k] : {std::pair{nd.a, nd.b}, std::pair{nd.b, nd.a}}) {
          auto [slot, scale] = fact_operand(rs, f);
          if (slot != eval::kNoNode && k < rs.nodes.size() && rs.nodes[k].op == Op::Const) add_const(p, slot, rs.nodes[k].imm, scale);
        }
        break;
      case Op::Const:
        if (nd.kind != Kind::Text) p.by_kind[static_cast<int>(nd.kind)].push_back(nd.imm);
        break;
      default: break;
    }
  }
  for (const auto& t : rs.tables)
    for (const auto& row : t.rows)
      for (std::size_t i = 0; i < row.cells.size() && i < t.inputs.size(); ++i) {
        const auto& c = row.cells[i];
        add_cell_consts(rs, p, t.inputs[i], c.a);
        add_cell_consts(rs, p, t.inputs[i], c.b);
        for (auto it : c.items) add_cell_consts(rs, p, t.inputs[i], it);
      }
  for (const auto& prm : rs.params)
    for (const auto& v : prm.values) {
      p.by_kind[static_cast<int>(prm.type.kind)].push_back(v.value);
      p.by_kind[static_cast<int>(Kind::Date)].push_back(v.from);
    }
  for (const auto& prog : rs.programs) {
    p.program_ids.push_back(prog.id);
    for (auto d : {prog.effective_from, prog.effective_to})
      if (d != INT32_MIN && d != INT32_MAX) p.by_kind[static_cast<int>(Kind::Date)].push_back(d);
  }
  for (const auto& list : rs.text_lists)
    for (const auto& s : list) p.texts.push_back(s);
  std::sort(p.texts.begin(), p.texts.end());
  p.texts.erase(std::unique(p.texts.begin(), p.texts.end()), p.texts.end());
  return p;
}

std::int64_t nudge(std::int64_t v, int delta) {
  std::int64_t r;
  return __builtin_add_overflow(v, delta, &r) ? v : r;
}

class Drawer {
 public:
  Drawer(const Pools& p, std::mt19937_64& rng) : p_(p), rng_(rng) {}

  std::uint64_t below(std::uint64_t n) { return n ? rng_() % n : 0; }
  template <class V>
  const auto& any_of(const V& v) { return v[below(std::size(v))]; }

  std::int64_t number(std::uint32_t slot, Kind k) {
    const auto& own = p_.by_slot[slot];
    const auto& kind = p_.by_kind[static_cast<int>(k)];
    int delta = static_cast<int>(below(3)) - 1;
    auto r = below(100);
    if (r < 40 && !own.empty()) return nudge(any_of(own), delta);
    if (r < 55 && !kind.empty()) return nudge(any_of(kind), delta);
    if (r < 65) return delta;
    if (k == Kind::Date) {  // 2000-01-01 … 2035-12-31
      return 10957 + static_cast<std::int64_t>(below(13149));
    }
    if (r < 73) {
      static constexpr std::int64_t huge[] = {kMax, kMin, kMax / 100, 92'233'720'368'547'758, -92'233'720'368'547'758,
                                              1'000'000'000'000'000, kMax / 1'000'000};
      return any_of(huge);
    }
    std::int64_t scale = 1;
    for (auto c : own) scale = std::max(scale, c < 0 ? (c == kMin ? kMax : -c) : c);
    if (scale > kMax / 2) scale = kMax / 2;
    auto v = static_cast<std::int64_t>(below(static_cast<std::uint64_t>(scale) * 2 + 2));
    return below(8) == 0 ? -v : v;
  }

  void fill(const model::FactDef& f, model::Facts& out, const eval::Ruleset& rs) {
    const std::uint32_t s = f.slot;
    if (f.type.optional && below(4) == 0) return;  // unset
    out.present[s] = 1;
    switch (f.type.kind) {
      case Kind::Bool: out.values[s] = static_cast<std::int64_t>(below(2)); break;
      case Kind::Enum: out.values[s] = static_cast<std::int64_t>(below(rs.schema.enums[f.type.enum_id].values.size())); break;
      case Kind::EnumSet: {
        auto n = rs.schema.enums[f.type.enum_id].values.size();
        std::uint64_t mask = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
        out.enum_sets[s] = below(3) == 0 ? 0 : rng_() & mask;
        break;
      }
      case Kind::Text:
        out.texts[s] = !p_.texts.empty() && below(4) != 0 ? any_of(p_.texts) : below(2) ? std::string() : std::string("随机文本");
        break;
      case Kind::TextSet: {
        const auto& from = f.program_ids || p_.texts.empty() ? p_.program_ids : p_.texts;
        auto n = below(3) == 0 ? 0 : 1 + below(3);
        for (std::uint64_t i = 0; i < n && !from.empty(); ++i) {
          const auto& e = any_of(from);
          if (std::find(out.sets[s].begin(), out.sets[s].end(), e) == out.sets[s].end()) out.sets[s].push_back(e);
        }
        break;
      }
      default: out.values[s] = number(s, f.type.kind); break;
    }
  }

 private:
  const Pools& p_;
  std::mt19937_64& rng_;
};

}  // namespace

struct FactSampler::Impl {
  const eval::Ruleset& rs;
  Pools pools;
};

FactSampler::FactSampler(const eval::Ruleset& rs) : impl_(new Impl{rs, gather(rs)}) {}
FactSampler::~FactSampler() = default;

model::Facts FactSampler::operator()(std::mt19937_64& rng) const {
  const auto& rs = impl_->rs;
  model::Facts f(rs.schema.facts.size());
  Drawer d(impl_->pools, rng);
  for (const auto& def : rs.schema.facts) d.fill(def, f, rs);
  return f;
}

model::Facts random_facts(const eval::Ruleset& rs, std::mt19937_64& rng) { return FactSampler(rs)(rng); }

DecisionBytes::DecisionBytes(const eval::Ruleset& rs) : rs_(rs), enc_(std::make_unique<json::DecisionEncoder>(rs)) {}
DecisionBytes::~DecisionBytes() = default;

std::string DecisionBytes::operator()(const model::Facts& facts, model::Days as_of, bool english, bool explain) {
  model::Decision d;
  eval::Explanation ex;
  ex.english = english;
  eval::evaluate(rs_, facts, as_of, d, nullptr, explain ? &ex : nullptr);
  std::string out;
  enc_->append_json(out, "x", d, as_of, explain ? &ex : nullptr, english, nullptr);
  return out;
}

std::string decision_bytes(const eval::Ruleset& rs, const model::Facts& facts, model::Days as_of) {
  return DecisionBytes(rs)(facts, as_of);
}

}  // namespace subsidy::testing
