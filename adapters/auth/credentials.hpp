#pragma once
// The project's one home of password hashing and token cryptography (docs/service.md, "Users,
// roles and tokens"): Argon2id (libargon2) for passwords, OpenSSL RAND_bytes for tokens, SHA-256
// for their stored form, CRYPTO_memcmp for constant-time comparison.
#include <cstdint>

#include "service/auth.hpp"

namespace subsidy::auth {

// Argon2id cost: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane), 16-byte salt, 32-byte hash.
struct Argon2Params {
  std::uint32_t memory_kib = 19456;
  std::uint32_t passes = 2;
  std::uint32_t lanes = 1;
};

class Argon2Credentials final : public service::Credentials {
 public:
  explicit Argon2Credentials(Argon2Params params = {}) : params_(params) {}
  std::string hash_password(std::string_view password) const override;
  bool verify_password(const std::string& encoded, std::string_view password) const override;
  // `prefix` then 32 random bytes, base64url without padding.
  std::string new_token(std::string_view prefix) const override;
  std::string token_digest(std::string_view token) const override;
  bool same_digest(std::string_view a, std::string_view b) const override;

 private:
  Argon2Params params_;
};

}  // namespace subsidy::auth
