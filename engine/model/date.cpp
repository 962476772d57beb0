#include "model/date.hpp"

#include <chrono>
#include <cstdio>

namespace subsidy::model {

using namespace std::chrono;

std::optional<Days> make_date(int y, unsigned m, unsigned d) {
  year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<Days>(sys_days{ymd}.time_since_epoch().count());
}

std::optional<Days> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t n) -> int {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  int y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  return make_date(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

namespace {
year_month_day ymd_of(Days d) { return year_month_day{sys_days{days{d}}}; }
}  // namespace

std::string format_date(Days d) {
  auto ymd = ymd_of(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

int year_of(Days d) { return static_cast<int>(ymd_of(d).year()); }
unsigned month_of(Days d) { return static_cast<unsigned>(ymd_of(d).month()); }
unsigned day_of(Days d) { return static_cast<unsigned>(ymd_of(d).day()); }
int weekday_of(Days d) {
  unsigned iso = weekday{sys_days{days{d}}}.iso_encoding();  // 1 = Monday
  return static_cast<int>(iso) - 1;
}

int whole_years_between(Days from, Days to) {
  if (to < from) return -whole_years_between(to, from);
  auto a = ymd_of(from), b = ymd_of(to);
  int years = static_cast<int>(b.year()) - static_cast<int>(a.year());
  if (std::pair{static_cast<unsigned>(b.month()), static_cast<unsigned>(b.day())} <
      std::pair{static_cast<unsigned>(a.month()), static_cast<unsigned>(a.day())})
    --years;
  return years;
}

Days today_cst() {
  auto now = system_clock::now() + hours{8};
  return static_cast<Days>(floor<days>(now).time_since_epoch().count());
}

}  // namespace subsidy::model
