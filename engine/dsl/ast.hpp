#pragma once
// The public AST of the rule language: plain aggregates with our own Spans, no X3 types.
// The grammar (grammar_def.hpp, X3) builds this; check/ and eval/ read it. See docs/language.md.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "diag/source.hpp"

namespace subsidy::dsl::ast {

using diag::Span;

struct Ident {
  std::string name;
  Span span;
};

// Two strings after a declaration: Chinese first, English second (optional in the grammar;
// the checker warns when English is missing).
struct Label {
  std::string zh;
  std::string en;
  Span span;
};

// ---------------------------------------------------------------- expressions
struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Literal {
  enum class Kind : std::uint8_t { Bool, Int, Decimal, Money, Date, Text };
  Kind kind = Kind::Int;
  std::int64_t value = 0;  // bool 0/1, int, decimal ×10^6 (10% == 100000), money in 分, date in days since 1970-01-01
  std::string text;        // Text literals (unescaped UTF-8)
};

struct Name {  // a fact, parameter, table, enum value or built-in (`as_of`, `amount`)
  std::string name;
};

enum class UnOp : std::uint8_t { Neg, Not };
enum class BinOp : std::uint8_t { Add, Sub, Mul, Div, Eq, Ne, Lt, Le, Gt, Ge, And, Or, In, NotIn };

struct Unary {
  UnOp op;
  ExprPtr operand;
};
struct Binary {
  BinOp op;
  ExprPtr lhs, rhs;
};
struct Call {  // min(a, b), floor_yuan(x), years_between(a, b) …
  Ident fn;
  std::vector<Expr> args;
};
struct If {
  ExprPtr cond, then_, else_;
};
struct SetLit {  // { a, b, c }
  std::vector<Expr> items;
};

struct Expr {
  Span span;
  std::variant<Literal, Name, Unary, Binary, Call, If, SetLit> node;
  std::uint32_t id = 0;  // unique per parse run (assigned by the parser, starting at 1); traces refer to it
  std::uint32_t depth = 1;  // height of the tree: 1 for a leaf; never above kMaxExprDepth (the parser's E0007)
};

// Limits of the language (docs/language.md "Limits"), enforced with a located E0007 so that no
// recursion over an expression — parser, checker, lowering, evaluator — depends on the input's size.
// kMaxExprDepth counts tree height: a left-deep chain `a + b + c` of n terms is n deep, and an
// expression that reads a table is as deep as its own tree plus the table's (the checker adds them).
inline constexpr std::uint32_t kMaxExprDepth = 256;
// Expression nodes evaluated for one expression, counting every evaluation of the tables it reads
// (a table read twice by each of a chain of tables would otherwise cost 2^n); checked by check/.
inline constexpr std::uint64_t kMaxEvalSize = 1'000'000;
// Recursion of the grammar itself: parentheses, calls, sets, `if`, `not`, unary `-`.
inline constexpr int kMaxNesting = 200;

// ---------------------------------------------------------------- declarations
struct TypeRef {  // bool | int | money | decimal | percent | date | text | EnumName, optionally `set of`, `?`
  Ident name;
  bool is_set = false;
  bool optional = false;
  Span span;
};

struct Provenance {  // source "S2 实施细则 一(三)1" sourced
  std::string source;
  Ident status;  // sourced | secondary | derived | illustrative
  Span span;
};

struct EnumValue {
  Ident name;
  Label label;
};
struct EnumDecl {
  Ident name;
  Label label;
  std::vector<EnumValue> values;
  Span span;
};

struct FactDecl {
  Ident name;
  TypeRef type;
  Label label;
  Span span;
};

struct ParamValue {
  Span span;
  Literal from;  // a Date literal
  Span from_span;
  Expr value;
  Provenance provenance;
};
struct ParamDecl {
  Ident name;
  TypeRef type;
  Label label;
  std::vector<ParamValue> values;
  Span span;
};

struct Effective {  // effective from D [to D];   `to` is inclusive
  Literal from;
  std::optional<Literal> to;
  Span span;
};

struct Requirement {  // require name: expr else "zh" "en" [clause "…"];
  Ident name;
  Expr condition;
  Label reason;
  std::string clause;
  Span span;
};

struct Program {
  Ident id;
  Label title;
  std::optional<std::string> bureau;
  Span bureau_span;
  std::optional<std::string> citation;
  Span citation_span;
  std::optional<Provenance> provenance;
  std::optional<Effective> effective;
  std::optional<Ident> workflow;
  std::vector<Requirement> requirements;
  std::optional<Expr> amount;
  std::optional<Expr> minimum;
  std::optional<Expr> cap;
  Span span;
};

struct TableCell {
  enum class Kind : std::uint8_t { Any, Equal, Compare, Range, Set };
  Kind kind = Kind::Any;
  BinOp cmp = BinOp::Eq;      // Compare: Lt Le Gt Ge Ne Eq
  std::optional<Expr> a, b;   // Equal/Compare: a; Range: a .. b
  bool lo_open = false, hi_open = false;  // Range: "(" / ")" are open, "[" / "]" closed
  std::vector<Expr> items;    // Set
  bool negated = false;       // Set: not { … }
  Span span;
};
struct TableRow {
  std::vector<TableCell> cells;
  Expr output;
  Span span;
};
struct TableDecl {
  Ident name;
  Label label;
  TypeRef result;
  Ident hit;                   // unique | first | priority | collect
  std::optional<Ident> aggregator;  // sum | min | max | count (collect only)
  std::vector<Expr> inputs;
  Span inputs_span;
  std::vector<TableRow> rows;
  Span span;
};

struct ExceptionDecl {
  Ident name;
  Label label;
  bool all = false;                 // applies to all
  std::vector<Ident> targets;       // applies to R01, R02
  Span applies_span;
  std::optional<Expr> when;
  std::optional<Label> refuse;      // refuse "zh" "en";
  std::optional<Expr> amount;       // amount expr;  (`amount` inside names the programme's amount so far)
  std::optional<std::int64_t> priority;
  Span priority_span;
  std::optional<std::string> citation;
  std::optional<Effective> effective;
  Span span;
};

struct GroupDecl {
  Ident name;
  Label label;
  bool all = false;
  std::vector<Ident> programs;
  Span programs_span;
  std::optional<Expr> cap;      // cap X;        shared cap: amounts are reduced
  bool cap_total_only = false;  // cap total X;  only the applicant's total is capped
  std::optional<Expr> already;  // already X;    amount already paid in this group this year
  bool pay_highest = false;     // pay highest;  就高不重复
  Span pay_highest_span;
  std::optional<std::string> citation;
  Span span;
};

struct Given {
  Ident fact;
  Expr value;
};
struct Expectation {
  // Capped / NotCapped: the total; ProgramCapped: `P capped [by GROUP]` (outcome capped).
  enum class Kind : std::uint8_t { Eligible, Refused, NotInEffect, Total, Capped, NotCapped, ProgramCapped };
  Kind kind = Kind::Eligible;
  std::optional<Ident> program;     // Eligible / Refused / NotInEffect / ProgramCapped
  std::optional<Expr> amount;       // Eligible (optional) / Total
  std::vector<Ident> because;       // Refused: requirement or exception names (optional); ProgramCapped: the group
  Span span;
};
struct TestDecl {
  std::string name;
  std::optional<Literal> as_of;  // Date
  std::vector<Given> given;
  std::vector<Expectation> expects;
  Span span;
};

// ---------------------------------------------------------------- workflows (docs/workflow.md)
struct RoleDecl {  // role 市科技局 "…" "…";   role 旗县区科技局[County] "…" "…";  (one role per enum value)
  Ident name;
  std::optional<Ident> family;  // the enum whose values name the members of a role family
  Label label;
  Span span;
};
struct ActionDecl {  // action approve "通过" "approve";
  Ident name;
  Label label;
  Span span;
};
struct RoleRef {  // 市科技局, 旗县区科技局, 旗县区科技局[county]
  Ident role;
  std::optional<Expr> index;  // a role family's member: an expression of the family's enum type
  Span span;
};
struct GuardedRole {  // responsible R [when G];   inside `joint { R [when G]; }`
  RoleRef role;
  std::optional<Expr> when;
  Span span;
};
struct Period {  // 5 working days | 30 days
  std::int64_t count = 0;
  bool working = false;
  Span span;
};
struct Transition {  // on ACTION [by R, …] [when G] -> TARGET|back [as return] [label];
  Ident action;
  std::vector<RoleRef> by;
  std::optional<Expr> when;
  Ident target;       // empty name when `back`
  bool back = false;  // -> back: the stage that returned the case (correction stages only)
  bool as_return = false;
  Label label;
  Span span;
};
struct Timer {  // after PERIOD -> TARGET [label];
  Period period;
  Ident target;
  Label label;
  Span span;
};
struct JointReview {  // joint all|veto|majority { R [when G]; … }
  Ident policy;
  std::vector<GuardedRole> reviewers;
  Span span;
};
struct Stage {
  enum class Kind : std::uint8_t { Normal, Correction, Terminal };
  Kind kind = Kind::Normal;
  Ident name;
  Label label;
  std::vector<GuardedRole> responsible;  // first match wins
  std::optional<JointReview> joint;
  std::optional<Period> deadline;
  std::optional<Timer> after;
  bool amount_adjustable = false;  // `amount adjustable;`: the approving officer may approve a smaller amount
  Span adjustable_span;
  std::vector<Transition> transitions;
  Span span;
};
struct WorkflowDecl {
  Ident name;
  Label label;
  std::vector<Ident> starts;  // `start S;` (exactly one is valid; the checker reports others)
  std::vector<Ident> reserves;  // `reserve at S;` the stage whose approval reserves the budget (at most one)
  std::vector<Stage> stages;
  Span span;
};

using Decl = std::variant<EnumDecl, FactDecl, ParamDecl, Program, TableDecl, ExceptionDecl, GroupDecl, TestDecl,
                          RoleDecl, ActionDecl, WorkflowDecl>;

struct File {
  diag::FileId file = 0;
  std::vector<Decl> decls;
};

}  // namespace subsidy::dsl::ast
