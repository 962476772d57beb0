#include "service/batch.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "service/decide.hpp"
#include "model/date.hpp"

namespace subsidy::service {

namespace {

constexpr std::size_t kPad = kRecordPadding;
constexpr std::size_t kMaxRecord = kMaxRecordBytes;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Lines end at "\n", "\r\n" or a lone "\r" (old Mac files). Splits data[0, size) into lines in
// linear time; a "\r" as the very last byte ends a line (the reader cuts blocks so that a "\r\n"
// is never split).
class LineSplitter {
 public:
  LineSplitter(const char* data, std::size_t size) : p_(data), size_(size) {}
  // The next line [begin, end), without its line end; false after the last one.
  bool next(std::size_t& begin, std::size_t& end) {
    if (pos_ >= size_) return false;
    if (lf_ < pos_ || lf_ == kUnknown) {
      const void* lf = std::memchr(p_ + pos_, '\n', size_ - pos_);
      lf_ = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - p_) : size_;
    }
    begin = pos_;
    end = lf_;
    pos_ = lf_ + 1;
    if (const void* cr = std::memchr(p_ + begin, '\r', lf_ - begin)) {
      end = static_cast<std::size_t>(static_cast<const char*>(cr) - p_);
      pos_ = end + 1 == lf_ && lf_ < size_ ? lf_ + 1 : end + 1;  // "\r\n" is one line end
    }
    return true;
  }
  std::size_t count() {  // the number of line ends in what is left
    std::size_t n = 0, b, e;
    while (next(b, e)) n += e < size_;
    return n;
  }

 private:
  static constexpr std::size_t kUnknown = static_cast<std::size_t>(-1);
  const char* p_;
  std::size_t size_, pos_ = 0, lf_ = kUnknown;
};

// One past the last line end in data[from, size), or npos. A "\r" as the last byte does not count:
// a "\n" may follow in the next read.
std::size_t last_line_end(const std::string& data, std::size_t from) {
  for (std::size_t i = data.size(); i-- > from;) {
    if (data[i] == '\n') return i + 1;
    if (data[i] == '\r' && i + 1 < data.size()) return i + 1;
  }
  return std::string::npos;
}

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

// Runs one thread's RecordStep over the records of a block.
struct Worker {
  RecordStep& step;

  void record(Block& b, std::string_view text, std::size_t readable_after, std::size_t line) {
    ++b.records;
    switch (step.record(text, readable_after, line, b.out)) {
      case RecordStep::Result::undecodable:
        ++b.failed;
        if (!b.first_failed_line) {
          const auto& err = step.error();
          b.first_failed_line = line;
          b.first_failure = (err.field.empty() ? "" : "field `" + err.field + "`: ") + err.message;
        }
        break;
      case RecordStep::Result::with_errors:
        if (!b.with_errors++) b.first_error_line = line;
        break;
      case RecordStep::Result::ok: break;
    }
  }

  void process(Block& b) {
    b.out.clear();
    b.records = b.failed = b.first_failed_line = b.with_errors = b.first_error_line = 0;
    b.first_failure.clear();
    const char* base = b.data.data();
    // Records are passed from their line's start (leading blanks included), so that positions in
    // error messages are columns of the input line; trailing blanks are cut.
    auto record_at = [&](std::size_t begin, std::size_t end, std::size_t line) {
      while (end > begin && is_blank(base[end - 1])) --end;
      if (end > begin) record(b, {base + begin, end - begin}, b.data.size() - end, line);  // blank lines are skipped
    };
    if (b.whole_document) {
      record_at(0, b.size, b.first_line);
      return;
    }
    LineSplitter lines(base, b.size);
    std::size_t begin, end, line = b.first_line;
    while (lines.next(begin, end)) record_at(begin, end, line++);
  }
};

// The decode → evaluate → encode step of `evaluate` (service::Decider).
class DecideStep final : public RecordStep {
 public:
  DecideStep(const eval::Ruleset& rs, const BatchOptions& o, const Codec& codec, const DecisionWriter& writer)
      : decider_(rs, writer, codec.reader(rs, {&o.selection}), {o.selection, o.as_of, o.explain, o.english, o.text}) {}
  Result record(std::string_view text, std::size_t readable_after, std::size_t line, std::string& out) override {
    switch (decider_.decide(text, readable_after, line, out)) {
      case Decider::Outcome::undecodable: return Result::undecodable;
      case Decider::Outcome::decided_with_errors: return Result::with_errors;
      case Decider::Outcome::decided: break;
    }
    return Result::ok;
  }
  const DecodeError& error() const override { return decider_.error(); }

 private:
  Decider decider_;
};

// Reads the input into blocks of whole lines, straight into the block's buffer; only the partial
// last line of a read is carried over to the next block. A byte order mark at the start is dropped.
// Memory stays bounded: of a line (or a whole document) longer than a record may be, only the
// first kMaxRecord bytes are kept, and a marker byte — non-blank, so that cutting trailing blanks
// cannot bring it under the limit: the decoder refuses it as too_large.
class BlockReader {
 public:
  BlockReader(ByteSource& in, std::size_t block) : in_(in), block_(block) {}

  // Fills `b` with the next block; false at the end of input.
  bool next(Block& b) {
    b.data.assign(tail_);
    tail_.clear();
    if (whole_) return false;  // a whole document was the only block
    fill(b.data, block_);
    if (!decided_) decide(b.data);
    if (b.data.empty()) return false;
    std::size_t cut = b.data.size();
    if (whole_) {
      if (cut > kMaxRecord) {
        truncate(b.data);
        cut = b.data.size();
        drain();
      }
    } else if (!eof_) {
      cut = last_line_end(b.data, 0);
      while (cut == std::string::npos && !eof_) {  // a line longer than a block
        std::size_t from = b.data.size() - 1;  // a "\r" at the end may become a line end
        if (b.data.size() > kMaxRecord) {
          skip_rest_of_line(b.data);
          from = kMaxRecord;
        } else {
          fill(b.data, block_);
        }
        cut = last_line_end(b.data, from);
      }
      if (cut == std::string::npos) cut = b.data.size();
    }
    tail_.assign(b.data, cut, std::string::npos);
    b.data.resize(cut);
    b.size = cut;
    b.data.append(kPad, ' ');
    b.first_line = line_;
    b.whole_document = whole_;
    line_ += LineSplitter(b.data.data(), cut).count();
    return true;
  }
  std::size_t bytes_read() const { return bytes_; }
  const std::string& error() const { return error_; }

 private:
  void fill(std::string& buf, std::size_t want) {
    if (eof_) return;
    std::size_t old = buf.size();
    buf.resize(old + want);
    std::size_t got = in_.read(buf.data() + old, want);
    buf.resize(old + got);
    bytes_ += got;
    if (got < want) {
      eof_ = true;
      error_ = in_.error();
    }
  }
  // `buf` holds the start of one line longer than kMaxRecord bytes and no line end: truncates it,
  // discards the input up to the line's end, and appends what follows.
  void skip_rest_of_line(std::string& buf) {
    truncate(buf);
    std::string chunk;
    while (!eof_) {
      chunk.clear();
      fill(chunk, block_);
      std::size_t eol = chunk.find_first_of("\r\n");
      if (eol != std::string::npos) {
        buf.append(chunk, eol, std::string::npos);
        return;
      }
    }
  }
  static void truncate(std::string& buf) {
    buf.resize(kMaxRecord);
    buf += '#';
  }
  void drain() {
    std::string chunk;
    while (!eof_) {
      chunk.clear();
      fill(chunk, 1 << 20);
    }
  }
  // The input's mode, decided on its first block (read further until it can be decided): JSON
  // Lines, unless the first non-blank line begins with "[", or begins with "{" without being a
  // whole object and the next non-blank line does not begin with "{" (a pretty-printed object).
  void decide(std::string& data) {
    if (data.starts_with(kByteOrderMark)) data.erase(0, kByteOrderMark.size());
    while (true) {
      bool more = !eof_ && data.size() <= kMaxRecord;  // reading on keeps memory bounded
      std::size_t i = 0;
      while (i < data.size() && is_blank(data[i])) ++i;
      std::size_t eol = data.find_first_of("\r\n", i);
      if (more && (i == data.size() || eol == std::string::npos)) {
        fill(data, block_);  // the first line is not complete yet
        continue;
      }
      if (i == data.size()) break;  // blank so far
      std::string_view first(data.data() + i, (eol == std::string::npos ? data.size() : eol) - i);
      while (!first.empty() && is_blank(first.back())) first.remove_suffix(1);
      if (first.front() == '[') {
        whole_ = true;
      } else if (first.front() == '{' && first.back() != '}' && eol != std::string::npos) {
        std::size_t j = eol;
        while (j < data.size() && is_blank(data[j])) ++j;
        if (j == data.size() && more) {
          fill(data, block_);  // where the next non-blank line begins is not known yet
          continue;
        }
        whole_ = j == data.size() || data[j] != '{';
      }
      break;
    }
    decided_ = true;
    while (whole_ && !eof_ && data.size() <= kMaxRecord) fill(data, 1 << 20);
  }

  ByteSource& in_;
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

BatchResult run_batch(const eval::Ruleset& rs, const Codec& codec, const BatchOptions& opt, ByteSource& in, ByteSink& out) {
  const auto enc = codec.writer(rs);
  std::vector<std::unique_ptr<DecideStep>> steps;
  std::vector<RecordStep*> ptrs;
  for (unsigned j = 0; j < std::max(1u, opt.jobs); ++j) {
    steps.push_back(std::make_unique<DecideStep>(rs, opt, codec, *enc));
    ptrs.push_back(steps.back().get());
  }
  return stream_records(in, out, ptrs, opt.block_bytes, opt.progress);
}

BatchResult stream_records(ByteSource& in, ByteSink& out, const std::vector<RecordStep*>& steps, std::size_t block_bytes,
                           const std::function<void(std::size_t, std::size_t, bool)>& on_progress) {
  BatchResult res;
  const unsigned jobs = static_cast<unsigned>(steps.size());
  BlockReader reader(in, block_bytes);
  auto progress = [&](bool final = false) {
    if (on_progress) on_progress(res.records, reader.bytes_read(), final);
  };
  auto write = [&](const Block& b) {
    if (!b.out.empty() && !out.write(b.out) && res.io_error.empty()) res.io_error = "writing output: " + out.error();
  };

  if (jobs <= 1) {
    Worker w{*steps.at(0)};
    Block b;
    while (reader.next(b)) {
      w.process(b);
      write(b);
      collect(res, b);
      progress();
    }
  } else {
    // No reader or writer thread of its own: each worker reads the next block (one at a time),
    // decides its records, and then writes every block that is next in input order and done — so
    // `jobs` threads do all the work on `jobs` cores. A bounded pool of blocks keeps memory flat.
    const std::size_t pool_size = jobs * 4;
    std::vector<std::unique_ptr<Block>> storage;
    std::mutex mu;        // the pool: free blocks, by_seq, done flags, next_write
    std::mutex read_mu;   // the reader (and `produced`, `input_done`)
    std::mutex write_mu;  // the sink (and `res`)
    std::condition_variable cv_free;
    std::deque<Block*> free_blocks;
    std::vector<Block*> by_seq(pool_size, nullptr);
    for (std::size_t i = 0; i < pool_size; ++i) {
      storage.push_back(std::make_unique<Block>());
      free_blocks.push_back(storage.back().get());
    }
    bool input_done = false;
    std::size_t produced = 0, next_write = 0;
    std::atomic<std::size_t> bytes_read{0};

    auto ready = [&] {  // under mu: the block to write next is done
      Block* c = by_seq[next_write % pool_size];
      return c && c->seq == next_write && c->done;
    };
    // Writes the blocks that are next in order and done. A thread that finds the sink busy leaves
    // its block to the writing thread, which looks again after letting go of the sink.
    auto drain = [&] {
      while (true) {
        std::unique_lock wl(write_mu, std::try_to_lock);
        if (!wl) return;
        while (true) {
          Block* b;
          {
            std::lock_guard lk(mu);
            if (!ready()) break;
            b = by_seq[next_write % pool_size];
          }
          write(*b);
          collect(res, *b);
          if (on_progress) on_progress(res.records, bytes_read.load(std::memory_order_relaxed), false);
          {
            std::lock_guard lk(mu);
            by_seq[next_write % pool_size] = nullptr;
            ++next_write;
            b->done = false;
            free_blocks.push_back(b);
          }
          cv_free.notify_one();
        }
        wl.unlock();
        std::lock_guard lk(mu);
        if (!ready()) return;
      }
    };

    auto work = [&](RecordStep* step) {
      Worker w{*step};
      while (true) {
        Block* b;
        {
          std::lock_guard rl(read_mu);
          if (input_done) return;
          {
            std::unique_lock lk(mu);
            cv_free.wait(lk, [&] { return !free_blocks.empty(); });
            b = free_blocks.front();
            free_blocks.pop_front();
          }
          if (!reader.next(*b)) {
            input_done = true;
            std::lock_guard lk(mu);
            free_blocks.push_back(b);
            cv_free.notify_one();
            return;
          }
          bytes_read.store(reader.bytes_read(), std::memory_order_relaxed);
          std::lock_guard lk(mu);
          b->seq = produced++;
          b->done = false;
          by_seq[b->seq % pool_size] = b;
        }
        w.process(*b);
        {
          std::lock_guard lk(mu);
          b->done = true;
        }
        drain();
      }
    };
    std::vector<std::thread> workers;
    for (unsigned j = 1; j < jobs; ++j) workers.emplace_back(work, steps[j]);
    work(steps[0]);  // this thread is a worker too
    for (auto& t : workers) t.join();
    drain();
  }
  if (!reader.error().empty()) res.io_error = "reading input: " + reader.error();
  progress(true);
  return res;
}

}  // namespace subsidy::service
