#!/usr/bin/env bash
# CLI tests of `subsidy user …` (docs/service.md, "Users, roles and tokens"): add (password from
# stdin, never stored in clear), grant/revoke roles of the rules (did-you-mean), tokens shown once
# and stored hashed, revoked, list without secrets, exit codes. Runs on SQLite (a temporary file)
# and, when SUBSIDY_TEST_PG holds a PostgreSQL URL, on PostgreSQL in a fresh schema.
#   user_cli_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
U() { "$BIN" user "$@" --db "$DB"; }

suite() {
  printf 'correct horse\n' | U add zhao --display "赵 科员" --password-stdin >"$TMP/out" 2>"$TMP/err"
  equals "$?" "0" "add with a password from stdin"
  contains "$TMP/out" "user zhao added" "add says so"
  local hash; hash="$(sql "SELECT password_hash FROM users WHERE name = 'zhao'")"
  equals "${hash:0:31}" '$argon2id$v=19$m=19456,t=2,p=1$' "the password is stored as Argon2id with its parameters"
  case "$hash" in *"correct horse"*) bad "the password is stored in clear";; *) ok;; esac
  printf 'other\n' | U add zhao --password-stdin >/dev/null 2>"$TMP/err"
  equals "$?" "6" "a taken name is a conflict"
  printf '\n' | U add li --password-stdin >/dev/null 2>"$TMP/err"
  equals "$?" "2" "an empty password is refused"
  contains "$TMP/err" "empty" "the refusal says why"
  expect_rc 0 "add a token-only user" U add portal --display 政务服务平台
  contains "$TMP/out" "tokens only" "no password: tokens only"

  expect_rc 0 "grant a county role" U grant zhao "旗县区科技局[临河区]" --rules rules
  contains "$TMP/out" "now holds" "grant says so"
  expect_rc 0 "grant again" U grant zhao "旗县区科技局[临河区]" --rules rules
  contains "$TMP/out" "already holds" "a second grant changes nothing"
  expect_rc 0 "grant the finance bureau" U grant zhao 市财政局 --rules rules
  equals "$(sql "SELECT granted_by FROM role_grants WHERE role = '市财政局'")" "os:$(id -un)" "the OS user is recorded"
  expect_rc 2 "a role the rules do not know" U grant zhao 市财政 --rules rules
  contains "$TMP/err" 'did you mean `市财政局`' "did you mean"
  expect_rc 3 "grant to an unknown user" U grant nobody 市财政局 --rules rules
  expect_rc 4 "grant without rules" U grant zhao 市财政局 --rules "$TMP/no-rules"
  expect_rc 0 "revoke" U revoke zhao 市财政局
  expect_rc 3 "revoke a role not held" U revoke zhao 市财政局
  equals "$(sql "SELECT role FROM role_grants")" "旗县区科技局[临河区]" "one grant left"

  expect_rc 0 "issue a token" U token portal --scope decide,read --expires 2030-01-01
  local token; token="$(cat "$TMP/out")"
  equals "${token:0:4}" "sbt_" "the token's prefix"
  equals "${#token}" "47" "sbt_ + 32 bytes base64url"
  contains "$TMP/err" "shown once" "the token is shown once"
  equals "$(sql "SELECT scopes || ' ' || expires_at FROM api_tokens")" "decide,read 2030-01-01T00:00:00Z" "scopes and expiry stored"
  equals "$(sql "SELECT count(*) FROM api_tokens WHERE token_hash = '$token' OR token_hash LIKE '%${token:4:20}%'")" "0" \
    "the token itself is not stored"
  equals "$(sql "SELECT length(token_hash) FROM api_tokens")" "64" "its SHA-256 is"
  expect_rc 2 "an unknown scope" U token portal --scope decide,raed
  contains "$TMP/err" 'did you mean `read`' "did you mean for scopes"
  expect_rc 2 "an impossible expiry" U token portal --scope read --expires 2030-02-30
  expect_rc 3 "a token for an unknown user" U token nobody --scope read

  expect_rc 0 "list as JSON" U list --format json
  contains "$TMP/out" '"name":"portal"' "list has the user"
  contains "$TMP/out" '"scopes":["decide","read"]' "list has the scopes"
  contains "$TMP/out" '"role":"旗县区科技局[临河区]"' "list has the roles"
  lacks "$TMP/out" "$token" "list shows no token"
  lacks "$TMP/out" 'argon2' "list shows no password hash"
  expect_rc 0 "list as a table" U list
  contains "$TMP/out" "政务服务平台" "the table has display names"
  contains "$TMP/out" "1:decide,read until 2030-01-01T00:00:00Z" "the table has the token"

  expect_rc 0 "revoke the token" U token-revoke 1
  equals "$(sql "SELECT revoked FROM api_tokens WHERE id = 1")" "1" "revoked in the database"
  expect_rc 3 "revoke it again" U token-revoke 1
  expect_rc 0 "list after revoking" U list --format json
  contains "$TMP/out" '"revoked":true' "list shows the revocation"
}

unreachable() {
  LABEL=unreachable
  expect_rc 7 "unreachable database" "$BIN" user list --db "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2" --format json
  contains "$TMP/out" '{"error":{"kind":"database"' "a database error is a JSON error object"
}

on_backends users suite
unreachable

echo "user CLI tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
