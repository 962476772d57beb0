#pragma once
// Where a case stands in its workflow: plain data, serialised to JSON text for storage (the case
// store keeps it as an opaque payload next to the current stage, roles and due dates; see
// summarize() in transition.hpp). docs/workflow.md §6.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/date.hpp"

namespace subsidy::workflow {

using model::Days;

struct Vote {
  std::string role;  // the reviewer, e.g. "市农牧局"
  bool approve = false;
  Days date = 0;
  bool operator==(const Vote&) const = default;
};

// The deadline of a stage that returned the case for correction, stopped while the applicant corrects.
struct PausedClock {
  std::string stage;
  std::int32_t remaining = 0;  // working days (or calendar days) that were left
  bool working = true;
  bool operator==(const PausedClock&) const = default;
};

struct CaseState {
  static constexpr int kVersion = 1;  // of the JSON form
  std::string workflow;
  std::string stage;
  Days entered = 0;                    // the day the case entered `stage`
  Days last = 0;                       // the day of the latest step: later steps may not be dated before it
  std::string responsible;             // the role handling the stage ("" in terminal stages or when none applies)
  std::optional<Days> due;             // the stage's deadline (inclusive)
  std::optional<Days> timer;           // the last day of the stage's `after` period
  std::string return_to;               // in a correction stage: the stage that returned the case
  std::optional<PausedClock> paused;   // that stage's stopped deadline
  std::int32_t corrections = 0;        // returns for correction so far
  std::vector<std::string> reviewers;  // joint review: the selected reviewers
  std::vector<Vote> votes;             // joint review: the votes cast so far
  bool operator==(const CaseState&) const = default;
};

// One line of JSON, keys in a fixed order; dates as "YYYY-MM-DD", absent values as null.
std::string to_json(const CaseState& s);
// Strict: unknown keys, wrong types, bad dates and a newer `version` are refused; `error` names
// the key ("case state: `due` must be a date (YYYY-MM-DD) or null").
std::optional<CaseState> case_state_from_json(std::string_view json, std::string* error = nullptr);

}  // namespace subsidy::workflow
