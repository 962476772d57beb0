#pragma once
// Test support: random JSON applicant records for a ruleset's schema, for the differential tests of
// the decoder's fast path (tests/adapters/json/fast_decoder_test.cpp, batch_test.cpp). Most records
// are valid and list their keys in the feed's order; the rest are what a feed really sends wrong:
// another key order, missing, unknown and duplicate keys, escaped keys and strings, values of the
// wrong type, numbers at and past the limits, whitespace, truncated lines, invalid UTF-8.
// Deterministic for a given generator state. Header-only.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "eval/ruleset.hpp"

namespace subsidy::testing {

class RecordGen {
 public:
  explicit RecordGen(const eval::Ruleset& rs) : rs_(rs) {
    for (std::uint32_t i = 0; i < rs.schema.facts.size(); ++i) order_.push_back(i);
  }

  // A new feed: its own key order (declaration order or shuffled), kept for most records.
  void new_feed(std::mt19937_64& rng) {
    std::sort(order_.begin(), order_.end());
    if (pick(rng, 2)) std::shuffle(order_.begin(), order_.end(), rng);
    id_first_ = pick(rng, 4) != 0;
  }

  // One record (no line end). `bad_percent`: how often a record carries a mutation;
  // `edge_percent`: how often a value is an edge case (limits, escapes, other spellings).
  std::string operator()(std::mt19937_64& rng, int bad_percent = 30, int edge_percent = 20) {
    ++n_;
    edge_percent_ = edge_percent;
    const bool bad = pick(rng, 100) < bad_percent;
    std::vector<std::string> fields;
    std::vector<std::uint32_t> order = order_;
    if (bad && pick(rng, 6) == 0) std::shuffle(order.begin(), order.end(), rng);
    const int mutation = bad ? pick(rng, 12) : -1;
    for (auto i : order) {
      const auto& f = rs_.schema.facts[i];
      if (f.type.optional && pick(rng, 4) == 0) continue;  // an optional fact left out
      fields.push_back(key(rng, f.name, mutation == 0) + ":" + value(rng, f.type, mutation == 1));
    }
    std::string id = "\"id\":" + (mutation == 2 ? id_value_odd(rng) : "\"A" + std::to_string(n_) + "\"");
    if (id_first_) fields.insert(fields.begin(), id);
    else fields.push_back(id);
    if (!fields.empty()) {
      std::size_t k = pick(rng, static_cast<int>(fields.size()));
      switch (mutation) {
        case 3: fields.erase(fields.begin() + static_cast<std::ptrdiff_t>(k)); break;    // missing
        case 4: fields.push_back(fields[k]); break;                                        // duplicate
        case 5: fields.insert(fields.begin() + static_cast<std::ptrdiff_t>(k), "\"zz_unknown\":1"); break;
        default: break;
      }
    }
    const bool spaced = mutation == 6 || pick(rng, 20) == 0;
    std::string s = spaced && pick(rng, 2) ? "  {" : "{";
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (k) s += spaced ? ", " : ",";
      std::string fld = fields[k];
      if (spaced) {
        auto colon = fld.find("\":");
        if (colon != std::string::npos) fld.insert(colon + 2, " ");
      }
      s += fld;
    }
    s += spaced ? " }" : "}";
    switch (mutation) {
      case 7: s.resize(pick(rng, static_cast<int>(s.size()))); break;  // a truncated line
      case 8: s += pick(rng, 2) ? " x" : ",{}"; break;                  // trailing content
      case 9: s.insert(pick(rng, static_cast<int>(s.size())), pick(rng, 2) ? "\xff" : "\xe4\xb8"); break;  // invalid UTF-8
      case 10: s = pick(rng, 2) ? "[" + s + "]" : "{}"; break;
      case 11: s.insert(pick(rng, static_cast<int>(s.size())), pick(rng, 2) ? " " : "\t"); break;
      default: break;
    }
    return s;
  }

 private:
  bool edge(std::mt19937_64& rng) const { return pick(rng, 100) < edge_percent_; }
  static int pick(std::mt19937_64& rng, int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); }
  template <std::size_t N>
  static std::string one_of(std::mt19937_64& rng, const char* const (&xs)[N]) {
    return xs[rng() % N];
  }

  std::string key(std::mt19937_64& rng, const std::string& name, bool odd) {
    if (!odd || name.empty()) return "\"" + name + "\"";
    char esc[8];
    std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned char>(name[0]));
    switch (pick(rng, 3)) {
      case 0: return "\"" + std::string(esc) + name.substr(1) + "\"";  // the same key, escaped
      case 1: return "\"" + name + "x\"";                                // unknown
      default: return "\"" + name.substr(0, name.size() - 1) + "\"";      // a prefix of it
    }
  }

  std::string id_value_odd(std::mt19937_64& rng) {
    static const char* const xs[] = {"null", "7", "\"A\\u0031\"", "\"\"", "\"\xe4\xb8\xad\"", "[]", "\"a\\\"b\""};
    return one_of(rng, xs);
  }

  std::string string_value(std::mt19937_64& rng, const std::string& plain) {
    switch (edge(rng) ? pick(rng, 3) : 3) {
      case 0: return "\"" + plain + "\\n\"";
      case 1: return "\"\\u4e2d" + plain + "\"";
      case 2: return "\"" + plain + "\x01\"";
      default: return "\"" + plain + "\"";
    }
  }

  std::string value(std::mt19937_64& rng, const model::Type& t, bool odd) {
    using model::Kind;
    if (odd) {
      static const char* const xs[] = {"null", "true", "1", "-0", "1.5", "1e2", "\"x\"", "[]", "{}", "[\"a\",1]", "01", "tru"};
      return one_of(rng, xs);
    }
    if (t.optional && pick(rng, 8) == 0) return "null";
    switch (t.kind) {
      case Kind::Bool: return pick(rng, 2) ? "true" : "false";
      case Kind::Int: {
        static const char* const xs[] = {"0", "-0", "999999999999999999", "-999999999999999999", "9223372036854775807",
                                         "-9223372036854775808", "9223372036854775808", "1000000000000000000", "1.0", "2E1"};
        if (edge(rng)) return one_of(rng, xs);
        return std::to_string(static_cast<std::int64_t>(rng() % 3000) - 100);
      }
      case Kind::Money:
      case Kind::RawMoney: {
        static const char* const xs[] = {"\"1234.56\"", "\"0.5\"", "\"1.234\"", "\"-7\"", "\"12,5\"", "\" 1\"",
                                         "9999999999999999", "99999999999999999", "92233720368547758", "-0",
                                         "1.5", "\"92233720368547758.07\"", "\"92233720368547758.08\"", "\"\\u0031\""};
        if (edge(rng)) return one_of(rng, xs);
        if (pick(rng, 8) == 0) return "\"" + std::to_string(rng() % 50'000'000) + "." + std::to_string(rng() % 100) + "\"";
        return std::to_string(rng() % 50'000'000);
      }
      case Kind::Decimal: {
        static const char* const xs[] = {"0.125", "\"12.5%\"", "\"0.1234567\"", "1e-3", "1E5", "-0", "\"-0.5\"",
                                         "0.0000001", "1e400", "\"%\"", "9223372036854.775807", "9223372036854.775808",
                                         "\"1.5%%\"", "12", "\"0.5\""};
        static const char* const ok[] = {"0.125", "\"12.5%\"", "0.05", "1", "\"0.5\"", "0.000001", "0"};
        return edge(rng) ? one_of(rng, xs) : one_of(rng, ok);
      }
      case Kind::Date: {
        static const char* const xs[] = {"\"2021-06-30\"", "\"2020-02-29\"", "\"2021-02-29\"", "\"2021-6-30\"",
                                         "20210630", "\"2019-01-01\"", "\"2024-12-31\""};
        return edge(rng) ? one_of(rng, xs) : "\"20" + std::to_string(10 + pick(rng, 15)) + "-0" + std::to_string(1 + pick(rng, 9)) + "-1" + std::to_string(pick(rng, 10)) + "\"";
      }
      case Kind::Text: {
        static const char* const xs[] = {"", "abc", "五原县", "sunflower", "a b"};
        return string_value(rng, one_of(rng, xs));
      }
      case Kind::Enum: {
        const auto& vals = rs_.schema.enums.at(t.enum_id).values;
        if (edge(rng)) return pick(rng, 2) ? "\"no_such_value\"" : "\"\\u0041\"";
        return "\"" + vals[rng() % vals.size()].name + "\"";
      }
      case Kind::TextSet: {
        static const char* const xs[] = {"[\"a\",\"b\",\"a\"]", "[\"R01\"]", "[1]", "[\"x\\u0041\"]", "[ ]"};
        return edge(rng) ? one_of(rng, xs) : "[]";
      }
      case Kind::EnumSet: {
        const auto& vals = rs_.schema.enums.at(t.enum_id).values;
        if (edge(rng)) return pick(rng, 2) ? "[\"no_such_value\"]" : "[\"" + vals[0].name + "\",\"" + vals[0].name + "\", 1]";
        std::string a = "[";
        for (int k = pick(rng, 3); k > 0; --k) a += (a.size() > 1 ? ",\"" : "\"") + vals[rng() % vals.size()].name + "\"";
        return a + "]";
      }
      case Kind::Error: break;
    }
    return "null";
  }

  const eval::Ruleset& rs_;
  std::vector<std::uint32_t> order_;
  bool id_first_ = true;
  int edge_percent_ = 20;
  std::uint64_t n_ = 0;
};

}  // namespace subsidy::testing
