#pragma once
// Diagnostics are values {severity, code, span, message, notes}; one renderer prints them.
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

class Diagnostics {
 public:
  explicit Diagnostics(std::size_t error_limit = 200) : error_limit_(error_limit) {}
  void error(std::string code, Span span, std::string message, std::vector<Note> notes = {});
  void warning(std::string code, Span span, std::string message, std::vector<Note> notes = {});
  void add(Diagnostic d);
  bool has_errors() const { return errors_ > 0; }
  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Orders by file, then position, so output is stable whatever order passes ran in.
  void sort();
  bool limit_reached() const { return errors_ >= error_limit_; }

 private:
  std::vector<Diagnostic> items_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
  std::size_t error_limit_;
};

const char* severity_name(Severity s);

// `file:line:col: error[E0101]: message`, the source line and a caret under the span.
std::string render(const Diagnostic& d, const SourceSet& sources);
std::string render_all(const Diagnostics& ds, const SourceSet& sources);
// A JSON array of diagnostics for machines (`--format json`).
std::string render_json(const Diagnostics& ds, const SourceSet& sources);
// "path:line:col" of a span.
std::string location(const Span& span, const SourceSet& sources);

}  // namespace subsidy::diag
