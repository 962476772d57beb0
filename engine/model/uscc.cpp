#include "model/uscc.hpp"

#include <array>
#include <cstdio>

#include "diag/source.hpp"

namespace subsidy::model {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
constexpr std::size_t kLength = 18;

int value_of(char c) {
  const auto at = kAlphabet.find(c);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// How a character outside the alphabet is shown: as typed, or by its byte value when not UTF-8.
std::string shown(std::string_view code, std::size_t at, std::size_t len) {
  if (len != 0) return "'" + std::string(code.substr(at, len)) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02X", static_cast<unsigned>(static_cast<unsigned char>(code[at])));
  return buf;
}

}  // namespace

std::optional<std::string> uscc_problem(std::string_view code) {
  // The first character outside the alphabet, counting characters (a byte that is not UTF-8 counts as one).
  std::size_t characters = 0;
  std::optional<std::string> bad;
  for (std::size_t i = 0; i < code.size(); ++characters) {
    const std::size_t len = diag::utf8_length(code, i);
    if (!bad && (len != 1 || value_of(code[i]) < 0)) {
      bad = "character " + std::to_string(characters + 1) + " (" + shown(code, i, len) +
            ") is not allowed in a 统一社会信用代码 (digits and capital letters except I, O, S, V, Z)";
      if (len == 1 && code[i] >= 'a' && code[i] <= 'z' && value_of(static_cast<char>(code[i] - 'a' + 'A')) >= 0)
        *bad += "; write letters in capitals";
    }
    i += len == 0 ? 1 : len;
  }
  if (characters != kLength)
    return "a 统一社会信用代码 has 18 characters, this one has " + std::to_string(characters);
  if (bad) return bad;
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i) sum += value_of(code[i]) * kWeights[i];
  const int check = (31 - sum % 31) % 31;
  if (value_of(code[17]) != check)
    return std::string("check digit is ") + code[17] + ", expected " + kAlphabet[static_cast<std::size_t>(check)];
  return std::nullopt;
}

bool looks_like_uscc(std::string_view code) {
  if (code.size() != kLength) return false;
  for (char c : code)
    if (value_of(c) < 0) return false;
  return true;
}

}  // namespace subsidy::model
