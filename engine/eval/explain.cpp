// Readable explanations of a Decision for officers, in Chinese or English, from the rule files' labels.
#include <string>

#include "eval/evaluate.hpp"
#include "model/money.hpp"

namespace subsidy::eval {

namespace {

struct Words {
  const char* eligible;
  const char* refused;
  const char* not_in_effect;
  const char* error;
  const char* amount;
  const char* requirements;
  const char* formula;
  const char* parameters;
  const char* valid_from;
  const char* source;
  const char* exception;
  const char* minimum;
  const char* cap;
  const char* group_cap;
  const char* pay_highest;
  const char* citation;
  const char* bureau;
  const char* illustrative;
  const char* total;
  const char* total_capped;
  const char* refused_by;
  const char* clause;
  const char* as_of;
  const char* table;
  const char* no_row;
  const char* effective;
  const char* capped;
  const char* caps_applied;
  const char* before_caps;
  const char* in_error;
};

const Words kZh{"符合条件", "不予支持", "不在有效期内", "计算出错", "金额", "条件", "计算公式", "参数", "自", "来源", "例外",
                "最低额", "上限", "组合限额", "就高不重复", "政策依据", "主管部门",
                "注意：该金额依据示意性数值（[I]，非正式政策数额），发布前须核实", "合计", "合计已按上限封顶", "例外规则",
                "条款", "评估日期", "决策表", "无匹配行", "有效期", "符合条件，但组合限额已用尽，不再拨付",
                "适用的限额", "限额前合计", "计算出错的项目（本决定不完整，不得据此拨付）"};
const Words kEn{"eligible", "refused", "not in effect", "evaluation error", "amount", "requirements", "formula",
                "parameters", "valid from", "source", "exception", "minimum", "cap", "group limit",
                "highest only (就高不重复)",
                "citation", "bureau",
                "note: this amount relies on an illustrative figure ([I], not an official policy amount); verify before release",
                "total", "total capped", "exception", "clause", "evaluation date", "table", "no matching row", "in effect",
                "eligible, but the shared group cap left nothing to pay", "caps applied", "total before caps",
                "programmes in error (this decision is incomplete; do not pay out on it)"};

std::string money(std::int64_t fen) { return model::format_yuan(fen) + "元"; }

std::string param_value(const Param& p, std::int64_t v) {
  switch (p.type.kind) {
    case model::Kind::Money: return money(v);
    case model::Kind::Decimal: return model::format_percent(v);
    case model::Kind::Date: return model::format_date(static_cast<Days>(v));
    case model::Kind::Bool: return v ? "true" : "false";
    default: return std::to_string(v);
  }
}

}  // namespace

std::string param_value_text(const Param& p, std::int64_t v) { return param_value(p, v); }

std::string explain_text(const Ruleset& rs, const model::Decision& d, const Explanation& ex, bool en, const Selection* sel) {
  const Words& w = en ? kEn : kZh;
  std::string o;
  o += std::string(w.as_of) + (en ? ": " : "：") + model::format_date(ex.as_of) + "\n";
  for (std::size_t pi = 0; pi < rs.programs.size(); ++pi) {
    if (sel && !sel->empty() && !(*sel)[pi]) continue;
    const Program& p = rs.programs[pi];
    const auto& r = d.programs[pi];
    const auto& pe = ex.programs[pi];
    o += "\n" + p.id + " " + p.title.in(en) + " — ";
    switch (r.outcome) {
      case model::Outcome::eligible: o += std::string(w.eligible) + ", " + w.amount + " " + money(r.amount); break;
      case model::Outcome::refused: o += w.refused; break;
      case model::Outcome::not_in_effect: o += w.not_in_effect; break;
      case model::Outcome::error: o += w.error; break;
      case model::Outcome::capped: {
        o += w.capped;
        if (r.limited_by >= 0) o += " (" + rs.groups[static_cast<std::size_t>(r.limited_by)].name + ")";
        break;
      }
    }
    o += "\n";
    if (r.outcome == model::Outcome::not_in_effect) {
      o += "  " + std::string(w.effective) + ": " +
           (p.effective_from == INT32_MIN ? std::string("…") : model::format_date(p.effective_from)) + " – " +
           (p.effective_to == INT32_MAX ? std::string("…") : model::format_date(p.effective_to)) + "\n";
      continue;
    }
    if (!p.bureau.empty()) o += "  " + std::string(w.bureau) + ": " + p.bureau + "\n";
    if (!p.requirements.empty() && !pe.requirement_met.empty()) {
      o += "  " + std::string(w.requirements) + ":\n";
      for (std::size_t i = 0; i < p.requirements.size() && i < pe.requirement_met.size(); ++i) {
        const auto& q = p.requirements[i];
        if (pe.requirement_met[i]) {
          o += "    ✓ " + q.name + " (" + q.source_text + ")\n";
        } else {
          o += "    ✗ " + q.name + ": " + q.reason.in(en);
          if (!q.clause.empty()) o += " [" + std::string(w.clause) + " " + q.clause + "]";
          o += "\n";
        }
      }
    }
    if (r.refused_by >= 0) {
      const auto& x = rs.exceptions[static_cast<std::size_t>(r.refused_by)];
      o += "  ✗ " + std::string(w.refused_by) + " " + x.name + " (" + x.label.in(en) + "): " + x.reason.in(en);
      if (!x.citation.empty()) o += " [" + x.citation + "]";
      o += "\n";
    }
    if (r.outcome == model::Outcome::error) {
      // No amount line: an error has no amount, not 0.
      if (!p.amount_text.empty()) o += "  " + std::string(w.formula) + ": " + p.amount_text + "\n";
      o += "  ! " + (pe.error.empty() ? error_message(rs, r, en) : pe.error) + "\n";
    } else if (!pe.steps.empty()) {
      o += "  " + std::string(w.formula) + ": " + p.amount_text + "\n";
      for (const auto& t : pe.tables) {
        const auto& tb = rs.tables[t.table];
        o += "    " + std::string(w.table) + " " + tb.name + " (" + tb.label.in(en) + "): " +
             (t.row >= 0 ? "#" + std::to_string(t.row + 1) : std::string(w.no_row)) + "\n";
      }
      for (const auto& s : pe.steps) {
        switch (s.kind) {
          case AmountStep::Kind::Formula: o += "    = " + money(s.after) + "\n"; break;
          case AmountStep::Kind::Exception: {
            const auto& x = rs.exceptions[s.ref];
            o += "    " + std::string(w.exception) + " " + x.name + " (" + x.label.in(en) + "): " + x.amount_text + " → " +
                 money(s.after) + (x.citation.empty() ? "" : " [" + x.citation + "]") + "\n";
            break;
          }
          case AmountStep::Kind::Minimum: o += "    " + std::string(w.minimum) + ": " + money(s.before) + " → " + money(s.after) + "\n"; break;
          case AmountStep::Kind::Cap: o += "    " + std::string(w.cap) + ": " + money(s.before) + " → " + money(s.after) + "\n"; break;
          case AmountStep::Kind::GroupCap:
          case AmountStep::Kind::PayHighest: {
            const auto& g = rs.groups[s.ref];
            o += "    " + std::string(s.kind == AmountStep::Kind::GroupCap ? w.group_cap : w.pay_highest) + " " + g.name + " (" +
                 g.label.in(en) + "): " + money(s.before) + " → " + money(s.after) +
                 (g.citation.empty() ? "" : " [" + g.citation + "]") + "\n";
            break;
          }
        }
      }
    }
    if (!pe.params.empty()) {
      o += "  " + std::string(w.parameters) + ":\n";
      for (const auto& u : pe.params) {
        const auto& prm = rs.params[u.param];
        const auto& v = prm.values[u.value_index];
        o += "    " + prm.name + " (" + prm.label.in(en) + ") = " + param_value(prm, v.value) + ", " + w.valid_from + " " +
             model::format_date(v.from) + "; " + w.source + " " + v.source + " " + status_tag(v.status) + "\n";
      }
    }
    if (!p.citation.empty())
      o += "  " + std::string(w.citation) + ": " + p.citation + (p.source.empty() ? "" : "; " + std::string(w.source) + " " + p.source) +
           " " + status_tag(p.status) + "\n";
    if (r.outcome == model::Outcome::eligible && r.illustrative) o += "  " + std::string(w.illustrative) + "\n";
  }
  o += "\n" + std::string(w.total) + (en ? ": " : "：") + money(d.total);
  if (d.capped) o += " (" + std::string(w.total_capped) + ")";
  o += "\n";
  if (!d.caps.empty()) {
    o += std::string(w.before_caps) + (en ? ": " : "：") + money(d.total_before_caps) + "\n";
    o += std::string(w.caps_applied) + (en ? ":" : "：");
    for (auto gi : d.caps) {
      const auto& g = rs.groups[gi];
      o += " " + g.name + " (" + g.label.in(en) + ")" + (g.citation.empty() ? "" : " [" + g.citation + "]");
    }
    o += "\n";
  }
  if (d.errors) {
    o += std::string(w.in_error) + (en ? ":" : "：");
    for (std::size_t pi = 0; pi < rs.programs.size(); ++pi)
      if (d.programs[pi].outcome == model::Outcome::error && (!sel || sel->empty() || (*sel)[pi])) o += " " + rs.programs[pi].id;
    o += "\n";
  }
  return o;
}

}  // namespace subsidy::eval
