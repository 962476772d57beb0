#pragma once
// Which facts an application must supply — one computation for every path that decodes facts
// (evaluate, case submit/import/correct, workflow simulate): the non-optional facts read by the
// programmes evaluated, and, where the application is routed through workflows, the non-optional
// facts their guards and role indices read.
#include <cstdint>
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"

namespace subsidy::eval {

// What the facts are used for.
struct FactUse {
  const Selection* programs = nullptr;  // the programmes evaluated; null or empty: all of them
  bool routing = false;                 // the application is routed through those programmes' workflows
  std::int32_t workflow = -1;           // routed through this workflow (index into workflow_decls.workflows)
};

struct RequiredFact {
  std::uint32_t slot = 0;
  std::int32_t workflow = -1;  // -1: a programme evaluated reads it; else the first workflow routing by it
};

// The required facts in declaration order, without the reserved "id".
std::vector<RequiredFact> required_facts(const Ruleset& rs, const FactUse& use);

}  // namespace subsidy::eval
