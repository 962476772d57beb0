#pragma once
// The compiled, immutable Ruleset: names resolved to slots and dense ids, expressions lowered to a
// flat node array. Produced by check+lower (eval/lower.hpp); read by the pure evaluator.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diag/source.hpp"
#include "eval/compiled.hpp"
#include "eval/workflow_spec.hpp"
#include "model/date.hpp"
#include "model/schema.hpp"
#include "model/type.hpp"

namespace subsidy::eval {

using model::Days;
using model::Label;

enum class Status : std::uint8_t { sourced, secondary, derived, illustrative, unspecified };
const char* status_name(Status s);  // "sourced", …
const char* status_tag(Status s);   // "[S]", "[S-2]", "[D]", "[I]", ""

inline constexpr std::uint32_t kNoNode = 0xFFFFFFFFu;

// Lowered expression operations. Types are resolved at compile time, so each op knows its operand
// representation (see model/type.hpp) and no run-time type tags exist. What a node's fields hold
// depends on its op (listed here); code outside the lowering reads them only through the operand
// accessors below (slot_of, table_of, param_of, …), never through `a`/`b` directly.
enum class Op : std::uint8_t {
  Const,        // imm
  Fact,         // slot a (int64 representation)
  FactPresent,  // is_set(fact a)
  FactOr,       // value_or(fact a, node b)
  Param,        // param a
  AsOf,
  Amount,       // the programme's amount so far (inside exceptions)
  Table,        // table a
  NegI, NegM, NegD,
  Not,
  AddI, SubI, MulI,           // int (checked)
  AddM, SubM, NegR,           // money (checked); NegR: raw money
  AddR, SubR,                 // raw money (128-bit, checked)
  MulMI,                      // money × int → money (checked)
  MulMD,                      // money × decimal → raw money (micro-fen)
  MulRD,                      // raw money × decimal → raw money
  DivMI,                      // money / int → raw money
  DivRI,                      // raw money / int → raw money
  DivMM,                      // money / money → decimal
  AddD, SubD, MulD, DivD,     // decimals
  IntToDec,                   // int → decimal
  MoneyToRaw,                 // money → raw money
  SubDate,                    // date − date → int days
  Eq, Ne, Lt, Le, Gt, Ge,     // comparisons of nodes a, b (all numeric-like kinds of one type; raw money in 128 bits)
  EqFC, NeFC, LtFC, LeFC, GtFC, GeFC,  // fused: fact slot a compared with constant imm
  InMaskF,                    // fused: enum fact slot a in mask imm
  TableLookup,                // fused: table b whose only input is enum fact slot a, by precomputed row
  EqText, NeText,             // text fact a vs text literal text_id
  And, Or,
  If,                         // a ? b : c
  InEnumMask,                 // enum value (node a) in mask imm
  EnumSetHas,                 // set-of-enum fact slot b contains enum value node a
  InTexts,                    // text (node a, which is a Fact or text const) in text list texts[imm]
  TextSetHas,                 // set-of-text fact slot b contains text (node a)
  CountSet,                   // count(set fact a)
  Min, Max,                   // over the argument list args[a .. a+b) (see args_of)
  FloorYuanR, RoundYuanR, CeilYuanR, FloorFenR, RoundFenR,  // raw money → money
  FloorYuanM, RoundYuanM, CeilYuanM,                          // money → money (whole yuan)
  Year, Month, YearsBetween,
  CaseAttr,                   // workflow guards: case attribute imm (model::CaseAttr)
};

struct Node {
  Op op = Op::Const;
  model::Kind kind = model::Kind::Int;  // result kind (RawMoney: evaluated in 128 bits)
  std::uint32_t a = kNoNode, b = kNoNode, c = kNoNode;  // by op (see Op); read through the accessors
  std::int64_t imm = 0;
  std::uint32_t ast_id = 0;  // the source Expr id, for traces and errors
  diag::Span span;
};

// Operand accessors: the one place that knows which field holds what for each op. Each returns
// kNoNode when the node's op has no such operand, so a message about "the table of node n" can never
// read a fact slot as a table index.
// The fact slot the node reads directly (Fact, FactPresent, FactOr, the fused tests, TableLookup,
// CountSet, EnumSetHas, TextSetHas).
constexpr std::uint32_t slot_of(const Node& n) {
  switch (n.op) {
    case Op::Fact: case Op::FactPresent: case Op::FactOr: case Op::CountSet:
    case Op::EqFC: case Op::NeFC: case Op::LtFC: case Op::LeFC: case Op::GtFC: case Op::GeFC:
    case Op::InMaskF: case Op::TableLookup:
      return n.a;
    case Op::EnumSetHas: case Op::TextSetHas: return n.b;
    default: return kNoNode;
  }
}
// The table (Ruleset::tables index) of a Table or TableLookup node.
constexpr std::uint32_t table_of(const Node& n) {
  return n.op == Op::Table ? n.a : n.op == Op::TableLookup ? n.b : kNoNode;
}
// The parameter (Ruleset::params index) of a Param node.
constexpr std::uint32_t param_of(const Node& n) { return n.op == Op::Param ? n.a : kNoNode; }
// The element node tested by EnumSetHas / TextSetHas / InEnumMask / InTexts.
constexpr std::uint32_t element_of(const Node& n) {
  switch (n.op) {
    case Op::EnumSetHas: case Op::TextSetHas: case Op::InEnumMask: case Op::InTexts: return n.a;
    default: return kNoNode;
  }
}
// The default value node of FactOr.
constexpr std::uint32_t default_of(const Node& n) { return n.op == Op::FactOr ? n.b : kNoNode; }
// Min / Max: the first index into Ruleset::args and the number of arguments.
struct ArgRange {
  std::uint32_t first = 0, count = 0;
};
constexpr ArgRange args_of(const Node& n) {
  return n.op == Op::Min || n.op == Op::Max ? ArgRange{n.a, n.b} : ArgRange{};
}

struct ParamValue {
  Days from = 0;
  std::int64_t value = 0;
  std::string source;
  Status status = Status::unspecified;
  diag::Span span;
};
struct Param {
  std::string name;
  model::Type type;
  Label label;
  std::vector<ParamValue> values;  // sorted by `from` ascending
  diag::Span span;
};

struct Requirement {
  std::string name;
  std::uint32_t cond = kNoNode;
  Label reason;
  std::string clause;
  std::string source_text;  // the condition as written, for explanations
  diag::Span span;
  // When `cond` is one fused fact test, the evaluator decides it branch-free from these:
  // fast = 1..6 for == != < <= > >= against `imm`, 7 for membership in the mask `imm`, 0 otherwise.
  std::uint8_t fast = 0;
  std::uint32_t fast_slot = 0;
  std::int64_t fast_imm = 0;
};

struct Program {
  std::string id;
  Label title;
  std::string bureau, citation, source, workflow;
  Status status = Status::unspecified;
  Days effective_from = INT32_MIN;
  Days effective_to = INT32_MAX;  // inclusive
  std::vector<Requirement> requirements;
  std::uint32_t amount = kNoNode, minimum = kNoNode, cap = kNoNode;
  std::string amount_text;                 // the formula as written
  std::vector<std::uint32_t> refusals;     // exception indices that refuse this programme
  std::vector<std::uint32_t> modifiers;    // exception indices that modify its amount, by priority
  std::vector<std::uint32_t> facts_used;   // fact slots read by any of its expressions (sorted, unique)
  diag::Span span;
};

struct Exception {
  std::string name;
  Label label;
  std::uint32_t when = kNoNode;
  bool refuses = false;
  Label reason;                 // refuse text
  std::uint32_t amount = kNoNode;
  std::string amount_text;
  std::int64_t priority = 0;
  std::string citation;
  Days effective_from = INT32_MIN, effective_to = INT32_MAX;
  diag::Span span;
};

enum class Hit : std::uint8_t { unique, first, priority, collect_sum, collect_min, collect_max, collect_count };
struct Cell {
  enum class Kind : std::uint8_t { Any, Cmp, Range, Set } kind = Kind::Any;
  Op cmp = Op::Eq;                     // Cmp: Eq Ne Lt Le Gt Ge (or EqText/NeText for text)
  std::uint32_t a = kNoNode, b = kNoNode;  // Cmp: a; Range: a..b
  bool lo_open = false, hi_open = false;
  std::vector<std::uint32_t> items;    // Set
  bool negated = false;
  diag::Span span;
};
struct Row {
  std::vector<Cell> cells;
  std::uint32_t output = kNoNode;
  diag::Span span;
};
struct Table {
  // Precomputed for TableLookup (one enum fact input, constant cells and outputs): per enum value,
  // the matching row (-1: none) and its output.
  std::vector<std::int32_t> lookup_row;
  std::vector<std::int64_t> lookup_value;
  std::string name;
  Label label;
  model::Type result;
  Hit hit = Hit::unique;
  std::vector<std::uint32_t> inputs;  // nodes
  std::vector<model::Type> input_types;
  std::vector<Row> rows;
  diag::Span span;
};

struct Group {
  std::string name;
  Label label;
  std::vector<std::uint32_t> programs;  // programme indices, in the order listed
  std::uint32_t cap = kNoNode;
  bool total_only = false;
  std::uint32_t already = kNoNode;
  bool pay_highest = false;
  std::string citation;
  diag::Span span;
};

// A `test` block, compiled: facts to set and outcomes to expect.
struct TestGiven {
  std::uint32_t slot = 0;
  std::int64_t value = 0;
  std::string text;
  std::vector<std::string> texts;  // set of text
  std::uint64_t enum_mask = 0;     // set of enum
};
struct TestExpect {
  // Mirrors dsl::ast::Expectation::Kind. Capped/NotCapped: the total; ProgramCapped: `P capped [by G]`.
  enum class Kind : std::uint8_t { Eligible, Refused, NotInEffect, Total, Capped, NotCapped, ProgramCapped } kind = Kind::Eligible;
  std::int32_t program = -1;
  bool has_amount = false;
  std::int64_t amount = 0;
  std::vector<std::string> because;
  diag::Span span;
};
struct Test {
  std::string name;
  Days as_of = 0;
  bool has_as_of = false;
  std::vector<TestGiven> given;
  std::vector<TestExpect> expects;
  diag::Span span;
};

struct Ruleset {
  model::Schema schema;
  std::vector<Node> nodes;
  std::vector<std::uint32_t> args;             // argument lists for Min/Max
  std::vector<std::vector<std::string>> text_lists;  // for InTexts / EqText (text_lists[imm][0])
  std::vector<Param> params;
  std::vector<Program> programs;
  std::vector<Exception> exceptions;
  std::vector<Table> tables;
  std::vector<Group> groups;
  std::vector<Test> tests;
  WorkflowDecls workflow_decls;  // roles, actions, workflows (guards are nodes above)
  std::vector<diag::SourceFile> sources;  // the rule files, by diag::FileId (for locations in messages)
  std::string hash;  // SHA-256 of the sources, hex
  bool fused = true;  // lowered with LowerOptions::fuse (fast paths and the exception-condition cache)
  // The evaluator's compiled form (eval/compiled.hpp), classified from the nodes above when lowered;
  // empty programmes vector: none (evaluate() then interprets the nodes, as evaluate_plain() always does).
  CompiledRules compiled;
  int find_program(std::string_view id) const {
    for (std::size_t i = 0; i < programs.size(); ++i)
      if (programs[i].id == id) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace subsidy::eval
