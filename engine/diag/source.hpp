#pragma once
// Source files and spans: the project's own positions. X3 positions become Spans at the dsl boundary.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace subsidy::diag {

using FileId = std::uint32_t;

// A half-open byte range [begin, end) in one source file.
struct Span {
  FileId file = 0;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  bool operator==(const Span&) const = default;
};

struct LineCol {
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, counted in Unicode code points
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol line_col(std::uint32_t offset) const;
  // The text of 1-based line `line`, without its newline.
  std::string_view line_text(std::uint32_t line) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::uint32_t> line_starts_;
};

// Owns every source of a run; FileId indexes into it.
class SourceSet {
 public:
  FileId add(std::string path, std::string text);
  const SourceFile& get(FileId id) const { return *files_.at(id); }
  std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

// The length of the well-formed UTF-8 sequence at s[i] (1–4), or 0 when the bytes there are not
// UTF-8 (a stray continuation byte, a truncated sequence, an overlong form, a surrogate, > U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i);

// Terminal display width of UTF-8 text (CJK and full-width forms count 2), for caret alignment.
std::size_t display_width(std::string_view utf8);

}  // namespace subsidy::diag
