#pragma once
// Streaming plumbing of the commands that read a population (evaluate, rules whatif): a stdio file
// as service::ByteSource / ByteSink, and the progress line on stderr.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "service/batch.hpp"

namespace subsidy::cli {

// Standard input or a file, read with stdio.
class FileSource final : public service::ByteSource {
 public:
  explicit FileSource(std::FILE* f) : f_(f) {}
  std::size_t read(char* buf, std::size_t n) override {
    const std::size_t got = std::fread(buf, 1, n, f_);
    if (got < n && std::ferror(f_)) error_ = std::strerror(errno);
    return got;
  }
  std::string error() const override { return error_; }

 private:
  std::FILE* f_;
  std::string error_;
};

class FileSink final : public service::ByteSink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  bool write(std::string_view bytes) override {
    if (std::fwrite(bytes.data(), 1, bytes.size(), f_) == bytes.size()) return true;
    error_ = std::strerror(errno);
    return false;
  }
  std::string error() const override { return error_; }

 private:
  std::FILE* f_;
  std::string error_;
};

// The progress line on stderr: records, rate, elapsed and (with the input's size) a bar, percent and ETA.
class Progress {
 public:
  Progress(bool on, std::size_t total) : on_(on), total_(total), start_(clock::now()), last_(start_) {}
  void update(std::size_t records, std::size_t bytes, bool final = false) {
    if (!on_) return;
    auto now = clock::now();
    if (!final && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? static_cast<double>(records) / secs : 0;
    char buf[160];
    int n = std::snprintf(buf, sizeof buf, "\r%zu records  %.0f/s  %.1fs elapsed", records, rate, secs);
    if (total_ > 0 && bytes > 0 && bytes < total_) {
      double eta = secs * static_cast<double>(total_ - bytes) / static_cast<double>(bytes);
      const double done = static_cast<double>(bytes) / static_cast<double>(total_);
      char bar[21];
      for (int i = 0; i < 20; ++i) bar[i] = i < static_cast<int>(done * 20) ? '#' : '.';
      bar[20] = 0;
      n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "  [%s] %.0f%%  ETA %.0fs", bar, 100.0 * done, eta);
    }
    std::fputs(buf, stderr);
    std::fputs("   ", stderr);
    if (final) std::fputs("\n", stderr);
    std::fflush(stderr);
  }

 private:
  using clock = std::chrono::steady_clock;
  bool on_;
  std::size_t total_;
  clock::time_point start_, last_;
};

}  // namespace subsidy::cli
