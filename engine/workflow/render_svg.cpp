// workflow::render_svg (render.hpp): a self-contained SVG of a workflow's stage graph, laid out in
// layers from left to right. The layers are the longest path from the start stage over the forward
// edges (everything but return edges and `-> back`), found with Boost.Graph's topological sort; the
// stages of a layer stand in a column in declaration order. No Graphviz at run time, no <style>
// element and no style="" attribute (the desk's Content-Security-Policy forbids inline styles): the
// look is presentation attributes that a page's CSS may override through the classes.
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "workflow/graph.hpp"
#include "workflow/render.hpp"

namespace subsidy::workflow {

namespace {

using eval::StageKind;

constexpr int kFont = 13;        // stage labels
constexpr int kSmallFont = 10;   // stage names, edge labels
constexpr int kBoxHeight = 44;
constexpr int kPadX = 12;        // inside a box, each side
constexpr int kColumnGap = 110;  // between columns: room for the edge labels
constexpr int kRowGap = 34;
constexpr int kMargin = 16;

// Width of text in the SVG's sans-serif font, estimated: a CJK character or full-width form is one
// em, any other character 0.6 em. Good enough to size the boxes; the text is centred in them.
int text_width(const std::string& s, int font) {
  int tenths = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07u;
      len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0Fu;
      len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1Fu;
      len = 2;
    }
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    tenths += cp >= 0x2E80 ? 10 : 6;
    i += len;
  }
  return (tenths * font + 9) / 10;
}

struct Forward {  // the edges that go forward in the process: not returns, not `-> back`
  const StageGraph* g = nullptr;
  bool operator()(const GraphEdge& e) const { return !(*g)[e].is_return && (*g)[e].kind != EdgeKind::back; }
};

// Each stage's layer: the longest forward path from a stage without forward in-edges. When the forward
// edges still have a cycle (validation refuses that, but be safe), the BFS distance from the start.
std::vector<int> layers(const Workflow& wf) {
  const StageGraph& g = wf.graph().g;
  const auto n = boost::num_vertices(g);
  std::vector<int> layer(n, 0);
  boost::filtered_graph<StageGraph, Forward> fwd(g, Forward{&g});
  std::vector<Vertex> order;
  try {
    boost::topological_sort(fwd, std::back_inserter(order));  // reverse topological order
  } catch (const boost::not_a_dag&) {
    std::vector<std::size_t> dist(n, 0);
    boost::breadth_first_search(
        g, static_cast<Vertex>(wf.spec().start),
        boost::visitor(boost::make_bfs_visitor(boost::record_distances(dist.data(), boost::on_tree_edge()))));
    for (std::size_t v = 0; v < n; ++v) layer[v] = static_cast<int>(dist[v]);
    return layer;
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    for (auto [e, end] = boost::out_edges(*it, fwd); e != end; ++e)
      layer[boost::target(*e, fwd)] = std::max(layer[boost::target(*e, fwd)], layer[*it] + 1);
  return layer;
}

struct Box {
  int x = 0, y = 0, w = 0;
  int cx() const { return x + w / 2; }
  int cy() const { return y + kBoxHeight / 2; }
};

std::string num(int v) { return std::to_string(v); }

const std::string& action_label(const Workflow& wf, const eval::TransitionSpec& t, bool english) {
  if (!t.label.zh.empty() || !t.label.en.empty()) return t.label.zh.empty() ? t.label.en : t.label.in(english);
  const auto& a = wf.decls().actions[t.action];
  if (a.label.zh.empty() && a.label.en.empty()) return a.name;
  return a.label.zh.empty() ? a.label.en : a.label.in(english);
}

std::string timer_label(const eval::StageSpec& st, bool english) {
  const auto& l = st.timer_label;
  if (!l.zh.empty() || !l.en.empty()) return l.zh.empty() ? l.en : l.in(english);
  return english ? "after " + period_text(st.timer) : std::to_string(st.timer.count) + (st.timer.working ? "个工作日后" : "日后");
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render_svg(const Workflow& wf, std::span<const std::string> current, bool english) {
  const auto& w = wf.spec();
  const auto n = w.stages.size();
  const auto layer = layers(wf);
  auto label_of = [&](std::size_t s) -> std::string {
    const auto& st = w.stages[s];
    if (st.label.zh.empty() && st.label.en.empty()) return st.name;
    return st.label.zh.empty() ? st.label.en : st.label.in(english);
  };

  // Columns: the stages of each layer in declaration order; a column is as wide as its widest box.
  int columns = 0;
  for (int l : layer) columns = std::max(columns, l + 1);
  std::vector<std::vector<std::size_t>> column(static_cast<std::size_t>(columns));
  for (std::size_t s = 0; s < n; ++s) column[static_cast<std::size_t>(layer[s])].push_back(s);
  std::vector<Box> box(n);
  int x = kMargin, height = 0;
  for (const auto& col : column) {
    int width = 0;
    for (auto s : col)
      width = std::max({width, text_width(label_of(s), kFont), text_width(w.stages[s].name, kSmallFont)});
    width += 2 * kPadX;
    int y = kMargin;
    for (auto s : col) {
      box[s] = Box{x, y, width};
      y += kBoxHeight + kRowGap;
    }
    height = std::max(height, y - kRowGap);
    x += width + kColumnGap;
  }
  const int width = x - kColumnGap + kMargin;
  const int below = height + 12;  // where the edges that go back or stay in a column run
  int back_edges = 0;

  // Edges: the transitions between the same two stages drawn once, their labels joined.
  struct Drawn {
    bool is_return = false, timer = false;
    std::vector<std::string> labels;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, Drawn> drawn;
  for (std::uint32_t s = 0; s < n; ++s)
    for (const auto& e : wf.out_edges(s)) {
      auto& d = drawn[{e.from, e.to}];
      std::string label = e.kind == EdgeKind::timer
                              ? timer_label(w.stages[s], english)
                              : action_label(wf, w.stages[s].transitions[static_cast<std::size_t>(e.transition)], english);
      if (std::find(d.labels.begin(), d.labels.end(), label) == d.labels.end()) d.labels.push_back(std::move(label));
      d.is_return = d.is_return || e.is_return || e.kind == EdgeKind::back;
      d.timer = e.kind == EdgeKind::timer;
    }

  std::string edges;
  for (const auto& [key, d] : drawn) {
    const Box& a = box[key.first];
    const Box& b = box[key.second];
    int x0, y0, x1, y1, c0x, c0y, c1x, c1y;
    if (layer[key.second] > layer[key.first]) {  // forward: right side to left side
      x0 = a.x + a.w, y0 = a.cy(), x1 = b.x, y1 = b.cy();
      const int dx = std::max(40, (x1 - x0) / 2);
      c0x = x0 + dx, c0y = y0, c1x = x1 - dx, c1y = y1;
    } else {  // back or within a column: bottom to bottom, under the boxes
      const int depth = below + 18 * (back_edges++ % 4);
      x0 = a.cx() - 8, y0 = a.y + kBoxHeight, x1 = b.cx() + 8, y1 = b.y + kBoxHeight;
      c0x = x0, c0y = depth, c1x = x1, c1y = depth;
    }
    std::string label;
    for (const auto& l : d.labels) label += (label.empty() ? "" : " / ") + l;
    const int lx = (x0 + 3 * c0x + 3 * c1x + x1) / 8, ly = (y0 + 3 * c0y + 3 * c1y + y1) / 8;
    std::string cls = d.is_return ? "edge return" : d.timer ? "edge timer" : "edge";
    edges += "<g class=\"" + cls + "\" data-from=\"" + xml_escape(w.stages[key.first].name) + "\" data-to=\"" +
             xml_escape(w.stages[key.second].name) + "\">";
    edges += "<path d=\"M" + num(x0) + "," + num(y0) + " C" + num(c0x) + "," + num(c0y) + " " + num(c1x) + "," + num(c1y) +
             " " + num(x1) + "," + num(y1) + "\" fill=\"none\" stroke=\"" + (d.is_return ? "#b05000" : "#555") + "\"" +
             (d.is_return ? " stroke-dasharray=\"6 4\"" : d.timer ? " stroke-dasharray=\"2 3\"" : "") +
             " marker-end=\"url(#arrow)\"/>";
    edges += "<text x=\"" + num(lx) + "\" y=\"" + num(ly - 3) + "\" text-anchor=\"middle\" font-size=\"" + num(kSmallFont) +
             "\" fill=\"" + (d.is_return ? "#b05000" : "#333") + "\">" + xml_escape(label) + "</text></g>\n";
  }
  const int total_height = (back_edges ? below + 18 * std::min(back_edges, 4) + 8 : height) + kMargin;

  std::string out;
  const std::string title = w.label.zh.empty() && w.label.en.empty() ? w.name : w.label.in(english);
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"workflow\" viewBox=\"0 0 " + num(width) + " " + num(total_height) +
         "\" width=\"" + num(width) + "\" height=\"" + num(total_height) +
         "\" role=\"img\" aria-label=\"" + xml_escape(title) +
         "\" font-family=\"Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif\">\n";
  out += "<title>" + xml_escape(title) + "</title>\n";
  out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
         "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n";
  out += edges;
  for (std::size_t s = 0; s < n; ++s) {
    const auto& st = w.stages[s];
    const bool is_current = std::find(current.begin(), current.end(), st.name) != current.end();
    std::string cls = "stage";
    cls += st.kind == StageKind::terminal ? " terminal" : st.kind == StageKind::correction ? " correction" : "";
    if (is_current) cls += " current";
    const char* fill = is_current ? "#ffe08a" : st.kind == StageKind::terminal ? "#eeeeee" : "#ffffff";
    const char* stroke = is_current ? "#b05000" : "#444";
    const Box& b = box[s];
    out += "<g class=\"" + cls + "\" data-stage=\"" + xml_escape(st.name) + "\"><title>" + xml_escape(label_of(s) + " (" + st.name + ")") +
           "</title>";
    out += "<rect x=\"" + num(b.x) + "\" y=\"" + num(b.y) + "\" width=\"" + num(b.w) + "\" height=\"" + num(kBoxHeight) +
           "\" rx=\"" + (st.kind == StageKind::terminal ? "16" : "6") + "\" fill=\"" + fill + "\" stroke=\"" + stroke +
           "\" stroke-width=\"" + (is_current ? "3" : "1.2") + "\"" +
           (st.kind == StageKind::correction ? " stroke-dasharray=\"5 3\"" : "") + "/>";
    out += "<text x=\"" + num(b.cx()) + "\" y=\"" + num(b.y + 19) + "\" text-anchor=\"middle\" font-size=\"" + num(kFont) + "\"" +
           (is_current ? " font-weight=\"bold\"" : "") + " fill=\"#111\">" + xml_escape(label_of(s)) + "</text>";
    out += "<text x=\"" + num(b.cx()) + "\" y=\"" + num(b.y + 35) + "\" text-anchor=\"middle\" font-size=\"" + num(kSmallFont) +
           "\" fill=\"#666\">" + xml_escape(st.name) + "</text></g>\n";
  }
  out += "</svg>\n";
  return out;
}

}  // namespace subsidy::workflow
