// Working-day arithmetic against the shipped calendar data (rules/calendar/cn-mainland.tsv):
// holiday blocks, make-up working days on weekends, calendar-day periods, coverage, parse errors.
#include "workflow/calendar.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using subsidy::model::Days;
using subsidy::workflow::Calendar;

namespace {

Days D(const char* s) { return *subsidy::model::parse_date(s); }
std::string S(Days d) { return subsidy::model::format_date(d); }

const Calendar& shipped() {
  static const Calendar cal = [] {
    std::ifstream in(std::string(SUBSIDY_SOURCE_DIR) + "/rules/calendar/cn-mainland.tsv", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    subsidy::diag::SourceSet sources;
    auto f = sources.add("rules/calendar/cn-mainland.tsv", ss.str());
    subsidy::diag::Diagnostics diags;
    auto c = Calendar::parse(sources, f, diags);
    EXPECT_TRUE(diags.items().empty()) << subsidy::diag::render_all(diags, sources);
    return c;
  }();
  return cal;
}

TEST(Calendar, ShippedDataMatchesTheNotices) {
  const auto& c = shipped();
  EXPECT_EQ(c.first_year(), 2020);
  EXPECT_EQ(c.last_year(), 2026);
  EXPECT_EQ(c.count(Calendar::Kind::off), 208u);  // cn-holidays.md "Counts": 208 off, 46 work
  EXPECT_EQ(c.count(Calendar::Kind::work), 46u);
  ASSERT_NE(c.find(D("2024-10-12")), nullptr);
  EXPECT_EQ(c.find(D("2024-10-12"))->name, "国庆节");
}

TEST(Calendar, NationalDay2024) {
  const auto& c = shipped();
  EXPECT_FALSE(c.is_working_day(D("2024-09-28")));  // an ordinary Saturday
  EXPECT_TRUE(c.is_working_day(D("2024-09-29")));   // Sunday, make-up working day (调休上班)
  for (const char* d : {"2024-10-01", "2024-10-04", "2024-10-05", "2024-10-07"}) EXPECT_FALSE(c.is_working_day(D(d))) << d;
  EXPECT_TRUE(c.is_working_day(D("2024-10-12")));  // Saturday, make-up working day
  // Five working days from Friday 2024-09-27: 09-29 (Sun, make-up), 09-30, [国庆 10-01..07], 10-08, 10-09, 10-10.
  EXPECT_EQ(S(c.add_working_days(D("2024-09-27"), 5)), "2024-10-10");
  // Seven reach Saturday 2024-10-12, the second make-up day: 10-11 is the sixth.
  EXPECT_EQ(S(c.add_working_days(D("2024-09-27"), 6)), "2024-10-11");
  EXPECT_EQ(S(c.add_working_days(D("2024-09-27"), 7)), "2024-10-12");
  EXPECT_EQ(S(c.add_working_days(D("2024-09-27"), 8)), "2024-10-14");  // Sunday 10-13 is a rest day
  EXPECT_EQ(c.working_days_between(D("2024-09-27"), D("2024-10-12")), 7);
  EXPECT_EQ(c.working_days_between(D("2024-10-01"), D("2024-10-07")), 0);
  EXPECT_EQ(c.working_days_between(D("2024-10-12"), D("2024-10-01")), 0);
  EXPECT_EQ(S(c.add_working_days(D("2024-09-27"), 0)), "2024-09-27");
}

TEST(Calendar, SpringFestival2024) {
  const auto& c = shipped();
  EXPECT_TRUE(c.is_working_day(D("2024-02-04")));   // Sunday, make-up
  EXPECT_TRUE(c.is_working_day(D("2024-02-09")));   // 除夕 2024 is only "encouraged" off: a working day
  EXPECT_FALSE(c.is_working_day(D("2024-02-10")));
  EXPECT_FALSE(c.is_working_day(D("2024-02-17")));  // Saturday inside the block
  EXPECT_TRUE(c.is_working_day(D("2024-02-18")));   // Sunday, make-up
  // Thursday 02-08 + 3 working days: 02-09 (Fri), 02-18 (Sun, make-up), 02-19 (Mon).
  EXPECT_EQ(S(c.add_working_days(D("2024-02-08"), 3)), "2024-02-19");
}

TEST(Calendar, ExtendedSpringFestival2020) {
  const auto& c = shipped();
  EXPECT_TRUE(c.is_working_day(D("2020-01-19")));   // Sunday, make-up
  EXPECT_FALSE(c.is_working_day(D("2020-02-01")));  // the make-up Saturday was cancelled by the extension
  EXPECT_FALSE(c.is_working_day(D("2020-02-02")));
  EXPECT_TRUE(c.is_working_day(D("2020-02-03")));   // "2月3日起正常上班"
  EXPECT_EQ(S(c.add_working_days(D("2020-01-23"), 1)), "2020-02-03");
}

TEST(Calendar, YearBoundaryAndCoverage) {
  const auto& c = shipped();
  EXPECT_FALSE(c.is_working_day(D("2022-12-31")));  // 元旦 of the 2023 notice (a Saturday anyway)
  EXPECT_FALSE(c.is_working_day(D("2023-01-02")));  // Monday, 元旦
  EXPECT_EQ(S(c.add_working_days(D("2022-12-30"), 1)), "2023-01-03");
  EXPECT_TRUE(c.covers(D("2026-12-31")));
  EXPECT_FALSE(c.covers(D("2027-01-04")));
  EXPECT_FALSE(c.covers(D("2019-12-31")));
  // Beyond the data, the weekday rule: Friday 2027-01-01 + 1 working day = Monday 01-04.
  EXPECT_EQ(S(c.add_working_days(D("2027-01-01"), 1)), "2027-01-04");
  EXPECT_EQ(S(c.next_working_day(D("2024-10-05"))), "2024-10-08");
  EXPECT_EQ(S(c.next_working_day(D("2024-10-08"))), "2024-10-08");
}

TEST(Calendar, EmptyCalendarUsesTheWeekdayRule) {
  Calendar c;
  EXPECT_TRUE(c.is_working_day(D("2024-10-01")));
  EXPECT_EQ(S(c.add_working_days(D("2024-09-27"), 5)), "2024-10-04");
  EXPECT_FALSE(c.covers(D("2024-10-01")));
}

std::vector<std::string> parse_codes(const std::string& text) {
  subsidy::diag::SourceSet sources;
  auto f = sources.add("cal.tsv", text);
  subsidy::diag::Diagnostics diags;
  Calendar::parse(sources, f, diags);
  std::vector<std::string> out;
  for (const auto& d : diags.items()) {
    auto lc = sources.get(f).line_col(d.span.begin);
    out.push_back(d.code + "@" + std::to_string(lc.line) + ":" + std::to_string(lc.column));
  }
  return out;
}

TEST(Calendar, ParseErrorsNameLineAndColumn) {
  EXPECT_TRUE(parse_codes("date\tkind\tname\n# 2027 notice\n\n2027-01-01\toff\t元旦\n").empty());
  EXPECT_EQ(parse_codes("date\tkind\tname\n2027-01-01 off 元旦\n"), std::vector<std::string>{"E0740@2:1"});
  EXPECT_EQ(parse_codes("2027-02-30\toff\t春节\n"), std::vector<std::string>{"E0740@1:1"});
  EXPECT_EQ(parse_codes("2027-02-01\tholiday\t春节\n"), std::vector<std::string>{"E0740@1:12"});
  EXPECT_EQ(parse_codes("2027-02-06\toff\t春节\n2027-02-06\toff\t春节\n"), std::vector<std::string>{"E0741@2:1"});
  EXPECT_EQ(parse_codes("2027-02-05\twork\t春节\n"), std::vector<std::string>{"E0742@1:1"});  // a Friday
  EXPECT_EQ(parse_codes("2027-02-07\twork\t春节\n2027-02-06\toff\t春节\n"), std::vector<std::string>{"W0743@2:1"});
}

}  // namespace
