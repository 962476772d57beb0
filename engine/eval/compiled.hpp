#pragma once
// The evaluator's compiled form: each programme's requirements, exception conditions, amount and
// cap classified once (at lowering) into superinstructions — a whole expression shape decided by
// one `switch` case with its operands inline — instead of the node-by-node dispatch of the plain
// interpreter. Shapes not listed fall back to the plain interpreter for that expression (`general`),
// so every expression has exactly the plain path's value, error kind and error node.
//
// Used by eval::evaluate() when no Explanation is asked for (the batch hot path);
// eval::evaluate_plain() never uses it (the differential tests compare the two).
#include <cstdint>
#include <vector>

namespace subsidy::eval {

struct Ruleset;

// A condition (requirement or exception `when`), decided to 0/1.
struct CCond {
  enum class Shape : std::uint8_t {
    general,       // the plain interpreter's condition(node)
    fact_imm,      // fact[slot] `cmp` imm
    fact_mask,     // enum fact[slot] in the mask imm
    fact_fact,     // fact[slot] `cmp` fact[slot2]
    year_sub_fact, // year(as_of) − fact[slot] `cmp` imm; the subtraction checked (error at `sub`)
    text_in,       // text fact[slot] in the text list imm (Ruleset::text_lists)
  } shape = Shape::general;
  // The comparison as the outcomes it accepts: bit 0 less, bit 1 equal, bit 2 greater (== is 2,
  // != 5, < 1, <= 3, > 4, >= 6), decided branch-free by compare3().
  std::uint8_t cmp = 0;
  std::uint32_t slot = 0, slot2 = 0;
  std::int64_t imm = 0;
  std::uint32_t node = 0;  // the condition's node (general)
  std::uint32_t sub = 0;   // year_sub_fact: the SubI node (its overflow error)
};

// A money/int expression of an amount, minimum or cap.
struct CAmount {
  enum class Shape : std::uint8_t {
    general,        // the plain interpreter's ev(node)
    constant,       // imm
    lookup,         // precomputed table lookup on enum fact[slot] (table `table`), error at node
    floor_yuan_mul, // floor_yuan(x × imm) with x = fact[slot] | fact[slot] − fact[slot2] | amount
  } shape = Shape::general;
  enum class X : std::uint8_t { fact, fact_minus_fact, amount } x = X::fact;
  std::uint32_t slot = 0, slot2 = 0;
  std::uint32_t table = 0;
  std::int64_t imm = 0;
  std::uint32_t node = 0;  // the expression's root node (general; errors of lookup/floor)
  std::uint32_t sub = 0;   // fact_minus_fact: the SubM node (its overflow error)
};

struct CompiledProgram {
  std::vector<CCond> requirements;  // as Program::requirements
  CAmount amount, minimum, cap;     // minimum / cap: only when the programme has one
};

struct CompiledRules {
  std::vector<CompiledProgram> programs;  // as Ruleset::programs
  std::vector<CCond> when;                // as Ruleset::exceptions (their `when`)
  std::vector<CAmount> exception_amount;  // as Ruleset::exceptions (modifiers' amounts)
};

inline bool compare3(std::uint8_t cmp, std::int64_t x, std::int64_t y) {
  unsigned outcome = static_cast<unsigned>(x < y) | static_cast<unsigned>(x == y) << 1 | static_cast<unsigned>(x > y) << 2;
  return (cmp & outcome) != 0;
}
inline bool in_mask(std::int64_t x, std::int64_t mask) {
  return static_cast<std::uint64_t>(x) < 64 && ((static_cast<std::uint64_t>(mask) >> (x & 63)) & 1);
}

// Classifies every expression of `rs` (after lowering, fused or not).
CompiledRules compile_rules(const Ruleset& rs);

}  // namespace subsidy::eval
