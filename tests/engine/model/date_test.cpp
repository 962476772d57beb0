#include "model/date.hpp"

#include <gtest/gtest.h>

using namespace subsidy::model;

TEST(Date, ParsesOnlyRealCalendarDays) {
  EXPECT_EQ(parse_date("1970-01-01"), 0);
  EXPECT_EQ(parse_date("2021-01-01"), 18628);
  EXPECT_TRUE(parse_date("2024-02-29").has_value());
  EXPECT_FALSE(parse_date("2023-02-29").has_value());
  EXPECT_FALSE(parse_date("2021-13-01").has_value());
  EXPECT_FALSE(parse_date("2021-1-01").has_value());
  EXPECT_FALSE(parse_date("2021/01/01").has_value());
}

TEST(Date, FormatsAndSplits) {
  auto d = *parse_date("2024-10-12");
  EXPECT_EQ(format_date(d), "2024-10-12");
  EXPECT_EQ(year_of(d), 2024);
  EXPECT_EQ(month_of(d), 10u);
  EXPECT_EQ(day_of(d), 12u);
  EXPECT_EQ(weekday_of(d), 5);  // Saturday
}

TEST(Date, WholeYearsBetweenUsesTheBirthdayRule) {
  EXPECT_EQ(whole_years_between(*parse_date("2020-02-29"), *parse_date("2021-02-28")), 0);
  EXPECT_EQ(whole_years_between(*parse_date("2020-02-29"), *parse_date("2021-03-01")), 1);
  EXPECT_EQ(whole_years_between(*parse_date("2018-06-30"), *parse_date("2021-06-30")), 3);
  EXPECT_EQ(whole_years_between(*parse_date("2018-07-01"), *parse_date("2021-06-30")), 2);
}
