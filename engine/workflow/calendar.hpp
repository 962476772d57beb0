#pragma once
// The working-day calendar of the Chinese mainland: Monday–Friday, minus the State Council's days
// off, plus its make-up working days on weekends (调休). Data: rules/calendar/cn-mainland.tsv,
// `date<TAB>kind<TAB>name` lines (docs/workflow.md §4). Pure; no I/O (the CLI reads the file).
#include <cstdint>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/source.hpp"
#include "model/date.hpp"

namespace subsidy::workflow {

using model::Days;

class Calendar {
 public:
  enum class Kind : std::uint8_t { off, work };
  struct Entry {
    Days date = 0;
    Kind kind = Kind::off;
    std::string name;  // the holiday, e.g. 国庆节
  };

  Calendar() = default;  // no data: the weekday rule only, covering no year
  // Sorts and indexes the entries (a later duplicate date replaces an earlier one).
  explicit Calendar(std::vector<Entry> entries);

  // Parses the TSV file `file` of `sources`. Problems are diagnostics with file:line:col:
  // E0740 malformed line, E0741 duplicate date, E0742 `work` on a weekday, W0743 out of order.
  // Blank lines, `#` comment lines and the header line `date	kind	name` are skipped.
  static Calendar parse(const diag::SourceSet& sources, diag::FileId file, diag::Diagnostics& diags);

  bool is_working_day(Days d) const;
  // The n-th working day after `from` (`from` itself is not counted); `from` when n <= 0.
  Days add_working_days(Days from, int n) const;
  // Working days in (from, to]; 0 when to <= from.
  int working_days_between(Days from, Days to) const;
  // The first working day on or after d.
  Days next_working_day(Days d) const;

  // Years with data: the first and last year of any entry (0 when empty).
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }
  bool covers(Days d) const;
  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find(Days d) const;
  std::size_t count(Kind k) const;

 private:
  std::vector<Entry> entries_;  // sorted by date, unique
  int first_year_ = 0, last_year_ = 0;
};

}  // namespace subsidy::workflow
