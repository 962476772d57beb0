#include "json/fact_decoder.hpp"

#include <simdjson.h>

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>

#include "json/fast_decoder.hpp"
#include "json/number_text.hpp"
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
  bool program_ids = false;  // TextSet of programme ids
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

using namespace detail;  // number and money text (number_text.hpp)

std::string_view clip(std::string_view s) { return s.size() > 40 ? s.substr(0, 40) : s; }

// ---- locating JSON syntax errors ----------------------------------------------------------------
// simdjson On-Demand validates only what the decoder reads and reports no position. When a record
// fails, Boost.JSON's SAX parser (with a handler that keeps nothing) finds whether and where the
// text is not JSON.

struct NullHandler {
  using ec = boost::json::error_code;
  using sv = boost::json::string_view;
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  bool on_document_begin(ec&) { return true; }
  bool on_document_end(ec&) { return true; }
  bool on_object_begin(ec&) { return true; }
  bool on_object_end(std::size_t, ec&) { return true; }
  bool on_array_begin(ec&) { return true; }
  bool on_array_end(std::size_t, ec&) { return true; }
  bool on_key_part(sv, std::size_t, ec&) { return true; }
  bool on_key(sv, std::size_t, ec&) { return true; }
  bool on_string_part(sv, std::size_t, ec&) { return true; }
  bool on_string(sv, std::size_t, ec&) { return true; }
  bool on_number_part(sv, ec&) { return true; }
  bool on_int64(std::int64_t, sv, ec&) { return true; }
  bool on_uint64(std::uint64_t, sv, ec&) { return true; }
  bool on_double(double, sv, ec&) { return true; }
  bool on_bool(bool, ec&) { return true; }
  bool on_null(ec&) { return true; }
  bool on_comment_part(sv, ec&) { return true; }
  bool on_comment(sv, ec&) { return true; }
};

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct JsonFault {
  std::size_t offset = 0;
  std::string what;  // "unexpected `tru`", "trailing content after the JSON object", …
};

// What is at `offset` in a message: a word, a character, or a byte.
std::string describe_unexpected(std::string_view text, std::size_t offset) {
  if (offset >= text.size()) return "unexpected end of the record";
  auto c = static_cast<unsigned char>(text[offset]);
  auto word = [](unsigned char x) { return std::isalnum(x) || x == '_'; };
  if (std::isalpha(c)) {
    std::size_t e = offset;
    while (e < text.size() && e - offset < 20 && word(static_cast<unsigned char>(text[e]))) ++e;
    return std::string("unexpected `").append(text.substr(offset, e - offset)).append("`");
  }
  if (c > 0x20 && c < 0x7f) return std::string("unexpected character '") + static_cast<char>(c) + "'";
  char buf[40];
  std::snprintf(buf, sizeof buf, "unexpected byte 0x%02X", static_cast<unsigned>(c));
  return buf;
}

// The first place where `text` is not one JSON value (optionally surrounded by whitespace).
std::optional<JsonFault> find_json_fault(std::string_view text) {
  boost::json::parse_options opt;
  opt.max_depth = simdjson::DEFAULT_MAX_DEPTH;  // as deep as the decoder's own parser goes
  boost::json::basic_parser<NullHandler> p(opt);
  boost::json::error_code ec;
  std::size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (ec == boost::json::error::too_deep)
      return JsonFault{n, "nested deeper than " + std::to_string(simdjson::DEFAULT_MAX_DEPTH) + " levels"};
    return JsonFault{n, "not valid JSON: " + describe_unexpected(text, ec == boost::json::error::incomplete ? text.size() : n)};
  }
  while (n < text.size() && is_json_space(text[n])) ++n;
  if (n < text.size()) return JsonFault{n, "trailing content after the JSON object"};
  return std::nullopt;
}

// " at column C", or " at line L, column C" past the text's first line: lines end at \n, \r\n or
// \r; columns count characters (UTF-8 code points), from 1.
std::string position_suffix(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, start = 0;
  for (std::size_t i = 0; i < offset; ++i)
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
      start = i + 1;
    }
  std::size_t column = 1;
  for (std::size_t i = start; i < offset; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  std::string out = " at ";
  if (line > 1) out += "line " + std::to_string(line) + ", ";
  out += "column " + std::to_string(column);
  return out;
}

// Set duplicates: up to this many elements a set is searched linearly, beyond it through a hash
// table of element indices (so decoding a set is linear in its size).
constexpr std::uint32_t kLinearSetSearch = 16;
constexpr std::uint32_t kNoIndex = UINT32_MAX;

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

struct FactDecoder::Impl {
  const eval::Ruleset* rs;
  SvMap<std::uint32_t> slot_of;
  // Records of one feed list their keys in the same order: the slot seen at each key position in
  // the previous record is tried first, and the hash map only on a miss.
  std::vector<std::uint32_t> predicted;
  std::vector<FieldInfo> fields;     // by slot
  std::vector<EnumInfo> enums;       // by enum id
  std::vector<std::uint32_t> required;        // slots, declaration order
  std::vector<std::int32_t> required_by;      // per entry of `required`: -1 a programme, else the workflow routing by it
  SvMap<std::uint32_t> program_index;         // programme ids, for sets of programme ids
  std::string program_list;                   // "R01, R02, R03" for messages
  std::vector<std::uint32_t> set_index;       // open-addressing table of set element indices (kNoIndex: empty)
  std::vector<std::uint32_t> set_slots;   // TextSet slots
  std::vector<std::uint32_t> seen;        // generation stamp per slot
  detail::SetElements sets;  // elements written this record per TextSet slot, strings kept for reuse
  std::uint32_t gen = 0;
  od::parser parser;
  std::string buffer;  // padded copy of the record when the caller cannot guarantee padding
  std::optional<detail::FastDecoder> fast;  // tried first when enabled (fast_decoder.hpp)

  Impl(const eval::Ruleset& r, const eval::FactUse& use, bool fast_path) : rs(&r) {
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
      info.program_ids = f.program_ids && f.type.kind == Kind::TextSet;
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
    for (const auto& rf : eval::required_facts(r, use)) {
      required.push_back(rf.slot);
      required_by.push_back(rf.workflow);
    }
    for (std::size_t p = 0; p < r.programs.size(); ++p) {
      program_index.emplace(r.programs[p].id, static_cast<std::uint32_t>(p));
      if (p < 20) program_list += (p ? ", " : "") + r.programs[p].id;
    }
    if (r.programs.size() > 20) program_list += ", … (" + std::to_string(r.programs.size()) + " programmes)";
    seen.assign(n, 0);
    sets.used.assign(n, 0);
    if (fast_path) fast.emplace(r, required);
  }

  // ---- error helpers ---------------------------------------------------------------------------
  [[gnu::cold]] static bool fail(DecodeError& err, const char* code, std::string_view field, std::string_view message) {
    err.code = code;
    err.field.assign(field);
    err.message.assign(message);
    err.offset = DecodeError::kNoOffset;
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
    // into `sets.spare`), so their string buffers are reused record after record.
    std::fill(out.values.begin(), out.values.end(), 0);
    std::fill(out.present.begin(), out.present.end(), 0);
    std::fill(out.enum_sets.begin(), out.enum_sets.end(), 0);
    for (auto& t : out.texts) t.clear();
    for (std::size_t i = 0; i < n; ++i)
      if (fields[i].kind != Kind::TextSet) out.sets[i].clear();
    for (auto s : set_slots) sets.used[s] = 0;
    if (++gen == 0) {
      std::fill(seen.begin(), seen.end(), 0);
      gen = 1;
    }
  }
  void finish(model::Facts& out) {
    for (auto s : set_slots) {
      auto& v = out.sets[s];
      while (v.size() > sets.used[s]) {  // keep the strings' buffers for later records
        sets.spare.push_back(std::move(v.back()));
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
        if (std::int64_t x = 0; v.get_int64().get(x) == simdjson::SUCCESS) {
          out.set(slot, x);
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
        std::uint32_t used = 0;    // distinct elements so far
        int elements = 0;          // array elements so far
        std::size_t index_size = 0;  // set_index is valid for this set when > 0
        for (auto elem_r : arr) {
          if (++elements > FactDecoder::kMaxSetElements)
            return set_too_large(err, key);
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
            if (info.program_ids && program_index.find(s) == program_index.end())
              return unknown_program(err, key, s);
            if (is_duplicate(vec, used, s, index_size)) continue;
            sets.put(vec, used++, s);
          }
        }
        if (info.kind == Kind::EnumSet) {
          out.enum_sets[slot] = mask;
        } else {
          sets.used[slot] = used;
        }
        out.present[slot] = 1;
        return true;
      }
      case Kind::Error: break;
    }
    return fail(err, "wrong_type", key, "the fact has an invalid type in the ruleset");
  }

  // Whether `s` is among vec[0 .. used); if not, the caller appends it as vec[used]. Linear for a
  // few elements, else through set_index (sized and rebuilt here, `index_size` 0 before the first use
  // in a set).
  bool is_duplicate(const std::vector<std::string>& vec, std::uint32_t used, std::string_view s, std::size_t& index_size) {
    if (used < kLinearSetSearch) {
      for (std::uint32_t k = 0; k < used; ++k)
        if (vec[k] == s) return true;
      return false;
    }
    std::hash<std::string_view> hash;
    if (2 * (std::size_t{used} + 1) > index_size) {  // (re)build at most half full
      index_size = std::max<std::size_t>(index_size * 2, 4 * kLinearSetSearch);
      set_index.assign(index_size, kNoIndex);
      for (std::uint32_t k = 0; k < used; ++k) {
        std::size_t h = hash(vec[k]) & (index_size - 1);
        while (set_index[h] != kNoIndex) h = (h + 1) & (index_size - 1);
        set_index[h] = k;
      }
    }
    std::size_t h = hash(s) & (index_size - 1);
    for (; set_index[h] != kNoIndex; h = (h + 1) & (index_size - 1))
      if (vec[set_index[h]] == s) return true;
    set_index[h] = used;  // the caller stores s at vec[used]
    return false;
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
  [[gnu::cold]] static bool set_too_large(DecodeError& err, std::string_view key) {
    return fail(err, "too_large", key,
                "more than " + std::to_string(FactDecoder::kMaxSetElements) + " elements in a set (the limit)");
  }
  [[gnu::cold]] bool unknown_program(DecodeError& err, std::string_view key, std::string_view s) const {
    return fail(err, "unknown_program", key,
                std::string("\"").append(clip(s)).append("\" is not a programme id of the ruleset; programmes: ").append(program_list));
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
    if (fast) {
      if (fast->decode(std::string_view(buf.data(), buf.length()), out, id_out, sets)) {
        finish(out);
        return true;
      }
      begin(out);  // the strict path starts from a cleared record
      id_out.clear();
    }
    bool ok = parse(buf, out, err, id_out);
    finish(out);
    if (!ok) locate_json_error(std::string_view(buf.data(), buf.length()), err);
    return ok;
  }

  // A rejected record that is not JSON is reported as such (whatever else the decoder noticed
  // first), with the position; JSON errors simdjson reported get the position too.
  static void locate_json_error(std::string_view text, DecodeError& err) {
    auto fault = find_json_fault(text);
    if (!fault) return;  // valid JSON: the decoder's error stands
    if (err.code != "malformed_json") err.field.clear();
    err.code = "malformed_json";
    err.message = fault->what + position_suffix(text, fault->offset);
    err.offset = fault->offset;
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
    for (auto slot : required)
      if (seen[slot] != gen) return missing_field(err);
    return true;
  }
  [[gnu::cold]] bool missing_field(DecodeError& err) const {
    std::size_t missing = 0, first = 0;
    for (std::size_t i = 0; i < required.size(); ++i)
      if (seen[required[i]] != gen && !missing++) first = i;
    const auto& fact = rs->schema.facts[required[first]];
    std::string m;
    if (required_by[first] >= 0)  // required because a workflow routes by it
      m = "workflow `" + rs->workflow_decls.workflows[static_cast<std::size_t>(required_by[first])].name +
          "` routes by it (" + fact.label.zh + ")";
    else
      m = "missing required field \"" + fact.name + "\"";
    if (missing > 1) m += " (" + std::to_string(missing) + " required fields are missing)";
    return fail(err, "missing_field", fact.name, m);
  }
};

FactDecoder::FactDecoder(const eval::Ruleset& rs, const eval::FactUse& use, bool fast_path)
    : impl_(std::make_unique<Impl>(rs, use, fast_path)) {}
FactDecoder::~FactDecoder() = default;
FactDecoder::FactDecoder(FactDecoder&&) noexcept = default;
FactDecoder& FactDecoder::operator=(FactDecoder&&) noexcept = default;

bool FactDecoder::decode(std::string_view json, model::Facts& out, DecodeError& err, std::string& id_out) {
  return decode(json, 0, out, err, id_out);
}

bool FactDecoder::decode(std::string_view json, std::size_t readable_after, model::Facts& out, DecodeError& err,
                         std::string& id_out) {
  if (json.size() > kMaxRecordBytes) {
    id_out.clear();
    return Impl::fail(err, "too_large", "",
                      "the record is larger than the limit of " + std::to_string(kMaxRecordBytes) + " bytes (" +
                          std::to_string(kMaxRecordBytes >> 20) + " MiB)");
  }
  std::size_t bom = json.starts_with(kByteOrderMark) ? kByteOrderMark.size() : 0;
  json.remove_prefix(bom);
  bool ok = decode_text(json, readable_after, out, err, id_out);
  if (!ok && err.offset != DecodeError::kNoOffset) err.offset += bom;
  return ok;
}

bool FactDecoder::decode_text(std::string_view json, std::size_t readable_after, model::Facts& out, DecodeError& err,
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
std::size_t FactDecoder::fast_hits() const { return impl_->fast ? impl_->fast->hits() : 0; }

}  // namespace subsidy::json
