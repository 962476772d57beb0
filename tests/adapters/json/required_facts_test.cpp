// Which facts an application must supply: the programmes' facts, and where the application is
// routed, the facts the workflow guards read (eval::required_facts, used by the FactDecoder).
#include "eval/required_facts.hpp"

#include <gtest/gtest.h>

#include <string>

#include "json/fact_decoder.hpp"
#include "test_ruleset.hpp"

namespace subsidy::json {
namespace {

// The test ruleset with a workflow `formula` followed by R03: its first stage's responsible role is
// chosen by `unused` (int) and indexed by `org_type`; a transition's guard reads `cert_date`
// (optional) and `employees`; a second workflow nobody follows reads `name`.
eval::Ruleset routed_ruleset() {
  eval::Ruleset rs = testing::make_ruleset();
  rs.programs[2].workflow = "formula";
  eval::WorkflowSpec w;
  w.name = "formula";
  w.programs = {"R03"};
  eval::StageSpec review;
  review.name = "review";
  eval::GuardedRoleSpec resp;
  resp.deps.facts = {11};
  resp.role.index_deps.facts = {0};
  review.responsible.push_back(resp);
  eval::StageSpec joint;
  joint.name = "joint";
  eval::GuardedRoleSpec reviewer;
  reviewer.deps.facts = {2};
  joint.reviewers.push_back(reviewer);
  eval::TransitionSpec approve;
  approve.deps.facts = {8};
  eval::RoleRefSpec by;
  by.index_deps.facts = {5};
  approve.by.push_back(by);
  review.transitions.push_back(approve);
  w.stages = {review, joint};
  eval::WorkflowSpec other;
  other.name = "other";
  eval::StageSpec s;
  eval::TransitionSpec t;
  t.deps.facts = {6};
  s.transitions.push_back(t);
  other.stages = {s};
  rs.workflow_decls.workflows = {w, other};
  return rs;
}

std::vector<std::uint32_t> slots(const std::vector<eval::RequiredFact>& r) {
  std::vector<std::uint32_t> out;
  for (const auto& f : r) out.push_back(f.slot);
  return out;
}

TEST(RequiredFacts, ProgrammeFactsWithoutRouting) {
  auto rs = routed_ruleset();
  EXPECT_EQ(slots(eval::required_facts(rs, {})), (std::vector<std::uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 9}));
  eval::Selection r03 = {0, 0, 1};
  auto r = eval::required_facts(rs, {&r03});
  ASSERT_EQ(slots(r), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(r[0].workflow, -1);
}

TEST(RequiredFacts, RoutingAddsTheNonOptionalGuardFactsOfTheProgrammesWorkflows) {
  auto rs = routed_ruleset();
  eval::Selection r03 = {0, 0, 1};
  auto r = eval::required_facts(rs, {&r03, true});
  // org_type (programme), employees (reviewer guard), founded (transition role index), unused
  // (responsible guard); cert_date is optional; `name` is read only by the other workflow.
  ASSERT_EQ(slots(r), (std::vector<std::uint32_t>{0, 2, 5, 11}));
  EXPECT_EQ(r[0].workflow, -1);  // read by R03 itself
  EXPECT_EQ(r[1].workflow, 0);
  EXPECT_EQ(r[3].workflow, 0);
  // R01 follows no workflow: routing adds nothing.
  eval::Selection r01 = {1, 0, 0};
  EXPECT_EQ(slots(eval::required_facts(rs, {&r01, true})), slots(eval::required_facts(rs, {&r01})));
}

TEST(RequiredFacts, AnExplicitWorkflowWithoutProgrammes) {
  auto rs = routed_ruleset();
  eval::Selection none = {0, 0, 0};
  EXPECT_EQ(slots(eval::required_facts(rs, {&none, true, 1})), (std::vector<std::uint32_t>{6}));
  EXPECT_EQ(slots(eval::required_facts(rs, {&none, true, 0})), (std::vector<std::uint32_t>{0, 2, 5, 11}));
  EXPECT_TRUE(eval::required_facts(rs, {&none}).empty());
}

TEST(RequiredFacts, DecoderRequiresRoutingFactsOnlyWhenRouting) {
  auto rs = routed_ruleset();
  eval::Selection r03 = {0, 0, 1};
  model::Facts facts;
  DecodeError err;
  std::string id;
  const std::string app = R"({"id":"C1","org_type":"enterprise","employees":5,"founded":"2020-01-01"})";
  FactDecoder evaluate(rs, {&r03});
  EXPECT_TRUE(evaluate.decode(app, facts, err, id)) << err.message;
  FactDecoder routed(rs, {&r03, true});
  EXPECT_EQ(routed.required_slots(), (std::vector<std::uint32_t>{0, 2, 5, 11}));
  ASSERT_FALSE(routed.decode(app, facts, err, id));
  EXPECT_EQ(err.code, "missing_field");
  EXPECT_EQ(err.field, "unused");
  EXPECT_EQ(err.message, "workflow `formula` routes by it (unused)");
  EXPECT_EQ(id, "C1");
  ASSERT_FALSE(routed.decode(R"({"id":"C1","org_type":"enterprise","employees":5})", facts, err, id));
  EXPECT_EQ(err.field, "founded");
  EXPECT_EQ(err.message, "workflow `formula` routes by it (founded) (2 required fields are missing)");
  ASSERT_FALSE(routed.decode(R"({"id":"C1","employees":5,"founded":"2020-01-01","unused":1})", facts, err, id));
  EXPECT_EQ(err.message, "missing required field \"org_type\"");
  EXPECT_TRUE(routed.decode(R"({"id":"C1","org_type":"enterprise","employees":5,"founded":"2020-01-01","unused":0})",
                            facts, err, id))
      << err.message;
}

}  // namespace
}  // namespace subsidy::json
