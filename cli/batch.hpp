#pragma once
// Streaming, parallel evaluation of applicants: JSON Lines in, one decision line out per record,
// in input order, with flat memory (a bounded number of fixed-size blocks in flight).
#include <cstdio>
#include <string>

#include "eval/evaluate.hpp"
#include "eval/ruleset.hpp"
#include "service/codec.hpp"

namespace subsidy::cli {

struct BatchOptions {
  unsigned jobs = 1;
  bool explain = false;
  bool english = false;
  bool text = false;  // --format text: readable explanations instead of JSON
  eval::Selection selection;
  model::Days as_of = 0;
  int progress = -1;  // -1 auto (stderr is a terminal), 0 off, 1 on
  std::size_t block_bytes = 1 << 18;
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

// Reads all of `in` (size_hint > 0 enables an ETA) and writes decisions to `out`, each worker with
// the shared per-record step (service::Decider) over `codec`.
BatchResult run_batch(const eval::Ruleset& rs, const service::Codec& codec, const BatchOptions& opt, std::FILE* in,
                      std::size_t size_hint, std::FILE* out);

}  // namespace subsidy::cli
