#pragma once
// Decodes one applicant (a JSON object) into model::Facts, strictly typed against the ruleset's
// Schema. One decoder per worker thread: it owns a simdjson parser and a padded scratch buffer, so
// once warm a record is decoded without heap allocation (apart from text facts longer than their
// previously used capacity). The wire format is documented in docs/integration.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eval/evaluate.hpp"
#include "eval/required_facts.hpp"
#include "eval/ruleset.hpp"
#include "model/facts.hpp"
#include "service/codec.hpp"

namespace subsidy::json {

// A record that could not be decoded (the application layer's type: service/codec.hpp).
using DecodeError = service::DecodeError;

class FactDecoder {
 public:
  // Bytes that must be readable after a record's last byte for in-place parsing (== SIMDJSON_PADDING).
  static constexpr std::size_t kPadding = service::kRecordPadding;

  // Limits per record (docs/integration.md §2): larger records and sets are refused (too_large).
  static constexpr std::size_t kMaxRecordBytes = service::kMaxRecordBytes;  // 4 MiB
  static constexpr int kMaxSetElements = 100'000;                       // array elements per set fact

  // `rs` must outlive the decoder. Required fields: eval::required_facts(rs, use) — the non-optional
  // facts read by the programmes evaluated and, when routing, by their workflows' guards.
  // `fast_path`: records in the key order of earlier records are first tried by a one-pass decoder
  // (fast_decoder.hpp) that gives every record it does not take, unchanged, to the strict decoder:
  // the result is the same either way (off: a diagnostic, `evaluate --no-fast-decode`).
  explicit FactDecoder(const eval::Ruleset& rs, const eval::FactUse& use = {}, bool fast_path = true);
  ~FactDecoder();
  FactDecoder(FactDecoder&&) noexcept;
  FactDecoder& operator=(FactDecoder&&) noexcept;
  FactDecoder(const FactDecoder&) = delete;
  FactDecoder& operator=(const FactDecoder&) = delete;

  // Decodes one JSON object (a UTF-8 byte order mark before it is skipped). `out` is cleared and refilled (resized to the schema on first use);
  // `id_out` receives the "id" key ("" when absent, also filled on failure when it could be read).
  // Returns false and fills `err` when the record is rejected; `out` must not be evaluated then.
  bool decode(std::string_view json_object, model::Facts& out, DecodeError& err, std::string& id_out);
  // Same, but when at least kPadding bytes after json_object's end are readable memory
  // (`readable_after` >= kPadding; their content does not matter) the record is parsed in place
  // without being copied.
  bool decode(std::string_view json_object, std::size_t readable_after, model::Facts& out, DecodeError& err,
              std::string& id_out);

  // Fact slots that must be present, in declaration order.
  const std::vector<std::uint32_t>& required_slots() const;
  std::size_t slot_count() const;
  // Records decoded by the fast path so far (0 when it is off).
  std::size_t fast_hits() const;

 private:
  bool decode_text(std::string_view json, std::size_t readable_after, model::Facts& out, DecodeError& err,
                   std::string& id_out);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace subsidy::json
