#pragma once
// X3 configuration of the rule-language grammar: iterator, skipper, context and the per-parse state.
// Included only by grammar_def.hpp / grammar.cpp (the one translation unit that sees Spirit X3).
#include <boost/spirit/home/x3.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "diag/diagnostic.hpp"
#include "diag/source.hpp"

namespace subsidy::dsl::parser {

namespace x3 = boost::spirit::x3;

using iterator_type = char const*;

// Mutable state of one file's parse, reachable from every semantic action and custom parser
// through the context (`x3::with<state_tag>(state)[…]`).
struct ParseState {
  char const* base = nullptr;  // start of the source text: offsets are relative to it
  char const* end = nullptr;
  diag::FileId file = 0;
  diag::Diagnostics* diags = nullptr;
  char const* mark = nullptr;  // start of the clause being parsed (set by `mark`), for clause spans
  // Singular clauses already seen in the current declaration: keyword -> span of the first one.
  std::vector<std::pair<std::string, diag::Span>> seen;
  std::set<std::pair<std::uint32_t, std::string>> reported;  // (offset, code): backtracking must not report twice
  std::size_t errors = 0;
  int depth = 0;  // grammar recursion (nesting), bounded by ast::kMaxNesting so that input cannot overflow the stack

  std::string text(diag::Span sp) const { return std::string(base + sp.begin, sp.end - sp.begin); }
  diag::Span span(char const* b, char const* e) const {
    return diag::Span{file, static_cast<std::uint32_t>(b - base), static_cast<std::uint32_t>(e - base)};
  }
  void error(std::string const& code, diag::Span sp, std::string message, std::vector<diag::Note> notes = {}) {
    if (!reported.emplace(sp.begin, code).second) return;
    ++errors;
    diags->error(code, sp, std::move(message), std::move(notes));
  }
};

struct state_tag;

inline bool is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
inline bool is_ident_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

// Full-width and CJK punctuation (；，：（）。、“”【】…) at p: its length in bytes, else 0. A Chinese
// input method types it for ; , : ( ) "; it is never part of a name or a unit, so that the parser
// stops before it and says what it is (grammar.cpp).
inline std::size_t fullwidth_punct(char const* p, char const* end) {
  if (end - p < 3) return 0;
  auto b0 = static_cast<unsigned char>(p[0]), b1 = static_cast<unsigned char>(p[1]), b2 = static_cast<unsigned char>(p[2]);
  if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return 0;
  char32_t cp = (static_cast<char32_t>(b0 & 0x0F) << 12) | (static_cast<char32_t>(b1 & 0x3F) << 6) | (b2 & 0x3F);
  bool punct = (cp >= 0x3001 && cp <= 0x303F) || (cp >= 0x2018 && cp <= 0x201F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
               (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
  return punct ? 3 : 0;
}
// Bytes of names (identifiers, keywords, units), stepping byte by byte through UTF-8.
inline bool is_name_start(char const* p, char const* end) {
  return is_ident_start(static_cast<unsigned char>(*p)) && fullwidth_punct(p, end) == 0;
}
inline bool is_name_char(char const* p, char const* end) {
  return is_ident_char(static_cast<unsigned char>(*p)) && fullwidth_punct(p, end) == 0;
}

// Skips white space (including U+3000 IDEOGRAPHIC SPACE and a UTF-8 BOM) and `#` comments.
inline char const* skip_blanks(char const* p, char const* end) {
  for (;;) {
    if (p == end) return p;
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++p;
    } else if (c == '#') {
      while (p != end && *p != '\n') ++p;
    } else if (c == 0xE3 && end - p >= 3 && static_cast<unsigned char>(p[1]) == 0x80 &&
               static_cast<unsigned char>(p[2]) == 0x80) {
      p += 3;  // U+3000
    } else if (c == 0xEF && end - p >= 3 && static_cast<unsigned char>(p[1]) == 0xBB &&
               static_cast<unsigned char>(p[2]) == 0xBF) {
      p += 3;  // BOM
    } else {
      return p;
    }
  }
}

struct skipper_parser : x3::parser<skipper_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
    It p = skip_blanks(first, last);
    if (p == first) return false;
    first = p;
    return true;
  }
};
inline constexpr skipper_parser skipper{};

using phrase_context_type = x3::phrase_parse_context<skipper_parser>::type;
using context_type = x3::context<state_tag, ParseState, phrase_context_type>;

}  // namespace subsidy::dsl::parser
