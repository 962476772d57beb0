#pragma once
// The X3-free entry point of the rule-language parser.
#include "diag/diagnostic.hpp"
#include "diag/source.hpp"
#include "dsl/ast.hpp"

namespace subsidy::dsl {

struct ParseResult {
  ast::File file;
  bool ok = false;  // false when a syntax error was reported (the file's declarations may be partial)
};

// Parses one source file of `sources`. Syntax errors are added to `diags` (code E0001…E0099)
// with the file:line:col of the failure; the parser recovers at the next top-level declaration
// keyword so that several syntax errors in one file are all reported.
// `next_expr_id` numbers Expr::id across files (start it at 1 and pass the same counter for every file).
ParseResult parse(const diag::SourceSet& sources, diag::FileId file, diag::Diagnostics& diags, std::uint32_t& next_expr_id);

}  // namespace subsidy::dsl
