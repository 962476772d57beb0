#pragma once
// The types of the rule language. Values of every type are held as one int64 at run time
// (bool 0/1, int, money in 分, raw money in micro-分, decimal ×10^6, date in days, enum index);
// text and sets of text live beside them in Facts.
#include <cstdint>
#include <string>

namespace subsidy::model {

enum class Kind : std::uint8_t {
  Bool,
  Int,
  Money,     // exact 分
  RawMoney,  // money × rate before explicit rounding, in micro-分 (1 分 = 10^6)
  Decimal,   // ×10^6; `percent` in the language is a Decimal written with %
  Date,
  Text,
  Enum,
  TextSet,
  EnumSet,
  Error,  // the type of an expression that already produced a diagnostic
};

struct Type {
  Kind kind = Kind::Error;
  std::uint32_t enum_id = 0;  // for Enum / EnumSet
  bool optional = false;
  bool operator==(const Type&) const = default;
  static Type of(Kind k) { return Type{k, 0, false}; }
  static Type enumeration(std::uint32_t id) { return Type{Kind::Enum, id, false}; }
  Type required() const { return Type{kind, enum_id, false}; }
  bool is_set() const { return kind == Kind::TextSet || kind == Kind::EnumSet; }
  bool is_numeric() const { return kind == Kind::Int || kind == Kind::Decimal; }
  bool is_moneyish() const { return kind == Kind::Money || kind == Kind::RawMoney; }
};

// "money", "int", "set of text", "OrgType?" … `enum_name` is used for Enum kinds.
std::string type_name(const Type& t, const std::string& enum_name = "enum");

}  // namespace subsidy::model
