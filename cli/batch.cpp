#include "cli/batch.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "json/decision_encoder.hpp"
#include "json/fact_decoder.hpp"
#include "model/date.hpp"

namespace subsidy::cli {

namespace {

constexpr std::size_t kPad = json::FactDecoder::kPadding;

// A block of whole input lines, and the output produced for them.
struct Block {
  std::string data;  // input bytes followed by kPad bytes of padding
  std::size_t size = 0;
  std::size_t first_line = 0;  // 1-based line number of the block's first line
  bool whole_document = false;  // the block is one JSON document spanning lines
  std::size_t seq = 0;
  std::string out;
  std::size_t records = 0, failed = 0, first_failed_line = 0;
  std::string first_failure;
  std::size_t with_errors = 0, first_error_line = 0;  // decisions with a programme in `error`
  bool done = false;
};

// Per-thread evaluation state: never shared, reused for every record.
struct Worker {
  const eval::Ruleset& rs;
  const BatchOptions& opt;
  const json::DecisionEncoder& enc;
  json::FactDecoder decoder;
  model::Facts facts;
  model::Decision decision;
  eval::Explanation explanation;
  json::DecodeError err;
  std::string id;

  Worker(const eval::Ruleset& r, const BatchOptions& o, const json::DecisionEncoder& e)
      : rs(r), opt(o), enc(e), decoder(r, &o.selection), facts(r.schema.facts.size()) {
    explanation.english = o.english;
  }

  void record(Block& b, std::string_view text, std::size_t readable_after, std::size_t line) {
    ++b.records;
    if (!decoder.decode(text, readable_after, facts, err, id)) {
      ++b.failed;
      if (!b.first_failed_line) {
        b.first_failed_line = line;
        b.first_failure = (err.field.empty() ? "" : "field `" + err.field + "`: ") + err.message;
      }
      json::DecisionEncoder::append_error(b.out, line, id, err);
      return;
    }
    bool want_explain = opt.explain || opt.text;
    eval::evaluate(rs, facts, opt.as_of, decision, &opt.selection, want_explain ? &explanation : nullptr);
    if (decision.errors && !b.with_errors++) b.first_error_line = line;
    if (opt.text) {
      b.out += "== " + (id.empty() ? "line " + std::to_string(line) : id) + " ==\n";
      b.out += eval::explain_text(rs, decision, explanation, opt.english, &opt.selection);
      b.out += '\n';
    } else {
      enc.append_json(b.out, id, decision, opt.as_of, want_explain ? &explanation : nullptr, opt.english, &opt.selection);
    }
  }

  void process(Block& b) {
    b.out.clear();
    b.records = b.failed = b.first_failed_line = b.with_errors = b.first_error_line = 0;
    b.first_failure.clear();
    const char* base = b.data.data();
    auto trim = [](std::string_view s) {
      while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
      return s;
    };
    if (b.whole_document) {
      auto t = trim({base, b.size});
      if (!t.empty()) record(b, t, b.data.size() - static_cast<std::size_t>(t.data() + t.size() - base), b.first_line);
      return;
    }
    std::size_t pos = 0, line = b.first_line;
    while (pos < b.size) {
      const void* nl = std::memchr(base + pos, '\n', b.size - pos);
      std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : b.size;
      std::string_view t = trim({base + pos, end - pos});
      if (!t.empty()) record(b, t, b.data.size() - static_cast<std::size_t>(t.data() + t.size() - base), line);
      pos = end + 1;
      ++line;
    }
  }
};

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
      n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), "  %.0f%%  ETA %.0fs",
                         100.0 * static_cast<double>(bytes) / static_cast<double>(total_), eta);
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

// Reads the input into blocks of whole lines, straight into the block's buffer; only the partial
// last line of a read is carried over to the next block.
class BlockReader {
 public:
  BlockReader(std::FILE* in, std::size_t block) : in_(in), block_(block) {}

  // Fills `b` with the next block; false at the end of input.
  bool next(Block& b) {
    b.data.assign(tail_);
    tail_.clear();
    if (whole_) return false;  // a whole document was the only block
    fill(b.data, block_);
    if (!decided_) {
      decided_ = true;
      // Make sure the first non-blank line is complete before deciding the mode.
      while (!eof_ && b.data.find('\n', b.data.find_first_not_of(" \t\r\n")) == std::string::npos) fill(b.data, block_);
      whole_ = !first_line_is_object(b.data);
      if (whole_) {
        while (!eof_) fill(b.data, 1 << 20);
      }
    }
    if (b.data.empty()) return false;
    std::size_t cut = b.data.size();
    if (!whole_ && !eof_) {
      auto nl = b.data.rfind('\n');
      while (nl == std::string::npos && !eof_) {  // a line longer than a block
        fill(b.data, block_);
        nl = b.data.rfind('\n');
      }
      if (nl != std::string::npos && !eof_) cut = nl + 1;
    }
    tail_.assign(b.data, cut, std::string::npos);
    b.data.resize(cut);
    b.size = cut;
    b.data.append(kPad, ' ');
    b.first_line = line_;
    b.whole_document = whole_;
    const char* p = b.data.data();
    const char* end = p + cut;
    while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr) {
      ++line_;
      ++p;
    }
    return true;
  }
  std::size_t bytes_read() const { return bytes_; }
  const std::string& error() const { return error_; }

 private:
  void fill(std::string& buf, std::size_t want) {
    if (eof_) return;
    std::size_t old = buf.size();
    buf.resize(old + want);
    std::size_t got = std::fread(buf.data() + old, 1, want, in_);
    buf.resize(old + got);
    bytes_ += got;
    if (got < want) {
      eof_ = true;
      if (std::ferror(in_)) error_ = std::strerror(errno);
    }
  }
  // JSON Lines unless the first non-blank line is not a complete object by itself.
  static bool first_line_is_object(const std::string& data) {
    std::size_t i = data.find_first_not_of(" \t\r\n");
    if (i == std::string::npos) return true;
    auto nl = data.find('\n', i);
    std::string_view first(data.data() + i, (nl == std::string::npos ? data.size() : nl) - i);
    while (!first.empty() && (first.back() == '\r' || first.back() == ' ' || first.back() == '\t')) first.remove_suffix(1);
    return first.size() >= 2 && first.front() == '{' && first.back() == '}';
  }

  std::FILE* in_;
  std::size_t block_;
  std::string tail_;
  std::size_t line_ = 1, bytes_ = 0;
  bool eof_ = false, decided_ = false, whole_ = false;
  std::string error_;
};

void collect(BatchResult& r, const Block& b) {
  r.records += b.records;
  r.failed += b.failed;
  if (b.failed && !r.first_failed_line) {
    r.first_failed_line = b.first_failed_line;
    r.first_failure = b.first_failure;
  }
  r.with_errors += b.with_errors;
  if (b.with_errors && !r.first_error_line) r.first_error_line = b.first_error_line;
}

}  // namespace

BatchResult run_batch(const eval::Ruleset& rs, const BatchOptions& opt, std::FILE* in, std::size_t size_hint, std::FILE* out) {
  BatchResult res;
  json::DecisionEncoder enc(rs);
  BlockReader reader(in, opt.block_bytes);
  Progress progress(opt.progress == 1 || (opt.progress == -1 && isatty(STDERR_FILENO)), size_hint);
  auto write = [&](const Block& b) {
    if (!b.out.empty() && std::fwrite(b.out.data(), 1, b.out.size(), out) != b.out.size() && res.io_error.empty())
      res.io_error = std::string("writing output: ") + std::strerror(errno);
  };

  if (opt.jobs <= 1) {
    Worker w(rs, opt, enc);
    Block b;
    while (reader.next(b)) {
      w.process(b);
      write(b);
      collect(res, b);
      progress.update(res.records, reader.bytes_read());
    }
  } else {
    // Reader (this thread) → workers → writer, with a bounded pool of blocks: memory stays flat.
    const std::size_t pool_size = opt.jobs * 4;
    std::vector<std::unique_ptr<Block>> storage;
    std::mutex mu;
    std::condition_variable cv_free, cv_work, cv_done;
    std::deque<Block*> free_blocks, work;
    std::vector<Block*> by_seq(pool_size, nullptr);
    for (std::size_t i = 0; i < pool_size; ++i) {
      storage.push_back(std::make_unique<Block>());
      free_blocks.push_back(storage.back().get());
    }
    bool input_done = false;
    std::size_t produced = 0;

    std::vector<std::thread> workers;
    for (unsigned j = 0; j < opt.jobs; ++j)
      workers.emplace_back([&] {
        Worker w(rs, opt, enc);
        while (true) {
          Block* b;
          {
            std::unique_lock lk(mu);
            cv_work.wait(lk, [&] { return !work.empty() || input_done; });
            if (work.empty()) return;
            b = work.front();
            work.pop_front();
          }
          w.process(*b);
          {
            std::lock_guard lk(mu);
            b->done = true;
          }
          cv_done.notify_all();
        }
      });

    std::thread writer([&] {
      for (std::size_t seq = 0;; ++seq) {
        Block* b;
        {
          std::unique_lock lk(mu);
          cv_done.wait(lk, [&] {
            Block* c = by_seq[seq % pool_size];
            return (c && c->seq == seq && c->done) || (input_done && seq >= produced);
          });
          b = by_seq[seq % pool_size];
          if (!b || b->seq != seq || !b->done) return;
        }
        write(*b);
        {
          std::lock_guard lk(mu);
          collect(res, *b);
          by_seq[seq % pool_size] = nullptr;
          b->done = false;
          free_blocks.push_back(b);
        }
        cv_free.notify_one();
      }
    });

    while (true) {
      Block* b;
      {
        std::unique_lock lk(mu);
        cv_free.wait(lk, [&] { return !free_blocks.empty(); });
        b = free_blocks.front();
        free_blocks.pop_front();
      }
      if (!reader.next(*b)) {
        std::lock_guard lk(mu);
        free_blocks.push_back(b);
        break;
      }
      {
        std::lock_guard lk(mu);
        b->seq = produced++;
        b->done = false;
        by_seq[b->seq % pool_size] = b;
        work.push_back(b);
        progress.update(res.records, reader.bytes_read());
      }
      cv_work.notify_one();
    }
    {
      std::lock_guard lk(mu);
      input_done = true;
    }
    cv_work.notify_all();
    cv_done.notify_all();
    for (auto& t : workers) t.join();
    cv_done.notify_all();
    writer.join();
  }
  if (!reader.error().empty()) res.io_error = "reading input: " + reader.error();
  progress.update(res.records, reader.bytes_read(), true);
  return res;
}

}  // namespace subsidy::cli
