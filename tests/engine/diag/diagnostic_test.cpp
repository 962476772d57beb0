#include "diag/diagnostic.hpp"
#include "diag/suggest.hpp"

#include <gtest/gtest.h>

using namespace subsidy::diag;

TEST(Source, LineAndColumnCountCodePoints) {
  SourceSet s;
  auto id = s.add("a.rules", "fact 研发费用: money;\nprogram R01 {\n");
  const auto& f = s.get(id);
  auto lc = f.line_col(static_cast<std::uint32_t>(std::string("fact 研发费用").size()));
  EXPECT_EQ(lc.line, 1u);
  EXPECT_EQ(lc.column, 10u);  // "fact " (5) + 4 Chinese characters, then column 10
  EXPECT_EQ(f.line_col(static_cast<std::uint32_t>(f.text().find("program"))).line, 2u);
  EXPECT_EQ(f.line_text(2), "program R01 {");
}

TEST(Diagnostic, RendersLocationCodeSourceLineAndCaret) {
  SourceSet s;
  auto id = s.add("rules/x.rules", "require a: 研发费用 >= 100\n");
  Diagnostics ds;
  std::uint32_t begin = static_cast<std::uint32_t>(std::string("require a: ").size());
  ds.error("E0302", {id, begin, begin + static_cast<std::uint32_t>(std::string("研发费用").size())}, "unit mismatch");
  EXPECT_EQ(render_all(ds, s),
            "rules/x.rules:1:12: error[E0302]: unit mismatch\n"
            "   |\n"
            " 1 | require a: 研发费用 >= 100\n"
            "   |            ^~~~~~~~\n");  // 4 CJK characters are 8 columns wide
}

TEST(Diagnostic, CountsErrorsAndWarningsAndSortsByPosition) {
  SourceSet s;
  auto id = s.add("f", "abc\ndef\n");
  Diagnostics ds;
  ds.warning("W0203", {id, 4, 5}, "second");
  ds.error("E0101", {id, 0, 1}, "first");
  ds.sort();
  EXPECT_EQ(ds.error_count(), 1u);
  EXPECT_EQ(ds.warning_count(), 1u);
  EXPECT_EQ(ds.items()[0].message, "first");
  auto json = render_json(ds, s);
  EXPECT_NE(json.find("\"code\":\"E0101\",\"file\":\"f\",\"line\":1,\"column\":1"), std::string::npos) << json;
}

TEST(Diagnostic, ErrorLimitCapsTheReportButNotTheCount) {
  SourceSet s;
  auto id = s.add("f", "x");
  Diagnostics ds(2);
  for (int i = 0; i < 5; ++i) ds.error("E0101", {id, 0, 1}, "e");
  EXPECT_EQ(ds.items().size(), 2u);
  EXPECT_EQ(ds.error_count(), 5u);
  EXPECT_EQ(ds.errors_not_shown(), 3u);
  EXPECT_TRUE(ds.limit_reached());
}

TEST(Diagnostic, WarningsAreLimitedTooAndTheOutputSaysHowManyWereNotShown) {
  SourceSet s;
  auto id = s.add("f", "x");
  Diagnostics ds;
  for (int i = 0; i < 1000; ++i) ds.warning("W0203", {id, 0, 1}, "w");
  for (int i = 0; i < 250; ++i) ds.error("E0101", {id, 0, 1}, "e");
  EXPECT_EQ(ds.items().size(), Diagnostics::kErrorLimit + Diagnostics::kWarningLimit);
  EXPECT_EQ(ds.warning_count(), 1000u);
  EXPECT_EQ(ds.warnings_not_shown(), 1000u - Diagnostics::kWarningLimit);
  EXPECT_EQ(summary(ds), "250 errors (50 not shown), 1000 warnings (800 not shown)");
  auto text = render_all(ds, s);
  EXPECT_NE(text.find("note: 50 more errors and 800 more warnings not shown (at most 200 errors and 200 warnings are shown)\n"),
            std::string::npos);
  auto json = render_json(ds, s);
  EXPECT_EQ(json.rfind("{\"errors\":250,\"warnings\":1000,\"errors_not_shown\":50,\"warnings_not_shown\":800,\"diagnostics\":[", 0), 0u)
      << json.substr(0, 200);
}

TEST(Diagnostic, JsonReplacesBytesThatAreNotUtf8) {
  SourceSet s;
  auto id = s.add("f", "x");
  Diagnostics ds;
  ds.error("E0101", {id, 0, 1}, std::string("unknown name `a\xFF" "b` 研发"));
  auto json = render_json(ds, s);
  EXPECT_NE(json.find("unknown name `a\xEF\xBF\xBD" "b` 研发"), std::string::npos) << json;
}

TEST(Utf8, LengthOfWellFormedSequencesAndZeroForEverythingElse) {
  auto len = [](std::string_view s) { return utf8_length(s, 0); };
  EXPECT_EQ(len("a"), 1u);
  EXPECT_EQ(len("\xC3\xA9"), 2u);          // é
  EXPECT_EQ(len("研"), 3u);
  EXPECT_EQ(len("\xF0\x9F\x98\x80"), 4u);  // U+1F600
  EXPECT_EQ(len("\x80"), 0u);               // continuation byte
  EXPECT_EQ(len("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(len("\xE0\x80\xAF"), 0u);      // overlong
  EXPECT_EQ(len("\xED\xA0\x80"), 0u);      // surrogate U+D800
  EXPECT_EQ(len("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(len("\xE7\xA0"), 0u);          // truncated
  EXPECT_EQ(len("\xFF"), 0u);
}

TEST(Diagnostic, ExcerptShowsControlAndNonUtf8BytesAsReplacementCharacters) {
  SourceSet s;
  // A NUL would end the output of fputs, a CR would overwrite the line on a terminal.
  auto id = s.add("f", std::string("a\0b\rc\xFF" "d x;\n", 11));
  Diagnostics ds;
  ds.error("E0101", {id, 8, 9}, std::string("unknown name `x\xFF" "`"));
  EXPECT_EQ(render(ds.items()[0], s),
            "f:1:9: error[E0101]: unknown name `x\xEF\xBF\xBD`\n"
            "   |\n"
            " 1 | a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d x;\n"
            "   |         ^\n");
}

TEST(Diagnostic, ExcerptOfAVeryLongLineIsCutAroundTheSpan) {
  SourceSet s;
  std::string line;
  for (int i = 0; i < 50000; ++i) line += "fact f" + std::to_string(i) + ": int; ";
  auto at = line.find("f25000");
  auto id = s.add("f", line + "\n");
  Diagnostics ds;
  ds.warning("W0203", {id, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + 6)}, "unused");
  auto text = render(ds.items()[0], s);
  EXPECT_LT(text.size(), 600u) << text.size();
  auto src = text.substr(text.find(" 1 | ") + 5);
  src = src.substr(0, src.find('\n'));
  EXPECT_EQ(src.rfind("…", 0), 0u);
  EXPECT_NE(src.find("f25000"), std::string::npos);
  auto caret = text.substr(text.rfind("   | ") + 5);
  // The caret sits under `f25000`: "…" is one column, then the text before the span.
  EXPECT_EQ(caret.find('^'), display_width(src.substr(0, src.find("f25000"))));
  EXPECT_EQ(caret.substr(caret.find('^')), "^~~~~~\n");
}

TEST(Diagnostic, ExcerptOfALongLineOfStrayContinuationBytesStaysAroundTheSpan) {
  // fuzz-findings F4: a run of UTF-8 continuation bytes after the span moved the cut before it,
  // and rendering threw std::out_of_range ("internal error", no diagnostics at all).
  SourceSet s;
  std::string line = std::string(300, 'a') + "bad" + std::string(400, '\x80');
  auto at = line.find("bad");
  auto id = s.add("f", line + "\n");
  Diagnostics ds;
  ds.error("E0008", {id, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + 3)}, "invalid UTF-8");
  std::string text;
  ASSERT_NO_THROW(text = render(ds.items()[0], s));
  auto src = text.substr(text.find(" 1 | ") + 5);
  src = src.substr(0, src.find('\n'));
  EXPECT_NE(src.find("bad"), std::string::npos) << text;
  auto caret = text.substr(text.rfind("   | ") + 5);
  EXPECT_EQ(caret.find('^'), display_width(src.substr(0, src.find("bad"))));
}

TEST(Suggest, ClosestNameWithinTwoEditsCountedInCodePoints) {
  EXPECT_EQ(closest("市科技", std::vector<std::string>{"市财政局", "市科技局", "旗县区科技局"}), "市科技局");
  EXPECT_EQ(closest("org_typ", std::vector<std::string>{"org_type", "org"}), "org_type");
  EXPECT_EQ(closest("abc", std::vector<std::string>{"xyz", "abcdefgh"}), "");
  // Lengths that differ by the limit or more are not compared at all.
  EXPECT_EQ(edit_distance_below(code_points("ab"), "abcdefgh", 3), 3u);
  EXPECT_EQ(edit_distance_below(code_points("研发费"), "研发费用", 3), 1u);
}
