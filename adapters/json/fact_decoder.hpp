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
#include "eval/ruleset.hpp"
#include "model/facts.hpp"

namespace subsidy::json {

// A record that could not be decoded. `code` is one of: malformed_json, wrong_type, unknown_field,
// duplicate_field, missing_field, out_of_range, bad_number, bad_date, bad_enum. `field` is the JSON
// key concerned ("" for the record as a whole). The caller adds the line number.
struct DecodeError {
  std::string code;
  std::string field;
  std::string message;
  void clear() {
    code.clear();
    field.clear();
    message.clear();
  }
};

class FactDecoder {
 public:
  // Bytes that must be readable after a record's last byte for in-place parsing (== SIMDJSON_PADDING).
  static constexpr std::size_t kPadding = 64;

  // `rs` must outlive the decoder. Required fields = the non-optional facts read by the selected
  // programmes (all programmes when `selection` is null or empty).
  explicit FactDecoder(const eval::Ruleset& rs, const eval::Selection* selection = nullptr);
  ~FactDecoder();
  FactDecoder(FactDecoder&&) noexcept;
  FactDecoder& operator=(FactDecoder&&) noexcept;
  FactDecoder(const FactDecoder&) = delete;
  FactDecoder& operator=(const FactDecoder&) = delete;

  // Decodes one JSON object. `out` is cleared and refilled (resized to the schema on first use);
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
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace subsidy::json
