#include "model/money.hpp"

#include <gtest/gtest.h>

#include <limits>

using namespace subsidy::model;

TEST(Money, CheckedArithmeticReportsOverflowInsteadOfWrapping) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(add(1, 2), 3);
  EXPECT_FALSE(add(max, 1).has_value());
  EXPECT_FALSE(sub(std::numeric_limits<std::int64_t>::min(), 1).has_value());
  EXPECT_FALSE(mul(max / 2 + 1, 2).has_value());
  EXPECT_EQ(mul(-3, 4), -12);
}

TEST(Money, MulDivFloorIsExactIn128Bits) {
  // 5e12 分 × 123456 micro / 10^6 exceeds int64 in the intermediate product.
  EXPECT_EQ(mul_div_floor(5'000'000'000'000, 123'456, 1'000'000), 617'280'000'000);
  EXPECT_EQ(mul_div_floor(-7, 1, 2), -4);  // floor, not truncation
  EXPECT_FALSE(mul_div_floor(1, 1, 0).has_value());
  EXPECT_FALSE(mul_div_floor(std::numeric_limits<std::int64_t>::max(), 4, 2).has_value());
}

TEST(Money, RoundingModes) {
  EXPECT_EQ(round_div(250, 100, Rounding::floor), 2);
  EXPECT_EQ(round_div(250, 100, Rounding::half_up), 3);
  EXPECT_EQ(round_div(249, 100, Rounding::half_up), 2);
  EXPECT_EQ(round_div(201, 100, Rounding::ceil), 3);
  EXPECT_EQ(round_div(200, 100, Rounding::ceil), 2);
  EXPECT_EQ(round_div(-1, 100, Rounding::floor), -1);
}

TEST(Money, RawMoneyIsExactIn128BitsUntilRounded) {
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  // 922,337,203,685,477.58 元 × 1% in micro-分 is beyond int64, its rounding is not.
  Wide raw = static_cast<Wide>(92'233'720'368'547'758) * 10'000;
  EXPECT_FALSE(narrow(raw).has_value());
  EXPECT_EQ(round_div(raw, 100'000'000, Rounding::floor), 9'223'372'036'854);  // whole 元
  EXPECT_EQ(round_div(-raw, 100'000'000, Rounding::floor), -9'223'372'036'855);
  EXPECT_EQ(round_div(raw, 100'000'000, Rounding::ceil), 9'223'372'036'855);
  EXPECT_FALSE(round_div(raw * 1'000'000, 1, Rounding::floor).has_value());  // the result does not fit
  EXPECT_EQ(narrow(max), max);
  EXPECT_EQ(add_wide(raw, raw), raw * 2);
  EXPECT_EQ(sub_wide(0, raw), -raw);
  EXPECT_EQ(div_floor_wide(-7, 2), -4);
  EXPECT_FALSE(div_floor_wide(1, 0).has_value());
  Wide huge = static_cast<Wide>(max) * max;  // < 2^126
  EXPECT_TRUE(mul_wide(huge, 1).has_value());
  EXPECT_FALSE(mul_wide(huge, 4).has_value());
  EXPECT_FALSE(add_wide(huge * 2, huge * 2).has_value());
}

TEST(Money, FormatAndParseYuan) {
  EXPECT_EQ(format_yuan(123456), "1234.56");
  EXPECT_EQ(format_yuan(5), "0.05");
  EXPECT_EQ(format_yuan(-5), "-0.05");
  EXPECT_EQ(format_money_human(500'0000'00), "500万元");
  EXPECT_EQ(format_money_human(1234), "12.34元");
  EXPECT_EQ(format_money_human(100), "1元");
  EXPECT_EQ(parse_yuan("1234.56"), 123456);
  EXPECT_EQ(parse_yuan("1234.5"), 123450);
  EXPECT_EQ(parse_yuan("12"), 1200);
  EXPECT_FALSE(parse_yuan("12.345").has_value());
  EXPECT_FALSE(parse_yuan("1e5").has_value());
  EXPECT_FALSE(parse_yuan("").has_value());
  EXPECT_FALSE(parse_yuan("12.").has_value());
  EXPECT_FALSE(parse_yuan("99999999999999999999").has_value());
}

TEST(Money, DecimalsAndPercents) {
  EXPECT_EQ(format_percent(100'000), "10%");
  EXPECT_EQ(format_percent(125'000), "12.5%");
  EXPECT_EQ(format_decimal(250'000), "0.25");
  EXPECT_EQ(format_decimal(1'000'000), "1");
}
