#pragma once
// The compiled workflow model: one directed graph of stages per declared workflow, built from the
// Ruleset's lowered declarations (eval/workflow_spec.hpp) and validated at load (validate.cpp).
// The graph is a Boost.Graph adjacency_list kept behind this interface: engine/workflow is the only
// place that includes Boost.Graph. See docs/workflow.md.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "eval/ruleset.hpp"

namespace subsidy::workflow {

// An edge of the stage graph.
enum class EdgeKind : std::uint8_t {
  transition,  // `on ACTION … -> STAGE`
  timer,       // `after PERIOD -> STAGE`
  back,        // `on ACTION … -> back`, expanded to every stage that returns into the correction stage
};
struct Edge {
  EdgeKind kind = EdgeKind::transition;
  std::uint32_t from = 0, to = 0;
  std::int32_t transition = -1;  // index into the `from` stage's transitions (-1 for a timer)
  bool is_return = false;        // into a correction stage, or marked `as return`: may close a cycle
  diag::Span span;               // the transition or `after` clause
};

// A role, or a member of a role family ("旗县区科技局[临河区]").
struct RoleInstance {
  std::uint32_t role = 0;
  std::int32_t member = -1;  // enum value of a family member; -1 for a plain role
  bool operator==(const RoleInstance&) const = default;
};

class Workflow {
 public:
  Workflow(std::shared_ptr<const eval::Ruleset> rs, std::uint32_t index);
  ~Workflow();
  Workflow(Workflow&&) noexcept;
  Workflow& operator=(Workflow&&) noexcept;
  Workflow(const Workflow&) = delete;
  Workflow& operator=(const Workflow&) = delete;

  const eval::Ruleset& ruleset() const { return *rs_; }
  const eval::WorkflowDecls& decls() const { return rs_->workflow_decls; }
  const eval::WorkflowSpec& spec() const { return rs_->workflow_decls.workflows[index_]; }
  const eval::StageSpec& stage(std::uint32_t s) const { return spec().stages[s]; }
  const std::string& name() const { return spec().name; }
  int find_stage(std::string_view name) const { return spec().find_stage(name); }

  // The stage whose approval reserves the budget (docs/workflow.md §2, "The reserving stage"): the
  // one named by `reserve at STAGE;`, else the default — the first ordinary stage with an `on approve`
  // transition, breadth-first from the start along forward edges (no return edges), none of whose
  // responsible roles or reviewers is a member of a role family (旗县区科技局[county]: a county-level
  // bureau), i.e. the city's first decision; failing that the first stage with `on approve`. Empty
  // when no stage has one.
  const std::string& reserving_stage() const { return reserving_; }
  bool reserving_stage_declared() const { return spec().reserve >= 0; }
  // Whether the officer approving at `stage` may approve a smaller amount (`amount adjustable;`).
  bool amount_adjustable(std::string_view stage) const;

  // Edges leaving stage `s`, in declaration order (read from the graph).
  std::vector<Edge> out_edges(std::uint32_t s) const;
  std::size_t edge_count() const;

  // Role names: "市科技局", "旗县区科技局[临河区]".
  std::string role_name(RoleInstance r) const;
  // Parses a role name; nullopt with `error` set ("unknown role `X`; did you mean `Y`?").
  std::optional<RoleInstance> parse_role(std::string_view text, std::string* error = nullptr) const;
  // The bilingual label of a role instance: "旗县区科技局（临河区）" / "county science … (Linhe District)".
  model::Label role_label(RoleInstance r) const;

  // Runs the graph checks (E0720–E0723) and the enumeration analysis (W0724–W0726).
  void validate(diag::Diagnostics& diags) const;

  struct Graph;  // the Boost.Graph adjacency_list (workflow/graph.hpp)
  const Graph& graph() const { return *g_; }

 private:
  std::shared_ptr<const eval::Ruleset> rs_;
  std::uint32_t index_ = 0;
  std::unique_ptr<Graph> g_;
  std::string reserving_;
};

// Every workflow of a ruleset, compiled. Only workflows without graph errors are included.
struct WorkflowSet {
  std::shared_ptr<const eval::Ruleset> ruleset;
  std::vector<Workflow> workflows;
  const Workflow* find(std::string_view name) const;
  // The workflow a programme names (`workflow NAME;`), or null.
  const Workflow* for_program(std::string_view program_id) const;
};

// Builds and validates the workflows of `rs`; diagnostics go to `diags` (sorted afterwards).
std::shared_ptr<const WorkflowSet> compile_workflows(std::shared_ptr<const eval::Ruleset> rs, diag::Diagnostics& diags);

}  // namespace subsidy::workflow
