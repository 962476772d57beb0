#include "eval/diff.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "eval/evaluate.hpp"
#include "eval/required_facts.hpp"
#include "model/date.hpp"

namespace subsidy::eval {

const char* change_name(Change c) {
  switch (c) {
    case Change::added: return "added";
    case Change::removed: return "removed";
    case Change::changed: return "changed";
  }
  return "changed";
}

namespace {

std::string node_text(const Ruleset& rs, std::uint32_t node) {
  return node == kNoNode || node >= rs.nodes.size() ? std::string() : source_text(rs, rs.nodes[node].span);
}
std::string label_text(const Label& l) { return l.en.empty() || l.en == l.zh ? l.zh : l.zh + " / " + l.en; }
std::string date_text(Days d) {
  return d == INT32_MIN || d == INT32_MAX ? std::string("…") : model::format_date(d);
}
std::string period_text(Days from, Days to) { return date_text(from) + " – " + date_text(to); }

// Where `fact NAME:` / `enum NAME` is declared (the schema keeps no span of its own): file:line:col, or "".
std::string declaration_at(const Ruleset& rs, const std::string& keyword, const std::string& name) {
  for (const auto& f : rs.sources) {
    const std::string& t = f.text();
    std::string needle = keyword + " " + name;
    for (std::size_t pos = t.find(needle); pos != std::string::npos; pos = t.find(needle, pos + 1)) {
      const bool line_start = pos == 0 || t[pos - 1] == '\n' || t[pos - 1] == ' ' || t[pos - 1] == '\t';
      std::size_t after = pos + needle.size();
      while (after < t.size() && (t[after] == ' ' || t[after] == '\t')) ++after;
      if (line_start && after < t.size() && (t[after] == ':' || t[after] == '"' || t[after] == '{')) {
        auto lc = f.line_col(static_cast<std::uint32_t>(pos));
        return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
      }
    }
  }
  return {};
}

class Differ {
 public:
  Differ(const Ruleset& base, const Ruleset& draft, RulesDiff& out) : b_(base), d_(draft), out_(out) {}

  void run() {
    programmes();
    params();
    tables();
    exceptions();
    groups();
    workflows();
    contract();
  }

 private:
  // Items present on one side only, and pairs present on both, matched by name.
  template <class T, class Name, class Both>
  void match(const std::vector<T>& bv, const std::vector<T>& dv, Name name, const std::string& kind, Both both,
             const std::string& prefix = {}) {
    std::unordered_map<std::string, std::size_t> in_draft;
    for (std::size_t i = 0; i < dv.size(); ++i) in_draft.emplace(name(dv[i]), i);
    std::set<std::string> seen;
    for (const auto& x : bv) {
      auto it = in_draft.find(name(x));
      seen.insert(name(x));
      if (it == in_draft.end())
        add(kind, Change::removed, prefix + name(x), "", describe(x, b_), "", at(b_, x.span), "");
      else
        both(x, dv[it->second]);
    }
    for (const auto& y : dv)
      if (!seen.count(name(y))) add(kind, Change::added, prefix + name(y), "", "", describe(y, d_), "", at(d_, y.span));
  }

  template <class T>
  std::string describe(const T& x, const Ruleset& rs) {
    return source_text(rs, x.span).substr(0, 160);
  }
  static std::string at(const Ruleset& rs, const diag::Span& s) { return source_location(rs, s); }

  void add(std::string kind, Change c, std::string name, std::string what, std::string base, std::string draft,
           std::string base_at, std::string draft_at) {
    out_.items.push_back({std::move(kind), c, std::move(name), std::move(what), std::move(base), std::move(draft),
                          std::move(base_at), std::move(draft_at)});
  }
  // A property that differs between two matched items.
  void changed(const std::string& kind, const std::string& name, const std::string& what, const std::string& bv,
               const std::string& dv, const diag::Span& bs, const diag::Span& ds) {
    if (bv != dv) add(kind, Change::changed, name, what, bv, dv, at(b_, bs), at(d_, ds));
  }

  void programmes() {
    match(b_.programs, d_.programs, [](const Program& p) { return p.id; }, "programme", [&](const Program& x, const Program& y) {
      const auto& n = x.id;
      changed("programme", n, "title", label_text(x.title), label_text(y.title), x.span, y.span);
      changed("programme", n, "bureau", x.bureau, y.bureau, x.span, y.span);
      changed("programme", n, "citation", x.citation, y.citation, x.span, y.span);
      changed("programme", n, "workflow", x.workflow, y.workflow, x.span, y.span);
      changed("programme", n, "status", status_name(x.status), status_name(y.status), x.span, y.span);
      changed("effective", n, "period", period_text(x.effective_from, x.effective_to),
              period_text(y.effective_from, y.effective_to), x.span, y.span);
      auto expr = [&](const char* kind, std::uint32_t bn, std::uint32_t dn) {
        std::string bt = node_text(b_, bn), dt = node_text(d_, dn);
        if (bt == dt) return;
        const diag::Span bs = bn == kNoNode ? x.span : b_.nodes[bn].span, ds = dn == kNoNode ? y.span : d_.nodes[dn].span;
        Change c = bt.empty() ? Change::added : dt.empty() ? Change::removed : Change::changed;
        add(kind, c, n, c == Change::changed ? "formula" : "", bt, dt, at(b_, bs), at(d_, ds));
      };
      expr("amount", x.amount, y.amount);
      expr("cap", x.cap, y.cap);
      expr("minimum", x.minimum, y.minimum);
      match(x.requirements, y.requirements, [](const Requirement& r) { return r.name; }, "requirement",
            [&](const Requirement& r, const Requirement& s) {
              const std::string rn = n + "." + r.name;
              changed("requirement", rn, "condition", r.source_text, s.source_text, r.span, s.span);
              changed("requirement", rn, "reason", label_text(r.reason), label_text(s.reason), r.span, s.span);
              changed("requirement", rn, "clause", r.clause, s.clause, r.span, s.span);
            },
            n + ".");
    });
  }

  std::string value_text(const Param& p, const ParamValue& v) {
    return param_value_text(p, v.value) + " [" + status_name(v.status) + (v.source.empty() ? "" : ": " + v.source) + "]";
  }

  void params() {
    match(b_.params, d_.params, [](const Param& p) { return p.name; }, "parameter", [&](const Param& x, const Param& y) {
      changed("parameter", x.name, "type", b_.schema.type_name(x.type), d_.schema.type_name(y.type), x.span, y.span);
      changed("parameter", x.name, "label", label_text(x.label), label_text(y.label), x.span, y.span);
      // Values by their valid-from date.
      for (const auto& bv : x.values) {
        auto it = std::find_if(y.values.begin(), y.values.end(), [&](const ParamValue& v) { return v.from == bv.from; });
        const std::string name = x.name + " from " + model::format_date(bv.from);
        if (it == y.values.end())
          add("parameter value", Change::removed, name, "", value_text(x, bv), "", at(b_, bv.span), "");
        else
          changed("parameter value", name, "value", value_text(x, bv), value_text(y, *it), bv.span, it->span);
      }
      for (const auto& dv : y.values)
        if (std::none_of(x.values.begin(), x.values.end(), [&](const ParamValue& v) { return v.from == dv.from; }))
          add("parameter value", Change::added, x.name + " from " + model::format_date(dv.from), "", "", value_text(y, dv), "",
              at(d_, dv.span));
    });
  }

  void tables() {
    match(b_.tables, d_.tables, [](const Table& t) { return t.name; }, "table", [&](const Table& x, const Table& y) {
      static const char* hits[] = {"unique", "first", "priority", "collect sum", "collect min", "collect max", "collect count"};
      changed("table", x.name, "hit policy", hits[static_cast<int>(x.hit)], hits[static_cast<int>(y.hit)], x.span, y.span);
      changed("table", x.name, "result type", b_.schema.type_name(x.result), d_.schema.type_name(y.result), x.span, y.span);
      std::string bi, di;
      for (auto n : x.inputs) bi += (bi.empty() ? "" : ", ") + node_text(b_, n);
      for (auto n : y.inputs) di += (di.empty() ? "" : ", ") + node_text(d_, n);
      changed("table", x.name, "inputs", bi, di, x.span, y.span);
      auto row_text = [](const Ruleset& rs, const Row& r) { return source_text(rs, r.span); };
      if (x.rows.size() == y.rows.size()) {  // row by row
        for (std::size_t i = 0; i < x.rows.size(); ++i)
          changed("table row", x.name + " row " + std::to_string(i + 1), "row", row_text(b_, x.rows[i]), row_text(d_, y.rows[i]),
                  x.rows[i].span, y.rows[i].span);
        return;
      }
      // Rows inserted or deleted: a row is kept when its text is on both sides.
      std::multiset<std::string> bt, dt;
      for (const auto& r : x.rows) bt.insert(row_text(b_, r));
      for (const auto& r : y.rows) dt.insert(row_text(d_, r));
      for (std::size_t i = 0; i < x.rows.size(); ++i)
        if (!dt.count(row_text(b_, x.rows[i])))
          add("table row", Change::removed, x.name + " row " + std::to_string(i + 1), "", row_text(b_, x.rows[i]), "",
              at(b_, x.rows[i].span), "");
      for (std::size_t i = 0; i < y.rows.size(); ++i)
        if (!bt.count(row_text(d_, y.rows[i])))
          add("table row", Change::added, x.name + " row " + std::to_string(i + 1), "", "", row_text(d_, y.rows[i]), "",
              at(d_, y.rows[i].span));
    });
  }

  void exceptions() {
    match(b_.exceptions, d_.exceptions, [](const Exception& e) { return e.name; }, "exception", [&](const Exception& x, const Exception& y) {
      changed("exception", x.name, "condition", node_text(b_, x.when), node_text(d_, y.when), x.span, y.span);
      changed("exception", x.name, "effect", x.refuses ? "refuses" : "amount " + x.amount_text,
              y.refuses ? "refuses" : "amount " + y.amount_text, x.span, y.span);
      changed("exception", x.name, "reason", label_text(x.reason), label_text(y.reason), x.span, y.span);
      changed("exception", x.name, "priority", std::to_string(x.priority), std::to_string(y.priority), x.span, y.span);
      changed("exception", x.name, "citation", x.citation, y.citation, x.span, y.span);
      changed("exception", x.name, "period", period_text(x.effective_from, x.effective_to),
              period_text(y.effective_from, y.effective_to), x.span, y.span);
    });
  }

  void groups() {
    auto members = [](const Ruleset& rs, const Group& g) {
      std::string s;
      for (auto p : g.programs) s += (s.empty() ? "" : ", ") + rs.programs[p].id;
      return s;
    };
    match(b_.groups, d_.groups, [](const Group& g) { return g.name; }, "group", [&](const Group& x, const Group& y) {
      changed("group", x.name, "programmes", members(b_, x), members(d_, y), x.span, y.span);
      changed("group", x.name, "cap", node_text(b_, x.cap) + (x.total_only ? " (total)" : ""),
              node_text(d_, y.cap) + (y.total_only ? " (total)" : ""), x.cap == kNoNode ? x.span : b_.nodes[x.cap].span,
              y.cap == kNoNode ? y.span : d_.nodes[y.cap].span);
      changed("group", x.name, "already paid", node_text(b_, x.already), node_text(d_, y.already), x.span, y.span);
      changed("group", x.name, "pay highest", x.pay_highest ? "yes" : "no", y.pay_highest ? "yes" : "no", x.span, y.span);
      changed("group", x.name, "citation", x.citation, y.citation, x.span, y.span);
    });
  }

  void workflows() {
    const auto& bw = b_.workflow_decls.workflows;
    const auto& dw = d_.workflow_decls.workflows;
    match(bw, dw, [](const WorkflowSpec& w) { return w.name; }, "workflow", [&](const WorkflowSpec& x, const WorkflowSpec& y) {
      changed("workflow", x.name, "label", label_text(x.label), label_text(y.label), x.name_span, y.name_span);
      changed("workflow", x.name, "start", x.stages.empty() ? "" : x.stages[x.start].name,
              y.stages.empty() ? "" : y.stages[y.start].name, x.name_span, y.name_span);
      match(x.stages, y.stages, [](const StageSpec& s) { return s.name; }, "stage",
            [&](const StageSpec& s, const StageSpec& t) {
              changed("stage", x.name + "." + s.name, "definition", source_text(b_, s.span), source_text(d_, t.span), s.span, t.span);
            },
            x.name + ".");
    });
  }

  void contract() {
    auto required = [](const Ruleset& rs, bool routing) {
      std::set<std::string> names;
      for (const auto& r : required_facts(rs, FactUse{nullptr, routing, -1})) names.insert(rs.schema.facts[r.slot].name);
      return names;
    };
    const auto b_eval = required(b_, false), d_eval = required(d_, false);
    const auto b_case = required(b_, true), d_case = required(d_, true);
    auto fact_at = [](const Ruleset& rs, const std::string& name) { return declaration_at(rs, "fact", name); };
    auto push = [&](const std::string& fact, std::string what, std::string bv, std::string dv, std::string by, bool breaking) {
      out_.contract.push_back({fact, std::move(what), std::move(bv), std::move(dv), std::move(by), breaking,
                               b_.schema.find_fact(fact) ? fact_at(b_, fact) : "", d_.schema.find_fact(fact) ? fact_at(d_, fact) : ""});
    };
    auto required_by = [&](const std::string& f) {
      return d_eval.count(f) ? std::string("evaluate") : d_case.count(f) ? std::string("case submit") : std::string();
    };
    for (const auto& y : d_.schema.facts) {
      const auto* x = b_.schema.find_fact(y.name);
      const std::string dt = d_.schema.type_name(y.type);
      if (!x) {
        const std::string by = required_by(y.name);
        push(y.name, "added", "", dt, by, !by.empty());
        continue;
      }
      const std::string bt = b_.schema.type_name(x->type);
      if (b_.schema.type_name(x->type.required()) != d_.schema.type_name(y.type.required())) {
        push(y.name, "type changed", bt, dt, required_by(y.name), true);
      } else if ((x->type.kind == model::Kind::Enum || x->type.kind == model::Kind::EnumSet)) {
        const auto& be = b_.schema.enums[x->type.enum_id].values;
        const auto& de = d_.schema.enums[y.type.enum_id].values;
        std::string removed, added;
        for (const auto& v : be)
          if (std::none_of(de.begin(), de.end(), [&](const model::EnumValueDef& w) { return w.name == v.name; }))
            removed += (removed.empty() ? "" : ", ") + v.name;
        for (const auto& v : de)
          if (std::none_of(be.begin(), be.end(), [&](const model::EnumValueDef& w) { return w.name == v.name; }))
            added += (added.empty() ? "" : ", ") + v.name;
        if (!removed.empty()) push(y.name, "enum values removed", removed, "", required_by(y.name), true);
        if (!added.empty()) push(y.name, "enum values added", "", added, required_by(y.name), false);
      }
      const bool was = b_eval.count(y.name) || b_case.count(y.name);
      const std::string by = required_by(y.name);
      if (!by.empty() && (!was || (by == "evaluate" && !b_eval.count(y.name))))
        push(y.name, "now required", bt, dt, by, true);
      else if (by.empty() && was)
        push(y.name, "no longer required", bt, dt, "", false);
    }
    for (const auto& x : b_.schema.facts)
      if (!d_.schema.find_fact(x.name)) push(x.name, "removed", b_.schema.type_name(x.type), "", "", true);
  }

  const Ruleset& b_;
  const Ruleset& d_;
  RulesDiff& out_;
};

}  // namespace

RulesDiff diff_rulesets(const Ruleset& base, const Ruleset& draft) {
  RulesDiff out;
  Differ(base, draft, out).run();
  return out;
}

}  // namespace subsidy::eval
