#pragma once
// Splits an input stream into applicant records: JSON Lines (one object per line, blank lines
// skipped, CRLF accepted), or — when the first non-blank line does not both begin with `{` and end
// with `}` — the whole input as one JSON document (e.g. a pretty-printed object). Reads in chunks;
// record views stay valid until the next call to next(), and are followed by at least
// FactDecoder::kPadding readable bytes so they can be decoded in place.
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace subsidy::json {

class JsonlReader {
 public:
  struct Record {
    std::size_t line = 0;           // 1-based line where the record starts
    std::string_view text;          // the record, without its line terminator and surrounding blanks
    std::size_t readable_after = 0; // readable bytes after text's end (>= FactDecoder::kPadding)
  };

  JsonlReader() = default;
  ~JsonlReader();
  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  // "-" reads standard input. False (and error()) when the file cannot be opened.
  bool open(const std::string& path);
  // Reads from `in` (not closed by the reader).
  void attach(std::FILE* in);
  // Reads from memory (copied).
  void set_input(std::string_view text);

  // The next record; false at the end of input or on a read error (then error() is non-empty).
  bool next(Record& r);
  const std::string& error() const { return error_; }

  void set_chunk_size(std::size_t bytes) { chunk_ = bytes < 16 ? 16 : bytes; }

 private:
  bool fill();  // reads more input; false at EOF or error
  void reserve_tail(std::size_t bytes);

  std::FILE* in_ = nullptr;
  bool owned_ = false;
  bool eof_ = false;
  bool started_ = false;  // the first non-blank line was seen (mode decided)
  std::string buf_;       // data in [begin_, end_), always followed by >= kPad allocated bytes
  std::size_t begin_ = 0, end_ = 0;
  std::size_t line_ = 0;  // lines consumed so far
  std::size_t chunk_ = 1 << 20;
  std::string error_;
};

}  // namespace subsidy::json
