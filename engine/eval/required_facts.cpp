#include "eval/required_facts.hpp"

namespace subsidy::eval {

namespace {

// Every fact a workflow's guards and role indices read.
template <class F>
void for_each_guard_fact(const WorkflowSpec& w, F&& f) {
  auto deps = [&](const GuardDeps& d) {
    for (auto slot : d.facts) f(slot);
  };
  for (const auto& st : w.stages) {
    for (const auto& l : st.responsible) deps(l.deps), deps(l.role.index_deps);
    for (const auto& l : st.reviewers) deps(l.deps), deps(l.role.index_deps);
    for (const auto& t : st.transitions) {
      deps(t.deps);
      for (const auto& b : t.by) deps(b.index_deps);
    }
  }
}

}  // namespace

std::vector<RequiredFact> required_facts(const Ruleset& rs, const FactUse& use) {
  const auto& facts = rs.schema.facts;
  constexpr std::int32_t kUnused = -2;
  std::vector<std::int32_t> why(facts.size(), kUnused);  // by slot: -1 programme, ≥ 0 workflow
  auto route = [&](std::int32_t w) {
    if (w < 0 || static_cast<std::size_t>(w) >= rs.workflow_decls.workflows.size()) return;
    for_each_guard_fact(rs.workflow_decls.workflows[static_cast<std::size_t>(w)], [&](std::uint32_t slot) {
      if (slot < why.size() && why[slot] == kUnused) why[slot] = w;
    });
  };
  const Selection* sel = use.programs;
  bool all = sel == nullptr || sel->empty();
  std::vector<std::int32_t> workflows;
  for (std::size_t p = 0; p < rs.programs.size(); ++p) {
    if (!all && (p >= sel->size() || !(*sel)[p])) continue;
    for (auto slot : rs.programs[p].facts_used)
      if (slot < why.size()) why[slot] = -1;
    if (use.routing && !rs.programs[p].workflow.empty()) workflows.push_back(rs.workflow_decls.find_workflow(rs.programs[p].workflow));
  }
  for (auto w : workflows) route(w);
  route(use.workflow);
  std::vector<RequiredFact> out;
  for (const auto& f : facts)  // declaration order
    if (f.slot < why.size() && why[f.slot] != kUnused && !f.type.optional && f.name != "id")
      out.push_back(RequiredFact{f.slot, why[f.slot]});
  return out;
}

}  // namespace subsidy::eval
