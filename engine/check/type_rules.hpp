#pragma once
// The typing rules of operators: which operand types combine, and into what (docs/language.md §3).
#include <optional>
#include <string>

#include "dsl/ast.hpp"
#include "model/type.hpp"

namespace subsidy::check {

struct BinaryTyping {
  bool ok = false;
  model::Type type;
  const char* code = "E0302";
  const char* op = "";
  std::string message(const std::string& l, const std::string& r) const;
};

BinaryTyping binary_type(dsl::ast::BinOp op, const model::Type& l, const model::Type& r);
// The common type of two values that must agree (if branches, min/max, comparisons):
// int widens to decimal, money to unrounded money.
std::optional<model::Type> unify(const model::Type& a, const model::Type& b);
bool same_comparable(const model::Type& a, const model::Type& b);
bool orderable(const model::Type& t);
const char* op_symbol(dsl::ast::BinOp op);

}  // namespace subsidy::check
