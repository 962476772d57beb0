#pragma once
// 统一社会信用代码 (unified social credit code, GB 32100-2015): the 18-character key of an
// organisation. Characters 1–17 come from the alphabet "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I, O,
// S, V, Z); character 18 is the check character: with the weights 1 3 9 27 19 26 16 17 20 29 25 13
// 8 24 10 30 28 for positions 1–17 and each character's value its index in the alphabet,
// check = 31 − (Σ value × weight mod 31), where 31 stands for 0.
#include <optional>
#include <string>
#include <string_view>

namespace subsidy::model {

// nullopt when `code` is a valid code; otherwise one sentence naming what is wrong: the length (in
// characters), the first character outside the alphabet and its position (1-based, in characters),
// or "check digit is X, expected Y".
std::optional<std::string> uscc_problem(std::string_view code);

// 18 characters of the alphabet, whatever the check character: something meant to be a code, so
// that callers warn about a failed check only for those (legacy codes), not for other identifiers.
bool looks_like_uscc(std::string_view code);

}  // namespace subsidy::model
