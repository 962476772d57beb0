// Building the stage graph of each workflow, role names, and the compile driver.
#include "workflow/workflow.hpp"

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/pending/queue.hpp>

#include "diag/suggest.hpp"
#include "workflow/graph.hpp"

namespace subsidy::workflow {

namespace {

bool has_approve(const eval::WorkflowDecls& d, const eval::StageSpec& st) {
  return std::any_of(st.transitions.begin(), st.transitions.end(),
                     [&](const eval::TransitionSpec& t) { return d.actions[t.action].name == "approve"; });
}

// A county-level stage: one of its responsible roles or reviewers is a member of a role family.
bool names_family_member(const eval::WorkflowDecls& d, const eval::StageSpec& st) {
  auto family = [&](const eval::GuardedRoleSpec& l) { return d.roles[l.role.role].family_enum >= 0; };
  return std::any_of(st.responsible.begin(), st.responsible.end(), family) ||
         std::any_of(st.reviewers.begin(), st.reviewers.end(), family);
}

struct Forward {  // the edges a case moves forward along: no return edges, no `-> back`
  const StageGraph* g = nullptr;
  bool operator()(GraphEdge e) const { return !(*g)[e].is_return && (*g)[e].kind != EdgeKind::back; }
};

struct OrderVisitor : boost::default_bfs_visitor {
  std::vector<std::uint32_t>* order;
  explicit OrderVisitor(std::vector<std::uint32_t>* o) : order(o) {}
  template <class V, class G>
  void discover_vertex(V v, const G&) const {
    order->push_back(static_cast<std::uint32_t>(v));
  }
};

// The default reserving stage (workflow.hpp, reserving_stage()).
std::string default_reserving_stage(const eval::WorkflowDecls& d, const eval::WorkflowSpec& w, const StageGraph& g) {
  boost::filtered_graph<StageGraph, Forward> fwd(g, Forward{&g});
  std::vector<std::uint32_t> order;
  std::vector<boost::default_color_type> colors(boost::num_vertices(g));
  boost::queue<Vertex> q;
  Vertex start = w.start;
  boost::breadth_first_search(fwd, &start, &start + 1, q, OrderVisitor(&order),
                              boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g)));
  const eval::StageSpec* first = nullptr;
  for (auto s : order) {
    const auto& st = w.stages[s];
    if (st.kind != eval::StageKind::normal || !has_approve(d, st)) continue;
    if (!names_family_member(d, st)) return st.name;
    if (!first) first = &st;
  }
  return first ? first->name : std::string();
}

}  // namespace

Workflow::Workflow(std::shared_ptr<const eval::Ruleset> rs, std::uint32_t index)
    : rs_(std::move(rs)), index_(index), g_(std::make_unique<Graph>()) {
  const auto& w = spec();
  const auto n = static_cast<std::uint32_t>(w.stages.size());
  for (std::uint32_t s = 0; s < n; ++s) boost::add_vertex(VertexProp{s}, g_->g);
  auto is_correction = [&](std::int32_t s) { return s >= 0 && w.stages[static_cast<std::size_t>(s)].kind == eval::StageKind::correction; };
  // Stages that send a case into each correction stage: the targets of its `-> back`.
  std::vector<std::vector<std::uint32_t>> returners(n);
  for (std::uint32_t s = 0; s < n; ++s) {
    const auto& st = w.stages[s];
    auto note = [&](std::int32_t target) {
      if (!is_correction(target)) return;
      auto& r = returners[static_cast<std::size_t>(target)];
      if (std::find(r.begin(), r.end(), s) == r.end()) r.push_back(s);
    };
    for (const auto& t : st.transitions)
      if (!t.back) note(t.target);
    if (st.has_timer) note(st.timer_target);
  }
  for (std::uint32_t s = 0; s < n; ++s) {
    const auto& st = w.stages[s];
    for (std::size_t i = 0; i < st.transitions.size(); ++i) {
      const auto& t = st.transitions[i];
      if (t.back) {
        for (auto r : returners[s])
          boost::add_edge(s, r, Edge{EdgeKind::back, s, r, static_cast<std::int32_t>(i), false, t.span}, g_->g);
      } else {
        auto to = static_cast<std::uint32_t>(t.target);
        boost::add_edge(s, to, Edge{EdgeKind::transition, s, to, static_cast<std::int32_t>(i), t.as_return || is_correction(t.target), t.span},
                        g_->g);
      }
    }
    if (st.has_timer) {
      auto to = static_cast<std::uint32_t>(st.timer_target);
      boost::add_edge(s, to, Edge{EdgeKind::timer, s, to, -1, is_correction(st.timer_target), st.timer_span}, g_->g);
    }
  }
  reserving_ = w.reserve >= 0 ? w.stages[static_cast<std::size_t>(w.reserve)].name : default_reserving_stage(decls(), w, g_->g);
}

bool Workflow::amount_adjustable(std::string_view stage) const {
  int s = find_stage(stage);
  return s >= 0 && this->stage(static_cast<std::uint32_t>(s)).amount_adjustable;
}

Workflow::~Workflow() = default;
Workflow::Workflow(Workflow&&) noexcept = default;
Workflow& Workflow::operator=(Workflow&&) noexcept = default;

std::vector<Edge> Workflow::out_edges(std::uint32_t s) const {
  std::vector<Edge> out;
  for (auto [it, end] = boost::out_edges(s, g_->g); it != end; ++it) out.push_back(g_->g[*it]);
  return out;
}

std::size_t Workflow::edge_count() const { return boost::num_edges(g_->g); }

std::string Workflow::role_name(RoleInstance r) const {
  const auto& role = decls().roles.at(r.role);
  if (r.member < 0 || role.family_enum < 0) return role.name;
  const auto& e = rs_->schema.enums.at(static_cast<std::size_t>(role.family_enum));
  return role.name + "[" + e.values.at(static_cast<std::size_t>(r.member)).name + "]";
}

model::Label Workflow::role_label(RoleInstance r) const {
  const auto& role = decls().roles.at(r.role);
  model::Label l = role.label;
  if (l.zh.empty()) l.zh = role.name;
  if (r.member < 0 || role.family_enum < 0) return l;
  const auto& v = rs_->schema.enums.at(static_cast<std::size_t>(role.family_enum)).values.at(static_cast<std::size_t>(r.member));
  std::string zh = v.label.zh.empty() ? v.name : v.label.zh;
  std::string en = v.label.en.empty() ? zh : v.label.en;
  return {l.zh + "（" + zh + "）", (l.en.empty() ? l.zh : l.en) + " (" + en + ")"};
}

std::optional<RoleInstance> Workflow::parse_role(std::string_view text, std::string* error) const {
  auto fail = [&](std::string msg) -> std::optional<RoleInstance> {
    if (error) *error = std::move(msg);
    return std::nullopt;
  };
  std::string_view name = text, member;
  bool indexed = false;
  if (auto open = text.find('['); open != std::string_view::npos) {
    if (text.back() != ']') return fail("`" + std::string(text) + "`: a family member is written ROLE[VALUE]");
    name = text.substr(0, open);
    member = text.substr(open + 1, text.size() - open - 2);
    indexed = true;
  }
  const auto& roles = decls().roles;
  int ri = decls().find_role(name);
  if (ri < 0) {
    std::vector<std::string> names;
    for (const auto& r : roles) names.push_back(r.name);
    auto s = diag::closest(std::string(name), names);
    return fail("unknown role `" + std::string(name) + "`" + (s.empty() ? "" : "; did you mean `" + s + "`?"));
  }
  const auto& role = roles[static_cast<std::size_t>(ri)];
  RoleInstance out{static_cast<std::uint32_t>(ri), -1};
  if (role.family_enum < 0) {
    if (indexed) return fail("role `" + role.name + "` has no members: write it without `[…]`");
    return out;
  }
  const auto& e = rs_->schema.enums.at(static_cast<std::size_t>(role.family_enum));
  if (!indexed) return fail("`" + role.name + "` is a role family: write the member, e.g. `" + role.name + "[" + e.values.at(0).name + "]`");
  int v = e.find(member);
  if (v < 0) {
    std::vector<std::string> names;
    for (const auto& val : e.values) names.push_back(val.name);
    auto s = diag::closest(std::string(member), names);
    return fail("`" + std::string(member) + "` is not a value of " + e.name + (s.empty() ? "" : "; did you mean `" + s + "`?"));
  }
  out.member = v;
  return out;
}

const Workflow* WorkflowSet::find(std::string_view name) const {
  for (const auto& w : workflows)
    if (w.name() == name) return &w;
  return nullptr;
}

const Workflow* WorkflowSet::for_program(std::string_view program_id) const {
  int p = ruleset ? ruleset->find_program(program_id) : -1;
  if (p < 0) return nullptr;
  return find(ruleset->programs[static_cast<std::size_t>(p)].workflow);
}

std::shared_ptr<const WorkflowSet> compile_workflows(std::shared_ptr<const eval::Ruleset> rs, diag::Diagnostics& diags) {
  auto set = std::make_shared<WorkflowSet>();
  set->ruleset = rs;
  if (!rs) return set;
  for (std::uint32_t i = 0; i < rs->workflow_decls.workflows.size(); ++i) {
    Workflow w(rs, i);
    std::size_t before = diags.error_count();
    w.validate(diags);
    if (diags.error_count() == before) set->workflows.push_back(std::move(w));
  }
  diags.sort();
  return set;
}

}  // namespace subsidy::workflow
