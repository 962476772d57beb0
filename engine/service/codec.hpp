#pragma once
// How the application layer reads applicants' facts and writes decisions without knowing the wire
// format: interfaces implemented by an adapter (adapters/json: json::codec()) and injected into
// PreparedRules. Header-only: the engine does no I/O and depends on no JSON library.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "eval/evaluate.hpp"
#include "eval/required_facts.hpp"
#include "eval/ruleset.hpp"
#include "model/decision.hpp"
#include "model/facts.hpp"

namespace subsidy::service {

// The limits of the wire contract (docs/integration.md §2): bytes a reader may need readable after
// a record to decode it in place, and the largest record it accepts (larger: too_large).
inline constexpr std::size_t kRecordPadding = 64;
inline constexpr std::size_t kMaxRecordBytes = std::size_t{4} << 20;  // 4 MiB

// A record that could not be decoded. `code` is one of: malformed_json, wrong_type, unknown_field,
// duplicate_field, missing_field, out_of_range, bad_number, bad_date, bad_enum, unknown_program,
// too_large (docs/integration.md §2). `field` is the key concerned ("" for the record as a whole).
// A malformed_json message ends with the position and `offset` holds it (byte offset in the text).
struct DecodeError {
  std::string code;
  std::string field;
  std::string message;
  std::size_t offset = kNoOffset;
  static constexpr std::size_t kNoOffset = static_cast<std::size_t>(-1);
  void clear() {
    code.clear();
    field.clear();
    message.clear();
    offset = kNoOffset;
  }
};

// Decodes one applicant into Facts. One per thread (not shareable); reused for every record.
class FactReader {
 public:
  virtual ~FactReader() = default;
  // Bytes that must be readable after a record for in-place decoding (see read(…, readable_after, …)).
  virtual std::size_t padding() const = 0;
  // `out` is cleared and refilled; `id` receives the "id" key ("" when absent). False: `err` says why.
  virtual bool read(std::string_view record, model::Facts& out, DecodeError& err, std::string& id) = 0;
  // Same, parsing in place when at least padding() bytes after the record are readable memory.
  virtual bool read(std::string_view record, std::size_t readable_after, model::Facts& out, DecodeError& err,
                    std::string& id) = 0;
};

// Encodes decisions and error records. Immutable; shared by threads.
class DecisionWriter {
 public:
  virtual ~DecisionWriter() = default;
  // Appends one line for applicant `id`; `ex` (nullable) adds the explanation; `selection` (nullable
  // or empty = all) picks the programmes listed.
  virtual void write(std::string& out, std::string_view id, const model::Decision& d, model::Days as_of,
                     const eval::Explanation* ex, bool english, const eval::Selection* selection) const = 0;
  // Appends one error line for a record (line number `line`) that could not be decoded.
  virtual void write_error(std::string& out, std::size_t line, std::string_view id, const DecodeError& err) const = 0;
};

// The wire format: factories for a ruleset (which outlives what they make).
struct Codec {
  std::function<std::unique_ptr<FactReader>(const eval::Ruleset&, const eval::FactUse&)> reader;
  std::function<std::unique_ptr<DecisionWriter>(const eval::Ruleset&)> writer;
};

}  // namespace subsidy::service
