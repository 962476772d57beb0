#include "eval/diff.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "eval/evaluate.hpp"
#include "eval/required_facts.hpp"
#include "model/date.hpp"
#include "model/money.hpp"

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
      // The whole declaration: its condition, effect, reason, priority and citation as written.
      changed("exception", x.name, "definition", source_text(b_, x.span), source_text(d_, y.span), x.span, y.span);
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

// ---------------------------------------------------------------- why one programme's result changed

namespace {

using model::Outcome;

WhyChanged why(std::string kind, std::string name, std::string from = {}, std::string to = {}, std::string base_at = {},
               std::string draft_at = {}) {
  WhyChanged w;
  w.kind = std::move(kind);
  w.name = std::move(name);
  w.from = std::move(from);
  w.to = std::move(to);
  w.base_at = std::move(base_at);
  w.draft_at = std::move(draft_at);
  return w;
}

std::string fen_text(std::int64_t fen) { return model::format_yuan(fen) + "元"; }

const AmountStep* find_step(const ProgramExplanation& ex, AmountStep::Kind k) {
  for (const auto& s : ex.steps)
    if (s.kind == k) return &s;
  return nullptr;
}

// The first parameter the draft's formula used whose value differs from the base's (by name).
std::optional<WhyChanged> changed_param(const ProgramSide& b, const ProgramSide& d, const std::string& only_in) {
  for (const auto& du : d.explanation->params) {
    const Param& dp = d.rs->params[du.param];
    if (!only_in.empty() && only_in.find(dp.name) == std::string::npos) continue;
    const ParamValue& dv = dp.values[du.value_index];
    for (const auto& bu : b.explanation->params) {
      const Param& bp = b.rs->params[bu.param];
      if (bp.name != dp.name) continue;
      const ParamValue& bv = bp.values[bu.value_index];
      if (bv.value == dv.value && bv.from == dv.from) break;
      auto w = why("parameter", dp.name, param_value_text(bp, bv.value), param_value_text(dp, dv.value),
                   source_location(*b.rs, bv.span), source_location(*d.rs, dv.span));
      w.date = model::format_date(dv.from);
      return w;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string why_text(const WhyChanged& w, bool en) {
  const std::string& n = w.name;
  auto both = [&](const char* sep) { return w.from + sep + w.to; };
  const std::string k = w.kind;
  if (k == "programme_added") return en ? "programme " + n + " is new in the draft" : "草案新增项目 " + n;
  if (k == "programme_removed") return en ? "programme " + n + " is not in the draft" : "草案删除了项目 " + n;
  if (k == "effective") return en ? "effective period changed: " + both(" → ") : "有效期变更：" + both(" → ");
  if (k == "requirement_fails") return en ? "requirement " + n + " now fails" + (w.to.empty() ? "" : " (" + w.to + ")")
                                          : "条件 " + n + " 现不满足" + (w.to.empty() ? "" : "（" + w.to + "）");
  if (k == "requirement_passes") return en ? "requirement " + n + " now passes" + (w.to.empty() ? "" : " (" + w.to + ")")
                                           : "条件 " + n + " 现已满足" + (w.to.empty() ? "" : "（" + w.to + "）");
  if (k == "requirement_added") return en ? "new requirement " + n + " fails (" + w.to + ")" : "新增条件 " + n + " 不满足（" + w.to + "）";
  if (k == "requirement_removed") return en ? "requirement " + n + " (failing before) was removed" : "原不满足的条件 " + n + " 已删除";
  if (k == "exception_refuses") return en ? "exception " + n + " now refuses" : "例外规则 " + n + " 现予以排除";
  if (k == "exception_no_longer_refuses") return en ? "exception " + n + " no longer refuses" : "例外规则 " + n + " 不再排除";
  if (k == "parameter")
    return en ? "parameter " + n + " changed from " + w.from + " to " + w.to + " (valid from " + w.date + ")"
              : "参数 " + n + " 由 " + w.from + " 改为 " + w.to + "（自 " + w.date + " 起）";
  if (k == "table_row")
    return en ? "table " + n + ": row " + w.to + " matches (was " + w.from + ")" : "决策表 " + n + "：命中第 " + w.to + " 行（原为" + w.from + "）";
  if (k == "formula") return en ? "amount formula changed: " + both(" → ") : "计算公式变更：" + both(" → ");
  if (k == "exception") return en ? "amount exception " + n + ": " + both(" → ") : "金额例外 " + n + "：" + both(" → ");
  if (k == "minimum") return en ? "minimum amount: " + both(" → ") : "最低额：" + both(" → ");
  if (k == "cap_binds") return en ? "cap " + n + " now binds: " + both(" → ") : "上限 " + n + " 现起作用：" + both(" → ");
  if (k == "cap_released") return en ? "cap " + n + " no longer binds: " + both(" → ") : "上限 " + n + " 不再起作用：" + both(" → ");
  if (k == "cap_changed") return en ? "cap " + n + " changed: " + both(" → ") : "上限 " + n + " 变更：" + both(" → ");
  if (k == "group_cap") return en ? "group limit " + n + ": " + both(" → ") : "组合限额 " + n + "：" + both(" → ");
  if (k == "pay_highest") return en ? "highest-only group " + n + ": " + both(" → ") : "就高不重复组 " + n + "：" + both(" → ");
  if (k == "error") return en ? "evaluation error: " + both(" → ") : "计算出错：" + both(" → ");
  return en ? "result changed: " + both(" → ") : "结果变化：" + both(" → ");
}

WhyChanged why_changed(const ProgramSide& b, const ProgramSide& d) {
  if (!b.rs) return why("programme_added", d.rs->programs[d.index].id, "", "", "", source_location(*d.rs, d.rs->programs[d.index].span));
  if (!d.rs) return why("programme_removed", b.rs->programs[b.index].id, "", "", source_location(*b.rs, b.rs->programs[b.index].span), "");
  const Program& bp = b.rs->programs[b.index];
  const Program& dp = d.rs->programs[d.index];
  const auto& br = *b.result;
  const auto& dr = *d.result;
  const auto& be = *b.explanation;
  const auto& de = *d.explanation;
  auto bat = [&](const diag::Span& s) { return source_location(*b.rs, s); };
  auto dat = [&](const diag::Span& s) { return source_location(*d.rs, s); };
  if ((br.outcome == Outcome::not_in_effect) != (dr.outcome == Outcome::not_in_effect))
    return why("effective", dp.id, period_text(bp.effective_from, bp.effective_to), period_text(dp.effective_from, dp.effective_to),
               bat(bp.span), dat(dp.span));
  if (br.outcome == Outcome::error || dr.outcome == Outcome::error)
    return why("error", dp.id, br.outcome == Outcome::error ? be.error : outcome_name(br.outcome),
               dr.outcome == Outcome::error ? de.error : outcome_name(dr.outcome), bat(bp.span), dat(dp.span));
  // Requirements, in the draft's order.
  for (std::size_t i = 0; i < dp.requirements.size() && i < de.requirement_met.size(); ++i) {
    const Requirement& dq = dp.requirements[i];
    const bool dmet = de.requirement_met[i] != 0;
    std::size_t j = 0;
    while (j < bp.requirements.size() && bp.requirements[j].name != dq.name) ++j;
    const std::string name = dp.id + "." + dq.name;
    if (j == bp.requirements.size()) {
      if (!dmet) return why("requirement_added", name, "", dq.source_text, "", dat(dq.span));
      continue;
    }
    if (j >= be.requirement_met.size()) continue;
    const bool bmet = be.requirement_met[j] != 0;
    if (bmet == dmet) continue;
    const Requirement& bq = bp.requirements[j];
    return why(dmet ? "requirement_passes" : "requirement_fails", name, bq.source_text, dq.source_text, bat(bq.span), dat(dq.span));
  }
  for (std::size_t j = 0; j < bp.requirements.size() && j < be.requirement_met.size(); ++j) {
    if (be.requirement_met[j]) continue;
    const auto& bq = bp.requirements[j];
    if (std::none_of(dp.requirements.begin(), dp.requirements.end(), [&](const Requirement& q) { return q.name == bq.name; }))
      return why("requirement_removed", dp.id + "." + bq.name, bq.source_text, "", bat(bq.span), "");
  }
  // Refusing exceptions.
  const std::string bx = br.refused_by >= 0 ? b.rs->exceptions[br.refused_by].name : "";
  const std::string dx = dr.refused_by >= 0 ? d.rs->exceptions[dr.refused_by].name : "";
  if (bx != dx) {
    if (!dx.empty()) return why("exception_refuses", dx, bx, dx, "", dat(d.rs->exceptions[dr.refused_by].span));
    return why("exception_no_longer_refuses", bx, bx, "", bat(b.rs->exceptions[br.refused_by].span), "");
  }
  // The amount, step by step.
  const AmountStep* bf = find_step(be, AmountStep::Kind::Formula);
  const AmountStep* df = find_step(de, AmountStep::Kind::Formula);
  const std::string b_amount = node_text(*b.rs, bp.amount), d_amount = node_text(*d.rs, dp.amount);
  if (bf && df && bf->after != df->after) {
    if (auto w = changed_param(b, d, d_amount)) return *w;
    for (const auto& dt : de.tables) {
      const Table& t = d.rs->tables[dt.table];
      for (const auto& bt : be.tables) {
        if (b.rs->tables[bt.table].name != t.name) continue;
        const auto& brows = b.rs->tables[bt.table].rows;
        auto row_name = [](std::int32_t r) { return r < 0 ? std::string("-") : std::to_string(r + 1); };
        const std::string brt = bt.row >= 0 ? source_text(*b.rs, brows[bt.row].span) : "";
        const std::string drt = dt.row >= 0 ? source_text(*d.rs, t.rows[dt.row].span) : "";
        if (bt.row != dt.row || brt != drt)
          return why("table_row", t.name, row_name(bt.row) + (brt.empty() ? "" : ": " + brt), row_name(dt.row) + (drt.empty() ? "" : ": " + drt),
                     bt.row >= 0 ? bat(brows[bt.row].span) : bat(b.rs->tables[bt.table].span),
                     dt.row >= 0 ? dat(t.rows[dt.row].span) : dat(t.span));
        break;
      }
    }
    if (auto w = changed_param(b, d, "")) return *w;
    if (b_amount != d_amount)
      return why("formula", dp.id, b_amount, d_amount, bp.amount == kNoNode ? "" : bat(b.rs->nodes[bp.amount].span),
                 dp.amount == kNoNode ? "" : dat(d.rs->nodes[dp.amount].span));
    return why("other", dp.id, fen_text(bf->after), fen_text(df->after), bat(bp.span), dat(dp.span));
  }
  // Same formula amount: an amount exception, the minimum, the cap, the group limits.
  for (auto kind : {AmountStep::Kind::Exception, AmountStep::Kind::Minimum}) {
    std::string bs, ds, name;
    for (const auto& s : be.steps)
      if (s.kind == kind) bs += (bs.empty() ? "" : ", ") + fen_text(s.after), name = kind == AmountStep::Kind::Exception ? b.rs->exceptions[s.ref].name : name;
    for (const auto& s : de.steps)
      if (s.kind == kind) ds += (ds.empty() ? "" : ", ") + fen_text(s.after), name = kind == AmountStep::Kind::Exception ? d.rs->exceptions[s.ref].name : name;
    if (bs != ds) return why(kind == AmountStep::Kind::Exception ? "exception" : "minimum", name.empty() ? dp.id : name,
                             bs.empty() ? "-" : bs, ds.empty() ? "-" : ds, bat(bp.span), dat(dp.span));
  }
  const AmountStep* bc = find_step(be, AmountStep::Kind::Cap);
  const AmountStep* dc = find_step(de, AmountStep::Kind::Cap);
  const std::string b_cap = node_text(*b.rs, bp.cap), d_cap = node_text(*d.rs, dp.cap);
  const std::string b_cap_at = bp.cap == kNoNode ? bat(bp.span) : bat(b.rs->nodes[bp.cap].span);
  const std::string d_cap_at = dp.cap == kNoNode ? dat(dp.span) : dat(d.rs->nodes[dp.cap].span);
  if (dc && !bc) return why("cap_binds", dp.id + " cap " + d_cap, fen_text(dc->before), fen_text(dc->after), b_cap_at, d_cap_at);
  if (bc && !dc) return why("cap_released", dp.id + " cap " + b_cap, fen_text(bc->after), fen_text(dr.amount), b_cap_at, d_cap_at);
  if (bc && dc && bc->after != dc->after) {
    if (auto w = changed_param(b, d, d_cap)) {
      w->kind = "cap_changed";
      w->name = dp.id + " cap " + w->name;
      w->from = fen_text(bc->after);
      w->to = fen_text(dc->after);
      return *w;
    }
    return why("cap_changed", dp.id + " cap " + d_cap, fen_text(bc->after), fen_text(dc->after), b_cap_at, d_cap_at);
  }
  for (auto kind : {AmountStep::Kind::PayHighest, AmountStep::Kind::GroupCap}) {
    const AmountStep* bg = find_step(be, kind);
    const AmountStep* dg = find_step(de, kind);
    if (!bg && !dg) continue;
    if (bg && dg && bg->after == dg->after && b.rs->groups[bg->ref].name == d.rs->groups[dg->ref].name) continue;
    const Group& g = dg ? d.rs->groups[dg->ref] : b.rs->groups[bg->ref];
    return why(kind == AmountStep::Kind::GroupCap ? "group_cap" : "pay_highest", g.name, bg ? fen_text(bg->after) : "-",
               dg ? fen_text(dg->after) : "-", bg ? bat(b.rs->groups[bg->ref].span) : "", dg ? dat(g.span) : "");
  }
  return why("other", dp.id, std::string(outcome_name(br.outcome)) + " " + fen_text(br.amount),
             std::string(outcome_name(dr.outcome)) + " " + fen_text(dr.amount), bat(bp.span), dat(dp.span));
}

}  // namespace subsidy::eval
