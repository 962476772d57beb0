#include "check/type_rules.hpp"

namespace subsidy::check {

using dsl::ast::BinOp;
using model::Kind;
using model::Type;

const char* op_symbol(BinOp op) {
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
    case BinOp::NotIn: return "not in";
  }
  return "?";
}

std::string BinaryTyping::message(const std::string& l, const std::string& r) const {
  std::string m = std::string("cannot apply `") + op + "` to " + l + " and " + r;
  if (std::string(code) == "E0303") m += ": integer division is not allowed; divide decimals or money";
  else if ((l == "money" && r == "int") || (l == "int" && r == "money"))
    m += ": write the number as money (e.g. `100万` or `100元`)";
  return m;
}

std::optional<Type> unify(const Type& a, const Type& b) {
  if (a.optional || b.optional) return std::nullopt;
  if (a.kind == b.kind) {
    if ((a.kind == Kind::Enum || a.kind == Kind::EnumSet) && a.enum_id != b.enum_id) return std::nullopt;
    return a;
  }
  auto pair = [&](Kind x, Kind y) { return (a.kind == x && b.kind == y) || (a.kind == y && b.kind == x); };
  if (pair(Kind::Int, Kind::Decimal)) return Type::of(Kind::Decimal);
  if (pair(Kind::Money, Kind::RawMoney)) return Type::of(Kind::RawMoney);
  return std::nullopt;
}

bool same_comparable(const Type& a, const Type& b) { return unify(a.required(), b.required()).has_value(); }

bool orderable(const Type& t) {
  return t.kind == Kind::Int || t.kind == Kind::Decimal || t.kind == Kind::Money || t.kind == Kind::RawMoney ||
         t.kind == Kind::Date;
}

BinaryTyping binary_type(BinOp op, const Type& l, const Type& r) {
  BinaryTyping t;
  t.op = op_symbol(op);
  auto ok = [&](Kind k) {
    t.ok = true;
    t.type = Type::of(k);
    return t;
  };
  auto is = [&](Kind a, Kind b) { return l.kind == a && r.kind == b; };
  auto either = [&](Kind a, Kind b) { return is(a, b) || is(b, a); };
  switch (op) {
    case BinOp::And:
    case BinOp::Or:
      if (is(Kind::Bool, Kind::Bool)) return ok(Kind::Bool);
      t.code = "E0301";
      return t;
    case BinOp::Eq:
    case BinOp::Ne: {
      auto u = unify(l, r);
      if (u && !u->is_set()) return ok(Kind::Bool);
      return t;
    }
    case BinOp::Lt:
    case BinOp::Le:
    case BinOp::Gt:
    case BinOp::Ge: {
      auto u = unify(l, r);
      if (u && orderable(*u)) return ok(Kind::Bool);
      return t;
    }
    case BinOp::Add:
    case BinOp::Sub:
      if (is(Kind::Int, Kind::Int)) return ok(Kind::Int);
      if (is(Kind::Money, Kind::Money)) return ok(Kind::Money);
      if (either(Kind::Money, Kind::RawMoney) || is(Kind::RawMoney, Kind::RawMoney)) return ok(Kind::RawMoney);
      if (is(Kind::Decimal, Kind::Decimal) || either(Kind::Int, Kind::Decimal)) return ok(Kind::Decimal);
      if (op == BinOp::Sub && is(Kind::Date, Kind::Date)) return ok(Kind::Int);
      if (is(Kind::Date, Kind::Int) || (op == BinOp::Add && is(Kind::Int, Kind::Date))) return ok(Kind::Date);  // ± days
      return t;
    case BinOp::Mul:
      if (is(Kind::Int, Kind::Int)) return ok(Kind::Int);
      if (either(Kind::Money, Kind::Int)) return ok(Kind::Money);
      if (either(Kind::Money, Kind::Decimal) || either(Kind::RawMoney, Kind::Decimal) || either(Kind::RawMoney, Kind::Int))
        return ok(Kind::RawMoney);
      if (is(Kind::Decimal, Kind::Decimal) || either(Kind::Int, Kind::Decimal)) return ok(Kind::Decimal);
      return t;
    case BinOp::Div:
      if (is(Kind::Int, Kind::Int)) {
        t.code = "E0303";
        return t;
      }
      if (is(Kind::Money, Kind::Int) || is(Kind::RawMoney, Kind::Int)) return ok(Kind::RawMoney);
      if (is(Kind::Money, Kind::Money)) return ok(Kind::Decimal);
      if (is(Kind::Decimal, Kind::Decimal) || either(Kind::Int, Kind::Decimal)) return ok(Kind::Decimal);
      return t;
    case BinOp::In:
    case BinOp::NotIn: return t;
  }
  return t;
}

}  // namespace subsidy::check
