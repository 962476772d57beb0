#pragma once
// Streaming, parallel evaluation of applicants (`evaluate`, and the HTTP service's streamed
// decisions): JSON Lines (or one document) in, one decision line out per record, in input order,
// with flat memory (a bounded number of fixed-size blocks in flight). The bytes come from a
// ByteSource and go to a ByteSink the caller provides (a file, a request body); each worker runs
// the shared per-record step (service::Decider) over the injected codec.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"
#include "service/codec.hpp"

namespace subsidy::service {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`; fewer only at the end of the input (or on an error: error()).
  virtual std::size_t read(char* buf, std::size_t n) = 0;
  virtual std::string error() const = 0;  // "" unless reading failed
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Writes all of `bytes`; false when that failed (error() says why).
  virtual bool write(std::string_view bytes) = 0;
  virtual std::string error() const = 0;
};

struct BatchOptions {
  unsigned jobs = 1;
  bool explain = false;
  bool english = false;
  bool text = false;  // --format text: readable explanations instead of JSON
  eval::Selection selection;
  model::Days as_of = 0;
  std::size_t block_bytes = 1 << 18;
  // Called now and then with the records decided and the input bytes read so far (final: at the end).
  std::function<void(std::size_t records, std::size_t bytes, bool final)> progress;
};

struct BatchResult {
  std::size_t records = 0;
  std::size_t failed = 0;  // records that could not be decoded
  std::size_t first_failed_line = 0;
  std::string first_failure;
  std::size_t with_errors = 0;  // decisions with a programme in `error`
  std::size_t first_error_line = 0;
  std::string io_error;  // non-empty: reading input or writing output failed
};

BatchResult run_batch(const eval::Ruleset& rs, const Codec& codec, const BatchOptions& opt, ByteSource& in, ByteSink& out);

// One thread's step of stream_records: handles one record (its text, the bytes readable after it
// for in-place parsing, its line number) and appends what it writes to `out`.
class RecordStep {
 public:
  virtual ~RecordStep() = default;
  enum class Result { ok, with_errors, undecodable };
  virtual Result record(std::string_view text, std::size_t readable_after, std::size_t line, std::string& out) = 0;
  virtual const DecodeError& error() const = 0;  // why the last record was undecodable
};

// The machinery of run_batch for any per-record step (`rules whatif` uses it too): the input cut
// into blocks of whole lines (or one document), steps[j] run on worker thread j only (one thread
// when steps.size() == 1), each block's output written to `out` in input order, memory flat.
// Each thread takes blocks in input order, so a step sees its records in increasing line order.
BatchResult stream_records(ByteSource& in, ByteSink& out, const std::vector<RecordStep*>& steps, std::size_t block_bytes,
                           const std::function<void(std::size_t records, std::size_t bytes, bool final)>& progress);

}  // namespace subsidy::service
