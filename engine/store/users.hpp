#pragma once
// Users, their role grants and their API tokens (docs/service.md, "Users, roles and tokens"): the
// records and the part of the storage interface that keeps them. Secrets never reach this layer in
// clear: a user carries the encoded Argon2id hash of the password, a token the SHA-256 of the token.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace subsidy::store {

using UserId = std::int64_t;
using TokenId = std::int64_t;

struct User {
  UserId id = 0;                // assigned by add_user
  std::string name;             // unique login name
  std::string display_name;
  std::string password_hash;    // encoded Argon2id ("$argon2id$v=19$m=…,t=…,p=…$salt$hash"); empty: no password login
  bool disabled = false;
  std::string created_at;       // stamped by add_user when empty
};

// A role as the workflow reads it ("市财政局", "旗县区科技局[临河区]"), granted to a user.
struct RoleGrant {
  UserId user = 0;
  std::string role;
  std::string granted_by;
  std::string at;  // stamped by grant_role when empty
};

struct ApiToken {
  TokenId id = 0;                      // assigned by add_token
  UserId user = 0;
  std::vector<std::string> scopes;     // a subset of decide, read, act, admin (stored comma-separated)
  std::string token_hash;              // lowercase hex SHA-256 of the token; never the token
  std::string created_at;              // stamped by add_token when empty
  std::optional<std::string> expires_at;  // same timestamp format as created_at; none: never
  bool revoked = false;
};

class UserRepository {
 public:
  virtual ~UserRepository() = default;

  // Stores a new user and returns its id. ConflictError when the name is taken;
  // std::invalid_argument for a blank name.
  virtual UserId add_user(const User& u) = 0;
  virtual std::optional<User> find_user(std::string_view name) = 0;
  virtual std::optional<User> load_user(UserId id) = 0;
  virtual std::vector<User> list_users() = 0;  // by name
  // Grants the role; false (nothing changes) when the user already holds it. NotFoundError without the user.
  virtual bool grant_role(const RoleGrant& g) = 0;
  // Revokes the role; false when the user does not hold it.
  virtual bool revoke_role(UserId user, std::string_view role) = 0;
  virtual std::vector<RoleGrant> roles_of(UserId user) = 0;  // by role
  // Stores a token's hash and returns its id. NotFoundError without the user; ConflictError when
  // the hash is already stored.
  virtual TokenId add_token(const ApiToken& t) = 0;
  virtual std::optional<ApiToken> find_token(std::string_view token_hash) = 0;
  // Marks the token revoked; false when there is no such token or it is already revoked.
  virtual bool revoke_token(TokenId id) = 0;
  virtual std::vector<ApiToken> tokens_of(UserId user) = 0;  // by id
};

}  // namespace subsidy::store
