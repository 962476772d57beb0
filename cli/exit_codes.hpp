#pragma once
// Documented exit codes (docs/integration.md). Stable: integrating systems depend on them.
namespace subsidy::cli {
inline constexpr int kExitOk = 0;
inline constexpr int kExitTestsFailed = 1;  // `rules test`: a test failed
inline constexpr int kExitUsage = 2;        // bad options or arguments
inline constexpr int kExitInput = 3;        // unreadable input, or records that failed to decode
inline constexpr int kExitRules = 4;        // the ruleset cannot be loaded or has errors
inline constexpr int kExitInternal = 5;     // a bug or an unexpected system failure
}  // namespace subsidy::cli
