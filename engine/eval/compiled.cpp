// Classifying a lowered Ruleset's expressions into the compiled form's superinstructions
// (eval/compiled.hpp). Each shape recognised here is executed in evaluate.cpp exactly as the plain
// interpreter would evaluate the nodes it replaces; anything else stays `general`.
#include "eval/compiled.hpp"

#include "eval/ruleset.hpp"

namespace subsidy::eval {

namespace {

bool is_compare(Op op) { return op >= Op::Eq && op <= Op::Ge; }
bool is_fused_compare(Op op) { return op >= Op::EqFC && op <= Op::GeFC; }

// Less 1, equal 2, greater 4: the outcomes each of == != < <= > >= accepts (compare3()).
constexpr std::uint8_t kAccepts[] = {2, 5, 1, 3, 4, 6};
std::uint8_t accepts(Op op, Op first) { return kAccepts[static_cast<int>(op) - static_cast<int>(first)]; }

struct Classifier {
  const Ruleset& rs;
  const Node& at(std::uint32_t n) const { return rs.nodes[n]; }
  bool is(std::uint32_t n, Op op) const { return n < rs.nodes.size() && at(n).op == op; }

  CCond cond(std::uint32_t n) const {
    CCond c;
    c.node = n;
    if (n >= rs.nodes.size()) return c;
    const Node& nd = at(n);
    if (nd.op == Op::Fact) {  // condition(): a bool fact is its value ≠ 0
      c.shape = CCond::Shape::fact_imm;
      c.cmp = accepts(Op::Ne, Op::Eq);
      c.slot = slot_of(nd);
      return c;
    }
    if (nd.op == Op::InEnumMask && is(element_of(nd), Op::Fact)) {  // the unfused InMaskF
      c.shape = CCond::Shape::fact_mask;
      c.slot = slot_of(at(element_of(nd)));
      c.imm = nd.imm;
      return c;
    }
    if (is_fused_compare(nd.op) || nd.op == Op::InMaskF) {
      c.shape = nd.op == Op::InMaskF ? CCond::Shape::fact_mask : CCond::Shape::fact_imm;
      if (nd.op != Op::InMaskF) c.cmp = accepts(nd.op, Op::EqFC);
      c.slot = slot_of(nd);
      c.imm = nd.imm;
      return c;
    }
    if (nd.op == Op::InTexts && is(element_of(nd), Op::Fact)) {
      c.shape = CCond::Shape::text_in;
      c.slot = slot_of(at(element_of(nd)));
      c.imm = nd.imm;
      return c;
    }
    if (!is_compare(nd.op) || at(nd.a).kind == model::Kind::RawMoney) return c;
    const std::uint8_t cmp = accepts(nd.op, Op::Eq);
    const Node& l = at(nd.a);
    const Node& r = at(nd.b);
    if (l.op == Op::Fact && r.op == Op::Const) {
      c.shape = CCond::Shape::fact_imm;
      c.cmp = cmp;
      c.slot = slot_of(l);
      c.imm = r.imm;
    } else if (l.op == Op::Fact && r.op == Op::Fact) {
      c.shape = CCond::Shape::fact_fact;
      c.cmp = cmp;
      c.slot = slot_of(l);
      c.slot2 = slot_of(r);
    } else if (l.op == Op::SubI && r.op == Op::Const && is(l.a, Op::Year) && is(at(l.a).a, Op::AsOf) && is(l.b, Op::Fact)) {
      c.shape = CCond::Shape::year_sub_fact;
      c.cmp = cmp;
      c.slot = slot_of(at(l.b));
      c.imm = r.imm;
      c.sub = nd.a;
    }
    return c;
  }

  CAmount amount(std::uint32_t n) const {
    CAmount a;
    a.node = n;
    if (n >= rs.nodes.size()) return a;
    const Node& nd = at(n);
    if (nd.op == Op::Const) {
      a.shape = CAmount::Shape::constant;
      a.imm = nd.imm;
    } else if (nd.op == Op::TableLookup) {
      a.shape = CAmount::Shape::lookup;
      a.slot = slot_of(nd);
      a.table = table_of(nd);
    } else if (nd.op == Op::FloorYuanR && is(nd.a, Op::MulMD) && is(at(nd.a).b, Op::Const)) {
      const Node& mul = at(nd.a);
      const Node& x = at(mul.a);
      a.imm = at(mul.b).imm;
      if (x.op == Op::Fact) {
        a.shape = CAmount::Shape::floor_yuan_mul;
        a.x = CAmount::X::fact;
        a.slot = slot_of(x);
      } else if (x.op == Op::Amount) {
        a.shape = CAmount::Shape::floor_yuan_mul;
        a.x = CAmount::X::amount;
      } else if (x.op == Op::SubM && is(x.a, Op::Fact) && is(x.b, Op::Fact)) {
        a.shape = CAmount::Shape::floor_yuan_mul;
        a.x = CAmount::X::fact_minus_fact;
        a.slot = slot_of(at(x.a));
        a.slot2 = slot_of(at(x.b));
        a.sub = mul.a;
      }
    }
    return a;
  }
};

}  // namespace

CompiledRules compile_rules(const Ruleset& rs) {
  Classifier k{rs};
  CompiledRules out;
  out.programs.reserve(rs.programs.size());
  for (const auto& p : rs.programs) {
    CompiledProgram cp;
    for (const auto& q : p.requirements) cp.requirements.push_back(k.cond(q.cond));
    cp.amount = k.amount(p.amount);
    if (p.minimum != kNoNode) cp.minimum = k.amount(p.minimum);
    if (p.cap != kNoNode) cp.cap = k.amount(p.cap);
    out.programs.push_back(std::move(cp));
  }
  for (const auto& x : rs.exceptions) {
    out.when.push_back(k.cond(x.when));
    out.exception_amount.push_back(x.amount != kNoNode ? k.amount(x.amount) : CAmount{});
  }
  return out;
}

}  // namespace subsidy::eval
