// workflow::render_svg (render.hpp): a self-contained SVG of a workflow's stage graph, laid out in
// layers from left to right. The layers are the longest path from the start stage over the forward
// edges (everything but the edges a depth-first search finds closing a cycle, and `-> back`), with
// Boost.Graph's depth-first search and topological sort; the stages of a layer stand in a column in
// declaration order. An edge to the same or an earlier column runs around, under the boxes, in a
// lane of its own; every label is moved off the boxes and the other labels. No Graphviz at run time, no <style>
// element and no style="" attribute (the desk's Content-Security-Policy forbids inline styles): the
// look is presentation attributes that a page's CSS may override through the classes.
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
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
constexpr int kColumnGap = 110;  // between columns: room for the edge labels …
constexpr int kMaxColumnGap = 260;  // … widened for a longer one up to this
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

// The edges that go forward in the process: those a depth-first search from the start stage does
// not find closing a cycle (DFS back edges: a return to an earlier stage, a self-loop), and not the
// expanded `-> back` edges of a correction stage.
struct Forward {
  const StageGraph* g = nullptr;
  const std::set<const Edge*>* closing = nullptr;
  bool operator()(const GraphEdge& e) const { return (*g)[e].kind != EdgeKind::back && !closing->count(&(*g)[e]); }
};

struct CycleEdges : boost::default_dfs_visitor {
  std::set<const Edge*>* closing = nullptr;
  void back_edge(const GraphEdge& e, const StageGraph& g) const { closing->insert(&g[e]); }
};

// Each stage's layer: the longest forward path to it from the start stage (or from a stage nothing
// forward reaches), so that a stage stands right of every stage that leads to it — a correction
// stage right of the reviews that return to it.
std::vector<int> layers(const Workflow& wf) {
  const StageGraph& g = wf.graph().g;
  const auto n = boost::num_vertices(g);
  std::vector<int> layer(n, 0);
  std::set<const Edge*> closing;
  CycleEdges visitor;
  visitor.closing = &closing;
  std::vector<boost::default_color_type> colour(n);
  boost::depth_first_search(g, visitor, boost::make_iterator_property_map(colour.begin(), boost::get(boost::vertex_index, g)),
                            static_cast<Vertex>(wf.spec().start));
  boost::filtered_graph<StageGraph, Forward> fwd(g, Forward{&g, &closing});
  std::vector<Vertex> order;
  boost::topological_sort(fwd, std::back_inserter(order));  // reverse topological order; a DAG without the DFS back edges
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    for (auto [e, end] = boost::out_edges(*it, fwd); e != end; ++e)
      layer[boost::target(*e, fwd)] = std::max(layer[boost::target(*e, fwd)], layer[*it] + 1);
  return layer;
}

// A label's place: the rectangle its text takes, moved until it overlaps no stage box and no other
// label (down, then up, in steps of a line).
struct Rect {
  int x0, y0, x1, y1;
  bool overlaps(const Rect& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

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
  auto joined = [](const Drawn& d) {
    std::string label;
    for (const auto& l : d.labels) label += (label.empty() ? "" : " / ") + l;
    return label;
  };
  // The gap after each column: room for the widest label of an edge to the next column.
  std::vector<int> gap(n + 1, kColumnGap);
  for (const auto& [key, d] : drawn)
    if (layer[key.second] == layer[key.first] + 1) {
      auto& g = gap[static_cast<std::size_t>(layer[key.first])];
      g = std::min(kMaxColumnGap, std::max(g, text_width(joined(d), kSmallFont) + 40));
    }


  // Columns: the stages of each layer in declaration order; a column is as wide as its widest box.
  int columns = 0;
  for (int l : layer) columns = std::max(columns, l + 1);
  std::vector<std::vector<std::size_t>> column(static_cast<std::size_t>(columns));
  for (std::size_t s = 0; s < n; ++s) column[static_cast<std::size_t>(layer[s])].push_back(s);
  std::vector<Box> box(n);
  int x = kMargin, height = 0;
  for (std::size_t l = 0; l < column.size(); ++l) {
    const auto& col = column[l];
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
    x += width + gap[l];
  }
  int width = x - gap[column.empty() ? 0 : column.size() - 1] + kMargin;
  const int below = height + 14;  // the first lane of the edges that go back or stay in a column

  // Labels are placed after every edge is routed, forward edges first, each where it overlaps
  // nothing placed before it.
  std::vector<Rect> taken;
  for (const auto& b : box) taken.push_back(Rect{b.x, b.y, b.x + b.w, b.y + kBoxHeight});
  // Where along its edge (t from 0 at the source to 1 at the target) a label may stand, nearest
  // the middle first, each just above the line, then a line higher or lower.
  auto place = [&](const std::function<std::pair<int, int>(double)>& along, const std::string& text) {
    const int half = text_width(text, kSmallFont) / 2 + 2;
    constexpr int line = kSmallFont + 3;
    for (int dy : {0, -line, line, -2 * line, 2 * line})
      for (double t : {0.5, 0.38, 0.62, 0.26, 0.74, 0.15, 0.85}) {
        const auto [cx, baseline] = along(t);
        Rect r{cx - half, baseline + dy - kSmallFont, cx + half, baseline + dy + 3};
        if (r.y0 < 2 || r.x0 < 2) continue;
        if (std::none_of(taken.begin(), taken.end(), [&](const Rect& o) { return o.overlaps(r); })) {
          taken.push_back(r);
          return std::pair(cx, baseline + dy);
        }
      }
    const auto [cx, baseline] = along(0.5);  // nowhere near: the first free line below the middle
    for (int dy = 2 * (kSmallFont + 3);; dy += kSmallFont + 3) {
      Rect r{cx - half, baseline + dy - kSmallFont, cx + half, baseline + dy + 3};
      if (std::none_of(taken.begin(), taken.end(), [&](const Rect& o) { return o.overlaps(r); })) {
        taken.push_back(r);
        return std::pair(cx, baseline + dy);
      }
    }
  };
  struct Routed {
    std::pair<std::uint32_t, std::uint32_t> key;
    const Drawn* d;
    std::string path, label;
    std::function<std::pair<int, int>(double)> along;  // a point of the edge's line, for its label
  };
  std::vector<Routed> routed;
  int lanes = 0, channels = 0;
  for (int pass = 0; pass < 2; ++pass)  // forward edges, then those that run around
    for (const auto& [key, d] : drawn) {
      const bool forward = layer[key.second] > layer[key.first];
      if (forward != (pass == 0)) continue;
      const Box& a = box[key.first];
      const Box& b = box[key.second];
      Routed r{key, &d, {}, {}, {}};
      r.label = joined(d);
      if (forward && layer[key.second] > layer[key.first] + 1) {
        // Over columns between: right side, down into the gap under the source's row (a channel of
        // its own among three), along it past the boxes between, up into the target's left side.
        const int x0 = a.x + a.w, y0 = a.cy(), x1 = b.x, y1 = b.cy();
        const int channel = a.y + kBoxHeight + kRowGap / 2 + 7 * (channels++ % 3 - 1);
        r.path = "M" + num(x0) + "," + num(y0) + " C" + num(x0 + 24) + "," + num(y0) + " " + num(x0 + 24) + "," + num(channel) + " " +
                 num(x0 + 44) + "," + num(channel) + " L" + num(x1 - 44) + "," + num(channel) + " C" + num(x1 - 24) + "," +
                 num(channel) + " " + num(x1 - 24) + "," + num(y1) + " " + num(x1) + "," + num(y1);
        r.along = [=](double t) { return std::pair(static_cast<int>(x0 + 44 + (x1 - x0 - 88) * t), channel - 3); };
      } else if (forward) {  // to the next column: right side to left side
        const int x0 = a.x + a.w, y0 = a.cy(), x1 = b.x, y1 = b.cy();
        const int dx = std::max(40, (x1 - x0) / 2);
        r.path = "M" + num(x0) + "," + num(y0) + " C" + num(x0 + dx) + "," + num(y0) + " " + num(x1 - dx) + "," + num(y1) + " " +
                 num(x1) + "," + num(y1);
        r.along = [=](double t) {  // the cubic Bézier at t
          const double u = 1 - t, a0 = u * u * u, a1 = 3 * u * u * t, a2 = 3 * u * t * t, a3 = t * t * t;
          return std::pair(static_cast<int>(a0 * x0 + a1 * (x0 + dx) + a2 * (x1 - dx) + a3 * x1),
                           static_cast<int>(a0 * y0 + a1 * y0 + a2 * y1 + a3 * y1) - 3);
        };
      } else {  // back or within a column: down from the box, along a lane of its own under every box, up into the target
        const int lane = below + 16 * lanes++;
        const int x0 = a.cx() - 10, x1 = b.cx() + 10, y0 = a.y + kBoxHeight, y1 = b.y + kBoxHeight;
        r.path = "M" + num(x0) + "," + num(y0) + " L" + num(x0) + "," + num(lane - 6) + " Q" + num(x0) + "," + num(lane) + " " +
                 num(x0 + (x1 < x0 ? -6 : 6)) + "," + num(lane) + " L" + num(x1 + (x1 < x0 ? 6 : -6)) + "," + num(lane) + " Q" + num(x1) +
                 "," + num(lane) + " " + num(x1) + "," + num(lane - 6) + " L" + num(x1) + "," + num(y1);
        r.along = [=](double t) { return std::pair(static_cast<int>(x0 + (x1 - x0) * t), lane - 3); };
      }
      routed.push_back(std::move(r));
    }
  std::string edges, labels;  // the labels after every line, so that no line crosses one
  for (auto& r : routed) {
    const Drawn& d = *r.d;
    const auto [lx, ly] = place(r.along, r.label);
    std::string cls = d.is_return ? "edge return" : d.timer ? "edge timer" : "edge";
    edges += "<g class=\"" + cls + "\" data-from=\"" + xml_escape(w.stages[r.key.first].name) + "\" data-to=\"" +
             xml_escape(w.stages[r.key.second].name) + "\">";
    edges += "<path d=\"" + r.path + "\" fill=\"none\" stroke=\"" + (d.is_return ? "#b05000" : "#555") + "\"" +
             (d.is_return ? " stroke-dasharray=\"6 4\"" : d.timer ? " stroke-dasharray=\"2 3\"" : "") + " marker-end=\"url(#arrow)\"/></g>\n";
    labels += "<g class=\"edge-label\" data-from=\"" + xml_escape(w.stages[r.key.first].name) + "\" data-to=\"" +
              xml_escape(w.stages[r.key.second].name) + "\"><text x=\"" + num(lx) + "\" y=\"" + num(ly) +
              "\" text-anchor=\"middle\" font-size=\"" + num(kSmallFont) + "\" fill=\"" + (d.is_return ? "#b05000" : "#333") +
              "\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">" + xml_escape(r.label) + "</text></g>\n";
  }
  edges += labels;
  int bottom = lanes ? below + 16 * (lanes - 1) + 6 : height;
  for (const auto& t : taken) {
    bottom = std::max(bottom, t.y1);
    width = std::max(width, t.x1 + kMargin);
  }
  const int total_height = bottom + kMargin;

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
