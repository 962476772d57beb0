#pragma once
// Number and money text of the JSON wire format (docs/integration.md §2), shared by the strict
// decoder (fact_decoder.cpp) and its fast path (fast_decoder.cpp). Internal to adapters/json.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace subsidy::json::detail {

// A number token split per the JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
struct NumTok {
  bool neg = false;
  std::string_view ip, fp;  // integer and fraction digits
  bool has_frac = false, has_exp = false;
  std::int64_t exp = 0;     // clamped to ±100000
};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline bool lex_number(std::string_view s, NumTok& t) {
  t = NumTok{};
  std::size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') {
    t.neg = true;
    ++i;
  }
  std::size_t b = i;
  while (i < n && is_digit(s[i])) ++i;
  if (i == b) return false;
  if (i - b > 1 && s[b] == '0') return false;  // leading zero
  t.ip = s.substr(b, i - b);
  if (i < n && s[i] == '.') {
    ++i;
    b = i;
    while (i < n && is_digit(s[i])) ++i;
    if (i == b) return false;
    t.has_frac = true;
    t.fp = s.substr(b, i - b);
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    b = i;
    std::int64_t e = 0;
    while (i < n && is_digit(s[i])) {
      if (e < 100000) e = e * 10 + (s[i] - '0');
      ++i;
    }
    if (i == b) return false;
    t.has_exp = true;
    t.exp = eneg ? -e : e;
  }
  return i == n;
}

enum class Scaled { ok, too_precise, overflow };

// value × 10^scale_pow, exactly, as an int64.
inline Scaled to_scaled(const NumTok& t, int scale_pow, std::int64_t& out) {
  // The digit sequence ip ++ fp, its exponent, without leading and trailing zeros.
  auto at = [&](std::size_t k) { return k < t.ip.size() ? t.ip[k] : t.fp[k - t.ip.size()]; };
  std::size_t total = t.ip.size() + t.fp.size();
  std::size_t first = 0;
  while (first < total && at(first) == '0') ++first;
  if (first == total) {
    out = 0;
    return Scaled::ok;
  }
  std::size_t last = total;  // one past the last significant digit
  while (at(last - 1) == '0') --last;
  std::int64_t e = t.exp - static_cast<std::int64_t>(t.fp.size()) + scale_pow + static_cast<std::int64_t>(total - last);
  if (e < 0) return Scaled::too_precise;
  if (static_cast<std::int64_t>(last - first) + e > 19) return Scaled::overflow;
  std::int64_t v = 0;
  for (std::size_t k = first; k < last; ++k) {
    if (__builtin_mul_overflow(v, std::int64_t{10}, &v) || __builtin_add_overflow(v, std::int64_t{at(k) - '0'}, &v))
      return Scaled::overflow;
  }
  for (std::int64_t k = 0; k < e; ++k)
    if (__builtin_mul_overflow(v, std::int64_t{10}, &v)) return Scaled::overflow;
  out = t.neg ? -v : v;
  return Scaled::ok;
}

// Strict money string: -?[0-9]+(\.[0-9]{1,2})?
enum class MoneyText { ok, syntax, too_precise };
inline MoneyText check_money_text(std::string_view s) {
  std::size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  std::size_t b = i;
  while (i < n && is_digit(s[i])) ++i;
  if (i == b) return MoneyText::syntax;
  if (i == n) return MoneyText::ok;
  if (s[i] != '.') return MoneyText::syntax;
  b = ++i;
  while (i < n && is_digit(s[i])) ++i;
  if (i != n || i == b) return MoneyText::syntax;
  return i - b > 2 ? MoneyText::too_precise : MoneyText::ok;
}

}  // namespace subsidy::json::detail
