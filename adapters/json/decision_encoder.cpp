#include "json/decision_encoder.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "model/date.hpp"
#include "model/money.hpp"

namespace subsidy::json {

using model::Outcome;

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string quoted(std::string_view s) {
  std::string q = "\"";
  append_escaped(q, s);
  q += '"';
  return q;
}
std::string quoted_or_empty(std::string_view s) { return s.empty() ? std::string() : quoted(s); }

const char* step_kind(eval::AmountStep::Kind k) {
  using K = eval::AmountStep::Kind;
  switch (k) {
    case K::Formula: return "formula";
    case K::Exception: return "exception";
    case K::Minimum: return "minimum";
    case K::Cap: return "cap";
    case K::GroupCap: return "group_cap";
    case K::PayHighest: return "pay_highest";
  }
  return "formula";
}

void put_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// "1234.56" (quoted) for 123456 fen.
void put_yuan(std::string& out, std::int64_t fen) {
  bool neg = fen < 0;
  std::uint64_t mag = neg ? 0ULL - static_cast<std::uint64_t>(fen) : static_cast<std::uint64_t>(fen);
  out += '"';
  if (neg) out += '-';
  put_uint(out, mag / 100);
  out += '.';
  out += static_cast<char>('0' + mag % 100 / 10);
  out += static_cast<char>('0' + mag % 10);
  out += '"';
}

// "YYYY-MM-DD" (quoted), days since 1970-01-01 (H. Hinnant's civil_from_days).
void put_date(std::string& out, model::Days days) {
  std::int64_t z = static_cast<std::int64_t>(days) + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  out += '"';
  if (y >= 0 && y <= 9999) {
    out += static_cast<char>('0' + y / 1000);
    out += static_cast<char>('0' + y / 100 % 10);
    out += static_cast<char>('0' + y / 10 % 10);
    out += static_cast<char>('0' + y % 10);
  } else {
    put_int(out, y);
  }
  out += '-';
  out += static_cast<char>('0' + m / 10);
  out += static_cast<char>('0' + m % 10);
  out += '-';
  out += static_cast<char>('0' + d / 10);
  out += static_cast<char>('0' + d % 10);
  out += '"';
}

void put_bool(std::string& out, bool b) { out += b ? "true" : "false"; }

void put_quoted(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

bool selected(const eval::Selection* sel, std::size_t i) {
  return sel == nullptr || sel->empty() || (i < sel->size() && (*sel)[i] != 0);
}

}  // namespace

void append_escaped(std::string& out, std::string_view s) {
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(u, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
}

DecisionEncoder::DecisionEncoder(const eval::Ruleset& rs) : rs_(&rs) {
  auto lbl = [](const model::Label& l) { return Lbl{quoted(l.zh), quoted(l.in(true))}; };
  programs_.reserve(rs.programs.size());
  for (const auto& p : rs.programs) {
    ProgramText t;
    t.key = quoted(p.id) + ":";
    t.title = lbl(p.title);
    t.citation = quoted(p.citation);
    t.bureau = quoted(p.bureau);
    t.source = quoted(p.source);
    t.status = eval::status_name(p.status);
    for (const auto& r : p.requirements)
      t.reqs.push_back(Req{quoted(r.name), quoted_or_empty(r.clause), quoted_or_empty(r.source_text), lbl(r.reason)});
    programs_.push_back(std::move(t));
  }
  for (const auto& e : rs.exceptions)
    exceptions_.push_back(ExceptionText{quoted(e.name), quoted_or_empty(e.citation), lbl(e.reason), lbl(e.label)});
  for (const auto& g : rs.groups) groups_.push_back(GroupText{quoted(g.name), quoted_or_empty(g.citation), lbl(g.label)});
  for (const auto& p : rs.params) {
    ParamText t;
    t.name = quoted(p.name);
    for (const auto& v : p.values) {
      std::string value;
      switch (p.type.kind) {
        case model::Kind::Money: value = model::format_yuan(v.value); break;
        case model::Kind::Decimal: value = model::format_decimal(v.value); break;
        case model::Kind::Bool: value = v.value ? "true" : "false"; break;
        case model::Kind::Date: value = model::format_date(static_cast<model::Days>(v.value)); break;
        case model::Kind::Enum:
          if (p.type.enum_id < rs.schema.enums.size() && v.value >= 0 &&
              static_cast<std::size_t>(v.value) < rs.schema.enums[p.type.enum_id].values.size()) {
            value = rs.schema.enums[p.type.enum_id].values[static_cast<std::size_t>(v.value)].name;
            break;
          }
          value = std::to_string(v.value);
          break;
        default: value = std::to_string(v.value); break;
      }
      t.values.push_back(ParamValueText{quoted(value), quoted(model::format_date(v.from)), quoted(v.source), eval::status_name(v.status)});
    }
    params_.push_back(std::move(t));
  }
  for (const auto& t : rs.tables) tables_.push_back(TableText{quoted(t.name)});
  prerender();
}

void DecisionEncoder::prerender() {
  for (std::size_t i = 0; i < programs_.size(); ++i) {
    ProgramText& t = programs_[i];
    model::ProgramResult r;
    r.outcome = Outcome::not_in_effect;
    append_program(t.not_in_effect, i, r, nullptr, false);
    r.outcome = Outcome::refused;
    for (std::size_t x = 0; x < exceptions_.size(); ++x) {
      r.refused_by = static_cast<std::int32_t>(x);
      std::string frag;
      append_program(frag, i, r, nullptr, false);
      t.refused_by_exception.push_back(std::move(frag));
    }
    r.refused_by = -1;
    if (t.reqs.size() <= kMaskCache) {
      std::size_t masks = std::size_t{1} << t.reqs.size();
      t.refused_by_mask.resize(masks);
      for (std::size_t m = 1; m < masks; ++m) {
        r.failed = m;
        append_program(t.refused_by_mask[m], i, r, nullptr, false);
      }
    }
    r = model::ProgramResult{};
    r.outcome = Outcome::eligible;
    std::string full;
    append_program(full, i, r, nullptr, false);
    t.eligible_prefix = full.substr(0, full.find("\"amount_fen\":") + std::string("\"amount_fen\":").size());
  }
}

bool DecisionEncoder::append_cached(std::string& out, std::size_t i, const model::ProgramResult& r) const {
  const ProgramText& t = programs_[i];
  switch (r.outcome) {
    case Outcome::not_in_effect: out += t.not_in_effect; return true;
    case Outcome::refused:
      if (r.limited_by >= 0) return false;
      if (r.refused_by >= 0) {
        if (static_cast<std::size_t>(r.refused_by) >= t.refused_by_exception.size()) return false;
        out += t.refused_by_exception[static_cast<std::size_t>(r.refused_by)];
        return true;
      }
      if (r.failed == 0 || r.failed >= t.refused_by_mask.size()) return false;
      out += t.refused_by_mask[r.failed];
      return true;
    case Outcome::eligible:
      if (r.limited_by >= 0) return false;
      out += t.eligible_prefix;
      put_int(out, r.amount);
      out += ",\"amount\":";
      put_yuan(out, r.amount);
      if (r.illustrative) out += ",\"illustrative\":true";
      out += '}';
      return true;
    case Outcome::error:
    case Outcome::capped: return false;
  }
  return false;
}

void DecisionEncoder::append_json(std::string& out, std::string_view id, const model::Decision& d, model::Days as_of,
                                  const eval::Explanation* ex, bool english, const eval::Selection* selection) const {
  append_id(out, id);
  out += ",\"as_of\":";
  put_date(out, as_of);
  out += ",\"programs\":{";
  bool first = true;
  std::size_t n = std::min(programs_.size(), d.programs.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!selected(selection, i)) continue;
    if (!first) out += ',';
    first = false;
    const eval::ProgramExplanation* px = ex && i < ex->programs.size() ? &ex->programs[i] : nullptr;
    if (!px && append_cached(out, i, d.programs[i])) continue;
    append_program(out, i, d.programs[i], px, english);
  }
  out += "},\"total_fen\":";
  put_int(out, d.total);
  out += ",\"total\":";
  put_yuan(out, d.total);
  out += ",\"total_before_caps_fen\":";
  put_int(out, d.total_before_caps);
  out += ",\"total_before_caps\":";
  put_yuan(out, d.total_before_caps);
  out += ",\"capped\":";
  put_bool(out, d.capped);
  out += ",\"caps\":[";
  first = true;
  for (auto gi : d.caps) {
    if (gi >= groups_.size()) continue;
    if (!first) out += ',';
    first = false;
    out += groups_[gi].name;
  }
  out += "],\"illustrative\":";
  put_bool(out, d.illustrative);
  out += ",\"errors\":[";
  append_error_ids(out, d, selection);
  out += "]}\n";
}

void DecisionEncoder::append_id(std::string& out, std::string_view id) const {
  out += "{\"id\":";
  if (id.empty())
    out += "null";
  else
    put_quoted(out, id);
}

void DecisionEncoder::append_error_ids(std::string& out, const model::Decision& d, const eval::Selection* selection) const {
  if (!d.errors) return;
  bool first = true;
  std::size_t n = std::min(programs_.size(), d.programs.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (d.programs[i].outcome != Outcome::error || !selected(selection, i)) continue;
    if (!first) out += ',';
    first = false;
    out.append(programs_[i].key.data(), programs_[i].key.size() - 1);  // the quoted id, without the ':'
  }
}

void DecisionEncoder::append_summary(std::string& out, std::string_view id, const model::Decision& d,
                                     const eval::Selection* selection) const {
  append_id(out, id);
  out += ",\"programs\":{";
  bool first = true;
  std::size_t n = std::min(programs_.size(), d.programs.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!selected(selection, i)) continue;
    if (!first) out += ',';
    first = false;
    out += programs_[i].key;
    out += "{\"outcome\":\"";
    out += model::outcome_name(d.programs[i].outcome);
    out += "\",\"amount_fen\":";
    put_int(out, d.programs[i].amount);
    out += '}';
  }
  out += "},\"total_fen\":";
  put_int(out, d.total);
  out += ",\"capped\":";
  put_bool(out, d.capped);
  out += ",\"errors\":[";
  append_error_ids(out, d, selection);
  out += "]}\n";
}

void DecisionEncoder::append_program(std::string& out, std::size_t i, const model::ProgramResult& r,
                                     const eval::ProgramExplanation* px, bool english) const {
  const ProgramText& p = programs_[i];
  const bool explain = px != nullptr;
  out += p.key;
  out += "{\"outcome\":\"";
  out += model::outcome_name(r.outcome);
  out += "\",\"eligible\":";
  put_bool(out, r.outcome == Outcome::eligible);
  out += ",\"amount_fen\":";
  put_int(out, r.amount);
  out += ",\"amount\":";
  put_yuan(out, r.amount);
  const bool has_group = r.limited_by >= 0 && static_cast<std::size_t>(r.limited_by) < groups_.size();
  if ((r.outcome == Outcome::eligible || r.outcome == Outcome::capped) && has_group) {
    out += ",\"limited_by\":";
    out += groups_[static_cast<std::size_t>(r.limited_by)].name;
  }
  if (r.illustrative) out += ",\"illustrative\":true";

  // A reason's (or a capped programme's) clause, and with an explanation its text.
  auto clause_and_text = [&](const std::string& clause, const auto& text) {
    if (!clause.empty()) {
      out += ",\"clause\":";
      out += clause;
    }
    if (explain) {
      out += ",\"text\":";
      out += text.in(english);
    }
  };
  if (r.outcome == Outcome::refused) {
    out += ",\"reasons\":[";
    if (r.refused_by >= 0 && static_cast<std::size_t>(r.refused_by) < exceptions_.size()) {
      const auto& e = exceptions_[static_cast<std::size_t>(r.refused_by)];
      out += "{\"exception\":";
      out += e.name;
      clause_and_text(e.citation, e.reason);
      out += '}';
    } else if (r.failed != 0) {
      bool f = true;
      for (std::size_t k = 0; k < p.reqs.size() && k < 64; ++k) {
        if (!(r.failed >> k & 1U)) continue;
        if (!f) out += ',';
        f = false;
        const Req& q = p.reqs[k];
        out += "{\"requirement\":";
        out += q.name;
        clause_and_text(q.clause, q.reason);
        out += '}';
      }
    } else if (has_group && r.amount == 0) {
      const auto& g = groups_[static_cast<std::size_t>(r.limited_by)];
      out += "{\"group\":";
      out += g.name;
      clause_and_text(g.citation, g.label);
      out += '}';
    }
    out += ']';
  } else if (r.outcome == Outcome::capped && has_group) {
    const auto& g = groups_[static_cast<std::size_t>(r.limited_by)];
    clause_and_text(g.citation, g.label);
  } else if (r.outcome == Outcome::error) {
    // Error outcomes are rare; only they may allocate (for the message).
    out += ",\"error\":";
    if (px && !px->error.empty())
      put_quoted(out, px->error);
    else
      put_quoted(out, eval::error_message(*rs_, r, english));
    if (r.error_group >= 0 && static_cast<std::size_t>(r.error_group) < groups_.size()) {
      out += ",\"error_group\":";
      out += groups_[static_cast<std::size_t>(r.error_group)].name;
    }
    if (r.error_kind != 0) {
      out += ",\"error_kind\":\"";
      out += eval::error_kind_name(static_cast<eval::EvalError>(r.error_kind));
      out += '"';
    }
  }

  if (explain) {
    out += ",\"title\":";
    out += p.title.in(english);
    out += ",\"citation\":";
    out += p.citation;
    out += ",\"bureau\":";
    out += p.bureau;
    out += ",\"source\":";
    out += p.source;
    out += ",\"status\":\"";
    out += p.status;
    out += "\",\"requirements\":[";
    std::size_t nreq = std::min(p.reqs.size(), px->requirement_met.size());
    for (std::size_t k = 0; k < nreq; ++k) {
      if (k) out += ',';
      const Req& q = p.reqs[k];
      out += "{\"name\":";
      out += q.name;
      out += ",\"met\":";
      put_bool(out, px->requirement_met[k] != 0);
      if (!q.clause.empty()) {
        out += ",\"clause\":";
        out += q.clause;
      }
      if (!q.condition.empty()) {
        out += ",\"condition\":";
        out += q.condition;
      }
      out += '}';
    }
    out += "],\"parameters\":[";
    bool f = true;
    for (const auto& use : px->params) {
      if (use.param >= params_.size() || use.value_index >= params_[use.param].values.size()) continue;
      if (!f) out += ',';
      f = false;
      const auto& pt = params_[use.param];
      const auto& v = pt.values[use.value_index];
      out += "{\"name\":";
      out += pt.name;
      out += ",\"value\":";
      out += v.value;
      out += ",\"valid_from\":";
      out += v.from;
      out += ",\"status\":\"";
      out += v.status;
      out += "\",\"source\":";
      out += v.source;
      out += '}';
    }
    out += "],\"tables\":[";
    f = true;
    for (const auto& hit : px->tables) {
      if (hit.table >= tables_.size()) continue;
      if (!f) out += ',';
      f = false;
      out += "{\"name\":";
      out += tables_[hit.table].name;
      out += ",\"row\":";
      if (hit.row < 0)
        out += "null";
      else
        put_int(out, hit.row);
      out += '}';
    }
    out += "],\"steps\":[";
    f = true;
    for (const auto& s : px->steps) {
      if (!f) out += ',';
      f = false;
      out += "{\"kind\":\"";
      out += step_kind(s.kind);
      out += "\",\"before_fen\":";
      put_int(out, s.before);
      out += ",\"after_fen\":";
      put_int(out, s.after);
      using K = eval::AmountStep::Kind;
      if (s.kind == K::Exception && s.ref < exceptions_.size()) {
        out += ",\"ref\":";
        out += exceptions_[s.ref].name;
      } else if ((s.kind == K::GroupCap || s.kind == K::PayHighest) && s.ref < groups_.size()) {
        out += ",\"ref\":";
        out += groups_[s.ref].name;
      }
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

void DecisionEncoder::append_error(std::string& out, std::size_t line, std::string_view id, const DecodeError& err) {
  out += "{\"line\":";
  put_uint(out, line);
  out += ",\"id\":";
  if (id.empty())
    out += "null";
  else
    put_quoted(out, id);
  out += ",\"error\":{\"code\":";
  put_quoted(out, err.code);
  out += ",\"field\":";
  if (err.field.empty())
    out += "null";
  else
    put_quoted(out, err.field);
  out += ",\"message\":";
  put_quoted(out, err.message);
  out += "}}\n";
}

}  // namespace subsidy::json
