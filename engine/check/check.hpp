#pragma once
// The checker: name resolution, type checking and static analyses over the parsed files.
// It reports every semantic error of a run (up to the Diagnostics limit) and annotates each
// expression with its type and what its name refers to, for eval/lower.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "diag/diagnostic.hpp"
#include "dsl/ast.hpp"
#include "model/schema.hpp"
#include "model/type.hpp"

namespace subsidy::check {

namespace ast = dsl::ast;

// CaseAttr: a workflow guard's `eligible`, `decided_amount` or `corrections` (index: model::CaseAttr).
enum class Ref : std::uint8_t { None, Fact, Param, Table, EnumValue, AsOf, Amount, CaseAttr };

struct ExprInfo {
  model::Type type;
  Ref ref = Ref::None;
  std::uint32_t index = 0;  // fact slot / param / table / enum value index
  bool is_const = false;
  std::int64_t const_value = 0;  // when is_const and not text
};

// Declarations in a stable order (file order across files as given), pointing into the AST.
struct Symbols {
  model::Schema schema;
  std::vector<const ast::ParamDecl*> params;
  std::vector<model::Type> param_types;
  std::vector<const ast::Program*> programs;
  std::vector<const ast::TableDecl*> tables;
  std::vector<model::Type> table_types;
  std::vector<const ast::ExceptionDecl*> exceptions;
  std::vector<const ast::GroupDecl*> groups;
  std::vector<const ast::TestDecl*> tests;
  std::unordered_map<std::string, std::uint32_t> param_index, program_index, table_index, exception_index, group_index;
  // Workflows (docs/workflow.md): roles (with the enum of a role family, or -1), actions, workflows.
  std::vector<const ast::RoleDecl*> roles;
  std::vector<std::int32_t> role_family;
  std::vector<const ast::ActionDecl*> actions;
  std::vector<const ast::WorkflowDecl*> workflows;
  std::unordered_map<std::string, std::uint32_t> role_index, action_index, workflow_index;
};

struct CheckResult {
  Symbols symbols;
  std::vector<ExprInfo> exprs;  // by Expr::id
  const ExprInfo& info(const ast::Expr& e) const { return exprs.at(e.id); }
};

// Runs every pass; the result is usable for lowering only when `diags` has no errors.
CheckResult check(const std::vector<ast::File>& files, const diag::SourceSet& sources, diag::Diagnostics& diags);

}  // namespace subsidy::check
