#pragma once
// Civil dates as days since 1970-01-01 (std::chrono::sys_days), parsed strictly as YYYY-MM-DD.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace subsidy::model {

using Days = std::int32_t;  // days since 1970-01-01

std::optional<Days> make_date(int year, unsigned month, unsigned day);
std::optional<Days> parse_date(std::string_view text);  // exactly "YYYY-MM-DD", a real calendar day
std::string format_date(Days d);
int year_of(Days d);
unsigned month_of(Days d);
unsigned day_of(Days d);
int weekday_of(Days d);  // 0 = Monday … 6 = Sunday
// Whole years from `from` to `to` (birthday rule: 2020-02-29 → 2021-02-28 is 0 years).
int whole_years_between(Days from, Days to);
// Today's date in UTC+8 (China Standard Time).
Days today_cst();

}  // namespace subsidy::model
