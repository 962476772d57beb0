#pragma once
// The result of evaluating one applicant against a Ruleset. Plain data, reusable across records.
#include <cstdint>
#include <string>
#include <vector>

namespace subsidy::model {

enum class Outcome : std::uint8_t {
  eligible,       // all requirements met; `amount` is payable
  refused,        // a requirement failed or an exception refused it
  not_in_effect,  // the programme's effective period does not cover the evaluation date
  error,          // the evaluation failed for this programme (e.g. amount overflow)
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
  std::uint8_t error_kind = 0;       // EvalError (eval/evaluate.hpp): 0 none
  bool illustrative = false;         // the amount relies on an illustrative ([I]) figure
};

struct Decision {
  std::vector<ProgramResult> programs;  // by programme index in the Ruleset
  std::int64_t total = 0;               // 分
  bool capped = false;                  // a total cap reduced `total`
  bool illustrative = false;            // any eligible amount relies on an illustrative figure
};

}  // namespace subsidy::model
