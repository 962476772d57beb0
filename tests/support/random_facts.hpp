#pragma once
// Test support: random applicants for a ruleset, and the bytes of a decision, for differential tests
// (fused vs plain lowering, random rules). Deterministic for a given generator state.
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "eval/ruleset.hpp"
#include "model/date.hpp"
#include "model/facts.hpp"

namespace subsidy::json {
class DecisionEncoder;
}

namespace subsidy::testing {

// Facts for every slot of `rs`'s schema, drawn to reach boundaries: for numbers, money, decimals and
// dates the constants the ruleset compares each fact with (±1 分 / ±1 / ±1 day), 0, negatives, huge
// values near the int64 range and ordinary values; every enum value; empty and non-empty sets (of
// the ruleset's text literals and programme ids); optional facts sometimes unset.
// Builds the pools of boundary values per call; use FactSampler for many applicants.
model::Facts random_facts(const eval::Ruleset& rs, std::mt19937_64& rng);

// The same, with the pools gathered once for a ruleset (which must outlive it).
class FactSampler {
 public:
  explicit FactSampler(const eval::Ruleset& rs);
  ~FactSampler();
  model::Facts operator()(std::mt19937_64& rng) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The decision for `facts` on `as_of`, encoded with its explanation by the encoder the CLI uses
// (one JSON line, Chinese texts). Builds an encoder per call; use DecisionBytes for many.
std::string decision_bytes(const eval::Ruleset& rs, const model::Facts& facts, model::Days as_of);

// The same, with the encoder built once for a ruleset (which must outlive it).
class DecisionBytes {
 public:
  explicit DecisionBytes(const eval::Ruleset& rs);
  ~DecisionBytes();
  // `explain == false`: the decision alone, as the batch path encodes it (no explanation recorded).
  std::string operator()(const model::Facts& facts, model::Days as_of, bool english = false, bool explain = true);

 private:
  const eval::Ruleset& rs_;
  std::unique_ptr<json::DecisionEncoder> enc_;
};

}  // namespace subsidy::testing
