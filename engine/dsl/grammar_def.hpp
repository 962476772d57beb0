#pragma once
// The Spirit X3 grammar of the rule language (docs/language.md). Included only by grammar.cpp.
//
// Design:
//  * Lexical items (identifiers, keywords, punctuation, numbers/money/dates, strings) are small
//    hand-written X3 primitive parsers: they know UTF-8 identifiers, never advance on failure and
//    report invalid literals (E0002–E0004, E0006) to the ParseState found in the context.
//  * Rules synthesize the public AST (dsl/ast.hpp) directly through semantic actions on `_val`;
//    there is no intermediate X3 AST. `sb`/`se` record a rule's span into `_val.span`.
//  * `>` (expectation) throws x3::expectation_failure; grammar.cpp turns it into E0001 and recovers.
//    The `what` of every expectation target is a rule name, a keyword or a punctuation token,
//    mapped to user words in grammar.cpp.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "dsl/ast.hpp"
#include "dsl/config.hpp"
#include "model/date.hpp"

namespace subsidy::dsl::parser {
template <typename Subject>
struct nesting_parser;
}  // namespace subsidy::dsl::parser

// Readable `what` for composite parsers (X3's default is the typeid name): an action or a
// directive is what its subject is, a sequence is what it starts with, an alternative is
// "a|b" (grammar.cpp splits and joins with "or").
namespace boost::spirit::x3 {
template <typename S, typename A>
struct get_info<action<S, A>> {
  typedef std::string result_type;
  std::string operator()(action<S, A> const& p) const { return what(p.subject); }
};
template <typename L, typename R>
struct get_info<sequence<L, R>> {
  typedef std::string result_type;
  std::string operator()(sequence<L, R> const& p) const {
    std::string l = what(p.left);
    return l.empty() ? what(p.right) : l;
  }
};
template <typename L, typename R>
struct get_info<alternative<L, R>> {
  typedef std::string result_type;
  std::string operator()(alternative<L, R> const& p) const { return what(p.left) + "|" + what(p.right); }
};
template <typename S>
struct get_info<expect_directive<S>> {
  typedef std::string result_type;
  std::string operator()(expect_directive<S> const& p) const { return what(p.subject); }
};
template <typename S>
struct get_info<optional<S>> {
  typedef std::string result_type;
  std::string operator()(optional<S> const& p) const { return what(p.subject); }
};
template <typename S>
struct get_info<subsidy::dsl::parser::nesting_parser<S>> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::nesting_parser<S> const& p) const { return what(p.subject); }
};
template <typename S>
struct get_info<kleene<S>> {
  typedef std::string result_type;
  std::string operator()(kleene<S> const& p) const { return what(p.subject); }
};
template <typename L, typename R>
struct get_info<list<L, R>> {
  typedef std::string result_type;
  std::string operator()(list<L, R> const& p) const { return what(p.left); }
};
}  // namespace boost::spirit::x3

namespace subsidy::dsl::parser {

namespace ast = subsidy::dsl::ast;
using diag::Span;

template <typename Ctx>
ParseState& state(Ctx const& ctx) {
  return x3::get<state_tag>(ctx);
}

inline bool match_word(char const* p, char const* last, std::string_view w) {
  if (last - p < static_cast<std::ptrdiff_t>(w.size()) || std::string_view(p, w.size()) != w) return false;
  char const* q = p + w.size();
  return q == last || !is_name_char(q, last);
}

inline constexpr std::string_view kKeywords[] = {
    "enum",      "fact",     "param",     "program",  "table",    "exception", "group",        "test",
    "from",      "to",       "source",    "effective", "bureau",  "citation",  "workflow",     "require",
    "else",      "clause",   "amount",    "minimum",  "cap",      "inputs",    "hit",          "applies",
    "all",       "when",     "refuse",    "priority", "programs", "total",     "already",      "pay",
    "highest",   "given",    "expect",    "eligible", "refused",  "because",   "not",          "in",
    "effect",    "capped",   "as",        "of",       "set",      "and",       "or",           "if",
    "then",      "true",     "false",     "unique",   "first",    "collect",   "sum",          "min",
    "max",       "count",    "sourced",   "secondary", "derived", "illustrative",
    // workflows (docs/workflow.md)
    "role",      "action",   "stage",     "correction", "terminal", "start",     "responsible",  "deadline",
    "on",        "by",       "after",     "joint",     "back"};

inline bool is_keyword(std::string_view w) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), w) != std::end(kKeywords);
}

// ------------------------------------------------------------------ lexical primitives

// A keyword, matched as a whole word; no attribute.
struct kw_parser : x3::parser<kw_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  std::string_view word;
  constexpr explicit kw_parser(std::string_view w) : word(w) {}
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
    It p = skip_blanks(first, last);
    if (!match_word(p, last, word)) return false;
    first = p + word.size();
    return true;
  }
};
constexpr kw_parser kw(std::string_view w) { return kw_parser(w); }

// A keyword used as a name (`min(`, hit policies, statuses…): attribute ast::Ident.
struct word_parser : x3::parser<word_parser> {
  using attribute_type = ast::Ident;
  static bool const has_attribute = true;
  std::string_view word;
  constexpr explicit word_parser(std::string_view w) : word(w) {}
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
    It p = skip_blanks(first, last);
    if (!match_word(p, last, word)) return false;
    ast::Ident id{std::string(word), state(ctx).span(p, p + word.size())};
    x3::traits::move_to(std::move(id), attr);
    first = p + word.size();
    return true;
  }
};
constexpr word_parser word_p(std::string_view w) { return word_parser(w); }

// Punctuation, exact bytes; no attribute. Never advances on failure.
struct tok_parser : x3::parser<tok_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  std::string_view text;
  constexpr explicit tok_parser(std::string_view t) : text(t) {}
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
    It p = skip_blanks(first, last);
    if (last - p < static_cast<std::ptrdiff_t>(text.size()) || std::string_view(p, text.size()) != text) return false;
    first = p + text.size();
    return true;
  }
};
constexpr tok_parser tok(std::string_view t) { return tok_parser(t); }

// '-' that does not begin '->' (expressions subtract and negate; workflow transitions use '->').
struct minus_parser : x3::parser<minus_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
    It p = skip_blanks(first, last);
    if (p == last || *p != '-' || (p + 1 != last && p[1] == '>')) return false;
    first = p + 1;
    return true;
  }
};
inline constexpr minus_parser minus{};

// identifier: [A-Za-z_ or byte >= 0x80][A-Za-z0-9_ or byte >= 0x80]*, not a keyword.
struct ident_parser : x3::parser<ident_parser> {
  using attribute_type = ast::Ident;
  static bool const has_attribute = true;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
    It p = skip_blanks(first, last);
    if (p == last || !is_name_start(p, last)) return false;
    It q = p + 1;
    while (q != last && is_name_char(q, last)) ++q;
    std::string_view w(p, static_cast<std::size_t>(q - p));
    if (is_keyword(w)) return false;
    ast::Ident id{std::string(w), state(ctx).span(p, q)};
    x3::traits::move_to(std::move(id), attr);
    first = q;
    return true;
  }
};
inline constexpr ident_parser ident_p{};

// "text" with \" \\ \n escapes; a string ends on its line. Lexical errors are hard errors.
struct string_parser : x3::parser<string_parser> {
  using attribute_type = std::string;
  static bool const has_attribute = true;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr& attr) const {
    It p = skip_blanks(first, last);
    if (p == last || *p != '"') return false;
    It q = p + 1;
    std::string s;
    for (;;) {
      if (q == last || *q == '\n' || *q == '\r') throw x3::expectation_failure<It>(q, "closing quote");
      if (*q == '"') {
        ++q;
        break;
      }
      if (*q == '\\') {
        char e = (q + 1 != last) ? q[1] : '\0';
        if (e == '"' || e == '\\') {
          s += e;
        } else if (e == 'n') {
          s += '\n';
        } else {
          throw x3::expectation_failure<It>(q, "escape");
        }
        q += 2;
        continue;
      }
      s += *q++;
    }
    x3::traits::move_to(std::move(s), attr);
    first = q;
    return true;
  }
};
inline constexpr string_parser str_p{};

struct SpannedLit {
  ast::Literal lit;
  Span span;
};

inline bool mul_add(std::int64_t& acc, std::int64_t factor, std::int64_t addend) {
  return !__builtin_mul_overflow(acc, factor, &acc) && !__builtin_add_overflow(acc, addend, &acc);
}

// Lexes a date, integer, decimal, percent or money literal at p. Returns the end, or nullptr when
// there is no number at p. Invalid literals are reported and yield value 0.
inline char const* lex_number(char const* p, char const* end, ParseState& st, SpannedLit& out) {
  auto digit = [end](char const* q) { return q < end && *q >= '0' && *q <= '9'; };
  if (!digit(p)) return nullptr;
  char const* b = p;
  // YYYY-MM-DD wins over subtraction.
  if (digit(p) && digit(p + 1) && digit(p + 2) && digit(p + 3) && p + 4 < end && p[4] == '-' && digit(p + 5) &&
      digit(p + 6) && p + 7 < end && p[7] == '-' && digit(p + 8) && digit(p + 9) && !digit(p + 10)) {
    out.lit.kind = ast::Literal::Kind::Date;
    out.span = st.span(p, p + 10);
    std::string_view text(p, 10);
    if (auto d = model::parse_date(text)) {
      out.lit.value = *d;
    } else {
      out.lit.value = 0;
      st.error("E0003", out.span, "invalid date `" + std::string(text) + "`: not a calendar day");
    }
    return p + 10;
  }
  std::string int_digits;
  while (p < end) {
    if (digit(p)) {
      int_digits += *p++;
    } else if (*p == '_' && digit(p - 1) && digit(p + 1)) {
      ++p;
    } else {
      break;
    }
  }
  std::string frac;
  bool has_frac = false;
  if (p < end && *p == '.' && digit(p + 1)) {
    has_frac = true;
    ++p;
    while (digit(p)) frac += *p++;
  }
  char const* unit_begin = p;
  enum class Suffix { none, percent, money } suffix = Suffix::none;
  std::int64_t unit = 1;  // fen per unit for money
  auto starts = [&](std::string_view s) {
    return end - p >= static_cast<std::ptrdiff_t>(s.size()) && std::string_view(p, s.size()) == s;
  };
  if (p < end && *p == '%') {
    suffix = Suffix::percent;
    ++p;
  } else if (starts("万元")) {
    suffix = Suffix::money, unit = 1'000'000, p += 6;
  } else if (starts("万")) {
    suffix = Suffix::money, unit = 1'000'000, p += 3;
  } else if (starts("元")) {
    suffix = Suffix::money, unit = 100, p += 3;
  } else if (starts("分")) {
    suffix = Suffix::money, unit = 1, p += 3;
  } else if (match_word(p, end, "yuan")) {
    suffix = Suffix::money, unit = 100, p += 4;
  } else if (match_word(p, end, "wan")) {
    suffix = Suffix::money, unit = 1'000'000, p += 3;
  } else if (match_word(p, end, "fen")) {
    suffix = Suffix::money, unit = 1, p += 3;
  }
  if (suffix != Suffix::percent && p < end && is_name_char(p, end)) {
    // Letters right after a number are a unit this language does not know: `500美元`, `3kg`, `5分钟`.
    while (p < end && is_name_char(p, end)) ++p;
    out.span = st.span(b, p);
    out.lit.kind = ast::Literal::Kind::Money;
    out.lit.value = 0;
    st.error("E0009", out.span,
             "unknown money unit `" + std::string(unit_begin, p) + "` in `" + std::string(b, p) + "`",
             {diag::Note{{}, "money units are 元 (yuan), 万 or 万元 (wan) and 分 (fen); a percentage ends in %", false}});
    return p;
  }
  out.span = st.span(b, p);
  std::string text(b, p);

  std::int64_t scale = 1;
  int scale_digits = 0;
  using K = ast::Literal::Kind;
  switch (suffix) {
    case Suffix::none:
      out.lit.kind = has_frac ? K::Decimal : K::Int;
      scale = has_frac ? 1'000'000 : 1;
      scale_digits = has_frac ? 6 : 0;
      break;
    case Suffix::percent:
      out.lit.kind = K::Decimal;
      scale = 10'000;
      scale_digits = 4;
      break;
    case Suffix::money:
      out.lit.kind = K::Money;
      scale = unit;
      scale_digits = unit == 1 ? 0 : unit == 100 ? 2 : 6;
      break;
  }
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  out.lit.value = 0;
  if (static_cast<int>(frac.size()) > scale_digits) {
    if (suffix == Suffix::money) {
      st.error("E0002", out.span, "money literal `" + text + "` is finer than 1 分");
    } else {
      st.error("E0006", out.span,
               "decimal literal `" + text + "` is finer than " +
                   (suffix == Suffix::percent ? "0.0001%" : "0.000001"));
    }
    return p;
  }
  std::int64_t v = 0;
  bool ok = true;
  for (char c : int_digits) ok = ok && mul_add(v, 10, c - '0');
  ok = ok && mul_add(v, scale, 0);
  std::int64_t f = 0;
  for (char c : frac) f = f * 10 + (c - '0');
  for (int i = static_cast<int>(frac.size()); i < scale_digits; ++i) f *= 10;
  ok = ok && mul_add(v, 1, f);
  if (!ok) {
    st.error("E0004", out.span, "number literal `" + text + "` is out of range");
    return p;
  }
  out.lit.value = v;
  return p;
}

struct number_parser : x3::parser<number_parser> {
  using attribute_type = SpannedLit;
  static bool const has_attribute = true;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr& attr) const {
    It p = skip_blanks(first, last);
    SpannedLit lit;
    It q = lex_number(p, last, state(ctx), lit);
    if (q == nullptr) return false;
    x3::traits::move_to(std::move(lit), attr);
    first = q;
    return true;
  }
};
inline constexpr number_parser num_p{};

// Records the start of a clause (after white space) for clause spans and E0005 notes.
struct mark_parser : x3::parser<mark_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx&, Attr&) const {
    first = skip_blanks(first, last);
    state(ctx).mark = first;
    return true;
  }
};
inline constexpr mark_parser mark{};

// sb / se: set `_val.span` of the enclosing rule to [first token, end of last token).
struct span_begin_parser : x3::parser<span_begin_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr&) const {
    first = skip_blanks(first, last);
    if constexpr (requires { rctx.span; }) {
      rctx.span = state(ctx).span(first, first);
    }
    return true;
  }
};
struct span_end_parser : x3::parser<span_end_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const&, Ctx const& ctx, RCtx& rctx, Attr&) const {
    if constexpr (requires { rctx.span; }) {
      rctx.span.end = static_cast<std::uint32_t>(first - state(ctx).base);
    }
    return true;
  }
};
// nested[p]: p, counted against the grammar's nesting limit ast::kMaxNesting (E0007 beyond it).
using ast::kMaxNesting;
template <typename Subject>
struct nesting_parser : x3::unary_parser<Subject, nesting_parser<Subject>> {
  using base_type = x3::unary_parser<Subject, nesting_parser<Subject>>;
  static bool const is_pass_through_unary = true;
  constexpr explicit nesting_parser(Subject const& s) : base_type(s) {}
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    ParseState& st = state(ctx);
    if (st.depth >= kMaxNesting) throw x3::expectation_failure<It>(skip_blanks(first, last), "nesting");
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{++st.depth};
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};
struct nesting_gen {
  template <typename S>
  constexpr nesting_parser<typename x3::extension::as_parser<S>::value_type> operator[](S const& s) const {
    return nesting_parser<typename x3::extension::as_parser<S>::value_type>(x3::as_parser(s));
  }
};
inline constexpr nesting_gen nested{};

inline constexpr span_begin_parser sb{};
inline constexpr span_end_parser se{};

}  // namespace subsidy::dsl::parser

namespace boost::spirit::x3 {
template <>
struct get_info<subsidy::dsl::parser::kw_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::kw_parser const& p) const { return "`" + std::string(p.word) + "`"; }
};
template <>
struct get_info<subsidy::dsl::parser::word_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::word_parser const& p) const { return "`" + std::string(p.word) + "`"; }
};
template <>
struct get_info<subsidy::dsl::parser::minus_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::minus_parser const&) const { return "'-'"; }
};
template <>
struct get_info<subsidy::dsl::parser::tok_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::tok_parser const& p) const { return "'" + std::string(p.text) + "'"; }
};
template <>
struct get_info<subsidy::dsl::parser::ident_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::ident_parser const&) const { return "identifier"; }
};
template <>
struct get_info<subsidy::dsl::parser::string_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::string_parser const&) const { return "string"; }
};
template <>
struct get_info<subsidy::dsl::parser::number_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::number_parser const&) const { return "number"; }
};
template <>
struct get_info<subsidy::dsl::parser::mark_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::mark_parser const&) const { return ""; }
};
template <>
struct get_info<subsidy::dsl::parser::span_begin_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::span_begin_parser const&) const { return ""; }
};
template <>
struct get_info<subsidy::dsl::parser::span_end_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::span_end_parser const&) const { return ""; }
};
}  // namespace boost::spirit::x3

namespace subsidy::dsl::parser {

// ------------------------------------------------------------------ semantic actions
using x3::_attr;
using x3::_pass;
using x3::_val;

struct assign_fn {  // _val = _attr
  template <typename C>
  void operator()(C& c) const {
    _val(c) = std::move(_attr(c));
  }
};
inline constexpr assign_fn assign{};

struct take_fn {  // _val = _attr, keeping the begin of _val.span set by `sb` (se sets the end)
  template <typename C>
  void operator()(C& c) const {
    auto& v = _val(c);
    Span s = v.span;
    v = std::move(_attr(c));
    v.span.file = s.file;
    v.span.begin = s.begin;
  }
};
inline constexpr take_fn take{};

template <auto M>
struct set_fn {
  template <typename C>
  void operator()(C& c) const {
    _val(c).*M = std::move(_attr(c));
  }
};
template <auto M>
inline constexpr set_fn<M> set_{};

template <auto M>
struct push_fn {
  template <typename C>
  void operator()(C& c) const {
    (_val(c).*M).push_back(std::move(_attr(c)));
  }
};
template <auto M>
inline constexpr push_fn<M> push_{};

struct push_back_fn {
  template <typename C>
  void operator()(C& c) const {
    _val(c).push_back(std::move(_attr(c)));
  }
};
inline constexpr push_back_fn push_back{};

template <auto M, auto V>
struct flag_fn {  // _val.*M = V
  template <typename C>
  void operator()(C& c) const {
    _val(c).*M = V;
  }
};
template <auto M, auto V>
inline constexpr flag_fn<M, V> flag_{};

inline ast::ExprPtr box(ast::Expr&& e) { return std::make_unique<ast::Expr>(std::move(e)); }

// Sets the tree height of a node built by a semantic action from an operand's height; beyond
// ast::kMaxExprDepth parsing stops with E0007 at `at` (source offset of the operator or construct),
// before a deeper tree exists, so that neither later passes nor the tree's own destruction recurse
// deeper than the limit.
template <typename C>
void set_depth(C& c, ast::Expr& e, std::uint32_t operand_depth, std::uint32_t at) {
  if (operand_depth + 1 > ast::kMaxExprDepth) throw x3::expectation_failure<iterator_type>(state(c).base + at, "depth");
  e.depth = std::max(e.depth, operand_depth + 1);
}

// Records a singular clause; false (after reporting E0005) when it was already given.
template <typename C>
bool first_clause(C& c, char const* keyword, Span& sp) {
  ParseState& st = state(c);
  sp = st.span(st.mark, x3::_where(c).begin());
  for (auto const& [k, first] : st.seen) {
    if (k == keyword) {
      st.error("E0005", sp, "duplicate `" + k + "` clause",
               {diag::Note{first, "the first `" + k + "` clause is here", true}});
      return false;
    }
  }
  st.seen.emplace_back(keyword, sp);
  return true;
}

// A singular clause whose attribute goes to member M (and whose span, if S is given, to S).
template <auto M, auto S = nullptr>
struct once_fn {
  char const* keyword;
  template <typename C>
  void operator()(C& c) const {
    Span sp;
    if (!first_clause(c, keyword, sp)) return;
    _val(c).*M = std::move(_attr(c));
    if constexpr (!std::is_same_v<decltype(S), std::nullptr_t>) _val(c).*S = sp;
  }
};
// A singular clause without attribute: sets the bool member M (and span member S).
template <auto M, auto S>
struct once_flag_fn {
  char const* keyword;
  template <typename C>
  void operator()(C& c) const {
    Span sp;
    if (!first_clause(c, keyword, sp)) return;
    _val(c).*M = true;
    _val(c).*S = sp;
  }
};

// `applies to all | A, B` / `programs all | A, B`
struct Targets {
  bool all = false;
  std::vector<ast::Ident> names;
};
template <auto All, auto Names, auto S>
struct once_targets_fn {
  char const* keyword;
  template <typename C>
  void operator()(C& c) const {
    Span sp;
    if (!first_clause(c, keyword, sp)) return;
    auto& t = _attr(c);
    _val(c).*All = t.all;
    _val(c).*Names = std::move(t.names);
    _val(c).*S = sp;
  }
};

// Expressions
template <ast::BinOp Op>
struct fold_fn {  // _val = _val Op _attr
  template <typename C>
  void operator()(C& c) const {
    ast::Expr& lhs = _val(c);
    ast::Expr& rhs = _attr(c);
    ast::Expr e;
    e.span = Span{lhs.span.file, lhs.span.begin, rhs.span.end};
    set_depth(c, e, std::max(lhs.depth, rhs.depth), lhs.span.end);  // at the operator
    e.node = ast::Binary{Op, box(std::move(lhs)), box(std::move(rhs))};
    lhs = std::move(e);
  }
};
template <ast::BinOp Op>
inline constexpr fold_fn<Op> fold{};

template <ast::UnOp Op>
struct unary_fn {
  template <typename C>
  void operator()(C& c) const {
    set_depth(c, _val(c), _attr(c).depth, _val(c).span.begin);
    _val(c).node = ast::Unary{Op, box(std::move(_attr(c)))};
  }
};
template <ast::UnOp Op>
inline constexpr unary_fn<Op> unary{};

inline auto const mk_lit = [](auto& c) { _val(c).node = _attr(c).lit; };
inline auto const mk_text = [](auto& c) {
  ast::Literal l;
  l.kind = ast::Literal::Kind::Text;
  l.text = std::move(_attr(c));
  _val(c).node = std::move(l);
};
template <std::int64_t B>
struct mk_bool_fn {
  template <typename C>
  void operator()(C& c) const {
    ast::Literal l;
    l.kind = ast::Literal::Kind::Bool;
    l.value = B;
    _val(c).node = l;
  }
};
inline auto const mk_name = [](auto& c) { _val(c).node = ast::Name{std::move(_attr(c).name)}; };
inline auto const mk_call = [](auto& c) { _val(c).node = ast::Call{std::move(_attr(c)), {}}; };
inline auto const push_arg = [](auto& c) {
  set_depth(c, _val(c), _attr(c).depth, _val(c).span.begin);
  std::get<ast::Call>(_val(c).node).args.push_back(std::move(_attr(c)));
};
inline auto const mk_set = [](auto& c) { _val(c).node = ast::SetLit{}; };
inline auto const push_item = [](auto& c) {
  set_depth(c, _val(c), _attr(c).depth, _val(c).span.begin);
  std::get<ast::SetLit>(_val(c).node).items.push_back(std::move(_attr(c)));
};
inline auto const mk_if = [](auto& c) { _val(c).node = ast::If{}; };
template <ast::ExprPtr ast::If::*M>
struct if_set_fn {
  template <typename C>
  void operator()(C& c) const {
    set_depth(c, _val(c), _attr(c).depth, _val(c).span.begin);
    std::get<ast::If>(_val(c).node).*M = box(std::move(_attr(c)));
  }
};

// Literal checks
inline auto const date_only = [](auto& c) {
  if (_attr(c).lit.kind != ast::Literal::Kind::Date) {
    _pass(c) = false;
    return;
  }
  _val(c) = _attr(c);
};
inline auto const int_pos = [](auto& c) {
  if (_attr(c).lit.kind != ast::Literal::Kind::Int) {
    _pass(c) = false;
    return;
  }
  _val(c) = _attr(c).lit.value;
};
inline auto const int_neg = [](auto& c) {
  if (_attr(c).lit.kind != ast::Literal::Kind::Int) {
    _pass(c) = false;
    return;
  }
  _val(c) = -_attr(c).lit.value;
};

// Table cells
template <ast::BinOp Op>
struct cell_cmp_fn {
  template <typename C>
  void operator()(C& c) const {
    _val(c).kind = ast::TableCell::Kind::Compare;
    _val(c).cmp = Op;
  }
};
template <ast::BinOp Op>
inline constexpr cell_cmp_fn<Op> cell_cmp{};
template <bool Open>
struct range_lo_fn {
  template <typename C>
  void operator()(C& c) const {
    _val(c).kind = ast::TableCell::Kind::Range;
    _val(c).lo_open = Open;
  }
};

struct HitSpec {
  ast::Ident hit;
  std::optional<ast::Ident> agg;
};

// Workflows
struct TargetSpec {  // a stage name, or `back`
  ast::Ident name;
  bool back = false;
};
inline auto const target_back = [](auto& c) { _val(c).back = true; };
inline auto const set_target = [](auto& c) {
  _val(c).target = std::move(_attr(c).name);
  _val(c).back = _attr(c).back;
};
template <ast::Stage::Kind K>
struct stage_kind_fn {
  template <typename C>
  void operator()(C& c) const {
    _val(c).kind = K;
  }
};
// Starts a stage body: the singular stage clauses (`joint`, `deadline`, `after`, `amount`) of the previous
// stage of the same workflow must not count as duplicates.
struct stage_begin_parser : x3::parser<stage_begin_parser> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;
  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It&, It const&, Ctx const& ctx, RCtx&, Attr&) const {
    auto& seen = state(ctx).seen;
    seen.erase(std::remove_if(seen.begin(), seen.end(),
                              [](auto const& e) {
                                return e.first == "joint" || e.first == "deadline" || e.first == "after" || e.first == "amount";
                              }),
               seen.end());
    return true;
  }
};
inline constexpr stage_begin_parser stage_begin{};

}  // namespace subsidy::dsl::parser

namespace boost::spirit::x3 {
template <>
struct get_info<subsidy::dsl::parser::stage_begin_parser> {
  typedef std::string result_type;
  std::string operator()(subsidy::dsl::parser::stage_begin_parser const&) const { return ""; }
};
}  // namespace boost::spirit::x3

namespace subsidy::dsl::parser {

// ------------------------------------------------------------------ rules
using ExprRule = x3::rule<struct expr_class, ast::Expr>;

ExprRule const expr_r = "expression";
x3::rule<struct or_class, ast::Expr> const or_r = "expression";
x3::rule<struct and_class, ast::Expr> const and_r = "expression";
x3::rule<struct not_class, ast::Expr> const not_r = "expression";
x3::rule<struct cmp_class, ast::Expr> const cmp_r = "expression";
x3::rule<struct add_class, ast::Expr> const add_r = "expression";
x3::rule<struct mul_class, ast::Expr> const mul_r = "expression";
x3::rule<struct unary_class, ast::Expr> const unary_r = "expression";
x3::rule<struct primary_class, ast::Expr> const primary_r = "expression";
x3::rule<struct expr_list_class, std::vector<ast::Expr>> const expr_list_r = "expression";

x3::rule<struct label_class, ast::Label> const label_r = "label";
x3::rule<struct reason_class, ast::Label> const reason_r = "reason";
x3::rule<struct type_class, ast::TypeRef> const type_r = "type";
x3::rule<struct date_class, SpannedLit> const date_r = "date";
x3::rule<struct int_class, std::int64_t> const int_r = "integer";
x3::rule<struct status_class, ast::Ident> const status_r = "status";
x3::rule<struct provenance_class, ast::Provenance> const provenance_r = "provenance";
x3::rule<struct effective_class, ast::Effective> const effective_r = "effective";
x3::rule<struct targets_class, Targets> const targets_r = "programme list";

x3::rule<struct enum_value_class, ast::EnumValue> const enum_value_r = "enum value";
x3::rule<struct enum_class, ast::EnumDecl> const enum_r = "enum";
x3::rule<struct fact_class, ast::FactDecl> const fact_r = "fact";
x3::rule<struct param_value_class, ast::ParamValue> const param_value_r = "param value";
x3::rule<struct param_class, ast::ParamDecl> const param_r = "param";
x3::rule<struct requirement_class, ast::Requirement> const requirement_r = "requirement";
x3::rule<struct program_class, ast::Program> const program_r = "program";
x3::rule<struct hit_class, HitSpec> const hit_r = "hit policy";
x3::rule<struct agg_class, ast::Ident> const agg_r = "aggregator";
x3::rule<struct cell_class, ast::TableCell> const cell_r = "table cell";
x3::rule<struct cmp_cell_class, ast::TableCell> const cmp_cell_r = "table cell";
x3::rule<struct range_cell_class, ast::TableCell> const range_cell_r = "table cell";
x3::rule<struct set_cell_class, ast::TableCell> const set_cell_r = "table cell";
x3::rule<struct range_close_class, bool> const range_close_r = "range end";
x3::rule<struct row_class, ast::TableRow> const row_r = "table row";
x3::rule<struct table_class, ast::TableDecl> const table_r = "table";
x3::rule<struct exception_class, ast::ExceptionDecl> const exception_r = "exception";
x3::rule<struct group_class, ast::GroupDecl> const group_r = "group";
x3::rule<struct given_class, ast::Given> const given_r = "given";
x3::rule<struct expect_class, ast::Expectation> const expect_r = "expectation";
x3::rule<struct expect_body_class, ast::Expectation> const expect_body_r = "expectation";
x3::rule<struct test_class, ast::TestDecl> const test_r = "test";

x3::rule<struct role_class, ast::RoleDecl> const role_r = "role";
x3::rule<struct action_class, ast::ActionDecl> const action_r = "action";
x3::rule<struct role_ref_class, ast::RoleRef> const role_ref_r = "role reference";
x3::rule<struct guarded_role_class, ast::GuardedRole> const guarded_role_r = "role reference";
x3::rule<struct period_class, ast::Period> const period_r = "period";
x3::rule<struct period_unit_class> const period_unit_r = "period unit";
x3::rule<struct target_class, TargetSpec> const target_r = "target";
x3::rule<struct transition_class, ast::Transition> const transition_r = "transition";
x3::rule<struct timer_class, ast::Timer> const timer_r = "timer";
x3::rule<struct joint_policy_class, ast::Ident> const joint_policy_r = "joint policy";
x3::rule<struct joint_class, ast::JointReview> const joint_r = "joint review";
x3::rule<struct stage_class, ast::Stage> const stage_r = "stage";
x3::rule<struct workflow_class, ast::WorkflowDecl> const workflow_r = "workflow";
x3::rule<struct joint_end_class> const joint_end = "joint end";
x3::rule<struct stage_end_class> const stage_end = "stage end";
x3::rule<struct workflow_end_class> const workflow_end = "workflow end";

x3::rule<struct enum_end_class> const enum_end = "enum end";
x3::rule<struct param_end_class> const param_end = "param end";
x3::rule<struct program_end_class> const program_end = "program end";
x3::rule<struct table_end_class> const table_end = "table end";
x3::rule<struct exception_end_class> const exception_end = "exception end";
x3::rule<struct group_end_class> const group_end = "group end";
x3::rule<struct test_end_class> const test_end = "test end";
x3::rule<struct arrow_class> const arrow = "row arrow";

using declaration_type = x3::rule<struct declaration_class, ast::Decl>;
declaration_type const declaration = "declaration";

inline constexpr tok_parser semi = tok(";");
inline constexpr tok_parser comma = tok(",");

// ---------------------------------------------------------------- expressions
auto const expr_r_def = nested[or_r];
auto const or_r_def = sb >> and_r[take] >> *((kw("or") > and_r)[fold<ast::BinOp::Or>]) >> se;
auto const and_r_def = sb >> not_r[take] >> *((kw("and") > not_r)[fold<ast::BinOp::And>]) >> se;
auto const not_r_def = sb >> ((kw("not") > nested[not_r])[unary<ast::UnOp::Not>] | cmp_r[take]) >> se;
auto const cmp_r_def = sb >> add_r[take] >>
                       -((tok("==") > add_r)[fold<ast::BinOp::Eq>] | (tok("!=") > add_r)[fold<ast::BinOp::Ne>] |
                         (tok("<=") > add_r)[fold<ast::BinOp::Le>] | (tok("<") > add_r)[fold<ast::BinOp::Lt>] |
                         (tok(">=") > add_r)[fold<ast::BinOp::Ge>] | (tok(">") > add_r)[fold<ast::BinOp::Gt>] |
                         (kw("in") > add_r)[fold<ast::BinOp::In>] |
                         (kw("not") >> kw("in") > add_r)[fold<ast::BinOp::NotIn>]) >>
                       se;
auto const add_r_def = sb >> mul_r[take] >>
                       *((tok("+") > mul_r)[fold<ast::BinOp::Add>] | (minus > mul_r)[fold<ast::BinOp::Sub>]) >> se;
auto const mul_r_def = sb >> unary_r[take] >>
                       *((tok("*") > unary_r)[fold<ast::BinOp::Mul>] | (tok("/") > unary_r)[fold<ast::BinOp::Div>]) >>
                       se;
auto const unary_r_def = sb >> ((minus > nested[unary_r])[unary<ast::UnOp::Neg>] | primary_r[take]) >> se;

auto const callee = ident_p[mk_call] | word_p("min")[mk_call] | word_p("max")[mk_call] | word_p("count")[mk_call];
auto const primary_r_def =
    sb >>
    ((kw("if")[mk_if] > expr_r[if_set_fn<&ast::If::cond>{}] > kw("then") > expr_r[if_set_fn<&ast::If::then_>{}] >
      kw("else") > expr_r[if_set_fn<&ast::If::else_>{}]) |
     (tok("{")[mk_set] > -(expr_r[push_item] % comma) > tok("}")) |  //
     (tok("(") > expr_r[take] > tok(")")) |                          //
     ((callee >> tok("(")) > -(expr_r[push_arg] % comma) > tok(")")) |
     num_p[mk_lit] | str_p[mk_text] | kw("true")[mk_bool_fn<1>{}] | kw("false")[mk_bool_fn<0>{}] |
     ident_p[mk_name] | word_p("amount")[mk_name] | word_p("eligible")[mk_name]) >>
    se;
auto const expr_list_r_def = expr_r[push_back] % comma;

// ---------------------------------------------------------------- shared pieces
auto const label_r_def = sb >> -(str_p[set_<&ast::Label::zh>] >> -str_p[set_<&ast::Label::en>]) >> se;
auto const reason_r_def = sb >> (str_p[set_<&ast::Label::zh>] >> -str_p[set_<&ast::Label::en>]) >> se;
auto const type_r_def = sb >>
                        ((kw("set") > kw("of") > (word_p("program")[set_<&ast::TypeRef::name>] | ident_p[set_<&ast::TypeRef::name>]))[flag_<&ast::TypeRef::is_set, true>] |
                         ident_p[set_<&ast::TypeRef::name>]) >>
                        -tok("?")[flag_<&ast::TypeRef::optional, true>] >> se;
auto const date_r_def = num_p[date_only];
auto const int_r_def = (tok("-") >> num_p[int_neg]) | num_p[int_pos];
auto const status_r_def =
    word_p("sourced")[assign] | word_p("secondary")[assign] | word_p("derived")[assign] | word_p("illustrative")[assign];
auto const provenance_r_def =
    sb >> (kw("source") > str_p[set_<&ast::Provenance::source>] > status_r[set_<&ast::Provenance::status>]) >> se;
inline auto const eff_from = [](auto& c) { _val(c).from = _attr(c).lit; };
inline auto const eff_to = [](auto& c) { _val(c).to = _attr(c).lit; };
auto const effective_r_def = sb >> (kw("effective") > kw("from") > date_r[eff_from] > -(kw("to") > date_r[eff_to])) >> se;
auto const targets_r_def = kw("all")[flag_<&Targets::all, true>] |
                           (ident_p[push_<&Targets::names>] >> *(comma >> ident_p[push_<&Targets::names>]));

// ---------------------------------------------------------------- enum, fact, param
auto const enum_value_r_def = ident_p[set_<&ast::EnumValue::name>] >> label_r[set_<&ast::EnumValue::label>];
auto const enum_r_def = sb >>
                        (kw("enum") > ident_p[set_<&ast::EnumDecl::name>] > label_r[set_<&ast::EnumDecl::label>] >
                         tok("{") > -(enum_value_r[push_<&ast::EnumDecl::values>] % comma) > -comma > enum_end) >>
                        se;
auto const fact_r_def = sb >>
                        (kw("fact") > ident_p[set_<&ast::FactDecl::name>] > tok(":") >
                         type_r[set_<&ast::FactDecl::type>] > label_r[set_<&ast::FactDecl::label>] > semi) >>
                        se;
inline auto const pv_from = [](auto& c) {
  _val(c).from = _attr(c).lit;
  _val(c).from_span = _attr(c).span;
};
auto const param_value_r_def = sb >>
                               (kw("from") > date_r[pv_from] > tok("=") > expr_r[set_<&ast::ParamValue::value>] >
                                provenance_r[set_<&ast::ParamValue::provenance>] > semi) >>
                               se;
auto const param_r_def = sb >>
                         (kw("param") > ident_p[set_<&ast::ParamDecl::name>] > tok(":") >
                          type_r[set_<&ast::ParamDecl::type>] > label_r[set_<&ast::ParamDecl::label>] > tok("{") >
                          *param_value_r[push_<&ast::ParamDecl::values>] > param_end) >>
                         se;

// ---------------------------------------------------------------- program
using P = ast::Program;
auto const requirement_r_def =
    sb >>
    (kw("require") > ident_p[set_<&ast::Requirement::name>] > tok(":") > expr_r[set_<&ast::Requirement::condition>] >
     kw("else") > reason_r[set_<&ast::Requirement::reason>] > -(kw("clause") > str_p[set_<&ast::Requirement::clause>]) >
     semi) >>
    se;
auto const program_clause =
    (mark >> kw("bureau") > str_p > semi)[once_fn<&P::bureau, &P::bureau_span>{"bureau"}] |
    (mark >> kw("citation") > str_p > semi)[once_fn<&P::citation, &P::citation_span>{"citation"}] |
    (mark >> provenance_r > semi)[once_fn<&P::provenance>{"source"}] |
    (mark >> effective_r > semi)[once_fn<&P::effective>{"effective"}] |
    (mark >> kw("workflow") > ident_p > semi)[once_fn<&P::workflow>{"workflow"}] |
    requirement_r[push_<&P::requirements>] |  //
    (mark >> kw("amount") > expr_r > semi)[once_fn<&P::amount>{"amount"}] |
    (mark >> kw("minimum") > expr_r > semi)[once_fn<&P::minimum>{"minimum"}] |
    (mark >> kw("cap") > expr_r > semi)[once_fn<&P::cap>{"cap"}];
auto const program_r_def = sb >>
                           (kw("program") > ident_p[set_<&P::id>] > label_r[set_<&P::title>] > tok("{") >
                            *program_clause > program_end) >>
                           se;

// ---------------------------------------------------------------- table
using T = ast::TableDecl;
using Cell = ast::TableCell;
auto const hit_r_def =
    word_p("unique")[set_<&HitSpec::hit>] | word_p("first")[set_<&HitSpec::hit>] | word_p("priority")[set_<&HitSpec::hit>] |
    (word_p("collect")[set_<&HitSpec::hit>] > agg_r[set_<&HitSpec::agg>]);
auto const agg_r_def = word_p("sum")[assign] | word_p("min")[assign] | word_p("max")[assign] | word_p("count")[assign];
auto const cmp_cell_r_def = (tok("<=")[cell_cmp<ast::BinOp::Le>] | tok("<")[cell_cmp<ast::BinOp::Lt>] |
                             tok(">=")[cell_cmp<ast::BinOp::Ge>] | tok(">")[cell_cmp<ast::BinOp::Gt>] |
                             tok("!=")[cell_cmp<ast::BinOp::Ne>] | tok("==")[cell_cmp<ast::BinOp::Eq>]) >
                            expr_r[set_<&Cell::a>];
inline auto const hi_open_set = [](auto& c) { _val(c) = true; };
inline auto const hi_closed_set = [](auto& c) { _val(c) = false; };
auto const range_close_r_def = tok("]")[hi_closed_set] | tok(")")[hi_open_set];
auto const range_cell_r_def =
    (tok("[")[range_lo_fn<false>{}] > expr_r[set_<&Cell::a>] > tok("..") > expr_r[set_<&Cell::b>] >
     range_close_r[set_<&Cell::hi_open>]) |
    (tok("(")[range_lo_fn<true>{}] >> expr_r[set_<&Cell::a>] >> tok("..") > expr_r[set_<&Cell::b>] >
     range_close_r[set_<&Cell::hi_open>]);
inline auto const cell_set_kind = [](auto& c) { _val(c).kind = Cell::Kind::Set; };
auto const set_cell_r_def = -kw("not")[flag_<&Cell::negated, true>] >> tok("{")[cell_set_kind] >
                            -(expr_r[push_<&Cell::items>] % comma) > tok("}");
inline auto const cell_any = [](auto& c) { _val(c).kind = Cell::Kind::Any; };
inline auto const cell_eq = [](auto& c) {
  _val(c).kind = Cell::Kind::Equal;
  _val(c).a = std::move(_attr(c));
};
auto const cell_r_def = sb >>
                        ((tok("-") >> &(comma | tok("=>")))[cell_any] | cmp_cell_r[take] | range_cell_r[take] |
                         set_cell_r[take] | expr_r[cell_eq]) >>
                        se;
auto const row_r_def = sb >>
                       (cell_r[push_<&ast::TableRow::cells>] % comma > arrow >
                        expr_r[set_<&ast::TableRow::output>] > semi) >>
                       se;
inline auto const set_hit = [](auto& c) {
  _val(c).hit = std::move(_attr(c).hit);
  _val(c).aggregator = std::move(_attr(c).agg);
};
struct inputs_fn {
  template <typename C>
  void operator()(C& c) const {
    Span sp;
    if (!first_clause(c, "inputs", sp)) return;
    _val(c).inputs = std::move(_attr(c));
    _val(c).inputs_span = sp;
  }
};
auto const inputs_clause = (mark >> kw("inputs") > expr_list_r > semi)[inputs_fn{}];
auto const table_r_def = sb >>
                         (kw("table") > ident_p[set_<&T::name>] > label_r[set_<&T::label>] > tok(":") >
                          type_r[set_<&T::result>] > kw("hit") > hit_r[set_hit] > tok("{") >
                          *(inputs_clause | row_r[push_<&T::rows>]) > table_end) >>
                         se;

// ---------------------------------------------------------------- exception, group
using E = ast::ExceptionDecl;
auto const exception_clause =
    (mark >> kw("applies") > kw("to") > targets_r > semi)[once_targets_fn<&E::all, &E::targets, &E::applies_span>{"applies"}] |
    (mark >> kw("when") > expr_r > semi)[once_fn<&E::when>{"when"}] |
    (mark >> kw("refuse") > reason_r > semi)[once_fn<&E::refuse>{"refuse"}] |
    (mark >> kw("amount") > expr_r > semi)[once_fn<&E::amount>{"amount"}] |
    (mark >> kw("priority") > int_r > semi)[once_fn<&E::priority, &E::priority_span>{"priority"}] |
    (mark >> kw("citation") > str_p > semi)[once_fn<&E::citation>{"citation"}] |
    (mark >> effective_r > semi)[once_fn<&E::effective>{"effective"}];
auto const exception_r_def = sb >>
                             (kw("exception") > ident_p[set_<&E::name>] > label_r[set_<&E::label>] > tok("{") >
                              *exception_clause > exception_end) >>
                             se;

using G = ast::GroupDecl;
struct cap_total_fn {
  template <typename C>
  void operator()(C& c) const {
    Span sp;
    if (!first_clause(c, "cap", sp)) return;
    _val(c).cap = std::move(_attr(c));
    _val(c).cap_total_only = true;
  }
};
auto const group_clause =
    (mark >> kw("programs") > targets_r > semi)[once_targets_fn<&G::all, &G::programs, &G::programs_span>{"programs"}] |
    (mark >> kw("cap") >> kw("total") > expr_r > semi)[cap_total_fn{}] |
    (mark >> kw("cap") > expr_r > semi)[once_fn<&G::cap>{"cap"}] |
    (mark >> kw("already") > expr_r > semi)[once_fn<&G::already>{"already"}] |
    (mark >> kw("pay") > kw("highest") > semi)[once_flag_fn<&G::pay_highest, &G::pay_highest_span>{"pay"}] |
    (mark >> kw("citation") > str_p > semi)[once_fn<&G::citation>{"citation"}];
auto const group_r_def = sb >>
                         (kw("group") > ident_p[set_<&G::name>] > label_r[set_<&G::label>] > tok("{") >
                          *group_clause > group_end) >>
                         se;

// ---------------------------------------------------------------- test
using X = ast::Expectation;
template <X::Kind K>
struct exp_kind_fn {
  template <typename C>
  void operator()(C& c) const {
    _val(c).kind = K;
  }
};
inline auto const exp_total = [](auto& c) {
  _val(c).kind = X::Kind::Total;
  _val(c).amount = std::move(_attr(c));
};
auto const given_r_def = ident_p[set_<&ast::Given::fact>] > tok("=") > expr_r[set_<&ast::Given::value>];
auto const expect_body_r_def =
    (kw("total") > expr_r)[exp_total] | kw("capped")[exp_kind_fn<X::Kind::Capped>{}] |
    (kw("not") >> kw("capped"))[exp_kind_fn<X::Kind::NotCapped>{}] |
    (ident_p[set_<&X::program>] >
     ((kw("eligible")[exp_kind_fn<X::Kind::Eligible>{}] > -(kw("amount") > expr_r[set_<&X::amount>])) |
      (kw("refused")[exp_kind_fn<X::Kind::Refused>{}] >
       -(kw("because") > ident_p[push_<&X::because>] > *(comma > ident_p[push_<&X::because>]))) |
      (kw("capped")[exp_kind_fn<X::Kind::ProgramCapped>{}] > -(kw("by") > ident_p[push_<&X::because>])) |
      (kw("not") > kw("in") > kw("effect"))[exp_kind_fn<X::Kind::NotInEffect>{}]));
auto const expect_r_def = sb >> (kw("expect") > expect_body_r[take] > semi) >> se;
inline auto const test_as_of = [](auto& c) { _val(c).as_of = _attr(c).lit; };
auto const given_clause =
    kw("given") > given_r[push_<&ast::TestDecl::given>] > *(comma > given_r[push_<&ast::TestDecl::given>]) > semi;
auto const test_r_def = sb >>
                        (kw("test") > str_p[set_<&ast::TestDecl::name>] > -(kw("as") > kw("of") > date_r[test_as_of]) >
                         tok("{") > *(given_clause | expect_r[push_<&ast::TestDecl::expects>]) > test_end) >>
                        se;

// ---------------------------------------------------------------- roles, actions, workflows
auto const role_r_def = sb >>
                        (kw("role") > ident_p[set_<&ast::RoleDecl::name>] >
                         -(tok("[") > ident_p[set_<&ast::RoleDecl::family>] > tok("]")) >
                         label_r[set_<&ast::RoleDecl::label>] > semi) >>
                        se;
auto const action_r_def =
    sb >> (kw("action") > ident_p[set_<&ast::ActionDecl::name>] > label_r[set_<&ast::ActionDecl::label>] > semi) >> se;
auto const role_ref_r_def =
    sb >> ident_p[set_<&ast::RoleRef::role>] >> -(tok("[") > expr_r[set_<&ast::RoleRef::index>] > tok("]")) >> se;
auto const guarded_role_r_def = sb >> role_ref_r[set_<&ast::GuardedRole::role>] >>
                                -(kw("when") > expr_r[set_<&ast::GuardedRole::when>]) >> se;
auto const period_unit_r_def = kw("days") | kw("day");
auto const period_r_def = sb >> int_r[set_<&ast::Period::count>] >>
                          -(kw("working")[flag_<&ast::Period::working, true>]) > period_unit_r >> se;
auto const target_r_def = kw("back")[target_back] | ident_p[set_<&TargetSpec::name>];
using Tr = ast::Transition;
auto const transition_r_def =
    sb >>
    (kw("on") > ident_p[set_<&Tr::action>] >
     -(kw("by") > role_ref_r[push_<&Tr::by>] > *(comma > role_ref_r[push_<&Tr::by>])) >
     -(kw("when") > expr_r[set_<&Tr::when>]) > tok("->") > target_r[set_target] >
     -((kw("as") > kw("return"))[flag_<&Tr::as_return, true>]) > label_r[set_<&Tr::label>] > semi) >>
    se;
auto const timer_r_def = sb >>
                         (kw("after") > period_r[set_<&ast::Timer::period>] > tok("->") >
                          ident_p[set_<&ast::Timer::target>] > label_r[set_<&ast::Timer::label>] > semi) >>
                         se;
auto const joint_policy_r_def = word_p("all")[assign] | ident_p[assign];
auto const joint_r_def = sb >>
                         (kw("joint") > joint_policy_r[set_<&ast::JointReview::policy>] > tok("{") >
                          *(guarded_role_r[push_<&ast::JointReview::reviewers>] > semi) > joint_end) >>
                         se;
using S = ast::Stage;
auto const stage_clause = (mark >> kw("responsible") > guarded_role_r > semi)[push_<&S::responsible>] |
                          (mark >> joint_r)[once_fn<&S::joint>{"joint"}] |
                          (mark >> kw("deadline") > period_r > semi)[once_fn<&S::deadline>{"deadline"}] |
                          (mark >> timer_r)[once_fn<&S::after>{"after"}] |
                          (mark >> kw("amount") > kw("adjustable") > semi)[once_flag_fn<&S::amount_adjustable, &S::adjustable_span>{"amount"}] |
                          transition_r[push_<&S::transitions>];
auto const stage_r_def =
    sb >>
    (((kw("stage")[stage_kind_fn<S::Kind::Normal>{}] | kw("correction")[stage_kind_fn<S::Kind::Correction>{}]) >
      ident_p[set_<&S::name>] > label_r[set_<&S::label>] > tok("{") > stage_begin > *stage_clause > stage_end) |
     (kw("terminal")[stage_kind_fn<S::Kind::Terminal>{}] > ident_p[set_<&S::name>] > label_r[set_<&S::label>] > semi)) >>
    se;
using W = ast::WorkflowDecl;
auto const workflow_clause = (kw("start") > ident_p > semi)[push_<&W::starts>] |
                             (kw("reserve") > kw("at") > ident_p > semi)[push_<&W::reserves>] | stage_r[push_<&W::stages>];
auto const workflow_r_def = sb >>
                            (kw("workflow") > ident_p[set_<&W::name>] > label_r[set_<&W::label>] > tok("{") >
                             *workflow_clause > workflow_end) >>
                            se;

// ---------------------------------------------------------------- ends and declarations
auto const enum_end_def = tok("}");
auto const param_end_def = tok("}");
auto const program_end_def = tok("}");
auto const table_end_def = tok("}");
auto const exception_end_def = tok("}");
auto const group_end_def = tok("}");
auto const test_end_def = tok("}");
auto const arrow_def = tok("=>");
auto const joint_end_def = tok("}");
auto const stage_end_def = tok("}");
auto const workflow_end_def = tok("}");

auto const declaration_def = enum_r[assign] | fact_r[assign] | param_r[assign] | program_r[assign] |
                             table_r[assign] | exception_r[assign] | group_r[assign] | test_r[assign] |
                             role_r[assign] | action_r[assign] | workflow_r[assign];

BOOST_SPIRIT_DEFINE(expr_r, or_r, and_r, not_r, cmp_r, add_r, mul_r, unary_r, primary_r, expr_list_r)
BOOST_SPIRIT_DEFINE(label_r, reason_r, type_r, date_r, int_r, status_r, provenance_r, effective_r, targets_r)
BOOST_SPIRIT_DEFINE(enum_value_r, enum_r, fact_r, param_value_r, param_r, requirement_r, program_r)
BOOST_SPIRIT_DEFINE(hit_r, agg_r, cell_r, cmp_cell_r, range_cell_r, set_cell_r, range_close_r, row_r, table_r)
BOOST_SPIRIT_DEFINE(exception_r, group_r, given_r, expect_r, expect_body_r, test_r)
BOOST_SPIRIT_DEFINE(enum_end, param_end, program_end, table_end, exception_end, group_end, test_end, arrow)
BOOST_SPIRIT_DEFINE(role_r, action_r, role_ref_r, guarded_role_r, period_r, period_unit_r, target_r, transition_r, timer_r)
BOOST_SPIRIT_DEFINE(joint_policy_r, joint_r, stage_r, workflow_r, joint_end, stage_end, workflow_end)
BOOST_SPIRIT_DEFINE(declaration)

BOOST_SPIRIT_DECLARE(declaration_type)

}  // namespace subsidy::dsl::parser
