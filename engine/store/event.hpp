#pragma once
// The append-only history of a case. Each event carries the hash (SHA-256, or SM3 where the
// database chose it) of its case's previous event, so editing, deleting or reordering stored events
// breaks the chain (see store/audit.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/errors.hpp"

namespace subsidy::store {

// The hash of the event chains, budget ledgers and checkpoints of one database, chosen when it is
// created (`subsidy db migrate --hash sm3`, recorded in settings.audit_hash; absent: sha256) and
// read by every writer and verifier. Both digests are 256 bits: 64 hex characters.
enum class HashAlgorithm : std::uint8_t { sha256, sm3 };
const char* hash_algorithm_name(HashAlgorithm a);  // "sha256", "sm3"
std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name);  // "sha256", "sm3"; else nullopt
// Lower-case hex digest of arbitrary bytes with `a` (OpenSSL EVP: EVP_sha256 / EVP_sm3).
std::string digest_hex(const std::string& bytes, HashAlgorithm a);

// prev_hash of a case's first event: 64 zeros.
inline constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

struct Event {
  CaseId case_id = 0;
  std::int64_t seq = 0;       // 1, 2, … per case; assigned by append_event
  std::string actor;          // who acted (a person or a system)
  std::string role;           // in which role
  std::string action;         // submit, approve, return, reject, withdraw, object, correct, …
  std::string from_stage;     // stage(s) before ("" for the first event)
  std::string to_stage;       // stage(s) after
  std::string note;
  std::string at;             // UTC ISO-8601; stamped by append_event when empty
  std::string payload_json;   // opaque action details ("" or a JSON value)
  std::string prev_hash;      // assigned by append_event
  std::string hash;           // assigned by append_event: event_hash(*this, the database's algorithm)
  bool operator==(const Event&) const = default;
};

// The exact bytes that are hashed: a version line, then every field except `hash` in a fixed order,
// each as `name:length:bytes\n` (length in bytes, decimal), so no two events serialise alike.
std::string canonical_event(const Event& e);
// Lower-case hex digest of canonical_event(e) (64 characters) with `a`. Pure; uses OpenSSL EVP.
std::string event_hash(const Event& e, HashAlgorithm a = HashAlgorithm::sha256);
// Lower-case hex SHA-256 of arbitrary bytes.
std::string sha256_hex(const std::string& bytes);

}  // namespace subsidy::store
