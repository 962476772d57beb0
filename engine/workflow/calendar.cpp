#include "workflow/calendar.hpp"

#include <algorithm>
#include <string_view>

namespace subsidy::workflow {

Calendar::Calendar(std::vector<Entry> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.date < b.date; });
  for (auto& e : entries) {
    if (!entries_.empty() && entries_.back().date == e.date) entries_.back() = std::move(e);
    else entries_.push_back(std::move(e));
  }
  if (!entries_.empty()) {
    first_year_ = model::year_of(entries_.front().date);
    last_year_ = model::year_of(entries_.back().date);
  }
}

const Calendar::Entry* Calendar::find(Days d) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), d, [](const Entry& e, Days x) { return e.date < x; });
  return it != entries_.end() && it->date == d ? &*it : nullptr;
}

bool Calendar::is_working_day(Days d) const {
  if (const Entry* e = find(d)) return e->kind == Kind::work;
  return model::weekday_of(d) < 5;
}

Days Calendar::add_working_days(Days from, int n) const {
  Days d = from;
  while (n > 0) {
    ++d;
    if (is_working_day(d)) --n;
  }
  return d;
}

int Calendar::working_days_between(Days from, Days to) const {
  int n = 0;
  for (Days d = from + 1; d <= to; ++d) n += is_working_day(d) ? 1 : 0;
  return n;
}

Days Calendar::next_working_day(Days d) const {
  while (!is_working_day(d)) ++d;
  return d;
}

bool Calendar::covers(Days d) const {
  if (entries_.empty()) return false;
  int y = model::year_of(d);
  return y >= first_year_ && y <= last_year_;
}

std::size_t Calendar::count(Kind k) const {
  return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), [k](const Entry& e) { return e.kind == k; }));
}

Calendar Calendar::parse(const diag::SourceSet& sources, diag::FileId file, diag::Diagnostics& diags) {
  const std::string& text = sources.get(file).text();
  std::vector<Entry> entries;
  std::vector<std::pair<Days, diag::Span>> seen;  // date -> span of its first line
  auto span = [&](std::size_t b, std::size_t e) {
    return diag::Span{file, static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e)};
  };
  Days last = INT32_MIN;
  std::size_t pos = 0;
  bool first_line = true;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::size_t end = eol;
    if (end > pos && text[end - 1] == '\r') --end;
    std::string_view line(text.data() + pos, end - pos);
    std::size_t line_begin = pos;
    pos = eol + 1;
    bool header = first_line && line.substr(0, 4) == "date";
    first_line = false;
    if (header || line.empty() || line.front() == '#' || line.find_first_not_of(" \t") == std::string_view::npos) continue;
    // Split on tabs.
    std::vector<std::pair<std::size_t, std::size_t>> fields;  // [begin, end) offsets in text
    std::size_t f = 0;
    while (true) {
      std::size_t tab = line.find('\t', f);
      std::size_t fe = tab == std::string_view::npos ? line.size() : tab;
      fields.push_back({line_begin + f, line_begin + fe});
      if (tab == std::string_view::npos) break;
      f = tab + 1;
    }
    auto field = [&](std::size_t i) { return std::string_view(text.data() + fields[i].first, fields[i].second - fields[i].first); };
    if (fields.size() != 3 || field(2).empty()) {
      diags.error("E0740", span(line_begin, line_begin + line.size()),
                  "calendar line must be `date<TAB>kind<TAB>name` (" + std::to_string(fields.size()) + " tab-separated field" +
                      (fields.size() == 1 ? "" : "s") + " found)",
                  {{{}, "e.g. `2024-10-01<TAB>off<TAB>国庆节`; kind is off (day off) or work (make-up working day)", false}});
      continue;
    }
    auto date = model::parse_date(field(0));
    if (!date) {
      diags.error("E0740", span(fields[0].first, fields[0].second),
                  "`" + std::string(field(0)) + "` is not a date (YYYY-MM-DD, a real calendar day)");
      continue;
    }
    Kind kind;
    if (field(1) == "off") {
      kind = Kind::off;
    } else if (field(1) == "work") {
      kind = Kind::work;
    } else {
      diags.error("E0740", span(fields[1].first, fields[1].second),
                  "unknown kind `" + std::string(field(1)) + "`: use `off` (a day off) or `work` (a weekend working day)");
      continue;
    }
    auto dup = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == *date; });
    if (dup != seen.end()) {
      diags.error("E0741", span(fields[0].first, fields[0].second), "date " + std::string(field(0)) + " is listed twice",
                  {{dup->second, "first listed here"}});
      continue;
    }
    seen.push_back({*date, span(fields[0].first, fields[0].second)});
    if (kind == Kind::work && model::weekday_of(*date) < 5) {
      static const char* names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};
      diags.error("E0742", span(fields[0].first, fields[1].second),
                  std::string(field(0)) + " is a " + names[model::weekday_of(*date)] +
                      ", a working day anyway: `work` is only for a Saturday or Sunday made a working day");
      continue;
    }
    if (*date < last)
      diags.warning("W0743", span(fields[0].first, fields[0].second),
                    "calendar lines are not in date order: " + std::string(field(0)) + " comes after " + model::format_date(last));
    last = std::max(last, *date);
    entries.push_back({*date, kind, std::string(field(2))});
  }
  return Calendar(std::move(entries));
}

}  // namespace subsidy::workflow
