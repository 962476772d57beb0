#pragma once
// Workflow declarations as lowered into the Ruleset: roles, actions and workflows with names resolved
// to indices and guards lowered to expression nodes of the same Ruleset (evaluated by the same pure
// evaluator, eval::evaluate_node). engine/workflow builds the validated graph model from this.
#include <cstdint>
#include <string>
#include <vector>

#include "diag/source.hpp"
#include "model/schema.hpp"

namespace subsidy::eval {

struct RoleSpec {
  std::string name;
  model::Label label;
  std::int32_t family_enum = -1;  // a role family: one member per value of this enum
  diag::Span span;
};

struct ActionSpec {
  std::string name;
  model::Label label;
  diag::Span span;
};

// What a guard or role index reads, found from the checked AST (for the enumeration analysis).
struct GuardDeps {
  std::vector<std::uint32_t> facts;  // fact slots, sorted
  std::uint8_t case_attrs = 0;       // bit i: model::CaseAttr i
  bool uses_date = false;            // reads `as_of` or a parameter (whose value depends on the date)
};

struct RoleRefSpec {
  std::uint32_t role = 0;
  std::uint32_t index = 0xFFFFFFFFu;           // node of the family member (an enum value), or kNoNode
  std::uint32_t presence_slot = 0xFFFFFFFFu;   // optional fact standing as the index: absent → no member
  GuardDeps index_deps;
  std::string text;  // as written, e.g. "旗县区科技局[county]"
  diag::Span span;
};

struct GuardedRoleSpec {
  RoleRefSpec role;
  std::uint32_t guard = 0xFFFFFFFFu;  // kNoNode: always
  std::string guard_text;
  GuardDeps deps;
  diag::Span span;
};

struct PeriodSpec {
  std::int32_t count = 0;
  bool working = false;  // working days on the calendar, else calendar days
};

enum class JointPolicy : std::uint8_t { none, all, veto, majority };

struct TransitionSpec {
  std::uint32_t action = 0;
  std::vector<RoleRefSpec> by;        // empty: the stage's responsible role
  std::uint32_t guard = 0xFFFFFFFFu;  // kNoNode: always
  std::string guard_text;
  GuardDeps deps;
  std::int32_t target = -1;  // stage index; -1 with `back`
  bool back = false;         // correction stages: back to the stage that returned the case
  bool as_return = false;    // marked `as return` (a deliberate loop)
  model::Label label;
  diag::Span span;
};

enum class StageKind : std::uint8_t { normal, correction, terminal };

struct StageSpec {
  std::string name;
  model::Label label;
  StageKind kind = StageKind::normal;
  std::vector<GuardedRoleSpec> responsible;  // first match wins
  JointPolicy joint = JointPolicy::none;
  std::vector<GuardedRoleSpec> reviewers;    // every one whose guard holds reviews
  diag::Span joint_span;
  bool has_deadline = false;
  PeriodSpec deadline;
  diag::Span deadline_span;
  bool has_timer = false;  // after PERIOD -> timer_target
  PeriodSpec timer;
  std::int32_t timer_target = -1;
  model::Label timer_label;
  diag::Span timer_span;
  bool amount_adjustable = false;  // `amount adjustable;`: the approving officer may approve a smaller amount
  std::vector<TransitionSpec> transitions;
  diag::Span span;       // the whole stage
  diag::Span name_span;  // its name
};

struct WorkflowSpec {
  std::string name;
  model::Label label;
  std::uint32_t start = 0;
  std::int32_t reserve = -1;  // `reserve at STAGE;` (stage index), or -1: engine/workflow picks the default
  std::vector<StageSpec> stages;
  std::vector<std::string> programs;  // programmes that name this workflow, in ruleset order
  diag::Span span;
  diag::Span name_span;
  int find_stage(std::string_view n) const {
    for (std::size_t i = 0; i < stages.size(); ++i)
      if (stages[i].name == n) return static_cast<int>(i);
    return -1;
  }
};

struct WorkflowDecls {
  std::vector<RoleSpec> roles;
  std::vector<ActionSpec> actions;
  std::vector<WorkflowSpec> workflows;
  int find_role(std::string_view n) const {
    for (std::size_t i = 0; i < roles.size(); ++i)
      if (roles[i].name == n) return static_cast<int>(i);
    return -1;
  }
  int find_action(std::string_view n) const {
    for (std::size_t i = 0; i < actions.size(); ++i)
      if (actions[i].name == n) return static_cast<int>(i);
    return -1;
  }
  int find_workflow(std::string_view n) const {
    for (std::size_t i = 0; i < workflows.size(); ++i)
      if (workflows[i].name == n) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace subsidy::eval
