#pragma once
// The result of evaluating one applicant against a Ruleset. Plain data, reusable across records.
#include <cstdint>
#include <string>
#include <vector>

namespace subsidy::model {

enum class Outcome : std::uint8_t {
  eligible,       // all requirements met; `amount` is payable
  refused,        // a requirement failed, an exception refused it, or a `pay highest` group paid another
  not_in_effect,  // the programme's effective period does not cover the evaluation date
  error,          // the evaluation failed for this programme (e.g. amount overflow, a cap that cannot be evaluated)
  capped,         // all requirements met, but a shared group cap left nothing to pay (`limited_by` names it)
};

const char* outcome_name(Outcome o);

struct ProgramResult {
  Outcome outcome = Outcome::refused;
  std::int64_t amount = 0;           // 分, after exceptions, caps and group limits
  std::uint64_t failed = 0;          // bit i: requirement i of the programme failed
  std::int32_t refused_by = -1;      // exception index that refused it, or -1
  std::uint64_t exceptions = 0;      // bit i: exception i (ruleset order, < 64) applied
  std::int32_t limited_by = -1;      // group index that reduced or removed the amount, or -1
  std::int32_t error_node = -1;      // lowered node index where an evaluation error happened
  std::int32_t error_group = -1;     // error: the group whose cap could not be evaluated, or -1
  std::uint8_t error_kind = 0;       // EvalError (eval/evaluate.hpp): 0 none
  bool illustrative = false;         // the amount relies on an illustrative ([I]) figure
};

struct Decision {
  std::vector<ProgramResult> programs;  // by programme index in the Ruleset
  std::int64_t total = 0;               // 分
  std::int64_t total_before_caps = 0;   // 分: the total before group caps and `cap total` limits
  std::vector<std::uint32_t> caps;      // groups whose cap bound (cut an amount or the total), in order applied
  bool capped = false;                  // a `cap total` reduced `total`
  bool illustrative = false;            // any eligible amount relies on an illustrative figure
  bool errors = false;                  // some programme's outcome is `error`
};

}  // namespace subsidy::model
