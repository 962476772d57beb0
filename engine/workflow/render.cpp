#include "workflow/render.hpp"

#include <algorithm>
#include <set>

#include "diag/source.hpp"

namespace subsidy::workflow {

using eval::StageKind;

std::string period_text(const eval::PeriodSpec& p) {
  return std::to_string(p.count) + (p.working ? " working day" : " day") + (p.count == 1 ? "" : "s");
}

namespace {

std::string pad(const std::string& s, std::size_t width) {
  std::size_t w = diag::display_width(s);
  return w >= width ? s + " " : s + std::string(width - w, ' ');
}

std::string labels(const model::Label& l) {
  if (l.zh.empty() && l.en.empty()) return "";
  if (l.en.empty() || l.en == l.zh) return l.zh;
  if (l.zh.empty()) return l.en;
  return l.zh + " / " + l.en;
}

const char* kind_word(StageKind k) {
  switch (k) {
    case StageKind::normal: return "stage";
    case StageKind::correction: return "correction";
    case StageKind::terminal: return "terminal";
  }
  return "stage";
}

const char* policy_text(eval::JointPolicy p) {
  switch (p) {
    case eval::JointPolicy::all: return "all: every reviewer must approve; decided when all have voted";
    case eval::JointPolicy::veto: return "veto: every reviewer must approve; one rejection rejects at once";
    case eval::JointPolicy::majority: return "majority: more than half must approve";
    case eval::JointPolicy::none: break;
  }
  return "";
}

const char* policy_word(eval::JointPolicy p) {
  switch (p) {
    case eval::JointPolicy::all: return "all";
    case eval::JointPolicy::veto: return "veto";
    case eval::JointPolicy::majority: return "majority";
    case eval::JointPolicy::none: break;
  }
  return "";
}

std::string role_line(const Workflow& wf, const eval::GuardedRoleSpec& l) {
  std::string out = l.role.text;
  std::vector<std::string> conds;
  if (!l.guard_text.empty()) conds.push_back("when " + l.guard_text);
  if (l.role.presence_slot != eval::kNoNode)
    conds.push_back("if " + wf.ruleset().schema.facts[l.role.presence_slot].name + " is set");
  std::string c;
  for (const auto& x : conds) c += (c.empty() ? "" : ", ") + x;
  return c.empty() ? out : pad(out, 24) + c;
}

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string show_text(const Workflow& wf) {
  const auto& w = wf.spec();
  const auto& decls = wf.decls();
  std::string out;
  out += "workflow " + w.name + "  " + labels(w.label) + "\n";
  out += "  start: " + w.stages[w.start].name + "\n";
  out += "  reserves the budget: " + (wf.reserving_stage().empty() ? std::string("(no stage has `on approve`)") : wf.reserving_stage()) +
         (wf.reserving_stage_declared() ? "  (declared by `reserve at`)" : "  (default: the first approval by a city-level role)") + "\n";
  std::string progs;
  for (const auto& p : w.programs) progs += (progs.empty() ? "" : " ") + p;
  out += "  used by: " + (progs.empty() ? "(no programme)" : progs) + "\n";
  std::size_t terminals = static_cast<std::size_t>(
      std::count_if(w.stages.begin(), w.stages.end(), [](const auto& s) { return s.kind == StageKind::terminal; }));
  out += "  " + std::to_string(w.stages.size()) + " stages (" + std::to_string(terminals) + " terminal), " +
         std::to_string(wf.edge_count()) + " edges\n";

  std::set<std::uint32_t> roles_used;
  auto note_role = [&](const eval::RoleRefSpec& r) { roles_used.insert(r.role); };
  for (std::uint32_t s = 0; s < w.stages.size(); ++s) {
    const auto& st = w.stages[s];
    out += "\n" + std::string(kind_word(st.kind)) + " " + st.name + "  " + labels(st.label) + "\n";
    if (st.kind == StageKind::terminal) continue;
    const std::string indent = "  ";
    for (std::size_t i = 0; i < st.responsible.size(); ++i) {
      note_role(st.responsible[i].role);
      out += indent + pad(i == 0 ? "responsible" : "", 12) + role_line(wf, st.responsible[i]) + "\n";
    }
    if (st.responsible.size() > 1) out += indent + pad("", 12) + "(the first line that applies)\n";
    if (st.joint != eval::JointPolicy::none) {
      out += indent + pad("joint", 12) + policy_text(st.joint) + "\n";
      for (const auto& r : st.reviewers) {
        note_role(r.role);
        out += indent + pad("", 14) + role_line(wf, r) + "\n";
      }
      out += indent + pad("", 12) + "(every line that applies reviews; votes are approve/reject, then the case takes\n" + indent +
             pad("", 13) + "`on approve` or `on reject` as the policy decides)\n";
    }
    if (st.has_deadline) out += indent + pad("deadline", 12) + period_text(st.deadline) + "\n";
    if (st.amount_adjustable) out += indent + pad("amount", 12) + "adjustable: the approving officer may approve a smaller amount, with a reason\n";
    if (st.name == wf.reserving_stage()) out += indent + pad("budget", 12) + "reserved when the case leaves this stage by `approve`\n";
    if (st.kind == StageKind::correction)
      out += indent + pad("", 12) + "(the clock of the stage that returned the case stops meanwhile)\n";
    auto arrow = [&](const std::string& left, const std::string& target, const std::string& rest) {
      out += indent + pad(left, 44) + "-> " + target + (rest.empty() ? "" : "  " + rest) + "\n";
    };
    if (st.has_timer) {
      std::string note = labels(st.timer_label);
      if (st.kind == StageKind::correction) note += std::string(note.empty() ? "" : "  ") + "(maximum correction period)";
      arrow("after " + period_text(st.timer), w.stages[static_cast<std::size_t>(st.timer_target)].name, note);
    }
    for (const auto& t : st.transitions) {
      std::string left = "on " + decls.actions[t.action].name;
      if (!t.by.empty()) {
        left += " by ";
        for (std::size_t i = 0; i < t.by.size(); ++i) {
          note_role(t.by[i]);
          left += (i ? ", " : "") + t.by[i].text;
        }
      }
      if (!t.guard_text.empty()) left += " when " + t.guard_text;
      std::string target = t.back ? "back" : w.stages[static_cast<std::size_t>(t.target)].name;
      std::string rest = labels(t.label);
      if (t.back) rest += std::string(rest.empty() ? "" : "  ") + "(to the stage that returned the case; its clock resumes)";
      else if (w.stages[static_cast<std::size_t>(t.target)].kind == StageKind::correction)
        rest += std::string(rest.empty() ? "" : "  ") + "(return for correction)";
      else if (t.as_return) rest += std::string(rest.empty() ? "" : "  ") + "(return edge)";
      arrow(left, target, rest);
    }
  }

  out += "\nroles\n";
  for (auto ri : roles_used) {
    const auto& r = decls.roles[ri];
    std::string name = r.name;
    std::string rest = labels(r.label);
    if (r.family_enum >= 0) {
      const auto& e = wf.ruleset().schema.enums[static_cast<std::size_t>(r.family_enum)];
      name += "[" + e.name + "]";
      std::string members;
      for (const auto& v : e.values) members += (members.empty() ? "" : ", ") + v.name;
      rest += "  (one per " + e.name + ": " + members + ")";
    }
    out += "  " + pad(name, 22) + rest + "\n";
  }
  return out;
}

std::string to_dot(const Workflow& wf) {
  const auto& w = wf.spec();
  const auto& decls = wf.decls();
  std::string out;
  const char* font = "Noto Sans CJK SC,WenQuanYi Micro Hei,sans-serif";
  out += "digraph \"" + dot_escape(w.name) + "\" {\n";
  out += "  graph [label=\"" + dot_escape(w.name + ": " + labels(w.label)) + "\", labelloc=t, fontname=\"" + font +
         "\", rankdir=TB];\n";
  out += "  node [shape=box, style=rounded, fontname=\"" + std::string(font) + "\", fontsize=10];\n";
  out += "  edge [fontname=\"" + std::string(font) + "\", fontsize=9];\n";
  for (std::uint32_t s = 0; s < w.stages.size(); ++s) {
    const auto& st = w.stages[s];
    std::string label = st.name + "\n" + st.label.zh;
    std::string attrs;
    if (st.kind == StageKind::terminal) {
      attrs = "shape=doubleoctagon";
    } else {
      std::vector<std::string> who;
      for (const auto& r : st.responsible) who.push_back(r.role.text + (r.guard_text.empty() ? "" : "?"));
      if (!who.empty()) {
        std::string line;
        for (const auto& x : who) line += (line.empty() ? "" : " | ") + x;
        label += "\n" + line;
      }
      if (st.joint != eval::JointPolicy::none) {
        std::string line;
        for (const auto& r : st.reviewers) line += (line.empty() ? "" : " + ") + r.role.text + (r.guard_text.empty() ? "" : "?");
        label += "\n会签 (" + std::string(policy_word(st.joint)) + "): " + line;
      }
      if (st.has_deadline) label += "\ndeadline " + period_text(st.deadline);
      if (st.amount_adjustable) label += "\n金额可核减 amount adjustable";
      if (st.name == wf.reserving_stage()) label += "\n预留预算 reserves the budget";
      if (st.kind == StageKind::correction) attrs = "style=\"rounded,dashed\"";
      if (s == w.start) attrs = "style=\"rounded,bold\"";
    }
    out += "  \"" + dot_escape(st.name) + "\" [label=\"" + dot_escape(label) + "\"" + (attrs.empty() ? "" : ", " + attrs) + "];\n";
  }
  for (std::uint32_t s = 0; s < w.stages.size(); ++s) {
    const auto& st = w.stages[s];
    for (const auto& e : wf.out_edges(s)) {
      std::string label, attrs;
      if (e.kind == EdgeKind::timer) {
        label = "after " + period_text(st.timer);
        attrs = "style=dotted";
      } else {
        const auto& t = st.transitions[static_cast<std::size_t>(e.transition)];
        label = decls.actions[t.action].name;
        if (!t.by.empty()) {
          label += " by ";
          for (std::size_t i = 0; i < t.by.size(); ++i) label += (i ? ", " : "") + t.by[i].text;
        }
        if (!t.guard_text.empty()) label += "\n[" + t.guard_text + "]";
        if (e.kind == EdgeKind::back) label += " (back)";
        if (e.is_return || e.kind == EdgeKind::back) attrs = "style=dashed, color=\"#b05000\", fontcolor=\"#b05000\"";
      }
      out += "  \"" + dot_escape(w.stages[e.from].name) + "\" -> \"" + dot_escape(w.stages[e.to].name) + "\" [label=\"" +
             dot_escape(label) + "\"" + (attrs.empty() ? "" : ", " + attrs) + "];\n";
    }
  }
  out += "}\n";
  return out;
}

}  // namespace subsidy::workflow
