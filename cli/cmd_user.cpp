// `subsidy user add|grant|revoke|token|token-revoke|list` (docs/service.md, "Users, roles and
// tokens"): the local administrator's tool. Whoever holds the database credentials administers
// the users; the actor recorded for grants is the OS user.
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "auth/credentials.hpp"
#include "cli/case_cli.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/table.hpp"
#include "model/date.hpp"
#include "service/auth.hpp"

namespace subsidy::cli {

namespace {

struct UserOptions {
  std::string rules = "rules", db, name, display, role, scopes, expires, format = "table";
  bool password_stdin = false;
  long long token_id = 0;
};

namespace bj = boost::json;

// The whole of stdin without one trailing line ending (`echo pw |` and `printf pw |` agree).
std::string read_password() {
  std::string pw{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (!pw.empty() && pw.back() == '\n') pw.pop_back();
  if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  return pw;
}

std::string token_text(const store::ApiToken& t) {
  std::string s = std::to_string(t.id) + ":" + join(t.scopes, ",");
  if (t.expires_at) s += " until " + *t.expires_at;
  if (t.revoked) s += " (revoked)";
  return s;
}

bj::object user_json(const service::UserSummary& s) {
  bj::array roles, tokens;
  for (const auto& g : s.roles) roles.push_back(bj::object{{"role", g.role}, {"granted_by", g.granted_by}, {"at", g.at}});
  for (const auto& t : s.tokens) {
    bj::array scopes;
    for (const auto& sc : t.scopes) scopes.emplace_back(sc);
    tokens.push_back(bj::object{{"id", t.id},
                                {"scopes", std::move(scopes)},
                                {"created_at", t.created_at},
                                {"expires_at", t.expires_at ? bj::value(*t.expires_at) : bj::value(nullptr)},
                                {"revoked", t.revoked}});
  }
  return {{"name", s.user.name},
          {"display_name", s.user.display_name},
          {"password", !s.user.password_hash.empty()},
          {"disabled", s.user.disabled},
          {"created_at", s.user.created_at},
          {"roles", std::move(roles)},
          {"tokens", std::move(tokens)}};
}

int run_add(const UserOptions& o) {
  std::optional<std::string> password;
  if (o.password_stdin) password = read_password();
  return guarded([&] {
    auto repo = open_db(o.db);
    const auth::Argon2Credentials creds;
    const store::User u = service::add_user(*repo, creds, o.name, o.display, password);
    std::printf("user %s added%s\n", u.name.c_str(), u.password_hash.empty() ? " (no password: tokens only)" : "");
    return kExitOk;
  });
}

int run_grant(const UserOptions& o) {
  Session s;
  if (int rc = open_session(o.rules, o.db, s)) return rc;
  return guarded([&] {
    const bool granted = service::grant_role(*s.repo, s.rules.rules->workflows(), o.name, o.role, os_user());
    std::printf("%s %s %s\n", o.name.c_str(), granted ? "now holds" : "already holds", o.role.c_str());
    return kExitOk;
  });
}

int run_revoke(const UserOptions& o) {
  return guarded([&] {
    auto repo = open_db(o.db);
    service::revoke_role(*repo, o.name, o.role);
    std::printf("%s no longer holds %s\n", o.name.c_str(), o.role.c_str());
    return kExitOk;
  });
}

int run_token(const UserOptions& o) {
  return guarded([&] {
    const auto scopes = service::parse_scopes(o.scopes);
    std::optional<std::string> expires;
    if (!o.expires.empty()) expires = o.expires + "T00:00:00Z";  // refused from 00:00 UTC of that day on
    auto repo = open_db(o.db);
    const auth::Argon2Credentials creds;
    const service::IssuedToken t = service::issue_token(*repo, creds, o.name, scopes, expires);
    std::fprintf(stderr, "token %lld for %s (%s)%s — shown once, store it now\n", static_cast<long long>(t.stored.id),
                 o.name.c_str(), join(t.stored.scopes, ",").c_str(), expires ? (", refused from " + *expires).c_str() : "");
    std::printf("%s\n", t.token.c_str());
    return kExitOk;
  });
}

int run_token_revoke(const UserOptions& o) {
  return guarded([&] {
    auto repo = open_db(o.db);
    service::revoke_token(*repo, o.token_id);
    std::printf("token %lld revoked\n", o.token_id);
    return kExitOk;
  });
}

int run_list(const UserOptions& o) {
  const bool json = o.format == "json";
  return guarded([&] {
    auto repo = open_db(o.db);
    const auto users = service::list_users(*repo);
    if (json) {
      for (const auto& u : users) std::printf("%s\n", bj::serialize(user_json(u)).c_str());
      return kExitOk;
    }
    if (users.empty()) {
      std::printf("no users\n");
      return kExitOk;
    }
    Table t({{"name"}, {"display name", Align::left, 24}, {"login"}, {"roles"}, {"tokens"}, {"created"}});
    for (const auto& u : users) {
      std::vector<std::string> roles, tokens;
      for (const auto& g : u.roles) roles.push_back(g.role);
      for (const auto& tk : u.tokens) tokens.push_back(token_text(tk));
      t.add_row({u.user.name, u.user.display_name,
                 u.user.disabled ? "disabled" : u.user.password_hash.empty() ? "token" : "password", join(roles, " "),
                 join(tokens, "; "), u.user.created_at});
    }
    std::fputs(t.render().c_str(), stdout);
    return kExitOk;
  }, json);
}

}  // namespace

void add_user_commands(CLI::App& app, Action& action) {
  auto* uc = app.add_subcommand("user", "users, role grants and API tokens (docs/service.md)");
  uc->require_subcommand(1);
  auto o = std::make_shared<UserOptions>();

  auto* add = uc->add_subcommand("add", "add a user");
  add->add_option("name", o->name, "login name (no spaces)")->required();
  add->add_option("--display", o->display, "display name (default: the login name)");
  add->add_flag("--password-stdin", o->password_stdin,
                "read the password from stdin (one trailing newline dropped; empty refused); without it the user has tokens only");
  add_db_option(add, o->db);
  add->callback([&action, o] { action = [o] { return run_add(*o); }; });

  auto* grant = uc->add_subcommand("grant", "grant a role of the rules to a user");
  grant->add_option("name", o->name, "login name")->required();
  grant->add_option("role", o->role, "a role as the workflow names it, e.g. 市财政局 or 旗县区科技局[临河区]")->required();
  add_rules_option(grant, o->rules);
  add_db_option(grant, o->db);
  grant->callback([&action, o] { action = [o] { return run_grant(*o); }; });

  auto* revoke = uc->add_subcommand("revoke", "revoke a role from a user");
  revoke->add_option("name", o->name, "login name")->required();
  revoke->add_option("role", o->role, "the role")->required();
  add_db_option(revoke, o->db);
  revoke->callback([&action, o] { action = [o] { return run_revoke(*o); }; });

  auto* token = uc->add_subcommand("token", "issue an API token (printed once on stdout)");
  token->add_option("name", o->name, "login name")->required();
  token->add_option("--scope", o->scopes, "comma-separated: decide, read, act, admin")->required();
  token->add_option("--expires", o->expires, "refused from this day on (YYYY-MM-DD, 00:00 UTC)")->check(date_check);
  add_db_option(token, o->db);
  token->callback([&action, o] { action = [o] { return run_token(*o); }; });

  auto* token_revoke = uc->add_subcommand("token-revoke", "revoke an API token");
  token_revoke->add_option("id", o->token_id, "the token's id (user list)")->required();
  add_db_option(token_revoke, o->db);
  token_revoke->callback([&action, o] { action = [o] { return run_token_revoke(*o); }; });

  auto* list = uc->add_subcommand("list", "list users, their roles and tokens (never a secret)");
  list->add_option("--format", o->format, "table (default) or json (one object per line)")->check(CLI::IsMember({"table", "json"}));
  add_db_option(list, o->db);
  list->callback([&action, o] { action = [o] { return run_list(*o); }; });
}

}  // namespace subsidy::cli
