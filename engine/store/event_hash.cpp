// Canonical serialisation and SHA-256 / SM3 of case events and budget events (OpenSSL EVP, one-shot).
#include <openssl/evp.h>

#include <stdexcept>
#include <string>

#include "store/budget.hpp"
#include "store/event.hpp"

namespace subsidy::store {
namespace {

void field(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += '\n';
}

}  // namespace

std::string canonical_event(const Event& e) {
  std::string out;
  out.reserve(160 + e.actor.size() + e.role.size() + e.action.size() + e.from_stage.size() + e.to_stage.size() +
              e.note.size() + e.at.size() + e.payload_json.size() + e.prev_hash.size());
  out += "subsidy.event.v1\n";
  field(out, "case_id", std::to_string(e.case_id));
  field(out, "seq", std::to_string(e.seq));
  field(out, "actor", e.actor);
  field(out, "role", e.role);
  field(out, "action", e.action);
  field(out, "from_stage", e.from_stage);
  field(out, "to_stage", e.to_stage);
  field(out, "note", e.note);
  field(out, "at", e.at);
  field(out, "payload", e.payload_json);
  field(out, "prev_hash", e.prev_hash);
  return out;
}

std::string canonical_budget_event(const BudgetEvent& e) {
  std::string out;
  out.reserve(200 + e.programme.size() + e.actor.size() + e.note.size() + e.payload_json.size());
  out += "subsidy.budget_event.v1\n";
  field(out, "programme", e.programme);
  field(out, "year", std::to_string(e.year));
  field(out, "seq", std::to_string(e.seq));
  field(out, "actor", e.actor);
  field(out, "action", e.action);
  field(out, "total_fen", std::to_string(e.total_fen));
  field(out, "note", e.note);
  field(out, "at", e.at);
  field(out, "payload", e.payload_json);
  field(out, "prev_hash", e.prev_hash);
  return out;
}

const char* hash_algorithm_name(HashAlgorithm a) { return a == HashAlgorithm::sm3 ? "sm3" : "sha256"; }

std::optional<HashAlgorithm> parse_hash_algorithm(std::string_view name) {
  if (name == "sha256") return HashAlgorithm::sha256;
  if (name == "sm3") return HashAlgorithm::sm3;
  return std::nullopt;
}

std::string digest_hex(const std::string& bytes, HashAlgorithm a) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* md_type = a == HashAlgorithm::sm3 ? EVP_sm3() : EVP_sha256();
  if (md_type == nullptr || EVP_Digest(bytes.data(), bytes.size(), md, &len, md_type, nullptr) != 1) {
    throw std::runtime_error(std::string(a == HashAlgorithm::sm3 ? "SM3" : "SHA-256") + " failed (OpenSSL EVP_Digest)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * static_cast<std::size_t>(len), '0');
  for (unsigned int i = 0; i < len; ++i) {
    hex[2 * i] = kHex[md[i] >> 4];
    hex[2 * i + 1] = kHex[md[i] & 0x0F];
  }
  return hex;
}

std::string sha256_hex(const std::string& bytes) { return digest_hex(bytes, HashAlgorithm::sha256); }

std::string event_hash(const Event& e, HashAlgorithm a) { return digest_hex(canonical_event(e), a); }
std::string budget_event_hash(const BudgetEvent& e, HashAlgorithm a) { return digest_hex(canonical_budget_event(e), a); }

}  // namespace subsidy::store
