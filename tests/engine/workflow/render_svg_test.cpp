// workflow::render_svg: golden pictures of the shipped workflows (tests/golden/workflow_svg; run with
// SUBSIDY_UPDATE_GOLDEN=1 to write them anew after a deliberate change), the current stage's class,
// English labels, escaping of every label, and a layout from left to right along the process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "engine/eval/compile_helper.hpp"
#include "files/rules_dir.hpp"
#include "workflow/render.hpp"

namespace wf = subsidy::workflow;

namespace {

const subsidy::files::LoadedRules& shipped() {
  static auto lr = [] {
    auto r = subsidy::files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
    EXPECT_TRUE(r->ruleset) << subsidy::diag::render_all(r->diags, r->sources);
    return r;
  }();
  return *lr;
}

const wf::Workflow& shipped_workflow(const char* name) {
  const auto* w = shipped().workflows->find(name);
  EXPECT_NE(w, nullptr) << name;
  return *w;
}

void golden(const std::string& file, const std::string& got) {
  const std::string path = std::string(SUBSIDY_SOURCE_DIR) + "/tests/golden/workflow_svg/" + file;
  if (std::getenv("SUBSIDY_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing (SUBSIDY_UPDATE_GOLDEN=1 writes it)";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(got, want.str()) << "differs from " << path;
}

// The x attribute of the rect of a stage.
int box_x(const std::string& svg, const std::string& stage) {
  std::smatch m;
  const std::regex re("data-stage=\"" + stage + "\"><title>[^<]*</title><rect x=\"([0-9]+)\"");
  if (!std::regex_search(svg, m, re)) return -1;
  return std::stoi(m[1]);
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

}  // namespace

TEST(RenderSvg, ShippedWorkflowsMatchTheGoldenFiles) {
  const std::vector<std::string> county{"county_review"};
  golden("formula-county_review.svg", wf::render_svg(shipped_workflow("formula"), county, false));
  golden("formula-en.svg", wf::render_svg(shipped_workflow("formula"), {}, true));
  const auto& comp = shipped_workflow("competitive");
  const std::vector<std::string> joint{comp.spec().stages.at(comp.spec().start).name};
  golden("competitive-start.svg", wf::render_svg(comp, joint, false));
}

TEST(RenderSvg, StableAndSelfContained) {
  const auto& w = shipped_workflow("formula");
  const std::vector<std::string> cur{"formal_review"};
  const auto a = wf::render_svg(w, cur, false);
  EXPECT_EQ(a, wf::render_svg(w, cur, false));
  EXPECT_EQ(a.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(a.find("<script"), std::string::npos);
  EXPECT_EQ(a.find("<style"), std::string::npos);
  EXPECT_EQ(a.find("style="), std::string::npos);
  EXPECT_EQ(a.find("href"), std::string::npos);  // nothing fetched: the arrow is an in-document marker
  EXPECT_EQ(count(a, "class=\"stage"), w.spec().stages.size());
  EXPECT_EQ(count(a, " current\""), 1u);
  EXPECT_NE(a.find("class=\"stage current\" data-stage=\"formal_review\""), std::string::npos);
  EXPECT_NE(a.find(">形式审查与数据核验<"), std::string::npos);
  // Along the process from left to right; a return edge is drawn back, dashed.
  EXPECT_LT(box_x(a, "application"), box_x(a, "county_review"));
  EXPECT_LT(box_x(a, "county_review"), box_x(a, "formal_review"));
  EXPECT_NE(a.find("class=\"edge return\" data-from=\"formal_review\" data-to=\"awaiting_correction\""), std::string::npos);
  // No current stage: none highlighted.
  EXPECT_EQ(count(wf::render_svg(w, {}, false), " current\""), 0u);
}

// The edge labels of an SVG as boxes (x centred, y the baseline; the width estimated as the
// renderer does: one em for a CJK character, 0.6 em for any other, at font size 10).
struct LabelBox {
  int x0, y0, x1, y1;
  std::string text;
};
std::vector<LabelBox> edge_labels(const std::string& svg) {
  std::vector<LabelBox> out;
  const std::regex re("<text x=\"(-?[0-9]+)\" y=\"(-?[0-9]+)\" text-anchor=\"middle\" font-size=\"10\" fill=\"#(?:333|b05000)\"[^>]*>([^<]*)</text></g>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), re); it != std::sregex_iterator(); ++it) {
    const std::string text = (*it)[3];
    int tenths = 0;
    for (std::size_t i = 0; i < text.size();) {
      const auto c = static_cast<unsigned char>(text[i]);
      const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      tenths += len == 3 ? 10 : 6;
      i += len;
    }
    const int x = std::stoi((*it)[1]), y = std::stoi((*it)[2]), half = tenths / 2;
    out.push_back(LabelBox{x - half, y - 10, x + half, y + 3, text});
  }
  return out;
}

TEST(RenderSvg, CorrectionStagesStandAfterTheReviewsAndLabelsDoNotOverlap) {
  for (const char* name : {"formula", "competitive"})
    for (bool english : {false, true}) {
      const auto& w = shipped_workflow(name);
      const auto svg = wf::render_svg(w, {}, english);
      // The correction stage stands right of every review that returns to it, not in the first column.
      EXPECT_GT(box_x(svg, "awaiting_correction"), box_x(svg, "county_review")) << name;
      EXPECT_GT(box_x(svg, "awaiting_correction"), box_x(svg, "formal_review")) << name;
      EXPECT_GT(box_x(svg, "awaiting_correction"), box_x(svg, w.spec().stages.at(w.spec().start).name)) << name;
      const auto labels = edge_labels(svg);
      EXPECT_GT(labels.size(), 5u) << name;
      for (std::size_t i = 0; i < labels.size(); ++i)
        for (std::size_t j = i + 1; j < labels.size(); ++j) {
          const auto& a = labels[i];
          const auto& b = labels[j];
          EXPECT_FALSE(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1)
              << name << (english ? " en" : "") << ": `" << a.text << "` overlaps `" << b.text << "`";
        }
    }
}

TEST(RenderSvg, EnglishLabels) {
  const auto svg = wf::render_svg(shipped_workflow("formula"), {}, true);
  EXPECT_NE(svg.find(">formal review and data cross-check<"), std::string::npos);
  EXPECT_EQ(svg.find(">形式审查与数据核验<"), std::string::npos);
}

TEST(RenderSvg, EveryLabelIsEscaped) {
  auto c = subsidy::testing::compile_text(R"R(
role 甲 "甲<b>" "A & B";
action go "<script>alert(1)</script>" "go 'now'";
action stop "停'" "stop";
workflow w "流程<i>" "w&w" {
  start s1;
  stage s1 "第一步 <img src=x onerror=alert(1)>" "first & <only>" {
    responsible 甲;
    on go -> done;
    on stop -> s2 "停止&" "stop & think";
  }
  stage s2 "第二步" "second" {
    responsible 甲;
    on go -> done;
  }
  terminal done "完成'" "done";
}
)R");
  ASSERT_TRUE(c->rs) << c->rendered();
  auto set = wf::compile_workflows(c->rs, c->diags);
  ASSERT_FALSE(c->diags.has_errors()) << c->rendered();
  const std::vector<std::string> cur{"s1"};
  for (bool english : {false, true}) {
    const auto svg = wf::render_svg(set->workflows.at(0), cur, english);
    EXPECT_EQ(svg.find("<script"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("<img"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("<b>"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("<i>"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("<only>"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("&&"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("& "), std::string::npos) << svg;
    EXPECT_EQ(svg.find("\"\""), std::string::npos) << svg;
    EXPECT_NE(svg.find(english ? "first &amp; &lt;only&gt;" : "第一步 &lt;img src=x onerror=alert(1)&gt;"), std::string::npos) << svg;
    EXPECT_NE(svg.find(english ? "go &#39;now&#39;" : "&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << svg;
    EXPECT_NE(svg.find(english ? "stop &amp; think" : "停止&amp;"), std::string::npos) << svg;
  }
  EXPECT_EQ(wf::xml_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}
