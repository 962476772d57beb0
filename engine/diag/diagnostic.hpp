#pragma once
// Diagnostics are values {severity, code, span, message, notes}; one renderer prints them.
#include <algorithm>
#include <string>
#include <vector>

#include "diag/source.hpp"

namespace subsidy::diag {

enum class Severity { error, warning, note };

struct Note {
  Span span;
  std::string message;
  bool has_span = true;
};

struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;  // stable, e.g. "E0101"; documented in docs/diagnostics.md
  Span span;
  std::string message;
  std::vector<Note> notes;
};

// Collects diagnostics. At most `error_limit` errors and `warning_limit` warnings are kept (a large
// broken file must not print hundreds of megabytes); the rest are counted, never lost from the
// totals: error_count() and warning_count() include the ones not kept, not_shown_*() say how many.
class Diagnostics {
 public:
  static constexpr std::size_t kErrorLimit = 200;
  static constexpr std::size_t kWarningLimit = 200;
  explicit Diagnostics(std::size_t error_limit = kErrorLimit, std::size_t warning_limit = kWarningLimit)
      : error_limit_(error_limit), warning_limit_(warning_limit) {}
  void error(std::string code, Span span, std::string message, std::vector<Note> notes = {});
  void warning(std::string code, Span span, std::string message, std::vector<Note> notes = {});
  void add(Diagnostic d);
  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }      // every error reported, kept or not
  std::size_t warning_count() const { return warnings_; }  // every warning reported, kept or not
  std::size_t errors_not_shown() const { return errors_ - std::min(errors_, error_limit_); }
  std::size_t warnings_not_shown() const { return warnings_ - std::min(warnings_, warning_limit_); }
  std::size_t error_limit() const { return error_limit_; }
  std::size_t warning_limit() const { return warning_limit_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Orders by file, then position, so output is stable whatever order passes ran in.
  void sort();
  bool limit_reached() const { return errors_ >= error_limit_; }

 private:
  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
  std::size_t error_limit_;
  std::size_t warning_limit_;
};

const char* severity_name(Severity s);

// `file:line:col: error[E0101]: message`, the source line and a caret under the span.
std::string render(const Diagnostic& d, const SourceSet& sources);
// Every kept diagnostic, then — when some were not kept — a line saying how many were not shown.
std::string render_all(const Diagnostics& ds, const SourceSet& sources);
// "N errors, M warnings" with what was not shown, e.g. "250 errors (50 not shown), 3 warnings".
std::string summary(const Diagnostics& ds);
// For machines (`--format json`): {"errors":N,"warnings":M,"errors_not_shown":a,"warnings_not_shown":b,
// "diagnostics":[{severity, code, file, line, column, message, notes}…]}. Bytes of a message that are not
// UTF-8 (an identifier with invalid bytes) become U+FFFD, so the output is always valid JSON.
std::string render_json(const Diagnostics& ds, const SourceSet& sources);
// "path:line:col" of a span.
std::string location(const Span& span, const SourceSet& sources);

}  // namespace subsidy::diag
