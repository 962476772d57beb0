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

}  // namespace subsidy::service
