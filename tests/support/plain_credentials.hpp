#pragma once
// Credentials whose digests are readable, for the logic of routes and pages in tests (adapters/auth
// has the real ones: Argon2id and OpenSSL).
#include <string>
#include <string_view>

#include "service/auth.hpp"

namespace subsidy::testing {

class PlainCredentials final : public service::Credentials {
 public:
  std::string hash_password(std::string_view p) const override { return "h:" + std::string(p); }
  bool verify_password(const std::string& e, std::string_view p) const override { return e == hash_password(p); }
  std::string new_token(std::string_view prefix) const override { return std::string(prefix) + std::to_string(++n_); }
  std::string token_digest(std::string_view t) const override { return "d:" + std::string(t); }
  bool same_digest(std::string_view a, std::string_view b) const override { return a == b; }

 private:
  mutable int n_ = 0;
};

}  // namespace subsidy::testing
