#include "model/type.hpp"

namespace subsidy::model {

std::string type_name(const Type& t, const std::string& enum_name) {
  std::string s;
  switch (t.kind) {
    case Kind::Bool: s = "bool"; break;
    case Kind::Int: s = "int"; break;
    case Kind::Money: s = "money"; break;
    case Kind::RawMoney: s = "unrounded money"; break;
    case Kind::Decimal: s = "decimal"; break;
    case Kind::Date: s = "date"; break;
    case Kind::Text: s = "text"; break;
    case Kind::Enum: s = enum_name; break;
    case Kind::TextSet: s = "set of text"; break;
    case Kind::EnumSet: s = "set of " + enum_name; break;
    case Kind::Error: s = "<error>"; break;
  }
  if (t.optional) s += '?';
  return s;
}

}  // namespace subsidy::model

#include "model/decision.hpp"

namespace subsidy::model {

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::eligible: return "eligible";
    case Outcome::refused: return "refused";
    case Outcome::not_in_effect: return "not_in_effect";
    case Outcome::error: return "error";
    case Outcome::capped: return "capped";
  }
  return "error";
}

}  // namespace subsidy::model
