#pragma once
// Documented exit codes (docs/integration.md). Stable: integrating systems depend on them.
namespace subsidy::cli {
inline constexpr int kExitOk = 0;
inline constexpr int kExitTestsFailed = 1;  // `rules test`: a test failed; `audit verify`: tampering found
inline constexpr int kExitUsage = 2;        // bad options or arguments
inline constexpr int kExitInput = 3;        // unreadable input, or records that failed to decode; no such case
inline constexpr int kExitRules = 4;        // the ruleset cannot be loaded or has errors
inline constexpr int kExitInternal = 5;     // a bug or an unexpected system failure
inline constexpr int kExitConflict = 6;     // the case changed since it was read (optimistic lock lost)
inline constexpr int kExitDatabase = 7;     // database unavailable, locked, corrupt, or schema too new/old
inline constexpr int kExitRefused = 8;      // the workflow refused the action, or the budget cannot take it
inline constexpr int kExitEvaluation = 9;   // `evaluate`: a decision has a programme in `error` (3 takes precedence)
}  // namespace subsidy::cli
