#include "json/fact_decoder.hpp"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <limits>
#include <unordered_map>

#include "model/date.hpp"
#include "model/money.hpp"

namespace subsidy::json {

static_assert(FactDecoder::kPadding == simdjson::SIMDJSON_PADDING, "FactDecoder::kPadding must equal SIMDJSON_PADDING");

namespace od = simdjson::ondemand;
using model::Kind;

namespace {

struct SvHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <class V>
using SvMap = std::unordered_map<std::string, V, SvHash, std::equal_to<>>;

struct FieldInfo {
  Kind kind = Kind::Int;
  bool optional = false;
  std::uint32_t enum_id = 0;
  std::string expected;  // "integer", "OrgType", "array of strings" … for wrong_type messages
};

struct EnumInfo {
  SvMap<int> index;
  std::vector<std::string> names;  // by value index: small enums are searched linearly
  std::string name;
  std::string allowed;  // "enterprise, university, institute"
};

const char* json_type_name(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "array";
    case od::json_type::object: return "object";
    case od::json_type::number: return "number";
    case od::json_type::string: return "string";
    case od::json_type::boolean: return "boolean";
    case od::json_type::null: return "null";
  }
  return "value";
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A number token split per the JSON grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
struct NumTok {
  bool neg = false;
  std::string_view ip, fp;  // integer and fraction digits
  bool has_frac = false, has_exp = false;
  std::int64_t exp = 0;     // clamped to ±100000
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool lex_number(std::string_view s, NumTok& t) {
  t = NumTok{};
  std::size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') {
    t.neg = true;
    ++i;
  }
  std::size_t b = i;
  while (i < n && is_digit(s[i])) ++i;
  if (i == b) return false;
  if (i - b > 1 && s[b] == '0') return false;  // leading zero
  t.ip = s.substr(b, i - b);
  if (i < n && s[i] == '.') {
    ++i;
    b = i;
    while (i < n && is_digit(s[i])) ++i;
    if (i == b) return false;
    t.has_frac = true;
    t.fp = s.substr(b, i - b);
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    b = i;
    std::int64_t e = 0;
    while (i < n && is_digit(s[i])) {
      if (e < 100000) e = e * 10 + (s[i] - '0');
      ++i;
    }
    if (i == b) return false;
    t.has_exp = true;
    t.exp = eneg ? -e : e;
  }
  return i == n;
}

enum class Scaled { ok, too_precise, overflow };

// value × 10^scale_pow, exactly, as an int64.
Scaled to_scaled(const NumTok& t, int scale_pow, std::int64_t& out) {
  // The digit sequence ip ++ fp, its exponent, without leading and trailing zeros.
  auto at = [&](std::size_t k) { return k < t.ip.size() ? t.ip[k] : t.fp[k - t.ip.size()]; };
  std::size_t total = t.ip.size() + t.fp.size();
  std::size_t first = 0;
  while (first < total && at(first) == '0') ++first;
  if (first == total) {
    out = 0;
    return Scaled::ok;
  }
  std::size_t last = total;  // one past the last significant digit
  while (at(last - 1) == '0') --last;
  std::int64_t e = t.exp - static_cast<std::int64_t>(t.fp.size()) + scale_pow + static_cast<std::int64_t>(total - last);
  if (e < 0) return Scaled::too_precise;
  if (static_cast<std::int64_t>(last - first) + e > 19) return Scaled::overflow;
  std::int64_t v = 0;
  for (std::size_t k = first; k < last; ++k) {
    if (__builtin_mul_overflow(v, std::int64_t{10}, &v) || __builtin_add_overflow(v, std::int64_t{at(k) - '0'}, &v))
      return Scaled::overflow;
  }
  for (std::int64_t k = 0; k < e; ++k)
    if (__builtin_mul_overflow(v, std::int64_t{10}, &v)) return Scaled::overflow;
  out = t.neg ? -v : v;
  return Scaled::ok;
}

// Strict money string: -?[0-9]+(\.[0-9]{1,2})?
enum class MoneyText { ok, syntax, too_precise };
MoneyText check_money_text(std::string_view s) {
  std::size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  std::size_t b = i;
  while (i < n && is_digit(s[i])) ++i;
  if (i == b) return MoneyText::syntax;
  if (i == n) return MoneyText::ok;
  if (s[i] != '.') return MoneyText::syntax;
  b = ++i;
  while (i < n && is_digit(s[i])) ++i;
  if (i != n || i == b) return MoneyText::syntax;
  return i - b > 2 ? MoneyText::too_precise : MoneyText::ok;
}

std::string_view clip(std::string_view s) { return s.size() > 40 ? s.substr(0, 40) : s; }

}  // namespace

struct FactDecoder::Impl {
  const eval::Ruleset* rs;
  SvMap<std::uint32_t> slot_of;
  // Records of one feed list their keys in the same order: the slot seen at each key position in
  // the previous record is tried first, and the hash map only on a miss.
  std::vector<std::uint32_t> predicted;
  std::vector<FieldInfo> fields;     // by slot
  std::vector<EnumInfo> enums;       // by enum id
  std::vector<std::uint32_t> required;
  std::vector<std::uint32_t> set_slots;   // TextSet slots
  std::vector<std::uint32_t> seen;        // generation stamp per slot
  std::vector<std::uint32_t> set_used;    // elements written this record, per slot (TextSet only)
  std::vector<std::string> spare;          // set-of-text element strings kept for reuse
  std::uint32_t gen = 0;
  od::parser parser;
  std::string buffer;  // padded copy of the record when the caller cannot guarantee padding

  Impl(const eval::Ruleset& r, const eval::Selection* selection) : rs(&r) {
    const auto& schema = r.schema;
    enums.resize(schema.enums.size());
    for (std::size_t e = 0; e < schema.enums.size(); ++e) {
      const auto& def = schema.enums[e];
      enums[e].name = def.name;
      for (std::size_t v = 0; v < def.values.size(); ++v) {
        enums[e].index.emplace(def.values[v].name, static_cast<int>(v));
        enums[e].names.push_back(def.values[v].name);
        if (v) enums[e].allowed += ", ";
        enums[e].allowed += def.values[v].name;
      }
    }
    std::size_t n = schema.facts.size();
    fields.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& f = schema.facts[i];
      auto& info = fields[f.slot];
      info.kind = f.type.kind;
      info.optional = f.type.optional;
      info.enum_id = f.type.enum_id;
      const std::string enum_name =
          (f.type.kind == Kind::Enum || f.type.kind == Kind::EnumSet) && f.type.enum_id < schema.enums.size()
              ? schema.enums[f.type.enum_id].name
              : std::string("enum");
      switch (f.type.kind) {
        case Kind::Bool: info.expected = "boolean"; break;
        case Kind::Int: info.expected = "integer"; break;
        case Kind::Money:
        case Kind::RawMoney: info.expected = "money (an integer number of yuan, or a string such as \"1234.56\")"; break;
        case Kind::Decimal: info.expected = "decimal (a number, or a string such as \"0.125\" or \"12.5%\")"; break;
        case Kind::Date: info.expected = "date (a string \"YYYY-MM-DD\")"; break;
        case Kind::Text: info.expected = "string"; break;
        case Kind::Enum: info.expected = enum_name + " (a string)"; break;
        case Kind::TextSet: info.expected = "array of strings"; break;
        case Kind::EnumSet: info.expected = "array of " + enum_name + " values"; break;
        case Kind::Error: info.expected = "<error>"; break;
      }
      if (f.name != "id") slot_of.emplace(f.name, f.slot);
      if (f.type.kind == Kind::TextSet) set_slots.push_back(f.slot);
    }
    std::vector<std::uint8_t> needed(n, 0);
    bool all = selection == nullptr || selection->empty();
    for (std::size_t p = 0; p < r.programs.size(); ++p) {
      if (!all && (p >= selection->size() || !(*selection)[p])) continue;
      for (auto slot : r.programs[p].facts_used)
        if (slot < n) needed[slot] = 1;
    }
    for (const auto& f : schema.facts)  // declaration order
      if (needed[f.slot] && !f.type.optional && f.name != "id") required.push_back(f.slot);
    seen.assign(n, 0);
    set_used.assign(n, 0);
  }

  // ---- error helpers ---------------------------------------------------------------------------
  static bool fail(DecodeError& err, const char* code, std::string_view field, std::string_view message) {
    err.code = code;
    err.field.assign(field);
    err.message.assign(message);
    return false;
  }
  static bool malformed(DecodeError& err, simdjson::error_code e, std::string_view field = {}) {
    return fail(err, "malformed_json", field, simdjson::error_message(e));
  }
  bool wrong_type(DecodeError& err, std::string_view key, const FieldInfo& info, od::json_type got,
                  std::string_view token = {}) {
    std::string m = "expected ";
    m += info.expected;
    m += ", got ";
    m += json_type_name(got);
    if (!token.empty()) {
      m += ' ';
      m += clip(token);
    }
    return fail(err, "wrong_type", key, m);
  }

  // ---- record lifecycle ------------------------------------------------------------------------
  void begin(model::Facts& out) {
    std::size_t n = fields.size();
    if (out.values.size() != n || out.present.size() != n || out.texts.size() != n || out.sets.size() != n ||
        out.enum_sets.size() != n)
      out.resize(n);
    // Like Facts::clear(), but set-of-text elements are kept until overwritten (finish() trims them
    // into `spare`), so their string buffers are reused record after record.
    std::fill(out.values.begin(), out.values.end(), 0);
    std::fill(out.present.begin(), out.present.end(), 0);
    std::fill(out.enum_sets.begin(), out.enum_sets.end(), 0);
    for (auto& t : out.texts) t.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (fields[i].kind != Kind::TextSet) out.sets[i].clear();
    for (auto s : set_slots) set_used[s] = 0;
    if (++gen == 0) {
      std::fill(seen.begin(), seen.end(), 0);
      gen = 1;
    }
  }
  void finish(model::Facts& out) {
    for (auto s : set_slots) {
      auto& v = out.sets[s];
      while (v.size() > set_used[s]) {  // keep the strings' buffers for later records
        spare.push_back(std::move(v.back()));
        v.pop_back();
      }
    }
  }

  // ---- values ----------------------------------------------------------------------------------
  bool read_value(od::value& v, std::string_view key, std::uint32_t slot, model::Facts& out, DecodeError& err) {
    const FieldInfo& info = fields[slot];
    od::json_type t;
    if (auto e = v.type().get(t)) return malformed(err, e, key);
    if (t == od::json_type::null) {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null); e || !is_null) return malformed(err, e ? e : simdjson::N_ATOM_ERROR, key);
      if (info.optional) return true;  // explicitly absent
      std::string m = "expected ";
      m += info.expected;
      m += ", got null (the fact is not optional)";
      return fail(err, "wrong_type", key, m);
    }
    switch (info.kind) {
      case Kind::Bool: {
        if (t != od::json_type::boolean) return wrong_type(err, key, info, t, number_token(v, t));
        bool b = false;
        if (auto e = v.get_bool().get(b)) return malformed(err, e, key);
        out.set(slot, b ? 1 : 0);
        return true;
      }
      case Kind::Int: {
        if (t != od::json_type::number) return wrong_type(err, key, info, t);
        if (std::int64_t fast = 0; v.get_int64().get(fast) == simdjson::SUCCESS) {
          out.set(slot, fast);
          return true;
        }
        NumTok nt;
        std::string_view tok;
        if (!number(v, key, nt, tok, err)) return false;
        if (nt.has_frac || nt.has_exp) return wrong_type(err, key, info, t, tok);
        std::int64_t x = 0;
        auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), x);
        if (ec != std::errc{} || p != tok.data() + tok.size())
          return fail(err, "out_of_range", key, std::string("integer out of range: ").append(clip(tok)));
        out.set(slot, x);
        return true;
      }
      case Kind::Money:
      case Kind::RawMoney: {
        if (t == od::json_type::number) {
          std::int64_t yuan = 0, fen = 0;
          if (v.get_int64().get(yuan) == simdjson::SUCCESS && !__builtin_mul_overflow(yuan, model::kFenPerYuan, &fen)) {
            out.set(slot, fen);
            return true;
          }
          NumTok nt;
          std::string_view tok;
          if (!number(v, key, nt, tok, err)) return false;
          if (nt.has_frac || nt.has_exp) {
            std::string m = "money must be an integer number of yuan or a string with at most 2 decimals; got number ";
            m += clip(tok);
            m += " — send amounts with fen as a string, e.g. \"1234.56\"";
            return fail(err, "wrong_type", key, m);
          }
          auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), yuan);
          if (ec != std::errc{} || p != tok.data() + tok.size() || __builtin_mul_overflow(yuan, model::kFenPerYuan, &fen))
            return fail(err, "out_of_range", key, std::string("money out of range: ").append(clip(tok)));
          out.set(slot, fen);
          return true;
        }
        if (t != od::json_type::string) return wrong_type(err, key, info, t, number_token(v, t));
        std::string_view s;
        if (auto e = v.get_string().get(s)) return malformed(err, e, key);
        switch (check_money_text(s)) {
          case MoneyText::syntax:
            return fail(err, "bad_number", key,
                        std::string("not a money amount in yuan: \"").append(clip(s)).append("\" (expected e.g. \"1234.56\")"));
          case MoneyText::too_precise:
            return fail(err, "bad_number", key,
                        std::string("money has more than 2 decimals (finer than 1 fen): \"").append(clip(s)).append("\""));
          case MoneyText::ok: break;
        }
        auto fen = model::parse_yuan(s);
        if (!fen) return fail(err, "out_of_range", key, std::string("money out of range: \"").append(clip(s)).append("\""));
        out.set(slot, *fen);
        return true;
      }
      case Kind::Decimal: {
        NumTok nt;
        std::string_view tok;
        int scale = 6;
        if (t == od::json_type::number) {
          if (!number(v, key, nt, tok, err)) return false;
        } else if (t == od::json_type::string) {
          if (auto e = v.get_string().get(tok)) return malformed(err, e, key);
          std::string_view body = tok;
          if (!body.empty() && body.back() == '%') {
            body.remove_suffix(1);
            scale = 4;
          }
          if (!lex_number(body, nt))
            return fail(err, "bad_number", key,
                        std::string("not a decimal number: \"").append(clip(tok)).append("\" (expected e.g. \"0.125\" or \"12.5%\")"));
        } else {
          return wrong_type(err, key, info, t);
        }
        std::int64_t x = 0;
        switch (to_scaled(nt, scale, x)) {
          case Scaled::ok: break;
          case Scaled::too_precise:
            return fail(err, "bad_number", key,
                        std::string("decimal has more than 6 decimal places: ").append(clip(tok)));
          case Scaled::overflow:
            return fail(err, "out_of_range", key, std::string("decimal out of range: ").append(clip(tok)));
        }
        out.set(slot, x);
        return true;
      }
      case Kind::Date: {
        if (t != od::json_type::string) return wrong_type(err, key, info, t, number_token(v, t));
        std::string_view s;
        if (auto e = v.get_string().get(s)) return malformed(err, e, key);
        auto d = model::parse_date(s);
        if (!d)
          return fail(err, "bad_date", key,
                      std::string("not a calendar date \"YYYY-MM-DD\": \"").append(clip(s)).append("\""));
        out.set(slot, *d);
        return true;
      }
      case Kind::Text: {
        if (t != od::json_type::string) return wrong_type(err, key, info, t, number_token(v, t));
        std::string_view s;
        if (auto e = v.get_string().get(s)) return malformed(err, e, key);
        out.texts[slot].assign(s);
        out.present[slot] = 1;
        return true;
      }
      case Kind::Enum: {
        if (t != od::json_type::string) return wrong_type(err, key, info, t, number_token(v, t));
        std::string_view s;
        if (auto e = v.get_string().get(s)) return malformed(err, e, key);
        int idx = enum_index(info.enum_id, s);
        if (idx < 0) return bad_enum(err, key, info.enum_id, s);
        out.set(slot, idx);
        return true;
      }
      case Kind::TextSet:
      case Kind::EnumSet: {
        if (t != od::json_type::array) return wrong_type(err, key, info, t, number_token(v, t));
        od::array arr;
        if (auto e = v.get_array().get(arr)) return malformed(err, e, key);
        std::uint64_t mask = 0;
        auto& vec = out.sets[slot];
        std::uint32_t used = 0;
        for (auto elem_r : arr) {
          od::value elem;
          if (auto e = std::move(elem_r).get(elem)) return malformed(err, e, key);
          od::json_type et;
          if (auto e = elem.type().get(et)) return malformed(err, e, key);
          if (et != od::json_type::string) {
            std::string m = "expected ";
            m += info.expected;
            m += ", got an element of type ";
            m += json_type_name(et);
            return fail(err, "wrong_type", key, m);
          }
          std::string_view s;
          if (auto e = elem.get_string().get(s)) return malformed(err, e, key);
          if (info.kind == Kind::EnumSet) {
            int idx = enum_index(info.enum_id, s);
            if (idx < 0) return bad_enum(err, key, info.enum_id, s);
            if (idx >= 64) return fail(err, "out_of_range", key, "enum value index beyond 63 cannot be held in a set");
            mask |= std::uint64_t{1} << idx;
          } else {
            bool dup = false;
            for (std::uint32_t k = 0; k < used && !dup; ++k) dup = vec[k] == s;
            if (dup) continue;
            if (used < vec.size()) {
              vec[used].assign(s);
            } else if (!spare.empty()) {
              vec.push_back(std::move(spare.back()));
              spare.pop_back();
              vec.back().assign(s);
            } else {
              vec.emplace_back(s);
            }
            ++used;
          }
        }
        if (info.kind == Kind::EnumSet) {
          out.enum_sets[slot] = mask;
        } else {
          set_used[slot] = used;
        }
        out.present[slot] = 1;
        return true;
      }
      case Kind::Error: break;
    }
    return fail(err, "wrong_type", key, "the fact has an invalid type in the ruleset");
  }

  // The number token of a value already known to be a number, validated per the JSON grammar.
  bool number(od::value& v, std::string_view key, NumTok& nt, std::string_view& tok, DecodeError& err) {
    tok = trim_right(v.raw_json_token());
    if (!lex_number(tok, nt)) return malformed(err, simdjson::NUMBER_ERROR, key);
    return true;
  }
  // For messages: the token of a number value, else "".
  static std::string_view number_token(od::value& v, od::json_type t) {
    if (t != od::json_type::number) return {};
    return trim_right(v.raw_json_token());
  }
  int enum_index(std::uint32_t enum_id, std::string_view s) const {
    if (enum_id >= enums.size()) return -1;
    const auto& names = enums[enum_id].names;
    if (names.size() <= 16) {
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == s) return static_cast<int>(i);
      return -1;
    }
    const auto& m = enums[enum_id].index;
    auto it = m.find(s);
    return it == m.end() ? -1 : it->second;
  }
  bool bad_enum(DecodeError& err, std::string_view key, std::uint32_t enum_id, std::string_view s) {
    std::string m = "\"";
    m += clip(s);
    m += "\" is not a value of ";
    if (enum_id < enums.size()) {
      m += enums[enum_id].name;
      m += "; allowed: ";
      m += enums[enum_id].allowed;
    } else {
      m += "the enumeration";
    }
    return fail(err, "bad_enum", key, m);
  }

  // ---- the record ------------------------------------------------------------------------------
  bool decode(simdjson::padded_string_view buf, model::Facts& out, DecodeError& err, std::string& id_out) {
    begin(out);
    id_out.clear();
    bool ok = parse(buf, out, err, id_out);
    finish(out);
    return ok;
  }

  bool parse(simdjson::padded_string_view buf, model::Facts& out, DecodeError& err, std::string& id_out) {
    od::document doc;
    if (auto e = parser.iterate(buf).get(doc)) return malformed(err, e);
    od::json_type t;
    if (auto e = doc.type().get(t)) return malformed(err, e);
    if (t != od::json_type::object)
      return fail(err, "wrong_type", "", std::string("expected a JSON object per applicant, got ").append(json_type_name(t)));
    od::object obj;
    if (auto e = doc.get_object().get(obj)) return malformed(err, e);
    bool failed = false;   // a field was rejected; keep scanning only to find "id"
    bool have_id = false;
    std::size_t position = 0;  // index of the key among the record's fact keys
    for (auto field_r : obj) {
      od::field field;
      if (auto e = std::move(field_r).get(field)) return failed ? false : malformed(err, e);
      std::string_view key;
      // Fast path: the raw key equals the fact expected at this position (no escapes to undo).
      std::uint32_t hit = UINT32_MAX;
      if (position < predicted.size() && predicted[position] < fields.size()) {
        const std::string& name = rs->schema.facts[predicted[position]].name;
        if (field.key().unsafe_is_equal(name)) {
          hit = predicted[position];
          key = name;
        }
      }
      if (hit == UINT32_MAX)
        if (auto e = field.unescaped_key().get(key)) return failed ? false : malformed(err, e);
      od::value& v = field.value();
      if (key == "id") {
        if (have_id) {
          if (failed) continue;
          failed = true;
          fail(err, "duplicate_field", key, "duplicate key \"id\"");
          continue;
        }
        have_id = true;
        od::json_type vt;
        if (auto e = v.type().get(vt)) return failed ? false : malformed(err, e, key);
        if (vt == od::json_type::string) {
          std::string_view s;
          if (auto e = v.get_string().get(s)) return failed ? false : malformed(err, e, key);
          id_out.assign(s);
        } else if (vt == od::json_type::null) {
          bool is_null = false;
          if (auto e = v.is_null().get(is_null); e || !is_null)
            return failed ? false : malformed(err, e ? e : simdjson::N_ATOM_ERROR, key);
        } else if (!failed) {
          failed = true;
          fail(err, "wrong_type", key, std::string("expected string, got ").append(json_type_name(vt)));
        }
        continue;
      }
      if (failed) continue;
      std::uint32_t slot;
      std::size_t pos = position++;
      if (hit != UINT32_MAX) {
        slot = hit;
      } else {
        auto it = slot_of.find(key);
        if (it == slot_of.end()) {
          failed = true;
          fail(err, "unknown_field", key, std::string("\"").append(clip(key)).append("\" is not a declared fact"));
          continue;
        }
        slot = it->second;
        if (pos >= predicted.size()) predicted.resize(pos + 1, UINT32_MAX);
        predicted[pos] = slot;
      }
      if (seen[slot] == gen) {
        failed = true;
        fail(err, "duplicate_field", key, std::string("duplicate key \"").append(key).append("\""));
        continue;
      }
      seen[slot] = gen;
      if (!read_value(v, key, slot, out, err)) {
        if (err.code == "malformed_json") return false;
        failed = true;
      }
    }
    if (failed) return false;
    // current_location() reports OUT_OF_BOUNDS once every token has been consumed.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS)
      return fail(err, "malformed_json", "", "trailing content after the JSON object");
    std::size_t missing = 0;
    const std::string* first = nullptr;
    for (auto slot : required)
      if (seen[slot] != gen) {
        if (!first) first = &rs->schema.facts[slot].name;
        ++missing;
      }
    if (missing) {
      std::string m = "missing required field \"";
      m += *first;
      m += "\"";
      if (missing > 1) {
        m += " (";
        m += std::to_string(missing);
        m += " required fields are missing)";
      }
      return fail(err, "missing_field", *first, m);
    }
    return true;
  }
};

FactDecoder::FactDecoder(const eval::Ruleset& rs, const eval::Selection* selection)
    : impl_(std::make_unique<Impl>(rs, selection)) {}
FactDecoder::~FactDecoder() = default;
FactDecoder::FactDecoder(FactDecoder&&) noexcept = default;
FactDecoder& FactDecoder::operator=(FactDecoder&&) noexcept = default;

bool FactDecoder::decode(std::string_view json, model::Facts& out, DecodeError& err, std::string& id_out) {
  return decode(json, 0, out, err, id_out);
}

bool FactDecoder::decode(std::string_view json, std::size_t readable_after, model::Facts& out, DecodeError& err,
                         std::string& id_out) {
  if (readable_after >= kPadding) return impl_->decode(simdjson::padded_string_view(json.data(), json.size(), json.size() + readable_after), out, err, id_out);
  auto& buf = impl_->buffer;
  if (buf.size() < json.size() + kPadding) buf.resize(std::max(json.size() + kPadding, 2 * buf.size()));
  std::memcpy(buf.data(), json.data(), json.size());
  std::memset(buf.data() + json.size(), ' ', kPadding);
  return impl_->decode(simdjson::padded_string_view(buf.data(), json.size(), buf.size()), out, err, id_out);
}

const std::vector<std::uint32_t>& FactDecoder::required_slots() const { return impl_->required; }
std::size_t FactDecoder::slot_count() const { return impl_->fields.size(); }

}  // namespace subsidy::json
