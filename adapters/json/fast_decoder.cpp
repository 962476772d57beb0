#include "json/fast_decoder.hpp"

#include <simdjson.h>

#include <cstring>

#include "json/number_text.hpp"
#include "model/date.hpp"
#include "model/money.hpp"

namespace subsidy::json::detail {

using model::Kind;

namespace {

constexpr std::size_t kLinearEnum = 16;  // enums up to this size are searched linearly
constexpr int kMaxSetElements = 64;            // longer arrays go to the strict path (and its limit)
constexpr std::uint32_t kMaxSetDistinct = 16;  // distinct elements of a set of text, searched linearly

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline void skip_space(const char*& p, const char* end) {
  while (p < end && is_space(*p)) ++p;
}
inline bool number_char(char c) { return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

// A string without escapes or control characters, `p` at its opening quote; moves past the closing one.
inline bool plain_string(const char*& p, const char* end, std::string_view& s) {
  const char* q = p + 1;
  while (q < end) {
    char c = *q;
    if (c == '"') break;
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
    ++q;
  }
  if (q >= end) return false;
  s = std::string_view(p + 1, static_cast<std::size_t>(q - p - 1));
  p = q + 1;
  return true;
}

// The bytes of a number token from `p` (its end is checked by what must follow it).
inline std::string_view number_token(const char*& p, const char* end) {
  const char* b = p;
  while (p < end && number_char(*p)) ++p;
  return {b, static_cast<std::size_t>(p - b)};
}

// -?(0|[1-9][0-9]*) with at most `max_digits` digits: always within int64 for max_digits <= 18.
inline bool small_integer(std::string_view t, std::size_t max_digits, std::int64_t& out) {
  std::size_t i = 0;
  bool neg = !t.empty() && t[0] == '-';
  i += neg;
  std::size_t digits = t.size() - i;
  if (digits == 0 || digits > max_digits || (digits > 1 && t[i] == '0')) return false;
  std::int64_t v = 0;
  for (; i < t.size(); ++i) {
    if (!is_digit(t[i])) return false;
    v = v * 10 + (t[i] - '0');
  }
  out = neg ? -v : v;
  return true;
}

inline bool literal(const char*& p, const char* end, std::string_view word) {
  if (static_cast<std::size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) return false;
  p += word.size();
  return true;
}

}  // namespace

FastDecoder::FastDecoder(const eval::Ruleset& rs, std::vector<std::uint32_t> required)
    : rs_(&rs), required_(std::move(required)) {
  const auto& schema = rs.schema;
  slots_.resize(schema.facts.size());
  for (const auto& f : schema.facts) {
    slots_[f.slot] = Slot{f.type.kind, f.type.optional, f.program_ids && f.type.kind == Kind::TextSet, f.type.enum_id};
    if (f.name != "id") slot_of_.emplace(f.name, f.slot);
  }
  enum_maps_.resize(schema.enums.size());
  for (std::size_t e = 0; e < schema.enums.size(); ++e)
    if (schema.enums[e].values.size() > kLinearEnum)
      for (std::size_t v = 0; v < schema.enums[e].values.size(); ++v)
        enum_maps_[e].emplace(schema.enums[e].values[v].name, static_cast<int>(v));
  seen_.assign(slots_.size(), 0);
  for (const auto& p : rs.programs) program_ids_.insert(p.id);
}

int FastDecoder::enum_index(std::uint32_t enum_id, std::string_view s) const {
  if (enum_id >= enum_maps_.size()) return -1;
  const auto& values = rs_->schema.enums[enum_id].values;
  if (values.size() <= kLinearEnum) {
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i].name == s) return static_cast<int>(i);
    return -1;
  }
  auto it = enum_maps_[enum_id].find(s);
  return it == enum_maps_[enum_id].end() ? -1 : it->second;
}

bool FastDecoder::give_up() {
  ++misses_;
  return false;
}

bool FastDecoder::decode(std::string_view text, model::Facts& out, std::string& id_out, SetElements& sets) {
  // Decoding twice costs more than the fast path saves: a feed it rarely takes goes to the strict path only.
  if (misses_ > 64 && misses_ > 4 * hits_) return false;
  if (!simdjson::validate_utf8(text.data(), text.size()) || !parse(text.data(), text.data() + text.size(), out, id_out, sets))
    return give_up();
  ++hits_;
  return true;
}

// Each key is first compared with the key the template has at its position; on a difference (another
// order, a key left out or added) it is looked up by name, and at the end of the record the template
// becomes this record's key order. Duplicates are found by a generation stamp per slot.
bool FastDecoder::parse(const char* p, const char* end, model::Facts& out, std::string& id_out,
                        SetElements& sets) {
  if (++gen_ == 0) {
    std::fill(seen_.begin(), seen_.end(), 0);
    gen_ = 1;
  }
  bool have_id = false;
  bool deviated = false;  // a key was not the template's at its position
  skip_space(p, end);
  if (p >= end || *p != '{') return false;
  ++p;
  skip_space(p, end);
  std::size_t pos = 0;
  while (true) {
    if (p >= end || *p != '"') return false;
    ++p;
    std::uint32_t slot = kNone;
    if (!deviated && pos < template_.size()) {
      const Key& k = template_[pos];
      const std::size_t len = k.name.size();
      if (static_cast<std::size_t>(end - p) > len && std::memcmp(p, k.name.data(), len) == 0 && p[len] == '"') {
        p += len + 1;
        slot = k.slot;
      }
    }
    if (slot == kNone) {
      if (!deviated) {
        deviated = true;
        learned_.assign(template_.begin(), template_.begin() + static_cast<std::ptrdiff_t>(pos));
      }
      --p;
      std::string_view key;
      if (!plain_string(p, end, key)) return false;
      if (key == "id") {
        slot = kId;
        key = "id";
      } else {
        auto it = slot_of_.find(key);
        if (it == slot_of_.end()) return false;  // the strict path reports the unknown field
        slot = it->second;
        key = it->first;  // a view into the ruleset, which outlives the template
      }
      learned_.push_back(Key{slot, key});
    }
    if (slot == kId) {
      if (have_id) return false;
      have_id = true;
    } else {
      if (seen_[slot] == gen_) return false;  // the strict path reports the duplicate
      seen_[slot] = gen_;
    }
    ++pos;
    skip_space(p, end);
    if (p >= end || *p != ':') return false;
    ++p;
    skip_space(p, end);
    if (!value(p, end, slot, out, id_out, sets)) return false;
    skip_space(p, end);
    if (p >= end) return false;
    if (*p == ',') {
      ++p;
      skip_space(p, end);
      continue;
    }
    if (*p != '}') return false;
    ++p;
    break;
  }
  skip_space(p, end);
  if (p != end) return false;
  if (!deviated && pos == template_.size()) return true;  // the template's keys: the required ones among them
  for (auto s : required_)
    if (seen_[s] != gen_) return false;  // the strict path reports the missing field
  if (deviated) template_.swap(learned_);
  return true;
}

bool FastDecoder::value(const char*& p, const char* end, std::uint32_t slot, model::Facts& out, std::string& id_out,
                        SetElements& sets) const {
  if (*p == 'n') {  // null: an optional fact explicitly absent, or no id
    if (!literal(p, end, "null")) return false;
    return slot == kId || slots_[slot].optional;
  }
  if (slot == kId) {
    std::string_view s;
    if (*p != '"' || !plain_string(p, end, s)) return false;
    id_out.assign(s);
    return true;
  }
  const Slot& info = slots_[slot];
  switch (info.kind) {
    case Kind::Bool:
      if (literal(p, end, "true")) {
        out.set(slot, 1);
        return true;
      }
      if (literal(p, end, "false")) {
        out.set(slot, 0);
        return true;
      }
      return false;
    case Kind::Int: {
      std::int64_t v = 0;
      if (!small_integer(number_token(p, end), 18, v)) return false;
      out.set(slot, v);
      return true;
    }
    case Kind::Money:
    case Kind::RawMoney: {
      if (*p == '"') {
        std::string_view s;
        if (!plain_string(p, end, s) || check_money_text(s) != MoneyText::ok) return false;
        auto fen = model::parse_yuan(s);
        if (!fen) return false;
        out.set(slot, *fen);
        return true;
      }
      std::int64_t yuan = 0;  // at most 16 digits: × 100 stays within int64
      if (!small_integer(number_token(p, end), 16, yuan)) return false;
      out.set(slot, yuan * model::kFenPerYuan);
      return true;
    }
    case Kind::Decimal: {
      std::string_view tok;
      int scale = 6;
      if (*p == '"') {
        if (!plain_string(p, end, tok)) return false;
        if (!tok.empty() && tok.back() == '%') {
          tok.remove_suffix(1);
          scale = 4;
        }
      } else {
        tok = number_token(p, end);
      }
      NumTok nt;
      std::int64_t x = 0;
      if (!lex_number(tok, nt) || to_scaled(nt, scale, x) != Scaled::ok) return false;
      out.set(slot, x);
      return true;
    }
    case Kind::Date: {
      std::string_view s;
      if (*p != '"' || !plain_string(p, end, s)) return false;
      auto d = model::parse_date(s);
      if (!d) return false;
      out.set(slot, *d);
      return true;
    }
    case Kind::Text: {
      std::string_view s;
      if (*p != '"' || !plain_string(p, end, s)) return false;
      out.texts[slot].assign(s);
      out.present[slot] = 1;
      return true;
    }
    case Kind::Enum: {
      std::string_view s;
      if (*p != '"' || !plain_string(p, end, s)) return false;
      int idx = enum_index(info.enum_id, s);
      if (idx < 0) return false;
      out.set(slot, idx);
      return true;
    }
    case Kind::TextSet: {  // up to 16 distinct elements (more: the strict path's hash table)
      if (*p != '[') return false;
      ++p;
      auto& vec = out.sets[slot];
      std::uint32_t used = 0;
      for (int n = 0; p < end && *p != ']'; ++n) {
        std::string_view s;
        if (n == kMaxSetElements || (n && (*p != ',' || ++p == end)) || *p != '"' || !plain_string(p, end, s))
          return false;
        if (slots_[slot].program_ids && !program_ids_.contains(s)) return false;
        bool dup = false;
        for (std::uint32_t k = 0; k < used && !dup; ++k) dup = vec[k] == s;
        if (dup) continue;
        if (used == kMaxSetDistinct) return false;
        sets.put(vec, used++, s);
      }
      if (p >= end) return false;
      ++p;
      sets.used[slot] = used;
      out.present[slot] = 1;
      return true;
    }
    case Kind::EnumSet: {
      if (*p != '[') return false;
      ++p;
      std::uint64_t mask = 0;
      for (int n = 0; p < end && *p != ']'; ++n) {
        std::string_view s;
        if (n == kMaxSetElements || (n && (*p != ',' || ++p == end)) || *p != '"' || !plain_string(p, end, s))
          return false;
        int idx = enum_index(info.enum_id, s);
        if (idx < 0 || idx >= 64) return false;
        mask |= std::uint64_t{1} << idx;
      }
      if (p >= end) return false;
      ++p;
      out.enum_sets[slot] = mask;
      out.present[slot] = 1;
      return true;
    }
    case Kind::Error: break;
  }
  return false;
}

}  // namespace subsidy::json::detail
