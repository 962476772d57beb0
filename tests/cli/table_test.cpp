// cli/table: display widths, truncation, aligned tables, CSV.
#include "cli/table.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>

namespace subsidy::cli {
namespace {

TEST(DisplayWidth, AsciiIsOneColumnPerCharacter) { EXPECT_EQ(display_width("R01 abc"), 7u); }

TEST(DisplayWidth, ChineseIsTwoColumnsPerCharacter) {
  EXPECT_EQ(display_width("市科技局"), 8u);
  EXPECT_EQ(display_width("旗县区科技局[临河区]"), 20u);  // 9 wide characters, 2 ASCII brackets
  EXPECT_EQ(display_width("，"), 2u);                     // full-width comma
}

TEST(DisplayWidth, CombiningMarksTakeNoColumn) {
  EXPECT_EQ(display_width("e\u0301"), 1u);       // e + combining acute
  EXPECT_EQ(display_width("a\u0300\u0323"), 1u);  // two marks on one base
}

TEST(DisplayWidth, InvalidBytesAndControlsCountOneColumnEach) {
  EXPECT_EQ(display_width("a\xff" "b"), 3u);
  EXPECT_EQ(display_width("a\tb\nc"), 5u);
}

TEST(PrintableCell, ReplacesInvalidBytesAndControls) {
  EXPECT_EQ(printable_cell("a\xff" "b"), "a\uFFFD" "b");
  EXPECT_EQ(printable_cell("x\ny\tz"), "x y z");
  EXPECT_EQ(printable_cell("\xe5\xb8"), "\uFFFD\uFFFD");  // a cut-off 3-byte sequence
}

TEST(FitWidth, KeepsTextThatFits) {
  EXPECT_EQ(fit_width("公示", 4), "公示");
  EXPECT_EQ(fit_width("abc", 3), "abc");
}

TEST(FitWidth, CutsWithEllipsisWithinTheWidth) {
  EXPECT_EQ(fit_width("abcdef", 4), "abc…");
  EXPECT_EQ(display_width(fit_width("abcdef", 4)), 4u);
  // a wide character that would straddle the limit is left out: 2+2 columns then "…" is 5
  EXPECT_EQ(fit_width("市科技局", 6), "市科…");
  EXPECT_EQ(fit_width("市科技局", 5), "市科…");
  EXPECT_EQ(fit_width("市科技局", 1), "…");
  EXPECT_EQ(fit_width("市科技局", 0), "");
}

TEST(FitWidth, KeepsCombiningMarksWithTheirBase) {
  EXPECT_EQ(fit_width("e\u0301e\u0301e\u0301", 3), "e\u0301e\u0301e\u0301");
  EXPECT_EQ(fit_width("e\u0301e\u0301e\u0301x", 3), "e\u0301e\u0301…");
}

TEST(Table, AlignsColumnsByDisplayWidth) {
  Table t({{"stage"}, {"responsible"}, {"amount", Align::right}});
  t.add_row({"recommend 推荐", "旗县区科技局[临河区]", "500,000.00"});
  t.add_row({"publicity", "市科技局", "0.00"});
  EXPECT_EQ(t.render(),
            "stage           responsible               amount\n"
            "recommend 推荐  旗县区科技局[临河区]  500,000.00\n"
            "publicity       市科技局                    0.00\n");
}

TEST(Table, EveryLineHasTheSameDisplayWidthUpToTheLastColumn) {
  Table t({{"a"}, {"b", Align::right}});
  t.add_row({"中文中文", "1"});
  t.add_row({"x", "22"});
  t.add_row({"e\u0301", "333"});
  std::istringstream in(t.render());
  std::string line;
  while (std::getline(in, line)) EXPECT_EQ(display_width(line), 13u) << line;
}

TEST(Table, CutsCellsAtTheColumnMaximum) {
  Table t({{"id"}, {"note", Align::left, 6}});
  t.add_row({"1", "短"});
  t.add_row({"2", "一个很长的备注"});
  EXPECT_EQ(t.render(),
            "id  note\n"
            "1   短\n"
            "2   一个…\n");
}

TEST(Table, NoTrailingSpacesAndOneLinePerRow) {
  Table t({{"a"}, {"b"}});
  t.add_row({"long value", ""});
  t.add_row({"x", "multi\nline"});
  EXPECT_EQ(t.render(),
            "a           b\n"
            "long value\n"
            "x           multi line\n");
}

TEST(Table, RejectsARowOfTheWrongSize) {
  Table t({{"a"}, {"b"}});
  EXPECT_THROW(t.add_row({"only one"}), std::invalid_argument);
  EXPECT_EQ(t.rows(), 0u);
}

TEST(Csv, HeaderThenRecordsEndedByCrlf) {
  std::ostringstream out;
  CsvWriter w(out, {"application", "amount_fen"});
  w.add_row({"A1", "500000"});
  EXPECT_EQ(out.str(), "application,amount_fen\r\nA1,500000\r\n");
}

TEST(Csv, QuotesFieldsWithCommasQuotesAndLineBreaks) {
  std::ostringstream out;
  CsvWriter w(out, {"a", "b", "c", "d"});
  w.add_row({"x,y", "say \"hi\"", "two\nlines", "cr\r"});
  EXPECT_EQ(out.str(), "a,b,c,d\r\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\"\r\n");
}

TEST(Csv, KeepsChineseAndEmptyFieldsAsTheyAre) {
  std::ostringstream out;
  CsvWriter w(out, {"stage", "responsible", "note"});
  w.add_row({"公示", "旗县区科技局[临河区]", ""});
  w.add_row({" padded ", "", ""});
  EXPECT_EQ(out.str(), "stage,responsible,note\r\n公示,旗县区科技局[临河区],\r\n padded ,,\r\n");
}

TEST(Csv, WritesValidUtf8) {
  std::ostringstream out;
  CsvWriter w(out, {"a"});
  w.add_row({"bad\xff"});
  EXPECT_EQ(out.str(), "a\r\nbad\uFFFD\r\n");
}

TEST(Csv, RejectsARecordOfTheWrongSize) {
  std::ostringstream out;
  CsvWriter w(out, {"a", "b"});
  EXPECT_THROW(w.add_row({"1", "2", "3"}), std::invalid_argument);
  EXPECT_EQ(out.str(), "a,b\r\n");
}

}  // namespace
}  // namespace subsidy::cli
