// Validation of a workflow's stage graph with Boost.Graph (docs/workflow.md §5):
//   E0720 every stage reachable from the start            (breadth-first search from the start)
//   E0721 a terminal stage reachable from every stage     (breadth-first search on the reversed graph)
//   E0722 no cycle except through a return edge           (depth-first search, back edges, return edges filtered out)
//   E0723 every non-terminal stage has a way out          (out-degree)
// and the enumeration analysis of guards (W0724–W0726), which evaluates the lowered guards with the
// rule evaluator for every combination of the enum/bool values they read.
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/pending/queue.hpp>

#include <functional>
#include <optional>
#include <set>

#include "eval/evaluate.hpp"
#include "model/case_attrs.hpp"
#include "model/facts.hpp"
#include "workflow/graph.hpp"

namespace subsidy::workflow {

namespace {

using eval::StageKind;

struct DiscoverVisitor : boost::default_bfs_visitor {
  std::vector<char>* seen;
  explicit DiscoverVisitor(std::vector<char>* s) : seen(s) {}
  template <class V, class G>
  void discover_vertex(V v, const G&) const {
    (*seen)[v] = 1;
  }
};

// Vertices reachable from `sources` in `g` (a StageGraph or a view of it).
template <class G>
std::vector<char> reachable(const G& g, const std::vector<Vertex>& sources) {
  std::vector<char> seen(boost::num_vertices(g), 0);
  if (sources.empty()) return seen;
  std::vector<boost::default_color_type> colors(boost::num_vertices(g));
  boost::queue<Vertex> q;
  boost::breadth_first_search(g, sources.begin(), sources.end(), q, DiscoverVisitor(&seen),
                              boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g)));
  return seen;
}

struct NotReturn {
  const StageGraph* g = nullptr;
  bool operator()(GraphEdge e) const { return !(*g)[e].is_return; }
};

struct CycleVisitor : boost::default_dfs_visitor {
  std::vector<std::optional<GraphEdge>>* parent;
  std::vector<GraphEdge>* back_edges;
  CycleVisitor(std::vector<std::optional<GraphEdge>>* p, std::vector<GraphEdge>* b) : parent(p), back_edges(b) {}
  template <class E, class G>
  void tree_edge(E e, const G& g) const {
    (*parent)[boost::target(e, g)] = e;
  }
  template <class E, class G>
  void back_edge(E e, const G&) const {
    back_edges->push_back(e);
  }
};

// ------------------------------------------------------------------ enumeration analysis

struct Domain {
  std::uint32_t slot = 0;
  std::vector<std::int64_t> values;  // -1: absent (optional facts)
};

class Enumerator {
 public:
  explicit Enumerator(const eval::Ruleset& rs) : rs_(rs) {}

  // Adds what `deps` reads; false when it reads something that cannot be enumerated.
  bool add(const eval::GuardDeps& deps) {
    if (deps.uses_date) return false;
    constexpr std::uint8_t eligible_bit = 1u << static_cast<int>(model::CaseAttr::eligible);
    if (deps.case_attrs & ~eligible_bit) return false;
    if (deps.case_attrs & eligible_bit) eligible_ = true;
    for (auto slot : deps.facts) {
      const auto& t = rs_.schema.facts[slot].type;
      if (t.kind != model::Kind::Bool && t.kind != model::Kind::Enum) return false;
      slots_.insert(slot);
    }
    return true;
  }

  struct Result {
    std::size_t failing = 0, total = 0;
    std::string example;  // the first failing combination, "industry = other, zone = false"
  };

  // Counts the combinations for which `ok(facts, attrs)` is false. nullopt when there are too many.
  std::optional<Result> run(const std::function<bool(const model::Facts&, const std::int64_t*)>& ok) const {
    std::vector<Domain> domains;
    std::size_t total = 1;
    for (auto slot : slots_) {
      const auto& f = rs_.schema.facts[slot];
      Domain d{slot, {}};
      if (f.type.kind == model::Kind::Bool) d.values = {0, 1};
      else
        for (std::size_t v = 0; v < rs_.schema.enums[f.type.enum_id].values.size(); ++v) d.values.push_back(static_cast<std::int64_t>(v));
      if (f.type.optional) d.values.push_back(-1);
      total *= d.values.size();
      if (total > 100000) return std::nullopt;
      domains.push_back(std::move(d));
    }
    std::size_t eligible_values = eligible_ ? 2 : 1;
    total *= eligible_values;
    model::Facts facts(rs_.schema.facts.size());
    std::int64_t attrs[model::kCaseAttrCount] = {1, 0, 0};
    Result res;
    res.total = total;
    std::vector<std::size_t> idx(domains.size(), 0);
    for (std::size_t n = 0; n < total; ++n) {
      std::size_t k = n;
      for (std::size_t i = 0; i < domains.size(); ++i) {
        idx[i] = k % domains[i].values.size();
        k /= domains[i].values.size();
        std::int64_t v = domains[i].values[idx[i]];
        facts.values[domains[i].slot] = v < 0 ? 0 : v;
        facts.present[domains[i].slot] = v < 0 ? 0 : 1;
      }
      attrs[static_cast<int>(model::CaseAttr::eligible)] = eligible_ ? static_cast<std::int64_t>(k % 2 == 0) : 1;
      if (ok(facts, attrs)) continue;
      if (res.failing++ == 0) {
        for (std::size_t i = 0; i < domains.size(); ++i) {
          const auto& f = rs_.schema.facts[domains[i].slot];
          std::int64_t v = domains[i].values[idx[i]];
          std::string shown = v < 0 ? "absent"
                              : f.type.kind == model::Kind::Bool
                                  ? (v ? "true" : "false")
                                  : rs_.schema.enums[f.type.enum_id].values[static_cast<std::size_t>(v)].name;
          res.example += (res.example.empty() ? "" : ", ") + f.name + " = " + shown;
        }
        if (eligible_) res.example += std::string(res.example.empty() ? "" : ", ") + "eligible = " + (attrs[0] ? "true" : "false");
      }
    }
    return res;
  }

 private:
  const eval::Ruleset& rs_;
  std::set<std::uint32_t> slots_;
  bool eligible_ = false;
};

bool guard_true(const eval::Ruleset& rs, std::uint32_t node, const model::Facts& f, const std::int64_t* attrs) {
  if (node == eval::kNoNode) return true;
  auto v = eval::evaluate_node(rs, node, f, 0, attrs);
  return v.error == eval::EvalError::none && v.value != 0;
}

// A responsible or reviewer line applies: its guard holds and its family member exists.
bool line_applies(const eval::Ruleset& rs, const eval::GuardedRoleSpec& g, const model::Facts& f, const std::int64_t* attrs) {
  if (g.role.presence_slot != eval::kNoNode && !f.present[g.role.presence_slot]) return false;
  return guard_true(rs, g.guard, f, attrs);
}

bool line_can_fail(const eval::GuardedRoleSpec& g) { return g.guard != eval::kNoNode || g.role.presence_slot != eval::kNoNode; }

std::string combos(const Enumerator::Result& r) {
  return r.example + " (" + std::to_string(r.failing) + " of " + std::to_string(r.total) + " combination" +
         (r.total == 1 ? "" : "s") + ")";
}

}  // namespace

void Workflow::validate(diag::Diagnostics& diags) const {
  const auto& w = spec();
  const StageGraph& g = g_->g;
  const auto n = boost::num_vertices(g);
  auto name = [&](std::size_t s) { return "`" + w.stages[s].name + "`"; };
  auto terminal = [&](std::size_t s) { return w.stages[s].kind == StageKind::terminal; };

  // E0720: reachable from the start.
  auto from_start = reachable(g, {static_cast<Vertex>(w.start)});
  for (std::size_t s = 0; s < n; ++s)
    if (!from_start[s])
      diags.error("E0720", w.stages[s].name_span,
                  "stage " + name(s) + " cannot be reached from the start stage " + name(w.start),
                  {{{}, "no transition or `after` of a reachable stage leads to it", false}});

  // E0723: a way out.
  std::vector<char> dead_end(n, 0);
  for (std::size_t s = 0; s < n; ++s)
    if (!terminal(s) && boost::out_degree(static_cast<Vertex>(s), g) == 0) {
      dead_end[s] = 1;
      diags.error("E0723", w.stages[s].name_span, "stage " + name(s) + " is not terminal but has no way out",
                  {{{}, "add a transition (`on ACTION -> STAGE;`) or an `after` clause, or declare it `terminal`", false}});
    }

  // E0721: a terminal stage reachable from every (reachable) stage.
  std::vector<Vertex> terminals;
  for (std::size_t s = 0; s < n; ++s)
    if (terminal(s)) terminals.push_back(static_cast<Vertex>(s));
  auto reaches_end = reachable(boost::make_reverse_graph(g), terminals);
  for (std::size_t s = 0; s < n; ++s) {
    if (reaches_end[s] || !from_start[s] || dead_end[s]) continue;
    auto trap = reachable(g, {static_cast<Vertex>(s)});
    std::string among;
    for (std::size_t t = 0; t < n; ++t)
      if (trap[t]) among += (among.empty() ? "" : ", ") + w.stages[t].name;
    diags.error("E0721", w.stages[s].name_span, "no terminal stage can be reached from stage " + name(s),
                {{{}, "from here a case can only move among: " + among, false}});
  }

  // E0722: no cycle without a return edge.
  NotReturn keep{&g};
  auto fg = boost::make_filtered_graph(g, keep);
  std::vector<std::optional<GraphEdge>> parent(n);
  std::vector<GraphEdge> back_edges;
  std::vector<boost::default_color_type> colors(n);
  if (n > 0)
    boost::depth_first_search(fg, CycleVisitor(&parent, &back_edges),
                              boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g)),
                              static_cast<Vertex>(w.start));
  std::set<std::pair<std::uint32_t, std::uint32_t>> reported;
  for (const auto& e : back_edges) {
    const Edge& info = g[e];
    if (!reported.insert({info.span.begin, info.to}).second) continue;
    std::vector<std::size_t> path{info.from};
    for (std::size_t v = info.from; v != info.to && parent[v];) {
      v = boost::source(*parent[v], g);
      path.push_back(v);
    }
    std::string cycle;
    for (auto it = path.rbegin(); it != path.rend(); ++it) cycle += w.stages[*it].name + " → ";
    cycle += w.stages[info.to].name;
    diags.error("E0722", info.span, "this transition closes a cycle that passes through no return edge: " + cycle,
                {{{}, "mark a deliberate loop `-> STAGE as return`, or send the case to a `correction` stage", false}});
  }

  // W0724–W0726: guards over enumerations.
  const auto& rs = *rs_;
  for (std::size_t s = 0; s < n; ++s) {
    const auto& st = w.stages[s];
    if (st.kind == StageKind::terminal) continue;
    // W0724: some transition enabled.
    if (!st.has_timer && !st.transitions.empty()) {
      Enumerator en(rs);
      bool analysable = true;
      for (const auto& t : st.transitions) {
        if (t.guard == eval::kNoNode || !en.add(t.deps)) {
          analysable = false;
          break;
        }
      }
      if (analysable)
        if (auto r = en.run([&](const model::Facts& f, const std::int64_t* a) {
              for (const auto& t : st.transitions)
                if (guard_true(rs, t.guard, f, a)) return true;
              return false;
            });
            r && r->failing)
          diags.warning("W0724", st.name_span, "no transition of stage " + name(s) + " is enabled when " + combos(*r));
    }
    // W0725: some responsible line applies.
    auto lines_cover = [&](const std::vector<eval::GuardedRoleSpec>& lines) -> std::optional<Enumerator::Result> {
      Enumerator en(rs);
      for (const auto& l : lines) {
        if (!line_can_fail(l)) return std::nullopt;
        if (!en.add(l.deps) || !en.add(l.role.index_deps)) return std::nullopt;
      }
      auto r = en.run([&](const model::Facts& f, const std::int64_t* a) {
        for (const auto& l : lines)
          if (line_applies(rs, l, f, a)) return true;
        return false;
      });
      if (r && r->failing) return r;
      return std::nullopt;
    };
    if (!st.responsible.empty())
      if (auto r = lines_cover(st.responsible))
        diags.warning("W0725", st.name_span, "no `responsible` line of stage " + name(s) + " applies when " + combos(*r),
                      {{{}, "end the list with a `responsible` line without `when`", false}});
    if (st.joint != eval::JointPolicy::none && !st.reviewers.empty())
      if (auto r = lines_cover(st.reviewers))
        diags.warning("W0726", st.joint_span, "the joint review of stage " + name(s) + " selects no reviewer when " + combos(*r),
                      {{{}, "such a joint review approves at once; add a reviewer without `when`", false}});
  }
}

}  // namespace subsidy::workflow
