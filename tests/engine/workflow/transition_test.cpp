// The transition function on the shipped workflows (rules/workflows) and the shipped calendar:
// realistic paths through the bureaus, corrections with the clock paused, the public notice and its
// objection path, refusals; joint-review policies on small workflows; CaseState JSON.
#include "workflow/transition.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "files/rules_dir.hpp"
#include "engine/eval/compile_helper.hpp"

namespace wf = subsidy::workflow;
using subsidy::model::Days;

namespace {

Days D(const char* s) { return *subsidy::model::parse_date(s); }
std::string S(Days d) { return subsidy::model::format_date(d); }
std::string S(const std::optional<Days>& d) { return d ? S(*d) : "-"; }

const subsidy::files::LoadedRules& shipped() {
  static auto lr = [] {
    auto r = subsidy::files::load_rules(std::string(SUBSIDY_SOURCE_DIR) + "/rules");
    EXPECT_TRUE(r->ruleset) << subsidy::diag::render_all(r->diags, r->sources);
    return r;
  }();
  return *lr;
}

const wf::Calendar& calendar() {
  static const wf::Calendar cal = [] {
    std::ifstream in(std::string(SUBSIDY_SOURCE_DIR) + "/rules/calendar/cn-mainland.tsv", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    subsidy::diag::SourceSet sources;
    subsidy::diag::Diagnostics diags;
    return wf::Calendar::parse(sources, sources.add("cn-mainland.tsv", ss.str()), diags);
  }();
  return cal;
}

// Facts by name: enum values by name, bools "true"/"false".
subsidy::model::Facts facts(const subsidy::eval::Ruleset& rs, std::initializer_list<std::pair<const char*, const char*>> given) {
  subsidy::model::Facts f(rs.schema.facts.size());
  for (auto [name, value] : given) {
    const auto* def = rs.schema.find_fact(name);
    EXPECT_NE(def, nullptr) << name;
    if (!def) continue;
    if (def->type.kind == subsidy::model::Kind::Enum) {
      int v = rs.schema.enums[def->type.enum_id].find(value);
      EXPECT_GE(v, 0) << name << "=" << value;
      f.set(def->slot, v);
    } else {
      f.set(def->slot, std::string(value) == "true");
    }
  }
  return f;
}

// A case moving through one workflow: every step must be applied unless expected otherwise.
struct Case {
  const wf::Workflow& w;
  subsidy::model::Facts f;
  wf::Decision decision;
  wf::CaseState state;
  std::vector<wf::Event> events;  // of the last step

  wf::Context ctx() const { return wf::Context{f, decision, calendar()}; }
  void start(const char* date) {
    auto r = wf::start(w, ctx(), D(date));
    state = r.state;
    events = r.events;
  }
  wf::StepResult step(const char* date, const char* actor, const char* action) {
    auto r = wf::apply(w, state, wf::Step{action, actor, D(date)}, ctx());
    state = r.state;
    events = r.events;
    return r;
  }
  void ok(const char* date, const char* actor, const char* action) {
    auto r = step(date, actor, action);
    ASSERT_TRUE(r.applied()) << date << " " << actor << " " << action << ": " << r.refusal->message;
  }
  wf::Refusal refused(const char* date, const char* actor, const char* action) {
    auto before = state;
    auto r = step(date, actor, action);
    EXPECT_FALSE(r.applied()) << date << " " << actor << " " << action;
    return r.refusal.value_or(wf::Refusal{});
  }
  bool has_event(wf::EventKind k) const {
    return std::any_of(events.begin(), events.end(), [k](const wf::Event& e) { return e.kind == k; });
  }
};

const wf::Workflow& formula() { return *shipped().workflows->find("formula"); }
const wf::Workflow& competitive() { return *shipped().workflows->find("competitive"); }

Case agri_case() {
  const auto& rs = *shipped().ruleset;
  return Case{formula(),
              facts(rs, {{"county", "临河区"}, {"industry", "agriculture"}, {"in_agri_hightech_zone", "false"}, {"talent_level", "unranked"}}),
              wf::Decision{true, 12'0000'00},
              {},
              {}};
}

TEST(Transition, ShippedWorkflowsAreValidAndNamedByEveryProgramme) {
  const auto& lr = shipped();
  ASSERT_TRUE(lr.workflows);
  EXPECT_EQ(lr.workflows->workflows.size(), 2u);
  for (const auto& p : lr.ruleset->programs) EXPECT_NE(lr.workflows->for_program(p.id), nullptr) << p.id;
  EXPECT_EQ(lr.workflows->for_program("R40")->name(), "competitive");
  EXPECT_EQ(lr.workflows->for_program("R01")->name(), "formula");
}

// county → 市科技局 → 市农牧局 + 市财政局 joint review → 公示 → payment, with the dates of 2024's
// Mid-Autumn make-up Saturday (09-14) and holiday (09-15..17).
TEST(Transition, AgriculturalEnterpriseFromCountyToPayment) {
  Case c = agri_case();
  c.start("2024-09-02");
  EXPECT_EQ(c.state.stage, "application");
  EXPECT_EQ(c.state.responsible, "申报单位");

  c.ok("2024-09-02", "申报单位", "submit");
  EXPECT_EQ(c.state.stage, "county_review");
  EXPECT_EQ(c.state.responsible, "旗县区科技局[临河区]");
  EXPECT_EQ(S(c.state.due), "2024-09-09");  // 5 working days: 03 04 05 06 09

  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  EXPECT_EQ(c.state.stage, "formal_review");
  EXPECT_EQ(c.state.responsible, "市科技局");
  EXPECT_EQ(S(c.state.due), "2024-09-19");  // 10 working days: 05 06 09 10 11 12 13 14(Sat, make-up) 18 19

  c.ok("2024-09-10", "市科技局", "approve");
  EXPECT_EQ(c.state.stage, "joint_review");
  EXPECT_EQ(c.state.reviewers, (std::vector<std::string>{"市农牧局", "市财政局"}));
  EXPECT_EQ(S(c.state.due), "2024-09-25");
  auto sum = wf::summarize(c.w, c.state);
  EXPECT_EQ(sum.roles, (std::vector<std::string>{"市农牧局", "市财政局"}));  // both inboxes

  c.ok("2024-09-12", "市农牧局", "approve");
  EXPECT_EQ(c.state.stage, "joint_review");  // waits for 市财政局
  ASSERT_TRUE(c.has_event(wf::EventKind::vote));
  EXPECT_NE(c.events.back().detail.find("waiting for 市财政局"), std::string::npos) << c.events.back().detail;
  EXPECT_EQ(wf::summarize(c.w, c.state).roles, std::vector<std::string>{"市财政局"});

  c.ok("2024-09-13", "市财政局", "approve");
  EXPECT_TRUE(c.has_event(wf::EventKind::joint_decided));
  EXPECT_EQ(c.state.stage, "publicity");  // 12万 < leading_group_threshold
  EXPECT_EQ(S(c.state.timer), "2024-09-23");  // 5 working days: 14(Sat) 18 19 20 23
  EXPECT_FALSE(c.state.due);

  // Time passes: the notice ends without objection and the case moves to payment by itself.
  auto adv = wf::advance(c.w, c.state, c.ctx(), D("2024-09-30"));
  c.state = adv.state;
  EXPECT_EQ(c.state.stage, "disbursement");
  EXPECT_EQ(S(c.state.entered), "2024-09-23");
  EXPECT_EQ(S(c.state.due), "2024-10-23");  // 30 days
  EXPECT_EQ(c.state.responsible, "市财政局");
  ASSERT_FALSE(adv.events.empty());
  EXPECT_EQ(adv.events.front().kind, wf::EventKind::timer);

  c.ok("2024-10-15", "市财政局", "disburse");
  EXPECT_EQ(c.state.stage, "disbursed");
  EXPECT_TRUE(wf::summarize(c.w, c.state).terminal);
  EXPECT_EQ(c.refused("2024-10-16", "市财政局", "disburse").kind, wf::RefusalKind::case_closed);
}

TEST(Transition, ReturnForCorrectionPausesTheClock) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  ASSERT_EQ(S(c.state.due), "2024-09-19");

  c.ok("2024-09-10", "市科技局", "return");
  EXPECT_EQ(c.state.stage, "awaiting_correction");
  EXPECT_EQ(c.state.responsible, "申报单位");
  EXPECT_EQ(c.state.corrections, 1);
  EXPECT_EQ(c.state.return_to, "formal_review");
  ASSERT_TRUE(c.state.paused);
  EXPECT_EQ(c.state.paused->remaining, 6);  // 11 12 13 14 18 19
  EXPECT_FALSE(c.state.due);                // the bureau's clock is stopped
  EXPECT_EQ(S(c.state.timer), "2024-09-18");  // maximum correction period: 5 working days
  EXPECT_TRUE(c.has_event(wf::EventKind::clock_paused));

  // The applicant takes three days; the bureau's deadline moves by them.
  c.ok("2024-09-13", "申报单位", "resubmit");
  EXPECT_EQ(c.state.stage, "formal_review");
  EXPECT_TRUE(c.has_event(wf::EventKind::clock_resumed));
  EXPECT_EQ(S(c.state.due), "2024-09-24");  // 6 working days after 09-13: 14 18 19 20 23 24
  EXPECT_FALSE(c.state.paused);
  EXPECT_TRUE(c.state.return_to.empty());

  // A second return is allowed, a third is not (`when corrections < 2`).
  c.ok("2024-09-18", "市科技局", "return");
  c.ok("2024-09-19", "申报单位", "resubmit");
  EXPECT_EQ(c.state.corrections, 2);
  auto r = c.refused("2024-09-20", "市科技局", "return");
  EXPECT_EQ(r.kind, wf::RefusalKind::guard_false);
  EXPECT_NE(r.message.find("`corrections < 2`"), std::string::npos) << r.message;
}

// Facts may be corrected before review (the start stage) and in a correction stage, nowhere else.
TEST(Transition, CorrectionsOnlyBeforeReviewAndInACorrectionStage) {
  Case c = agri_case();
  c.start("2024-09-02");
  EXPECT_FALSE(wf::correction_refusal(c.w, c.state));  // application: before review
  c.ok("2024-09-02", "申报单位", "submit");
  auto under_review = wf::correction_refusal(c.w, c.state);
  ASSERT_TRUE(under_review);
  EXPECT_EQ(under_review->kind, wf::RefusalKind::not_correctable);
  EXPECT_NE(under_review->message.find("`county_review`"), std::string::npos) << under_review->message;
  EXPECT_NE(under_review->message.find("`application` (before review) or `awaiting_correction` (returned for correction)"),
            std::string::npos)
      << under_review->message;
  c.ok("2024-09-03", "旗县区科技局[临河区]", "return");
  EXPECT_FALSE(wf::correction_refusal(c.w, c.state));  // returned for correction
  c.ok("2024-09-04", "申报单位", "resubmit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-05", "市科技局", "approve");
  c.ok("2024-09-06", "市农牧局", "approve");
  c.ok("2024-09-06", "市财政局", "approve");
  c.ok("2024-09-20", "市财政局", "disburse");  // publicity ran out → disbursement → disbursed
  ASSERT_EQ(c.state.stage, "disbursed");
  auto closed = wf::correction_refusal(c.w, c.state);
  ASSERT_TRUE(closed);
  EXPECT_NE(closed->message.find("the case is closed"), std::string::npos) << closed->message;
  EXPECT_STREQ(wf::refusal_kind_name(closed->kind), "not_correctable");
}

TEST(Transition, CorrectionPeriodExpiryClosesTheCase) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-03", "旗县区科技局[临河区]", "return");
  EXPECT_EQ(c.state.return_to, "county_review");
  ASSERT_EQ(S(c.state.timer), "2024-09-10");
  // The last day of the period still counts…
  auto in_time = wf::apply(c.w, c.state, wf::Step{"resubmit", "申报单位", D("2024-09-10")}, c.ctx());
  EXPECT_TRUE(in_time.applied());
  EXPECT_EQ(in_time.state.stage, "county_review");
  // …the day after, the case is already closed.
  auto r = c.refused("2024-09-11", "申报单位", "resubmit");
  EXPECT_EQ(r.kind, wf::RefusalKind::case_closed);
  EXPECT_EQ(c.state.stage, "closed");
  EXPECT_EQ(S(c.state.entered), "2024-09-10");
  EXPECT_TRUE(c.has_event(wf::EventKind::timer));
}

TEST(Transition, ObjectionUpheldDuringPublicNoticeRejects) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-10", "市科技局", "approve");
  c.ok("2024-09-12", "市农牧局", "approve");
  c.ok("2024-09-13", "市财政局", "approve");
  ASSERT_EQ(c.state.stage, "publicity");
  // The applicant cannot object; the public can, within the notice period (ends 09-23).
  EXPECT_EQ(c.refused("2024-09-20", "申报单位", "object").kind, wf::RefusalKind::wrong_role);
  c.ok("2024-09-23", "社会公众", "object");
  EXPECT_EQ(c.state.stage, "objection");
  EXPECT_EQ(c.state.responsible, "市科技局");
  // 15 working days across 国庆: 09-24..27 (4), 09-29 (Sun, make-up), 09-30, 10-08..11 (4), 10-12 (Sat, make-up), 10-14..17 (4)
  EXPECT_EQ(S(c.state.due), "2024-10-17");
  EXPECT_EQ(c.refused("2024-09-25", "社会公众", "uphold").kind, wf::RefusalKind::wrong_role);
  c.ok("2024-09-27", "市科技局", "uphold");
  EXPECT_EQ(c.state.stage, "rejected");
  EXPECT_EQ(c.refused("2024-09-30", "市财政局", "disburse").kind, wf::RefusalKind::case_closed);
}

TEST(Transition, LateObjectionIsNotAccepted) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-10", "市科技局", "approve");
  c.ok("2024-09-12", "市农牧局", "approve");
  c.ok("2024-09-13", "市财政局", "approve");
  auto r = c.refused("2024-09-24", "社会公众", "object");  // the notice ended on 09-23
  EXPECT_EQ(r.kind, wf::RefusalKind::not_available);
  EXPECT_EQ(c.state.stage, "disbursement");  // the timer fired before the step
  EXPECT_TRUE(c.has_event(wf::EventKind::timer));
}

TEST(Transition, ActionByTheWrongBureauIsRefused) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  auto r = c.refused("2024-09-03", "市科技局", "approve");
  EXPECT_EQ(r.kind, wf::RefusalKind::wrong_role);
  EXPECT_NE(r.message.find("only 旗县区科技局[临河区] can"), std::string::npos) << r.message;
  EXPECT_EQ(c.refused("2024-09-03", "旗县区科技局[五原县]", "approve").kind, wf::RefusalKind::wrong_role);
  EXPECT_EQ(c.state.stage, "county_review");  // unchanged
  // The applicant may withdraw here (`by 申报单位`), a bureau may not.
  EXPECT_EQ(c.refused("2024-09-03", "旗县区科技局[临河区]", "withdraw").kind, wf::RefusalKind::wrong_role);
  // Actions the stage does not have, and names nobody declared.
  r = c.refused("2024-09-03", "旗县区科技局[临河区]", "disburse");
  EXPECT_EQ(r.kind, wf::RefusalKind::not_available);
  EXPECT_NE(r.message.find("available here: approve by 旗县区科技局[临河区]"), std::string::npos) << r.message;
  EXPECT_EQ(c.refused("2024-09-03", "市科技", "approve").kind, wf::RefusalKind::unknown_role);
  EXPECT_EQ(c.refused("2024-09-03", "旗县区科技局", "approve").kind, wf::RefusalKind::unknown_role);  // family without member
  EXPECT_EQ(c.refused("2024-09-03", "旗县区科技局[临河区]", "aprove").kind, wf::RefusalKind::unknown_action);
  EXPECT_EQ(c.refused("2024-09-01", "旗县区科技局[临河区]", "approve").kind, wf::RefusalKind::out_of_order);
  // In the joint review, a bureau that is not among this case's reviewers.
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-10", "市科技局", "approve");
  r = c.refused("2024-09-11", "市林草局", "approve");
  EXPECT_EQ(r.kind, wf::RefusalKind::wrong_role);
  EXPECT_NE(r.message.find("the reviewers of this case are 市农牧局, 市财政局"), std::string::npos) << r.message;
  c.ok("2024-09-11", "市农牧局", "approve");
  EXPECT_EQ(c.refused("2024-09-12", "市农牧局", "approve").kind, wf::RefusalKind::already_voted);
}

TEST(Transition, RoutingByFacts) {
  const auto& rs = *shipped().ruleset;
  Case zone{formula(), facts(rs, {{"county", "五原县"}, {"industry", "forestry"}, {"in_agri_hightech_zone", "true"}}), {true, 10000}, {}, {}};
  zone.start("2024-03-01");
  zone.ok("2024-03-01", "申报单位", "submit");
  EXPECT_EQ(zone.state.responsible, "农高区管委会");
  Case outside{formula(), facts(rs, {{"industry", "water"}, {"in_agri_hightech_zone", "false"}}), {true, 10000}, {}, {}};
  outside.start("2024-03-01");
  outside.ok("2024-03-01", "申报单位", "submit");
  EXPECT_EQ(outside.state.responsible, "市科技局");  // no county: straight to the city
  outside.ok("2024-03-04", "市科技局", "approve");
  outside.ok("2024-03-05", "市科技局", "approve");
  EXPECT_EQ(outside.state.reviewers, (std::vector<std::string>{"市水利局", "市财政局"}));
}

TEST(Transition, DecisionGuards) {
  const auto& rs = *shipped().ruleset;
  // Not eligible: formal review cannot approve.
  Case no{formula(), facts(rs, {{"county", "临河区"}, {"industry", "other"}}), {false, 0}, {}, {}};
  no.start("2024-03-01");
  no.ok("2024-03-01", "申报单位", "submit");
  no.ok("2024-03-04", "旗县区科技局[临河区]", "approve");
  auto r = no.refused("2024-03-05", "市科技局", "approve");
  EXPECT_EQ(r.kind, wf::RefusalKind::guard_false);
  EXPECT_NE(r.message.find("needs `eligible`"), std::string::npos) << r.message;
  no.ok("2024-03-05", "市科技局", "reject");
  EXPECT_EQ(no.state.stage, "rejected");
  // A big amount goes to the leading group after the joint review (threshold 100万).
  Case big{formula(), facts(rs, {{"county", "临河区"}, {"industry", "other"}}), {true, 150'0000'00}, {}, {}};
  big.start("2024-03-01");
  big.ok("2024-03-01", "申报单位", "submit");
  big.ok("2024-03-04", "旗县区科技局[临河区]", "approve");
  big.ok("2024-03-05", "市科技局", "approve");
  EXPECT_EQ(big.state.reviewers, std::vector<std::string>{"市财政局"});
  big.ok("2024-03-06", "市财政局", "approve");
  EXPECT_EQ(big.state.stage, "leading_group");
  EXPECT_EQ(big.state.responsible, "领导小组");
}

TEST(Transition, CompetitiveTalentGrantIsReviewedByTheHumanResourcesBureau) {
  const auto& rs = *shipped().ruleset;
  Case c{competitive(), facts(rs, {{"county", "临河区"}, {"industry", "other"}, {"talent_level", "A"}}), {true, 500'0000'00}, {}, {}};
  c.start("2024-04-01");
  c.ok("2024-04-01", "申报单位", "submit");
  c.ok("2024-04-02", "旗县区科技局[临河区]", "approve");
  c.ok("2024-04-03", "市科技局", "approve");
  EXPECT_EQ(c.state.stage, "expert_review");
  c.ok("2024-04-08", "专家组", "approve");
  c.ok("2024-04-10", "市科技局", "approve");
  ASSERT_EQ(c.state.stage, "joint_review");
  EXPECT_EQ(c.state.reviewers, (std::vector<std::string>{"市人社局", "市发改委", "市财政局"}));
  // policy `all`: a rejection is recorded, the others still vote, then the case is rejected.
  c.ok("2024-04-11", "市发改委", "reject");
  EXPECT_EQ(c.state.stage, "joint_review");
  c.ok("2024-04-12", "市人社局", "approve");
  c.ok("2024-04-12", "市财政局", "approve");
  EXPECT_EQ(c.state.stage, "rejected");
}

TEST(Transition, DeadlinesBeyondTheCalendarAreFlagged) {
  Case c = agri_case();
  c.start("2026-12-21");
  c.ok("2026-12-28", "申报单位", "submit");  // 5 working days reach into 2027, beyond the data
  EXPECT_EQ(S(c.state.due), "2027-01-04");
  EXPECT_TRUE(c.has_event(wf::EventKind::calendar_gap));
}

TEST(Transition, AGuardThatCannotBeEvaluatedStopsTheStep) {
  // leading_group_threshold is in force from 2021-01-01: in 2020 the joint review cannot decide
  // which way to go, and must not silently take the next `on approve`.
  const auto& rs = *shipped().ruleset;
  Case c{formula(), facts(rs, {{"county", "临河区"}, {"industry", "other"}}), {true, 10000}, {}, {}};
  c.start("2020-06-01");
  c.ok("2020-06-01", "申报单位", "submit");
  c.ok("2020-06-02", "旗县区科技局[临河区]", "approve");
  c.ok("2020-06-03", "市科技局", "approve");
  c.ok("2020-06-04", "市财政局", "approve");
  EXPECT_EQ(c.state.stage, "joint_review");
  ASSERT_TRUE(c.has_event(wf::EventKind::no_transition));
  EXPECT_NE(c.events.back().detail.find("could not be evaluated"), std::string::npos) << c.events.back().detail;
}

// ------------------------------------------------------------------ joint-review policies

const char* kJoint = R"R(
role 甲 "甲" "A";
role 乙 "乙" "B";
role 丙 "丙" "C";
role 协调 "协调" "coordinator";
action approve "通过" "approve";
action reject "不予通过" "reject";
action return "退回" "return";
workflow w "w" "w" {
  start j;
  stage j "会签" "joint" {
    responsible 协调;
    joint POLICY { 甲; 乙; 丙; }
    deadline 3 working days;
    on approve -> yes;
    on reject -> no;
  }
  terminal yes "通过" "yes";
  terminal no "否" "no";
}
)R";

struct Joint {
  std::unique_ptr<subsidy::testing::Compiled> c;
  std::shared_ptr<const wf::WorkflowSet> set;
  explicit Joint(const std::string& policy) {
    std::string text = kJoint;
    text.replace(text.find("POLICY"), 6, policy);
    c = subsidy::testing::compile_text(text);
    EXPECT_TRUE(c->rs) << c->rendered();
    set = wf::compile_workflows(c->rs, c->diags);
    EXPECT_FALSE(c->diags.has_errors()) << c->rendered();
  }
  Case make() const { return Case{set->workflows.at(0), subsidy::model::Facts(0), {}, {}, {}}; }
};

TEST(Transition, JointPolicies) {
  {
    Joint j("veto");
    Case c = j.make();
    c.start("2024-05-06");
    c.ok("2024-05-06", "甲", "approve");
    c.ok("2024-05-06", "乙", "reject");  // one rejection decides at once
    EXPECT_EQ(c.state.stage, "no");
  }
  {
    Joint j("majority");
    Case c = j.make();
    c.start("2024-05-06");
    c.ok("2024-05-06", "甲", "approve");
    EXPECT_EQ(c.state.stage, "j");
    auto r = c.refused("2024-05-06", "协调", "approve");  // the coordinator cannot decide for the reviewers
    EXPECT_EQ(r.kind, wf::RefusalKind::joint_pending);
    EXPECT_NE(r.message.find("waiting for 乙, 丙"), std::string::npos) << r.message;
    c.ok("2024-05-07", "丙", "approve");  // 2 of 3
    EXPECT_EQ(c.state.stage, "yes");
  }
  {
    Joint j("majority");
    Case c = j.make();
    c.start("2024-05-06");
    c.ok("2024-05-06", "甲", "reject");
    c.ok("2024-05-06", "乙", "reject");  // a majority can no longer approve
    EXPECT_EQ(c.state.stage, "no");
  }
  {
    Joint j("all");
    Case c = j.make();
    c.start("2024-05-06");
    c.ok("2024-05-06", "甲", "approve");
    c.ok("2024-05-06", "乙", "approve");
    c.ok("2024-05-13", "丙", "approve");
    EXPECT_EQ(c.state.stage, "yes");
    // the last vote came after the deadline (3 working days after 05-06: 05-09)
    EXPECT_TRUE(c.has_event(wf::EventKind::overdue));
  }
}

// ------------------------------------------------------------------ the reserving stage, adjustable amounts

TEST(ReservingStage, ShippedWorkflowsNameTheCitysDecision) {
  EXPECT_EQ(formula().reserving_stage(), "formal_review");
  EXPECT_TRUE(formula().reserving_stage_declared());
  EXPECT_EQ(competitive().reserving_stage(), "collective_decision");
  EXPECT_TRUE(competitive().reserving_stage_declared());
  for (const char* s : {"formal_review", "leading_group"}) EXPECT_TRUE(formula().amount_adjustable(s)) << s;
  for (const char* s : {"county_review", "joint_review", "publicity", "disbursement", "no_such_stage"})
    EXPECT_FALSE(formula().amount_adjustable(s)) << s;
  for (const char* s : {"collective_decision", "leading_group"}) EXPECT_TRUE(competitive().amount_adjustable(s)) << s;
  for (const char* s : {"county_review", "formal_review", "expert_review", "fund_plan"})
    EXPECT_FALSE(competitive().amount_adjustable(s)) << s;
}

// The shipped rules with their `reserve at` lines removed: what the default picks for them.
TEST(ReservingStage, DefaultForTheShippedWorkflowsIsTheCitysFormalReview) {
  subsidy::diag::SourceSet sources;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(SUBSIDY_SOURCE_DIR) + "/rules"))
    if (e.path().extension() == ".rules") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::size_t removed = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    for (auto at = text.find("  reserve at "); at != std::string::npos; at = text.find("  reserve at ")) {
      text.erase(at, text.find('\n', at) + 1 - at);
      ++removed;
    }
    sources.add(f.string(), text);
  }
  ASSERT_EQ(removed, 2u);
  subsidy::diag::Diagnostics diags;
  auto rs = subsidy::eval::compile(sources, diags, "test").ruleset;
  ASSERT_TRUE(rs) << subsidy::diag::render_all(diags, sources);
  auto set = wf::compile_workflows(rs, diags);
  ASSERT_EQ(set->workflows.size(), 2u) << subsidy::diag::render_all(diags, sources);
  // county_review names 旗县区科技局[county]; formal_review (市科技局) is the city's first approval.
  EXPECT_EQ(set->find("formula")->reserving_stage(), "formal_review");
  EXPECT_FALSE(set->find("formula")->reserving_stage_declared());
  EXPECT_EQ(set->find("competitive")->reserving_stage(), "formal_review");
}

const char* kDefault = R"R(
enum County "旗县区" "county" { 临河区 "临河区" "Linhe", 五原县 "五原县" "Wuyuan" }
fact county: County "旗县区" "county";
role 申报单位 "申报单位" "applicant";
role 旗县区科技局[County] "旗县区科技局" "county bureau";
role 市科技局 "市科技局" "science bureau";
role 市财政局 "市财政局" "finance bureau";
action submit "提交" "submit";
action approve "通过" "approve";
action reject "不予通过" "reject";
action return "退回" "return";
action resubmit "重新提交" "resubmit";
workflow w "w" "w" {
  start a;
  stage a "申报" "apply" { responsible 申报单位; on submit -> county; }
  stage county "初审" "county" { responsible 市财政局 when false; responsible 旗县区科技局[county]; on approve -> city; on return -> fix; on reject -> no; }
  correction fix "补正" "fix" { responsible 申报单位; on approve -> back; }
  stage city "市级审核" "city" { responsible CITY; on approve -> fin; on reject -> no; }
  stage fin "拨付" "finance" { responsible FIN; on approve -> yes; }
  terminal yes "是" "yes";
  terminal no "否" "no";
}
)R";

std::string default_reserving(const std::string& city, const std::string& fin, const std::string& replace_approve = "") {
  std::string text = kDefault;
  text.replace(text.find("CITY"), 4, city);
  text.replace(text.find("FIN"), 3, fin);
  if (!replace_approve.empty())
    for (auto at = text.find(" on approve"); at != std::string::npos; at = text.find(" on approve", at))
      text.replace(at + 1, 10, replace_approve);
  auto c = subsidy::testing::compile_text(text);
  EXPECT_TRUE(c->rs) << c->rendered();
  if (!c->rs) return "?";
  auto set = wf::compile_workflows(c->rs, c->diags);
  EXPECT_EQ(set->workflows.size(), 1u) << c->rendered();
  return set->workflows.empty() ? "?" : set->workflows[0].reserving_stage();
}

TEST(ReservingStage, DefaultIsTheFirstApprovalWithoutACountyRole) {
  // Breadth-first from the start: `county` names a family member (one line suffices), the correction
  // stage never reserves, `city` is the first approval by city-level roles only.
  EXPECT_EQ(default_reserving("市科技局", "市财政局"), "city");
  // Every approval on the way is county-level until `fin`.
  EXPECT_EQ(default_reserving("旗县区科技局[county]", "市财政局"), "fin");
  // Every approval is county-level: the first stage with `on approve`.
  EXPECT_EQ(default_reserving("旗县区科技局[county]", "旗县区科技局[county]"), "county");
  // No `on approve` anywhere: no stage reserves.
  EXPECT_EQ(default_reserving("市科技局", "市财政局", "on reject"), "");
}

TEST(ReservingStage, TheCountysRecommendationDoesNotReserveTheCitysApprovalDoes) {
  Case c = agri_case();
  c.start("2024-09-02");
  EXPECT_FALSE(wf::reserves_budget(c.w, c.step("2024-09-02", "申报单位", "submit")));
  EXPECT_FALSE(wf::reserves_budget(c.w, c.step("2024-09-04", "旗县区科技局[临河区]", "approve")));
  auto formal = c.step("2024-09-05", "市科技局", "approve");  // formal_review -> joint_review
  ASSERT_TRUE(formal.applied());
  EXPECT_TRUE(wf::reserves_budget(c.w, formal));
  EXPECT_FALSE(wf::reserves_budget(c.w, c.step("2024-09-06", "市科技局", "approve")));  // refused: not a reviewer
  EXPECT_FALSE(wf::reserves_budget(c.w, c.step("2024-09-06", "市农牧局", "approve")));

  const auto& rs = *shipped().ruleset;
  Case k{competitive(), facts(rs, {{"county", "临河区"}, {"industry", "other"}, {"talent_level", "unranked"}}), {true, 50'0000'00}, {}, {}};
  k.start("2024-04-01");
  for (auto [date, actor] : std::initializer_list<std::pair<const char*, const char*>>{
           {"2024-04-01", "申报单位"}, {"2024-04-02", "旗县区科技局[临河区]"}, {"2024-04-03", "市科技局"}, {"2024-04-08", "专家组"},
           {"2024-04-10", "市科技局"}, {"2024-04-11", "市财政局"}}) {
    auto r = k.step(date, actor, k.state.stage == "application" ? "submit" : "approve");
    ASSERT_TRUE(r.applied()) << date << " " << actor << ": " << r.refusal->message;
    EXPECT_FALSE(wf::reserves_budget(k.w, r)) << k.state.stage;
  }
  ASSERT_EQ(k.state.stage, "collective_decision");
  EXPECT_TRUE(wf::reserves_budget(k.w, k.step("2024-04-12", "市科技局", "approve")));
  EXPECT_EQ(k.state.stage, "publicity");
}

TEST(ReservingStage, AJointReviewReservesWhenItsPolicyApproves) {
  std::string text = kJoint;
  text.replace(text.find("POLICY"), 6, "all");
  text.replace(text.find("  start j;"), 10, "  start j;\n  reserve at j;");
  auto c = subsidy::testing::compile_text(text);
  ASSERT_TRUE(c->rs) << c->rendered();
  auto set = wf::compile_workflows(c->rs, c->diags);
  ASSERT_EQ(set->workflows.size(), 1u) << c->rendered();
  Case k{set->workflows[0], subsidy::model::Facts(0), {}, {}, {}};
  k.start("2024-05-06");
  EXPECT_FALSE(wf::reserves_budget(k.w, k.step("2024-05-06", "甲", "approve")));
  EXPECT_FALSE(wf::reserves_budget(k.w, k.step("2024-05-06", "乙", "approve")));
  EXPECT_TRUE(wf::reserves_budget(k.w, k.step("2024-05-07", "丙", "approve")));
}

// ------------------------------------------------------------------ available actions

std::string brief(const std::vector<wf::AvailableAction>& v) {
  std::string out;
  for (const auto& a : v) {
    std::string roles, targets;
    for (const auto& r : a.roles) roles += (roles.empty() ? "" : ",") + r;
    for (const auto& t : a.targets) targets += (targets.empty() ? "" : ",") + t;
    out += (out.empty() ? "" : "; ") + a.action + "@" + a.stage + " by " + roles + " -> " + targets + ": " +
           (a.allowed ? "ok " + a.leads_to : std::string("refused ") + wf::refusal_kind_name(a.refusal->kind));
  }
  return out;
}

// Every role instance the ruleset declares (each member of a family) and every action.
std::vector<std::string> every_role(const wf::Workflow& w) {
  std::vector<std::string> out;
  const auto& d = w.decls();
  for (std::uint32_t r = 0; r < d.roles.size(); ++r) {
    if (d.roles[r].family_enum < 0) {
      out.push_back(w.role_name({r, -1}));
      continue;
    }
    const auto& e = w.ruleset().schema.enums[static_cast<std::size_t>(d.roles[r].family_enum)];
    for (std::size_t v = 0; v < e.values.size(); ++v) out.push_back(w.role_name({r, static_cast<std::int32_t>(v)}));
  }
  return out;
}

// available_actions agrees with apply() for every role and action: listed and allowed → applied
// (to the same stage); listed and not allowed → refused with the same text; not listed → refused.
void expect_agreement(const Case& c, const char* date) {
  auto all = wf::available_actions(c.w, c.state, c.ctx(), "", D(date));
  for (const auto& role : every_role(c.w)) {
    auto mine = wf::available_actions(c.w, c.state, c.ctx(), role, D(date));
    for (const auto& a : mine) EXPECT_EQ(a.roles, std::vector<std::string>{role});
    for (const auto& act : c.w.decls().actions) {
      auto r = wf::apply(c.w, c.state, wf::Step{act.name, role, D(date)}, c.ctx());
      auto listed = std::find_if(mine.begin(), mine.end(), [&](const wf::AvailableAction& a) { return a.action == act.name; });
      auto in_all = std::find_if(all.begin(), all.end(), [&](const wf::AvailableAction& a) {
        return a.action == act.name && std::find(a.roles.begin(), a.roles.end(), role) != a.roles.end();
      });
      const std::string what = c.state.stage + " " + date + " " + role + " " + act.name;
      EXPECT_EQ(listed == mine.end(), in_all == all.end()) << what;
      if (listed == mine.end()) {
        EXPECT_FALSE(r.applied()) << what;
        continue;
      }
      EXPECT_EQ(listed->allowed, in_all->allowed) << what;
      EXPECT_EQ(listed->allowed, r.applied()) << what << ": " << (r.refusal ? r.refusal->message : "");
      if (r.applied()) {
        EXPECT_EQ(listed->leads_to, r.state.stage) << what;
      } else {
        ASSERT_TRUE(listed->refusal) << what;
        EXPECT_EQ(listed->refusal->message, r.refusal->message) << what;
        EXPECT_EQ(listed->refusal->kind, r.refusal->kind) << what;
      }
    }
  }
}

TEST(AvailableActions, CountyCityAndApplicantAtTheCountyReview) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-03"))),
            "approve@county_review by 旗县区科技局[临河区] -> formal_review: ok formal_review; "
            "return@county_review by 旗县区科技局[临河区] -> awaiting_correction: ok awaiting_correction; "
            "reject@county_review by 旗县区科技局[临河区] -> rejected: ok rejected; "
            "withdraw@county_review by 申报单位 -> withdrawn: ok withdrawn");
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "申报单位", D("2024-09-03"))),
            "withdraw@county_review by 申报单位 -> withdrawn: ok withdrawn");
  EXPECT_TRUE(wf::available_actions(c.w, c.state, c.ctx(), "市科技局", D("2024-09-03")).empty());  // not the city's turn
  EXPECT_FALSE(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-03")).at(0).amount_adjustable);  // the county's approve
  EXPECT_TRUE(wf::available_actions(c.w, c.state, c.ctx(), "旗县区科技局[五原县]", D("2024-09-03")).empty());
  expect_agreement(c, "2024-09-03");
  // The refusal that lists what can be done here is built from the same list.
  auto r = c.refused("2024-09-03", "旗县区科技局[临河区]", "disburse");
  EXPECT_EQ(r.message,
            "`disburse` is not available at stage `county_review` (旗县区初审推荐); available here: approve by 旗县区科技局[临河区]; "
            "return by 旗县区科技局[临河区]; reject by 旗县区科技局[临河区]; withdraw by 申报单位");
}

TEST(AvailableActions, TheCityAtFormalReviewWhenTheGuardSaysNo) {
  const auto& rs = *shipped().ruleset;
  Case no{formula(), facts(rs, {{"county", "临河区"}, {"industry", "other"}}), {false, 0}, {}, {}};
  no.start("2024-03-01");
  no.ok("2024-03-01", "申报单位", "submit");
  no.ok("2024-03-04", "旗县区科技局[临河区]", "approve");
  auto city = wf::available_actions(no.w, no.state, no.ctx(), "市科技局", D("2024-03-05"));
  EXPECT_EQ(brief(city),
            "approve@formal_review by 市科技局 -> joint_review: refused guard_false; "
            "return@formal_review by 市科技局 -> awaiting_correction: ok awaiting_correction; "
            "reject@formal_review by 市科技局 -> rejected: ok rejected");
  EXPECT_EQ(city.at(0).refusal->message, no.refused("2024-03-05", "市科技局", "approve").message);
  EXPECT_TRUE(city.at(0).amount_adjustable);   // approve at formal_review: the city may approve less
  EXPECT_FALSE(city.at(1).amount_adjustable);  // return
  EXPECT_NE(city.at(0).refusal->message.find("needs `eligible`"), std::string::npos);
  expect_agreement(no, "2024-03-05");
  // After two returns, `return` is listed but refused (`corrections < 2`).
  no.ok("2024-03-05", "市科技局", "return");
  no.ok("2024-03-06", "申报单位", "resubmit");
  no.ok("2024-03-07", "市科技局", "return");
  no.ok("2024-03-08", "申报单位", "resubmit");
  auto again = wf::available_actions(no.w, no.state, no.ctx(), "市科技局", D("2024-03-11"));
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[1].action, "return");
  EXPECT_FALSE(again[1].allowed);
  expect_agreement(no, "2024-03-11");
}

TEST(AvailableActions, ReviewersOfAJointReviewBeforeAndAfterOneVote) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-10", "市科技局", "approve");
  ASSERT_EQ(c.state.stage, "joint_review");
  // veto: an approval waits for the other reviewer, a rejection decides at once.
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-11"))),
            "approve@joint_review by 市农牧局,市财政局 -> leading_group,publicity: ok joint_review; "
            "reject@joint_review by 市农牧局,市财政局 -> rejected: ok rejected");
  expect_agreement(c, "2024-09-11");
  c.ok("2024-09-12", "市农牧局", "approve");
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-12"))),
            "approve@joint_review by 市财政局 -> leading_group,publicity: ok publicity; "
            "reject@joint_review by 市财政局 -> rejected: ok rejected");
  EXPECT_TRUE(wf::available_actions(c.w, c.state, c.ctx(), "市农牧局", D("2024-09-12")).empty());  // has voted
  expect_agreement(c, "2024-09-12");
  auto r = c.refused("2024-09-12", "市财政局", "disburse");
  EXPECT_NE(r.message.find("available here: approve by 市财政局; reject by 市财政局"), std::string::npos) << r.message;
}

TEST(AvailableActions, CompetitiveWorkflowFromCountyToTheCollectiveDecision) {
  const auto& rs = *shipped().ruleset;
  Case c{competitive(), facts(rs, {{"county", "临河区"}, {"industry", "agriculture"}, {"talent_level", "A"}}), {true, 500'0000'00}, {}, {}};
  c.start("2024-04-01");
  c.ok("2024-04-01", "申报单位", "submit");
  expect_agreement(c, "2024-04-01");
  c.ok("2024-04-02", "旗县区科技局[临河区]", "approve");
  c.ok("2024-04-03", "市科技局", "approve");
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "专家组", D("2024-04-08"))),
            "approve@expert_review by 专家组 -> site_visit: ok site_visit; reject@expert_review by 专家组 -> rejected: ok rejected");
  expect_agreement(c, "2024-04-08");
  c.ok("2024-04-08", "专家组", "approve");
  c.ok("2024-04-10", "市科技局", "approve");
  ASSERT_EQ(c.state.stage, "joint_review");  // policy all: 市农牧局, 市人社局, 市发改委 (≥ 300万), 市财政局
  EXPECT_EQ(c.state.reviewers.size(), 4u);
  for (const char* r : {"市农牧局", "市人社局", "市发改委", "市财政局"}) {
    expect_agreement(c, "2024-04-11");
    c.ok("2024-04-11", r, "approve");
  }
  ASSERT_EQ(c.state.stage, "collective_decision");
  auto city = wf::available_actions(c.w, c.state, c.ctx(), "市科技局", D("2024-04-12"));
  EXPECT_EQ(brief(city),
            "approve@collective_decision by 市科技局 -> leading_group,publicity: ok leading_group; "
            "reject@collective_decision by 市科技局 -> rejected: ok rejected");
  expect_agreement(c, "2024-04-12");
}

TEST(AvailableActions, TimersRunFirstAndAClosedCaseHasNone) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-10", "市科技局", "approve");
  c.ok("2024-09-12", "市农牧局", "approve");
  c.ok("2024-09-13", "市财政局", "approve");
  ASSERT_EQ(c.state.stage, "publicity");  // the notice ends on 09-23
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-23"))),
            "object@publicity by 社会公众 -> objection: ok objection");
  expect_agreement(c, "2024-09-23");
  EXPECT_EQ(brief(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-24"))),
            "disburse@disbursement by 市财政局 -> disbursed: ok disbursed");
  expect_agreement(c, "2024-09-24");
  // A date before the case's latest step: apply() refuses every step, and so does the list.
  auto early = wf::available_actions(c.w, c.state, c.ctx(), "社会公众", D("2024-09-12"));
  ASSERT_EQ(early.size(), 1u);
  EXPECT_EQ(early[0].refusal->kind, wf::RefusalKind::out_of_order);
  c.ok("2024-10-15", "市财政局", "disburse");
  ASSERT_EQ(c.state.stage, "disbursed");
  EXPECT_TRUE(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-10-16")).empty());
  expect_agreement(c, "2024-10-16");
}

TEST(AvailableActions, CorrectionStageAndJson) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-03", "旗县区科技局[临河区]", "return");
  auto v = wf::available_actions(c.w, c.state, c.ctx(), "申报单位", D("2024-09-04"));
  EXPECT_EQ(brief(v), "resubmit@awaiting_correction by 申报单位 -> county_review: ok county_review; "
                      "withdraw@awaiting_correction by 申报单位 -> withdrawn: ok withdrawn");
  expect_agreement(c, "2024-09-04");
  EXPECT_EQ(wf::to_json(v.at(0)),
            R"({"action":"resubmit","stage":"awaiting_correction","roles":["申报单位"],"targets":["county_review"],"amount_adjustable":false,"allowed":true,"leads_to":"county_review","refusal":null})");
  // The correction period ran out on 09-10: the case is closed on the 11th.
  EXPECT_TRUE(wf::available_actions(c.w, c.state, c.ctx(), "", D("2024-09-11")).empty());
}

// ------------------------------------------------------------------ CaseState JSON

TEST(CaseStateJson, RoundTripsEveryField) {
  Case c = agri_case();
  c.start("2024-09-02");
  c.ok("2024-09-02", "申报单位", "submit");
  c.ok("2024-09-04", "旗县区科技局[临河区]", "approve");
  c.ok("2024-09-10", "市科技局", "return");
  auto json = wf::to_json(c.state);
  EXPECT_NE(json.find(R"("paused":{"stage":"formal_review","remaining":6,"working":true})"), std::string::npos) << json;
  auto back = wf::case_state_from_json(json);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c.state);
  c.ok("2024-09-13", "申报单位", "resubmit");
  c.ok("2024-09-16", "市科技局", "approve");  // 09-16 is 中秋, dates are taken as given
  c.ok("2024-09-18", "市农牧局", "approve");
  back = wf::case_state_from_json(wf::to_json(c.state));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, c.state);
  EXPECT_EQ(back->votes.size(), 1u);
  // The restored state continues like the original.
  auto r = wf::apply(c.w, *back, wf::Step{"approve", "市财政局", D("2024-09-19")}, c.ctx());
  EXPECT_TRUE(r.applied());
  EXPECT_EQ(r.state.stage, "publicity");
}

TEST(CaseStateJson, RejectsMalformedInput) {
  std::string err;
  EXPECT_FALSE(wf::case_state_from_json("{", &err));
  EXPECT_NE(err.find("not valid JSON"), std::string::npos) << err;
  EXPECT_FALSE(wf::case_state_from_json(R"({"version":1,"workflow":"w","stage":"a","entered":"2024-02-30"})", &err));
  EXPECT_EQ(err, "case state: `entered` must be a date (YYYY-MM-DD)");
  EXPECT_FALSE(wf::case_state_from_json(R"({"version":1,"workflow":"w","stage":"a","entered":"2024-02-03","colour":1})", &err));
  EXPECT_EQ(err, "case state: unknown key `colour` in the case state");
  EXPECT_FALSE(wf::case_state_from_json(R"({"version":9,"workflow":"w","stage":"a","entered":"2024-02-03"})", &err));
  EXPECT_NE(err.find("`version`"), std::string::npos);
  EXPECT_FALSE(wf::case_state_from_json(R"({"version":1,"workflow":"w","stage":"a","entered":"2024-02-03","due":5})", &err));
  EXPECT_EQ(err, "case state: `due` must be a date (YYYY-MM-DD) or null");
  auto ok = wf::case_state_from_json(R"({"version":1,"workflow":"w","stage":"a","entered":"2024-02-03"})", &err);
  ASSERT_TRUE(ok) << err;
  EXPECT_EQ(S(ok->last), "2024-02-03");
}

}  // namespace
