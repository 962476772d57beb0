#include "diag/diagnostic.hpp"

#include <algorithm>
#include <cstdio>

namespace subsidy::diag {

void Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::error) {
    if (errors_++ >= error_limit_) return;
  } else if (d.severity == Severity::warning) {
    if (warnings_++ >= warning_limit_) return;
  }
  items_.push_back(std::move(d));
}

void Diagnostics::error(std::string code, Span span, std::string message, std::vector<Note> notes) {
  add({Severity::error, std::move(code), span, std::move(message), std::move(notes)});
}

void Diagnostics::warning(std::string code, Span span, std::string message, std::vector<Note> notes) {
  add({Severity::warning, std::move(code), span, std::move(message), std::move(notes)});
}

void Diagnostics::sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    if (a.span.file != b.span.file) return a.span.file < b.span.file;
    return a.span.begin < b.span.begin;
  });
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "error";
}

std::string location(const Span& span, const SourceSet& sources) {
  if (span.file >= sources.size()) return "<unknown>";
  const auto& f = sources.get(span.file);
  auto lc = f.line_col(span.begin);
  return f.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column);
}

namespace {
// Source text as a terminal may show it: bytes that are not UTF-8 and control characters (a NUL
// would end the output, a CR would overwrite it) become U+FFFD; a tab becomes a space so that the
// caret stays aligned.
std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = utf8_length(s, i);
    if (c == '\t') {
      out += ' ';
    } else if (n == 0 || c < 0x20 || c == 0x7F) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(s.substr(i, n));
    }
    i += n ? n : 1;
  }
  return out;
}

// Where a cut of a long line may fall: not inside a UTF-8 sequence. A sequence is at most 4 bytes,
// so at most 3 continuation bytes are stepped over (a run of stray continuation bytes in invalid
// UTF-8 must not move the cut away from `i`). `i` is clamped to the line.
std::size_t char_boundary(std::string_view s, std::size_t i) {
  i = std::min(i, s.size());
  for (int k = 0; k < 3 && i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80; ++k) --i;
  return i;
}

void excerpt(std::string& out, const Span& span, const SourceSet& sources) {
  if (span.file >= sources.size()) return;
  const auto& f = sources.get(span.file);
  auto lc = f.line_col(span.begin);
  auto line = f.line_text(lc.line);
  auto num = std::to_string(lc.line);
  std::string pad(num.size(), ' ');
  // Byte offset of the span start within the line.
  auto line_start = static_cast<std::size_t>(span.begin) - static_cast<std::size_t>(line.data() - f.text().data());
  line_start = std::min(line_start, line.size());
  std::size_t len = span.end > span.begin ? span.end - span.begin : 1;
  len = std::min(len, line.size() > line_start ? line.size() - line_start : std::size_t{1});
  // A long line (generated rules, a file without line breaks) is shown around the span only.
  constexpr std::size_t kContext = 80;
  std::string before = "", after = "";
  if (line.size() > 3 * kContext) {
    len = std::min(len, kContext);
    std::size_t from = line_start > kContext ? char_boundary(line, line_start - kContext) : 0;
    std::size_t to = std::min(line.size(), char_boundary(line, line_start + len + kContext));
    if (from > 0) before = "…";
    if (to < line.size()) after = "…";
    line = line.substr(from, to - from);
    line_start -= from;
    len = std::min(len, line.size() - std::min(line.size(), line_start));
  }
  std::size_t lead = display_width(before) + display_width(printable(line.substr(0, line_start)));
  std::size_t width = std::max<std::size_t>(1, display_width(printable(line.substr(line_start, len))));
  out += ' ' + pad + " |\n";
  out += ' ' + num + " | ";
  out += before + printable(line) + after;
  out += '\n';
  out += ' ' + pad + " | " + std::string(lead, ' ') + '^' + std::string(width - 1, '~') + '\n';
}
}  // namespace

std::string render(const Diagnostic& d, const SourceSet& sources) {
  // Problems in input files (not rules) have no code: `file:line:col: error: message`.
  std::string code = d.code.empty() ? std::string() : "[" + d.code + "]";
  std::string out = location(d.span, sources) + ": " + severity_name(d.severity) + code + ": " + printable(d.message) + "\n";
  excerpt(out, d.span, sources);
  for (const auto& n : d.notes) {
    if (n.has_span) {
      out += location(n.span, sources) + ": note: " + printable(n.message) + "\n";
      excerpt(out, n.span, sources);
    } else {
      out += "  = note: " + printable(n.message) + "\n";
    }
  }
  return out;
}

namespace {
std::string counted(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}
}  // namespace

std::string render_all(const Diagnostics& ds, const SourceSet& sources) {
  std::string out;
  for (const auto& d : ds.items()) out += render(d, sources);
  if (ds.errors_not_shown() || ds.warnings_not_shown()) {
    std::string what;
    if (ds.errors_not_shown()) what = counted(ds.errors_not_shown(), "more error");
    if (ds.warnings_not_shown()) what += (what.empty() ? "" : " and ") + counted(ds.warnings_not_shown(), "more warning");
    out += "note: " + what + " not shown (at most " + std::to_string(ds.error_limit()) + " errors and " +
           std::to_string(ds.warning_limit()) + " warnings are shown)\n";
  }
  return out;
}

std::string summary(const Diagnostics& ds) {
  auto part = [](std::size_t n, std::size_t hidden, const char* what) {
    return counted(n, what) + (hidden ? " (" + std::to_string(hidden) + " not shown)" : "");
  };
  return part(ds.error_count(), ds.errors_not_shown(), "error") + ", " +
         part(ds.warning_count(), ds.warnings_not_shown(), "warning");
}

namespace {
void json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      std::size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      } else {
        out.append(s.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}
void json_pos(std::string& out, const Span& span, const SourceSet& sources) {
  if (span.file >= sources.size()) {
    out += "\"file\":null";
    return;
  }
  const auto& f = sources.get(span.file);
  auto lc = f.line_col(span.begin);
  out += "\"file\":";
  json_string(out, f.path());
  out += ",\"line\":" + std::to_string(lc.line) + ",\"column\":" + std::to_string(lc.column);
}
}  // namespace

std::string render_json(const Diagnostics& ds, const SourceSet& sources) {
  std::string out = "{\"errors\":" + std::to_string(ds.error_count()) + ",\"warnings\":" + std::to_string(ds.warning_count()) +
                    ",\"errors_not_shown\":" + std::to_string(ds.errors_not_shown()) +
                    ",\"warnings_not_shown\":" + std::to_string(ds.warnings_not_shown()) + ",\"diagnostics\":[";
  bool first = true;
  for (const auto& d : ds.items()) {
    if (!first) out += ',';
    first = false;
    out += "{\"severity\":\"";
    out += severity_name(d.severity);
    out += "\",\"code\":";
    json_string(out, d.code);
    out += ',';
    json_pos(out, d.span, sources);
    out += ",\"message\":";
    json_string(out, d.message);
    out += ",\"notes\":[";
    for (std::size_t i = 0; i < d.notes.size(); ++i) {
      if (i) out += ',';
      out += '{';
      if (d.notes[i].has_span) {
        json_pos(out, d.notes[i].span, sources);
        out += ',';
      }
      out += "\"message\":";
      json_string(out, d.notes[i].message);
      out += '}';
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

}  // namespace subsidy::diag
