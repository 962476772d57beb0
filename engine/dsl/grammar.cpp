// The only translation unit that instantiates the X3 grammar. It also runs the declaration loop:
// one X3 parse per top-level declaration, E0001 on failure, then recovery at the next declaration.
#include "dsl/grammar.hpp"

#include <cstdio>
#include <map>

#include "dsl/config.hpp"
#include "dsl/grammar_def.hpp"

namespace subsidy::dsl::parser {
BOOST_SPIRIT_INSTANTIATE(declaration_type, iterator_type, context_type)
}  // namespace subsidy::dsl::parser

namespace subsidy::dsl::detail {
namespace {

using parser::iterator_type;
using parser::ParseState;

constexpr std::string_view kDeclKeywords[] = {"enum",  "fact", "param", "program", "table", "exception",
                                              "group", "test", "role",  "action"};

bool at_decl_keyword(char const* p, char const* end) {
  for (auto w : kDeclKeywords)
    if (parser::match_word(p, end, w)) return true;
  // `workflow NAME "label"…` / `workflow NAME {` declares a workflow; a programme's
  // `workflow NAME;` clause does not start a declaration.
  if (parser::match_word(p, end, "workflow")) {
    char const* q = parser::skip_blanks(p + 8, end);
    if (q == end || !parser::is_name_start(q, end)) return false;
    while (q != end && parser::is_name_char(q, end)) ++q;
    q = parser::skip_blanks(q, end);
    return q != end && (*q == '"' || *q == '{');
  }
  return false;
}

// X3 `what` strings (rule names, `keyword`, 'punct', "a|b") -> user words.
std::string describe_one(std::string const& which) {
  static const std::map<std::string, std::string> id_map = {
      {"expression", "an expression"},
      {"identifier", "an identifier"},
      {"string", "a string (\"…\")"},
      {"number", "a number"},
      {"date", "a date (YYYY-MM-DD)"},
      {"integer", "an integer"},
      {"reason", "a reason (\"中文理由\" \"English reason\")"},
      {"label", "a label (\"中文\" \"English\")"},
      {"type", "a type"},
      {"status", "a provenance status (sourced, secondary, derived, illustrative)"},
      {"provenance", "a provenance (source \"…\" STATUS)"},
      {"programme list", "`all` or a list of programme names"},
      {"hit policy", "a hit policy (unique, first, priority, collect)"},
      {"aggregator", "an aggregator (sum, min, max, count)"},
      {"table cell", "a table cell"},
      {"table row", "a table row"},
      {"range end", "']' or ')'"},
      {"row arrow", "',' or '=>'"},
      {"given", "a fact assignment (name = value)"},
      {"expectation", "an expectation (P eligible, P refused, P capped, P not in effect, total X, capped, not capped)"},
      {"enum value", "an enum value"},
      {"enum end", "an enum value, ',' or '}'"},
      {"param end", "`from` or '}'"},
      {"program end",
       "a programme clause (bureau, citation, source, effective, workflow, require, amount, minimum, cap) or '}'"},
      {"table end", "`inputs`, a table row or '}'"},
      {"exception end",
       "an exception clause (applies, when, refuse, amount, priority, citation, effective) or '}'"},
      {"group end", "a group clause (programs, cap, already, pay, citation) or '}'"},
      {"test end", "`given`, `expect` or '}'"},
      {"declaration", "a declaration (enum, fact, param, program, table, exception, group, test, role, action, workflow)"},
      {"role reference", "a role"},
      {"period", "a period (N days or N working days)"},
      {"period unit", "`days` or `working days`"},
      {"target", "a stage name or `back`"},
      {"joint policy", "a joint-review policy (all, veto, majority)"},
      {"joint end", "a reviewer role or '}'"},
      {"stage end", "a stage clause (responsible, joint, deadline, after, amount adjustable, on) or '}'"},
      {"workflow end", "a workflow clause (start, reserve at, stage, correction, terminal) or '}'"},
      {"escape", "an escape sequence (\\\", \\\\ or \\n)"},
      {"closing quote", "'\"' to close the string"},
  };
  if (auto it = id_map.find(which); it != id_map.end()) return it->second;
  if (which.size() >= 2 && which.front() == '"' && which.back() == '"')
    return "'" + which.substr(1, which.size() - 2) + "'";
  return which;
}

std::string describe(std::string const& which) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    auto bar = which.find('|', start);
    std::string part = which.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (!part.empty()) {
      std::string d = describe_one(part);
      if (std::find(parts.begin(), parts.end(), d) == parts.end()) parts.push_back(d);
    }
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (parts.empty()) return "something else";
  std::string out = parts[0];
  for (std::size_t i = 1; i < parts.size(); ++i) out += (i + 1 == parts.size() ? " or " : ", ") + parts[i];
  return out;
}

// The span of the token at p (already past white space): an identifier/number run, or one
// UTF-8 character; empty at the end of the file.
diag::Span token_span(ParseState const& st, char const* p) {
  char const* end = st.end;
  if (p == end) return st.span(p, p);
  char const* q = p;
  if (parser::is_name_char(q, end)) {
    while (q != end && parser::is_name_char(q, end)) ++q;
  } else {
    ++q;
    while (q != end && (static_cast<unsigned char>(*q) & 0xC0) == 0x80) ++q;
  }
  return st.span(p, q);
}

// Where to continue after a syntax error in the declaration that started at `start`, the error
// being at `from`: the next declaration keyword that begins a line (after blanks), or that
// follows a `}` closing the nesting level of the error. Strings and comments are skipped.
char const* recover(char const* base, char const* end, char const* start, char const* from) {
  auto line_start_kw = [&](char const* p) -> char const* {
    while (p != end && (*p == ' ' || *p == '\t')) ++p;
    return (p != end && p > start && at_decl_keyword(p, end)) ? p : nullptr;
  };
  char const* p = from;
  {  // is `from` itself at the start of a line?
    char const* b = p;
    while (b != base && (b[-1] == ' ' || b[-1] == '\t')) --b;
    if (b == base || b[-1] == '\n')
      if (auto q = line_start_kw(b)) return q;
  }
  int depth = 0;
  while (p != end) {
    char c = *p;
    if (c == '#') {
      while (p != end && *p != '\n') ++p;
      continue;
    }
    if (c == '"') {
      ++p;
      while (p != end && *p != '"' && *p != '\n') p += (*p == '\\' && p + 1 != end && p[1] != '\n') ? 2 : 1;
      if (p != end && *p == '"') ++p;
      continue;
    }
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth == 0) {
        char const* q = parser::skip_blanks(p + 1, end);
        if (q != end && q > start && at_decl_keyword(q, end)) return q;
      } else {
        --depth;
      }
    } else if (c == '\n') {
      if (auto q = line_start_kw(p + 1)) return q;
    }
    ++p;
  }
  return end;
}

// E0008 for bytes that are not UTF-8, once per line (a binary file gives one error per line, not per byte).
void check_utf8(ParseState& st, std::string_view text) {
  std::size_t reported_line_end = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = diag::utf8_length(text, i);
    if (n) {
      i += n;
      continue;
    }
    std::size_t j = i + 1;
    while (j < text.size() && diag::utf8_length(text, j) == 0) ++j;
    if (i >= reported_line_end) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[i]));
      st.error("E0008", st.span(st.base + i, st.base + j),
               std::string("invalid UTF-8 (byte ") + hex + ")",
               {diag::Note{{}, "rule files must be UTF-8; save the file as UTF-8 (not GBK or GB 18030)", false}});
      auto nl = text.find('\n', j);
      reported_line_end = nl == std::string_view::npos ? text.size() : nl;
    }
    i = j;
  }
}

// The ASCII character the full-width punctuation mark at p (see parser::fullwidth_punct) stands
// for, or "" when there is none.
std::string ascii_for_fullwidth(char const* p) {
  char32_t cp = (static_cast<char32_t>(p[0] & 0x0F) << 12) | (static_cast<char32_t>(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  if (cp >= 0xFF01 && cp <= 0xFF5E) return std::string(1, static_cast<char>(cp - 0xFEE0));  // ；→;  （→(  ＝→=
  switch (cp) {
    case 0x201C: case 0x201D: return "\"";
    case 0x2018: case 0x2019: return "'";
    case 0x3001: return ",";
    case 0x3002: return ".";
    case 0x3010: return "[";
    case 0x3011: return "]";
    default: return {};
  }
}

bool is_name_position(std::string const& which) {
  std::size_t start = 0;
  for (;;) {
    auto bar = which.find('|', start);
    std::string part = which.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (part == "identifier" || part == "enum value" || part == "enum end" || part == "given" || part == "role reference")
      return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

}  // namespace

GrammarResult parse_declarations(std::string_view text, diag::FileId file, diag::Diagnostics& diags) {
  namespace x3 = boost::spirit::x3;
  GrammarResult out;
  ParseState st;
  st.base = text.data();
  st.end = text.data() + text.size();
  st.file = file;
  st.diags = &diags;

  check_utf8(st, text);
  iterator_type pos = st.base;
  auto const parser = x3::with<parser::state_tag>(st)[parser::declaration];
  for (;;) {
    pos = parser::skip_blanks(pos, st.end);
    if (pos == st.end) break;
    st.seen.clear();
    iterator_type const start = pos;
    iterator_type err = nullptr;
    std::string which;
    try {
      ast::Decl decl;
      if (x3::phrase_parse(pos, st.end, parser, parser::skipper, decl, x3::skip_flag::dont_post_skip)) {
        out.decls.push_back(std::move(decl));
        continue;
      }
      err = start;
      which = "declaration";
    } catch (x3::expectation_failure<iterator_type> const& x) {
      err = x.where();
      which = x.which();
    }
    // A lexical error inside a string points at the offending byte; others at the next token.
    bool lexical = which == "closing quote" || which == "escape";
    char const* at = lexical ? err : parser::skip_blanks(err, st.end);
    diag::Span tok = token_span(st, at);
    std::string word = st.text(tok);
    if (which == "nesting") {
      st.error("E0007", tok, "expression nested too deeply (more than " + std::to_string(ast::kMaxNesting) + " levels)");
    } else if (which == "depth") {
      st.error("E0007", tok, "expression too deep (more than " + std::to_string(ast::kMaxExprDepth) + " levels)",
               {diag::Note{{}, "each operator of a chain counts: `a + b + c` is 3 levels; split a long condition into "
                               "several requirements",
                           false}});
    } else if (is_name_position(which) && parser::is_keyword(word)) {
      st.error("E0010", tok, "`" + word + "` is a reserved word and cannot be used as a name",
               {diag::Note{{}, "choose another name, e.g. `" + word + "_`; docs/language.md lists the reserved words", false}});
    } else {
      std::vector<diag::Note> notes;
      if (parser::fullwidth_punct(at, st.end)) {
        auto hint = ascii_for_fullwidth(at);
        notes.push_back({{}, "`" + word + "` is full-width punctuation (from a Chinese input method); " +
                                 (hint.empty() ? std::string("the language uses ASCII punctuation") : "write `" + hint + "`"),
                         false});
      }
      st.error("E0001", tok, "expected " + describe(which), std::move(notes));
    }
    pos = recover(st.base, st.end, start, at);
  }
  out.errors = st.errors;
  return out;
}

}  // namespace subsidy::dsl::detail
