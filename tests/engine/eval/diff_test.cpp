// eval::diff_rulesets (`subsidy rules diff`) and eval::why_changed (the why of a changed applicant in
// `subsidy rules whatif`): each kind of change with its file:line:col on both sides, the input
// contract change, and the why of a parameter change, a requirement change and a cap.
#include "eval/diff.hpp"

#include <gtest/gtest.h>

#include <string>

#include "compile_helper.hpp"
#include "eval/evaluate.hpp"
#include "model/date.hpp"

using namespace subsidy;
using subsidy::testing::compile_text;

namespace {

// Line numbers matter below: the rules start on line 1 of base.rules / draft.rules.
const char* kBase = R"R(enum Level "级别" "level" { none "无" "none", regional "自治区级" "regional", national "国家级" "national" }
fact rd: money "研发费用" "R&D expense";
fact level: Level "平台级别" "platform level";
fact county: text? "旗县" "county";
param rate: percent "比例" "rate" {
  from 2021-01-01 = 10% source "S2" sourced;
}
table platform "平台奖励" "platform award": money hit unique {
  inputs level;
  none => 0元;
  regional => 100万;
  national => 500万;
}
program RD "研发后补助" "R&D post-subsidy" {
  citation "实施细则 一(三)";
  require growth: rd > 0元 else "研发费用未增长" "no R&D growth";
  amount floor_yuan(rd * rate);
  cap 300万;
}
program PLAT "平台" "platform" {
  citation "x";
  require has_level: level != none else "无平台" "no platform";
  amount platform;
}
)R";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

struct Pair {
  std::unique_ptr<subsidy::testing::Compiled> base, draft;
  eval::RulesDiff diff;
};
Pair diff_of(const std::string& draft_text) {
  Pair p{compile_text(kBase, "base.rules"), compile_text(draft_text, "draft.rules"), {}};
  EXPECT_TRUE(p.base->rs) << p.base->rendered();
  EXPECT_TRUE(p.draft->rs) << p.draft->rendered();
  if (p.base->rs && p.draft->rs) p.diff = eval::diff_rulesets(*p.base->rs, *p.draft->rs);
  return p;
}

const eval::DiffItem* find(const eval::RulesDiff& d, const std::string& kind, const std::string& name) {
  for (const auto& i : d.items)
    if (i.kind == kind && i.name == name) return &i;
  return nullptr;
}

std::string listing(const eval::RulesDiff& d) {
  std::string s;
  for (const auto& i : d.items)
    s += std::string(eval::change_name(i.change)) + " " + i.kind + " " + i.name + " (" + i.what + ") " + i.base_at + " | " +
         i.draft_at + "\n";
  return s;
}

TEST(RulesDiffTest, IdenticalRulesHaveNoDifference) {
  auto p = diff_of(kBase);
  EXPECT_TRUE(p.diff.empty()) << listing(p.diff);
}

TEST(RulesDiffTest, AParameterValueChangedAndOneAddedNameTheirDatesAndLines) {
  auto p = diff_of(replaced(kBase, "  from 2021-01-01 = 10% source \"S2\" sourced;\n",
                            "  from 2021-01-01 = 12% source \"S2\" sourced;\n  from 2026-01-01 = 15% source \"S3\" sourced;\n"));
  ASSERT_EQ(p.diff.items.size(), 2U) << listing(p.diff);
  const auto* v = find(p.diff, "parameter value", "rate from 2021-01-01");
  ASSERT_NE(v, nullptr) << listing(p.diff);
  EXPECT_EQ(v->change, eval::Change::changed);
  EXPECT_EQ(v->what, "value");
  EXPECT_NE(v->base.find("10%"), std::string::npos) << v->base;
  EXPECT_NE(v->draft.find("12%"), std::string::npos) << v->draft;
  EXPECT_TRUE(v->base_at.starts_with("base.rules:6:")) << v->base_at;
  EXPECT_TRUE(v->draft_at.starts_with("draft.rules:6:")) << v->draft_at;
  const auto* added = find(p.diff, "parameter value", "rate from 2026-01-01");
  ASSERT_NE(added, nullptr) << listing(p.diff);
  EXPECT_EQ(added->change, eval::Change::added);
  EXPECT_EQ(added->base_at, "");
  EXPECT_TRUE(added->draft_at.starts_with("draft.rules:7:")) << added->draft_at;
}

TEST(RulesDiffTest, ARequirementConditionChangedAndOneAddedAndTheNewFactIsABreakingContractChange) {
  auto p = diff_of(replaced(replaced(kBase, "rd > 0元", "rd > 10万"), "  amount floor_yuan(rd * rate);\n",
                            "  require in_county: is_set(county) else \"未填旗县\" \"no county\";\n  amount floor_yuan(rd * rate);\n"));
  const auto* c = find(p.diff, "requirement", "RD.growth");
  ASSERT_NE(c, nullptr) << listing(p.diff);
  EXPECT_EQ(c->change, eval::Change::changed);
  EXPECT_EQ(c->what, "condition");
  EXPECT_EQ(c->base, "rd > 0元");
  EXPECT_EQ(c->draft, "rd > 10万");
  EXPECT_TRUE(c->base_at.starts_with("base.rules:16:")) << c->base_at;
  EXPECT_TRUE(c->draft_at.starts_with("draft.rules:16:")) << c->draft_at;
  const auto* a = find(p.diff, "requirement", "RD.in_county");
  ASSERT_NE(a, nullptr) << listing(p.diff);
  EXPECT_EQ(a->change, eval::Change::added);
  EXPECT_TRUE(a->draft_at.starts_with("draft.rules:17:")) << a->draft_at;
}

TEST(RulesDiffTest, ACapChangedAndARequirementRemoved) {
  auto p = diff_of(replaced(replaced(kBase, "  cap 300万;\n", "  cap 200万;\n"),
                            "  require has_level: level != none else \"无平台\" \"no platform\";\n", ""));
  const auto* cap = find(p.diff, "cap", "RD");
  ASSERT_NE(cap, nullptr) << listing(p.diff);
  EXPECT_EQ(cap->change, eval::Change::changed);
  EXPECT_NE(cap->base.find("300万"), std::string::npos) << cap->base;
  EXPECT_NE(cap->draft.find("200万"), std::string::npos) << cap->draft;
  EXPECT_TRUE(cap->base_at.starts_with("base.rules:18:")) << cap->base_at;
  EXPECT_TRUE(cap->draft_at.starts_with("draft.rules:18:")) << cap->draft_at;
  const auto* gone = find(p.diff, "requirement", "PLAT.has_level");
  ASSERT_NE(gone, nullptr) << listing(p.diff);
  EXPECT_EQ(gone->change, eval::Change::removed);
  EXPECT_TRUE(gone->base_at.starts_with("base.rules:22:")) << gone->base_at;
  EXPECT_EQ(gone->draft_at, "");
}

TEST(RulesDiffTest, ATableRowChangedNamesTheRow) {
  auto p = diff_of(replaced(kBase, "regional => 100万;", "regional => 150万;"));
  ASSERT_EQ(p.diff.items.size(), 1U) << listing(p.diff);
  const auto& r = p.diff.items[0];
  EXPECT_EQ(r.kind, "table row");
  EXPECT_EQ(r.name, "platform row 2");
  EXPECT_EQ(r.change, eval::Change::changed);
  EXPECT_NE(r.base.find("100万"), std::string::npos) << r.base;
  EXPECT_NE(r.draft.find("150万"), std::string::npos) << r.draft;
  EXPECT_TRUE(r.base_at.starts_with("base.rules:11:")) << r.base_at;
  EXPECT_TRUE(r.draft_at.starts_with("draft.rules:11:")) << r.draft_at;
}

TEST(RulesDiffTest, AProgrammeAddedAndOneRemoved) {
  auto p = diff_of(replaced(kBase, "program PLAT \"平台\" \"platform\" {", "program PLAT2 \"平台\" \"platform\" {"));
  const auto* gone = find(p.diff, "programme", "PLAT");
  const auto* added = find(p.diff, "programme", "PLAT2");
  ASSERT_NE(gone, nullptr) << listing(p.diff);
  ASSERT_NE(added, nullptr) << listing(p.diff);
  EXPECT_EQ(gone->change, eval::Change::removed);
  EXPECT_EQ(added->change, eval::Change::added);
  EXPECT_TRUE(gone->base_at.starts_with("base.rules:20:")) << gone->base_at;
  EXPECT_TRUE(added->draft_at.starts_with("draft.rules:20:")) << added->draft_at;
}

TEST(RulesDiffTest, AFactAProgrammeNowReadsIsABreakingContractChange) {
  // Not an input change while no programme reads it: the optional county made plain.
  EXPECT_TRUE(diff_of(replaced(kBase, "fact county: text? \"旗县\" \"county\";", "fact county: text \"旗县\" \"county\";")).diff.contract.empty());
  // Read by a new requirement of RD: every request for RD must now send it.
  auto p = diff_of(replaced(replaced(kBase, "fact county: text? \"旗县\" \"county\";", "fact county: text \"旗县\" \"county\";"),
                            "  amount floor_yuan(rd * rate);\n", "  require in_county: county != \"\" else \"未填旗县\" \"no county\";\n  amount floor_yuan(rd * rate);\n"));
  ASSERT_FALSE(p.diff.contract.empty()) << listing(p.diff);
  bool breaking = false;
  for (const auto& c : p.diff.contract)
    if (c.fact == "county" && c.breaking) {
      breaking = true;
      EXPECT_TRUE(c.draft_at.starts_with("draft.rules:4:")) << c.draft_at;
    }
  EXPECT_TRUE(breaking);
}

// ---------------------------------------------------------------- why_changed

struct Why : ::testing::Test {
  // The why of programme `id` for an applicant with R&D `rd` (分) and platform level `level`, evaluated on 2025-06-01.
  static eval::WhyChanged why(const std::string& draft_text, const std::string& id, std::int64_t rd, std::int64_t level = 0) {
    auto base = compile_text(kBase, "base.rules");
    auto draft = compile_text(draft_text, "draft.rules");
    EXPECT_TRUE(base->rs && draft->rs) << base->rendered() << draft->rendered();
    if (!base->rs || !draft->rs) return {};
    auto facts_of = [&](const eval::Ruleset& rs) {
      model::Facts f;
      f.resize(rs.schema.facts.size());
      f.set(rs.schema.find_fact("rd")->slot, rd);
      f.set(rs.schema.find_fact("level")->slot, level);
      return f;
    };
    const auto day = *model::parse_date("2025-06-01");
    model::Decision bd, dd;
    eval::Explanation be, de;
    eval::evaluate(*base->rs, facts_of(*base->rs), day, bd, nullptr, &be);
    eval::evaluate(*draft->rs, facts_of(*draft->rs), day, dd, nullptr, &de);
    const auto bi = static_cast<std::uint32_t>(base->rs->find_program(id));
    const auto di = static_cast<std::uint32_t>(draft->rs->find_program(id));
    return eval::why_changed({base->rs.get(), bi, &bd.programs[bi], &be.programs[bi]},
                             {draft->rs.get(), di, &dd.programs[di], &de.programs[di]});
  }
};

TEST_F(Why, AParameterChangeNamesTheParameterItsValuesAndDate) {
  const auto w = why(replaced(kBase, "from 2021-01-01 = 10%", "from 2021-01-01 = 12%"), "RD", 1'000'000'00);
  EXPECT_EQ(w.kind, "parameter");
  EXPECT_EQ(w.name, "rate");
  EXPECT_NE(w.from.find("10%"), std::string::npos) << w.from;
  EXPECT_NE(w.to.find("12%"), std::string::npos) << w.to;
  EXPECT_EQ(w.date, "2021-01-01");
  EXPECT_TRUE(w.draft_at.starts_with("draft.rules:6:")) << w.draft_at;
  EXPECT_NE(eval::why_text(w, true).find("parameter rate changed from"), std::string::npos) << eval::why_text(w, true);
}

TEST_F(Why, ATightenedRequirementNowFails) {
  const auto w = why(replaced(kBase, "rd > 0元", "rd > 10万"), "RD", 50'000'00);
  EXPECT_EQ(w.kind, "requirement_fails");
  EXPECT_EQ(w.name, "RD.growth");
  EXPECT_TRUE(w.base_at.starts_with("base.rules:16:")) << w.base_at;
  EXPECT_TRUE(w.draft_at.starts_with("draft.rules:16:")) << w.draft_at;
  EXPECT_NE(eval::why_text(w, true).find("now fails"), std::string::npos) << eval::why_text(w, true);
}

TEST_F(Why, ALoweredCapThatNowBinds) {
  // 10% of 2,500万 = 250万: under the base's cap of 300万, over the draft's 200万.
  const auto w = why(replaced(kBase, "  cap 300万;", "  cap 200万;"), "RD", 2'500'0000'00);
  EXPECT_EQ(w.kind, "cap_binds");
  EXPECT_NE(w.name.find("RD"), std::string::npos) << w.name;
  EXPECT_TRUE(w.draft_at.starts_with("draft.rules:18:")) << w.draft_at;
}

TEST_F(Why, ATableRowChangeNamesTheTable) {
  const auto w = why(replaced(kBase, "regional => 100万;", "regional => 150万;"), "PLAT", 0, 1);
  EXPECT_EQ(w.kind, "table_row");
  EXPECT_NE(w.name.find("platform"), std::string::npos) << w.name;
}

}  // namespace
