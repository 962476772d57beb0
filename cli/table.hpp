#pragma once
// Output for people and spreadsheets: text tables whose columns line up by terminal display width
// (utf8proc: CJK 2 columns, combining marks 0), and CSV (RFC 4180).
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace subsidy::cli {

// The text as one table line: valid UTF-8 (an invalid byte becomes U+FFFD), each control character
// (newline, tab, …) a space.
std::string printable_cell(std::string_view utf8);
// Terminal columns of printable_cell(utf8).
std::size_t display_width(std::string_view utf8);
// printable_cell(utf8) when it fits in `max` columns, else its longest prefix that fits in max - 1
// columns followed by "…" (a base character keeps its combining marks).
std::string fit_width(std::string_view utf8, std::size_t max);

enum class Align { left, right };

struct Column {
  std::string header;
  Align align = Align::left;  // right for numbers and amounts
  std::size_t max_width = 0;  // a longer cell is cut with "…" (0: no limit)
};

// Columns two spaces apart, each as wide as its widest cell (or its max_width); no trailing spaces.
class Table {
 public:
  explicit Table(std::vector<Column> columns);
  // One cell per column; std::invalid_argument otherwise.
  void add_row(std::vector<std::string> cells);
  std::size_t rows() const { return rows_.size(); }
  // The header line, then one line per row, each ending in '\n'.
  std::string render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;  // cells already fitted to their column
};

// CSV as RFC 4180 writes it: a header record first, fields quoted when they hold a comma, quote,
// CR or LF (quotes doubled), records ended by CRLF, text as UTF-8 (an invalid byte becomes U+FFFD).
class CsvWriter {
 public:
  CsvWriter(std::ostream& out, std::vector<std::string> header);
  // One field per header column; std::invalid_argument otherwise.
  void add_row(const std::vector<std::string>& fields);

 private:
  void write(const std::vector<std::string>& fields);
  std::ostream& out_;
  std::size_t columns_;
};

}  // namespace subsidy::cli
