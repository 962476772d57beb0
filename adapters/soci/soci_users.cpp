// Users, role grants and API tokens (migration 006): one row per user, grant and token.
#include <soci/soci.h>

#include <sstream>
#include <stdexcept>

#include "soci/soci_repository.hpp"

namespace subsidy::soci_store::detail {
namespace {

const char* const kUserColumns = "SELECT id, name, display_name, password_hash, disabled, created_at FROM users";
const char* const kTokenColumns = "SELECT id, user_id, scopes, token_hash, created_at, expires_at, revoked FROM api_tokens";

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> split_scopes(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string s; std::getline(in, s, ',');)
    if (!s.empty()) out.push_back(s);
  return out;
}

// The buffers one users row is read into.
struct UserRow {
  long long id = 0;
  int disabled = 0;
  store::User u;
  void exchange(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(u.name));
    st.exchange(soci::into(u.display_name));
    st.exchange(soci::into(u.password_hash));
    st.exchange(soci::into(disabled));
    st.exchange(soci::into(u.created_at));
  }
  store::User get() const {
    store::User out = u;
    out.id = id;
    out.disabled = disabled != 0;
    return out;
  }
};

struct TokenRow {
  long long id = 0, user = 0;
  int revoked = 0;
  std::string scopes, hash, created, expires;
  soci::indicator expires_ind = soci::i_null;
  void exchange(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(user));
    st.exchange(soci::into(scopes));
    st.exchange(soci::into(hash));
    st.exchange(soci::into(created));
    st.exchange(soci::into(expires, expires_ind));
    st.exchange(soci::into(revoked));
  }
  store::ApiToken get() const {
    store::ApiToken t;
    t.id = id;
    t.user = user;
    t.scopes = split_scopes(scopes);
    t.token_hash = hash;
    t.created_at = created;
    if (expires_ind == soci::i_ok) t.expires_at = expires;
    t.revoked = revoked != 0;
    return t;
  }
};

}  // namespace

store::UserId SociRepository::add_user(const store::User& u) {
  if (u.name.empty()) throw std::invalid_argument("a user needs a name");
  return guarded("cannot add the user", [&] {
    WriteScope w(*this);
    std::string name = u.name, display = u.display_name, hash = u.password_hash;
    std::string created = u.created_at.empty() ? clock_() : u.created_at;
    int disabled = u.disabled ? 1 : 0;
    long long taken = 0;
    *conn_.sql << "SELECT COUNT(*) FROM users WHERE name = :name", soci::use(name), soci::into(taken);
    if (taken) throw store::ConflictError("user `" + name + "` already exists");
    long long id = 0;
    const std::string q =
        "INSERT INTO users (name, display_name, password_hash, disabled, created_at) "
        "VALUES (:name, :display, :hash, :disabled, :created)";
    if (conn_.sql_dialect().insert_returning) {
      *conn_.sql << q + " RETURNING id", soci::use(name), soci::use(display), soci::use(hash), soci::use(disabled),
          soci::use(created), soci::into(id);
    } else {
      *conn_.sql << q, soci::use(name), soci::use(display), soci::use(hash), soci::use(disabled), soci::use(created);
      id = last_insert_id(conn_, "users");
    }
    w.commit();
    return static_cast<store::UserId>(id);
  });
}

std::optional<store::User> SociRepository::find_user(std::string_view name) {
  return guarded("cannot read the user", [&]() -> std::optional<store::User> {
    UserRow r;
    std::string key(name);
    soci::statement st(*conn_.sql);
    r.exchange(st);
    st.exchange(soci::use(key));
    prepare_statement(st, std::string(kUserColumns) + " WHERE name = :name", false);
    if (!st.execute(true)) return std::nullopt;
    return r.get();
  });
}

std::optional<store::User> SociRepository::load_user(store::UserId id) {
  return guarded("cannot read the user", [&]() -> std::optional<store::User> {
    UserRow r;
    long long key = id;
    soci::statement st(*conn_.sql);
    r.exchange(st);
    st.exchange(soci::use(key));
    prepare_statement(st, std::string(kUserColumns) + " WHERE id = :id", false);
    if (!st.execute(true)) return std::nullopt;
    return r.get();
  });
}

std::vector<store::User> SociRepository::list_users() {
  return guarded("cannot read the users", [&] {
    UserRow r;
    soci::statement st(*conn_.sql);
    r.exchange(st);
    prepare_statement(st, std::string(kUserColumns) + " ORDER BY name", false);
    std::vector<store::User> out;
    st.execute(false);
    while (st.fetch()) out.push_back(r.get());
    return out;
  });
}

bool SociRepository::grant_role(const store::RoleGrant& g) {
  return guarded("cannot grant the role", [&] {
    WriteScope w(*this);
    long long user = g.user, held = 0, known = 0;
    std::string role = g.role, by = g.granted_by, at = g.at.empty() ? clock_() : g.at;
    *conn_.sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(user), soci::into(known);
    if (!known) throw store::NotFoundError("no user " + std::to_string(user));
    *conn_.sql << "SELECT COUNT(*) FROM role_grants WHERE user_id = :user AND role = :role", soci::use(user), soci::use(role),
        soci::into(held);
    if (held) return false;
    *conn_.sql << "INSERT INTO role_grants (user_id, role, granted_by, granted_at) VALUES (:user, :role, :by, :at)",
        soci::use(user), soci::use(role), soci::use(by), soci::use(at);
    w.commit();
    return true;
  });
}

bool SociRepository::revoke_role(store::UserId user, std::string_view role) {
  return guarded("cannot revoke the role", [&] {
    WriteScope w(*this);
    long long id = user;
    std::string r(role);
    soci::statement st = (conn_.sql->prepare << "DELETE FROM role_grants WHERE user_id = :user AND role = :role",
                          soci::use(id), soci::use(r));
    st.execute(true);
    const bool removed = st.get_affected_rows() == 1;
    w.commit();
    return removed;
  });
}

std::vector<store::RoleGrant> SociRepository::roles_of(store::UserId user) {
  return guarded("cannot read the role grants", [&] {
    long long id = user;
    store::RoleGrant g;
    soci::statement st(*conn_.sql);
    st.exchange(soci::into(g.role));
    st.exchange(soci::into(g.granted_by));
    st.exchange(soci::into(g.at));
    st.exchange(soci::use(id));
    prepare_statement(st, "SELECT role, granted_by, granted_at FROM role_grants WHERE user_id = :user ORDER BY role", false);
    std::vector<store::RoleGrant> out;
    st.execute(false);
    while (st.fetch()) {
      g.user = user;
      out.push_back(g);
    }
    return out;
  });
}

store::TokenId SociRepository::add_token(const store::ApiToken& t) {
  return guarded("cannot add the token", [&] {
    WriteScope w(*this);
    long long user = t.user, known = 0, id = 0;
    *conn_.sql << "SELECT COUNT(*) FROM users WHERE id = :id", soci::use(user), soci::into(known);
    if (!known) throw store::NotFoundError("no user " + std::to_string(user));
    std::string scopes = join_scopes(t.scopes), hash = t.token_hash, created = t.created_at.empty() ? clock_() : t.created_at;
    std::string expires = t.expires_at.value_or("");
    soci::indicator expires_ind = t.expires_at ? soci::i_ok : soci::i_null;
    int revoked = t.revoked ? 1 : 0;
    const std::string q =
        "INSERT INTO api_tokens (user_id, scopes, token_hash, created_at, expires_at, revoked) "
        "VALUES (:user, :scopes, :hash, :created, :expires, :revoked)";
    if (conn_.sql_dialect().insert_returning) {
      *conn_.sql << q + " RETURNING id", soci::use(user), soci::use(scopes), soci::use(hash), soci::use(created),
          soci::use(expires, expires_ind), soci::use(revoked), soci::into(id);
    } else {
      *conn_.sql << q, soci::use(user), soci::use(scopes), soci::use(hash), soci::use(created), soci::use(expires, expires_ind),
          soci::use(revoked);
      id = last_insert_id(conn_, "api_tokens");
    }
    w.commit();
    return static_cast<store::TokenId>(id);
  });
}

std::optional<store::ApiToken> SociRepository::find_token(std::string_view token_hash) {
  return guarded("cannot read the token", [&]() -> std::optional<store::ApiToken> {
    TokenRow r;
    std::string key(token_hash);
    soci::statement st(*conn_.sql);
    r.exchange(st);
    st.exchange(soci::use(key));
    prepare_statement(st, std::string(kTokenColumns) + " WHERE token_hash = :hash", false);
    if (!st.execute(true)) return std::nullopt;
    return r.get();
  });
}

bool SociRepository::revoke_token(store::TokenId id) {
  return guarded("cannot revoke the token", [&] {
    WriteScope w(*this);
    long long key = id;
    soci::statement st = (conn_.sql->prepare << "UPDATE api_tokens SET revoked = 1 WHERE id = :id AND revoked = 0", soci::use(key));
    st.execute(true);
    const bool revoked = st.get_affected_rows() == 1;
    w.commit();
    return revoked;
  });
}

std::vector<store::ApiToken> SociRepository::tokens_of(store::UserId user) {
  return guarded("cannot read the tokens", [&] {
    TokenRow r;
    long long key = user;
    soci::statement st(*conn_.sql);
    r.exchange(st);
    st.exchange(soci::use(key));
    prepare_statement(st, std::string(kTokenColumns) + " WHERE user_id = :user ORDER BY id", false);
    std::vector<store::ApiToken> out;
    st.execute(false);
    while (st.fetch()) out.push_back(r.get());
    return out;
  });
}

}  // namespace subsidy::soci_store::detail
