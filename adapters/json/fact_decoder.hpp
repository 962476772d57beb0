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

namespace subsidy::json {

// A record that could not be decoded. `code` is one of: malformed_json, wrong_type, unknown_field,
// duplicate_field, missing_field, out_of_range, bad_number, bad_date, bad_enum, unknown_program,
// too_large. `field` is the JSON key concerned ("" for the record as a whole). The caller adds the
// line number; a malformed_json message ends with the position ("at column 7", or "at line 3,
// column 7" in a record spanning lines) and `offset` holds it.
struct DecodeError {
  std::string code;
  std::string field;
  std::string message;
  std::size_t offset = kNoOffset;  // malformed_json: byte offset in the text passed to decode()
  static constexpr std::size_t kNoOffset = static_cast<std::size_t>(-1);
  void clear() {
    code.clear();
    field.clear();
    message.clear();
    offset = kNoOffset;
  }
};

class FactDecoder {
 public:
  // Bytes that must be readable after a record's last byte for in-place parsing (== SIMDJSON_PADDING).
  static constexpr std::size_t kPadding = 64;

  // Limits per record (docs/integration.md §2): larger records and sets are refused (too_large).
  static constexpr std::size_t kMaxRecordBytes = std::size_t{4} << 20;  // 4 MiB
  static constexpr int kMaxSetElements = 100'000;                       // array elements per set fact

  // `rs` must outlive the decoder. Required fields: eval::required_facts(rs, use) — the non-optional
  // facts read by the programmes evaluated and, when routing, by their workflows' guards.
  explicit FactDecoder(const eval::Ruleset& rs, const eval::FactUse& use = {});
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

 private:
  bool decode_text(std::string_view json, std::size_t readable_after, model::Facts& out, DecodeError& err,
                   std::string& id_out);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace subsidy::json
