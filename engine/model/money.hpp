#pragma once
// Exact money: integer 分 (fen) in an int64. Decimals (rates, percents) are int64 micro-units
// (1.0 == 1'000'000). A money × rate product is "raw money" in micro-fen, held in 128 bits (Wide)
// until it is rounded explicitly: only a rounded amount that does not fit an int64 is an overflow.
// Every operation checks for overflow; nothing here ever wraps or uses floating point.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace subsidy::model {

using Fen = std::int64_t;
inline constexpr std::int64_t kFenPerYuan = 100;
inline constexpr std::int64_t kDecimalScale = 1'000'000;  // decimals are stored ×10^6

__extension__ typedef __int128 Wide;  // GCC/Clang extension: exact 128-bit raw money

// Checked arithmetic: nullopt on overflow (or division by zero).
std::optional<std::int64_t> add(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> sub(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> mul(std::int64_t a, std::int64_t b);
// a * b / d computed exactly in 128 bits, rounded toward negative infinity.
std::optional<std::int64_t> mul_div_floor(std::int64_t a, std::int64_t b, std::int64_t d);

// The same in 128 bits (raw money).
std::optional<Wide> add_wide(Wide a, Wide b);
std::optional<Wide> sub_wide(Wide a, Wide b);
std::optional<Wide> mul_wide(Wide a, Wide b);
// a / d rounded toward negative infinity; nullopt when d == 0 (or on overflow).
std::optional<Wide> div_floor_wide(Wide a, Wide d);
// The int64 value of `v`, or nullopt when it does not fit.
std::optional<std::int64_t> narrow(Wide v);

enum class Rounding { floor, ceil, half_up };
// value / divisor, rounded by `r`; nullopt when the quotient does not fit an int64 (or divisor <= 0):
// round_div(raw_microfen, 10^6 * 100, floor) gives whole yuan (to be multiplied by 100 for fen).
std::optional<std::int64_t> round_div(Wide value, std::int64_t divisor, Rounding r);

// "1234.56" for 123456 fen; "-0.05" for -5.
std::string format_yuan(Fen fen);
// "500万元", "12.34元" — for people; falls back to 元 when not a whole number of 万.
std::string format_money_human(Fen fen);
// Parses "1234", "1234.5", "1234.56" (元, at most two decimals) into fen.
std::optional<Fen> parse_yuan(std::string_view text);
// "12.5%" for 125000 micro; used in explanations.
std::string format_percent(std::int64_t micro);
// "0.125" for 125000 micro.
std::string format_decimal(std::int64_t micro);

}  // namespace subsidy::model
