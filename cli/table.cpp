// Display-width tables and CSV (see table.hpp).
#include "cli/table.hpp"

#include <utf8proc.h>

#include <stdexcept>

namespace subsidy::cli {

namespace {

constexpr utf8proc_int32_t kReplacement = 0xFFFD;

// Calls f(code point) for each code point of `utf8`, an invalid byte read as U+FFFD.
template <class F>
void each_code_point(std::string_view utf8, F&& f) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  auto left = static_cast<utf8proc_ssize_t>(utf8.size());
  while (left > 0) {
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      cp = kReplacement;
      n = 1;
    }
    f(cp);
    p += n;
    left -= n;
  }
}

void append(std::string& out, utf8proc_int32_t cp) {
  utf8proc_uint8_t buf[4];
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(utf8proc_encode_char(cp, buf)));
}

utf8proc_int32_t cell_code_point(utf8proc_int32_t cp) { return utf8proc_category(cp) == UTF8PROC_CATEGORY_CC ? ' ' : cp; }

std::size_t width_of(utf8proc_int32_t cp) { return static_cast<std::size_t>(utf8proc_charwidth(cp)); }

std::string pad(std::string cell, std::size_t width, Align align) {
  std::size_t w = display_width(cell);
  if (w >= width) return cell;
  std::string fill(width - w, ' ');
  return align == Align::right ? fill + cell : cell + fill;
}

bool needs_quotes(std::string_view field) { return field.find_first_of(",\"\r\n") != std::string_view::npos; }

}  // namespace

std::string printable_cell(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  each_code_point(utf8, [&](utf8proc_int32_t cp) { append(out, cell_code_point(cp)); });
  return out;
}

std::size_t display_width(std::string_view utf8) {
  std::size_t w = 0;
  each_code_point(utf8, [&](utf8proc_int32_t cp) { w += width_of(cell_code_point(cp)); });
  return w;
}

std::string fit_width(std::string_view utf8, std::size_t max) {
  std::string cell = printable_cell(utf8);
  if (display_width(cell) <= max) return cell;
  if (max == 0) return {};
  std::string out;
  std::size_t w = 0;
  bool full = false;
  each_code_point(cell, [&](utf8proc_int32_t cp) {
    std::size_t cw = width_of(cp);
    if (full || (cw > 0 && w + cw > max - 1)) {
      full = true;
      return;
    }
    w += cw;
    append(out, cp);
  });
  return out + "…";
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
  if (cells.size() != columns_.size())
    throw std::invalid_argument("table row of " + std::to_string(cells.size()) + " cells for " + std::to_string(columns_.size()) +
                                " columns");
  for (std::size_t i = 0; i < cells.size(); ++i)
    cells[i] = columns_[i].max_width ? fit_width(cells[i], columns_[i].max_width) : printable_cell(cells[i]);
  rows_.push_back(std::move(cells));
}

std::string Table::render() const {
  std::vector<std::string> header;
  for (const auto& c : columns_) header.push_back(c.max_width ? fit_width(c.header, c.max_width) : printable_cell(c.header));
  std::vector<std::size_t> widths;
  for (const auto& h : header) widths.push_back(display_width(h));
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t i = 0; i < cells.size(); ++i) l += (i ? "  " : "") + pad(cells[i], widths[i], columns_[i].align);
    l.erase(l.find_last_not_of(' ') + 1);
    out += l + '\n';
  };
  line(header);
  for (const auto& row : rows_) line(row);
  return out;
}

CsvWriter::CsvWriter(std::ostream& out, std::vector<std::string> header) : out_(out), columns_(header.size()) { write(header); }

void CsvWriter::add_row(const std::vector<std::string>& fields) {
  if (fields.size() != columns_)
    throw std::invalid_argument("CSV record of " + std::to_string(fields.size()) + " fields for " + std::to_string(columns_) +
                                " columns");
  write(fields);
}

void CsvWriter::write(const std::vector<std::string>& fields) {
  std::string record;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) record += ',';
    std::string f;
    each_code_point(fields[i], [&](utf8proc_int32_t cp) { append(f, cp); });
    if (!needs_quotes(f)) {
      record += f;
      continue;
    }
    record += '"';
    for (char c : f) record += c == '"' ? std::string("\"\"") : std::string(1, c);
    record += '"';
  }
  out_ << record << "\r\n";
}

}  // namespace subsidy::cli
