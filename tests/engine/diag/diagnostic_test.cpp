#include "diag/diagnostic.hpp"

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

TEST(Diagnostic, ErrorLimitCapsTheReport) {
  SourceSet s;
  auto id = s.add("f", "x");
  Diagnostics ds(2);
  for (int i = 0; i < 5; ++i) ds.error("E0101", {id, 0, 1}, "e");
  EXPECT_EQ(ds.error_count(), 2u);
  EXPECT_TRUE(ds.limit_reached());
}
