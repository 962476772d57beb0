#pragma once
// The X3-free face of the grammar: parse.cpp calls this; only grammar.cpp sees Spirit X3
// (config.hpp fixes the X3 types, grammar_def.hpp defines the rules, grammar.cpp instantiates them).
#include <cstddef>
#include <string_view>

#include "diag/diagnostic.hpp"
#include "diag/source.hpp"
#include "dsl/ast.hpp"

namespace subsidy::dsl::detail {

struct GrammarResult {
  std::vector<ast::Decl> decls;  // the declarations that parsed (a declaration with a syntax error is dropped)
  std::size_t errors = 0;        // E00xx errors reported while parsing
};

// Parses every declaration of `text`, reporting syntax errors (E0001), invalid literals
// (E0002–E0004, E0006) and duplicate clauses (E0005) to `diags` and recovering at the next
// top-level declaration. Expr ids are NOT assigned here (parse.cpp numbers them).
GrammarResult parse_declarations(std::string_view text, diag::FileId file, diag::Diagnostics& diags);

}  // namespace subsidy::dsl::detail
