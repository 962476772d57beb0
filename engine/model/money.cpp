#include "model/money.hpp"

#include <charconv>
#include <limits>

namespace subsidy::model {

std::optional<std::int64_t> add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<std::int64_t> sub(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<std::int64_t> mul(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<Wide> add_wide(Wide a, Wide b) {
  Wide r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<Wide> sub_wide(Wide a, Wide b) {
  Wide r;
  if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<Wide> mul_wide(Wide a, Wide b) {
  Wide r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

std::optional<std::int64_t> narrow(Wide v) {
  if (v > std::numeric_limits<std::int64_t>::max() || v < std::numeric_limits<std::int64_t>::min()) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

namespace {
using i128 = Wide;
constexpr i128 kWideMax = (static_cast<i128>(1) << 126) - 1 + (static_cast<i128>(1) << 126);
constexpr i128 kWideMin = -kWideMax - 1;
// Requires d != 0 and not (a == min && d == -1).
i128 floor_div(i128 a, i128 d) {
  i128 q = a / d;
  if ((a % d != 0) && ((a < 0) != (d < 0))) --q;
  return q;
}
}  // namespace

std::optional<Wide> div_floor_wide(Wide a, Wide d) {
  if (d == 0 || (a == kWideMin && d == -1)) return std::nullopt;
  return floor_div(a, d);
}

std::optional<std::int64_t> mul_div_floor(std::int64_t a, std::int64_t b, std::int64_t d) {
  if (d == 0) return std::nullopt;
  return narrow(floor_div(static_cast<i128>(a) * b, d));
}

std::optional<std::int64_t> round_div(Wide value, std::int64_t divisor, Rounding r) {
  if (divisor <= 0) return std::nullopt;
  i128 v = value;
  i128 q = floor_div(v, divisor);
  i128 rem = v - q * divisor;
  switch (r) {
    case Rounding::floor: break;
    case Rounding::ceil:
      if (rem != 0) ++q;
      break;
    case Rounding::half_up:
      if (rem * 2 >= divisor) ++q;
      break;
  }
  return narrow(q);
}

std::string format_yuan(Fen fen) {
  bool neg = fen < 0;
  unsigned long long mag = neg ? 0ULL - static_cast<unsigned long long>(fen) : static_cast<unsigned long long>(fen);
  std::string s = std::to_string(mag / 100);
  unsigned long long cents = mag % 100;
  s += '.';
  s += static_cast<char>('0' + cents / 10);
  s += static_cast<char>('0' + cents % 10);
  return neg ? "-" + s : s;
}

std::string format_money_human(Fen fen) {
  constexpr Fen kWan = 10'000 * kFenPerYuan;
  if (fen != 0 && fen % kWan == 0) return std::to_string(fen / kWan) + "万元";
  if (fen % kFenPerYuan == 0) return std::to_string(fen / kFenPerYuan) + "元";
  return format_yuan(fen) + "元";
}

std::optional<Fen> parse_yuan(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool neg = false;
  if (text.front() == '-') {
    neg = true;
    text.remove_prefix(1);
  }
  auto dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && (frac.empty() || frac.size() > 2))) return std::nullopt;
  for (char c : whole)
    if (c < '0' || c > '9') return std::nullopt;
  for (char c : frac)
    if (c < '0' || c > '9') return std::nullopt;
  std::int64_t y = 0;
  auto [p, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), y);
  if (ec != std::errc{} || p != whole.data() + whole.size()) return std::nullopt;
  std::int64_t cents = 0;
  if (!frac.empty()) cents = (frac[0] - '0') * 10 + (frac.size() > 1 ? frac[1] - '0' : 0);
  auto f = mul(y, kFenPerYuan);
  if (!f) return std::nullopt;
  auto r = add(*f, cents);
  if (!r) return std::nullopt;
  return neg ? -*r : *r;
}

std::string format_decimal(std::int64_t micro) {
  bool neg = micro < 0;
  unsigned long long mag = neg ? 0ULL - static_cast<unsigned long long>(micro) : static_cast<unsigned long long>(micro);
  std::string s = std::to_string(mag / kDecimalScale);
  unsigned long long frac = mag % kDecimalScale;
  if (frac) {
    std::string f = std::to_string(frac);
    f.insert(0, 6 - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    s += '.' + f;
  }
  return neg ? "-" + s : s;
}

std::string format_percent(std::int64_t micro) {
  // micro * 100 / 10^6 = micro / 10^4 percent; print with up to 4 decimals.
  bool neg = micro < 0;
  unsigned long long mag = neg ? 0ULL - static_cast<unsigned long long>(micro) : static_cast<unsigned long long>(micro);
  std::string s = std::to_string(mag / 10'000);
  unsigned long long frac = mag % 10'000;
  if (frac) {
    std::string f = std::to_string(frac);
    f.insert(0, 4 - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    s += '.' + f;
  }
  return (neg ? "-" : "") + s + "%";
}

}  // namespace subsidy::model
