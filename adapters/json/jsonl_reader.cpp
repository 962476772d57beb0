#include "json/jsonl_reader.hpp"

#include <cerrno>
#include <cstring>

#include "json/fact_decoder.hpp"

namespace subsidy::json {

namespace {

constexpr std::size_t kPad = FactDecoder::kPadding;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

// JSON Lines when the first non-blank line is an object by itself: it begins with `{` and ends
// with `}` (the same rule as the CLI's batch reader).
bool one_line_object(std::string_view s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

JsonlReader::~JsonlReader() {
  if (owned_ && in_) std::fclose(in_);
}

bool JsonlReader::open(const std::string& path) {
  if (path == "-") {
    attach(stdin);
    return true;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error_ = path + ": " + std::strerror(errno);
    return false;
  }
  attach(f);
  owned_ = true;
  return true;
}

void JsonlReader::attach(std::FILE* in) {
  if (owned_ && in_) std::fclose(in_);
  in_ = in;
  owned_ = false;
  eof_ = false;
  started_ = false;
  begin_ = end_ = 0;
  line_ = 0;
  error_.clear();
}

void JsonlReader::set_input(std::string_view text) {
  attach(nullptr);
  buf_.assign(text);
  buf_.resize(text.size() + kPad, ' ');
  end_ = text.size();
  eof_ = true;
}

void JsonlReader::reserve_tail(std::size_t bytes) {
  if (begin_ > 0) {  // compact
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() < end_ + bytes + kPad) buf_.resize(end_ + bytes + kPad, ' ');
}

bool JsonlReader::fill() {
  if (eof_ || !in_) {
    eof_ = true;
    return false;
  }
  reserve_tail(chunk_);
  std::size_t got = std::fread(buf_.data() + end_, 1, chunk_, in_);
  end_ += got;
  if (got < chunk_) {
    if (std::ferror(in_)) error_ = std::string("read error: ") + std::strerror(errno);
    eof_ = true;
  }
  return got > 0;
}

bool JsonlReader::next(Record& r) {
  std::size_t scan = begin_;  // bytes before `scan` in the current line hold no '\n'
  for (;;) {
    const char* base = buf_.data();
    const void* nl = scan < end_ ? std::memchr(base + scan, '\n', end_ - scan) : nullptr;
    if (!nl && !eof_) {
      std::size_t offset = scan - begin_;
      fill();
      scan = begin_ + offset;
      continue;
    }
    if (!nl && begin_ >= end_) return false;  // end of input
    std::size_t stop = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : end_;
    std::string_view line(base + begin_, stop - begin_);
    ++line_;
    std::size_t this_line = line_;
    std::string_view text = trim(line);
    if (text.empty()) {
      begin_ = nl ? stop + 1 : end_;
      scan = begin_;
      continue;
    }
    if (!started_) {
      started_ = true;
      if (!one_line_object(text)) {
        // One JSON document spanning several lines: the rest of the input is the record.
        while (fill()) {
        }
        base = buf_.data();
        std::string_view all(base + begin_, end_ - begin_);
        for (char c : all)
          if (c == '\n') ++line_;
        if (nl) --line_;  // the first line's newline was counted above already
        text = trim(all);
        begin_ = end_;
        r.line = this_line;
        r.text = text;
        r.readable_after = buf_.size() - static_cast<std::size_t>(text.data() + text.size() - base);
        return true;
      }
    }
    begin_ = nl ? stop + 1 : end_;
    r.line = this_line;
    r.text = text;
    r.readable_after = buf_.size() - static_cast<std::size_t>(text.data() + text.size() - base);
    return true;
  }
}

}  // namespace subsidy::json
