#!/usr/bin/env bash
# Authentication of `subsidy serve` through curl (docs/service.md, "Authentication over HTTP"):
# bearer API tokens and login sessions, 401/403 with their codes, login throttling (429 with
# Retry-After even for the right password), logout, /v1/me, the decide scope of the decisions
# routes with --db, and no secret in the server's output. Runs on SQLite and, when SUBSIDY_TEST_PG
# holds a PostgreSQL URL, on PostgreSQL in a fresh schema.
#   serve_auth_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"
U() { "$BIN" user "$@" --db "$DB"; }

# expect NAME STATUS CODE CURL-ARGS…: that status and, unless CODE is "", the error object with that code.
expect() {
  local name="$1" want="$2" code="$3"; shift 3
  call "$name" "$@"
  equals "$STATUS" "$want" "$name: status"
  if [ -n "$code" ]; then contains "$TMP/$name" "\"code\":\"$code\"" "$name: code"; fi
}
bearer() { printf 'Authorization: Bearer %s' "$1"; }
# login NAME USER PASSWORD [CURL-ARGS…]: POST /v1/login.
login() {
  local name="$1" user="$2" password="$3"; shift 3
  call "$name" -X POST -H 'Content-Type: application/json' --data-binary "{\"user\":\"$user\",\"password\":\"$password\"}" \
    "$@" "$URL/v1/login"
}
token_of() { sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$TMP/$1"; }

suite() {
  printf 'correct horse\n' | U add zhao --display "赵 科员" --password-stdin >/dev/null || bad "add zhao"
  printf 'battery staple\n' | U add li --password-stdin >/dev/null || bad "add li"
  printf 'root secret\n' | U add root --password-stdin >/dev/null || bad "add root"
  U add portal --display 政务服务平台 >/dev/null || bad "add portal"
  U grant zhao "旗县区科技局[临河区]" --rules rules >/dev/null || bad "grant zhao"
  expect_rc 0 "grant the reserved role admin" U grant root admin --rules rules
  expect_rc 0 "list shows admin" U list --format json
  contains "$TMP/out" '"role":"admin"' "list: the admin grant"
  local decide read expired revoked
  decide="$(U token portal --scope decide 2>/dev/null)"
  read="$(U token portal --scope read 2>/dev/null)"
  expired="$(U token portal --scope decide,read --expires 2020-01-01 2>/dev/null)"
  revoked="$(U token portal --scope decide,read 2>/dev/null)"
  U token-revoke "$(sql "SELECT max(id) FROM api_tokens")" >/dev/null 2>&1 || bad "token-revoke"

  serve_start "auth-$LABEL" --rules rules --db "$DB" --threads 2 --session-hours 2 --timers-every 0 || return
  local pid=$PID

  # Without credentials, with a wrong scheme, with bad tokens.
  expect me-none 401 unauthenticated "$URL/v1/me"
  contains "$TMP/me-none.h" 'WWW-Authenticate: Bearer realm="subsidy"' "no header: the challenge"
  contains "$TMP/me-none" '"kind":"refused"' "no header: kind refused"
  expect me-basic 401 unauthenticated -H 'Authorization: Basic emhhbzpwdw==' "$URL/v1/me"
  expect me-empty 401 unauthenticated -H 'Authorization: Bearer ' "$URL/v1/me"
  expect me-bad 401 bad_token -H "$(bearer sbt_nosuchtoken)" "$URL/v1/me"
  contains "$TMP/me-bad.h" 'WWW-Authenticate: Bearer realm="subsidy", error="invalid_token"' "bad token: the challenge names it"
  expect me-expired 401 bad_token -H "$(bearer "$expired")" "$URL/v1/me"
  expect me-revoked 401 bad_token -H "$(bearer "$revoked")" "$URL/v1/me"

  # An API token: /v1/me, the decide scope of the decisions routes.
  expect me-decide 200 "" -H "$(bearer "$decide")" "$URL/v1/me"
  contains "$TMP/me-decide" '"user":{"name":"portal","display_name":"政务服务平台"}' "me: the user"
  contains "$TMP/me-decide" '"roles":[],"scopes":["decide"]' "me: roles and scopes"
  expect rules-none 401 unauthenticated "$URL/v1/rules"
  expect rules-read 403 forbidden_scope -H "$(bearer "$read")" "$URL/v1/rules"
  contains "$TMP/rules-read" '"scope":"decide"' "forbidden_scope names the scope"
  expect rules-decide 200 "" -H "$(bearer "$decide")" "$URL/v1/rules"
  contains "$TMP/rules-decide" '"ruleset_hash":' "the rules with the decide scope"
  local one=(-X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions?as_of=2022-06-30")
  expect decide-none 401 unauthenticated "${one[@]}"
  expect decide-read 403 forbidden_scope -H "$(bearer "$read")" "${one[@]}"
  "$BIN" evaluate --rules rules --as-of 2022-06-30 examples/refused-r02.json >"$TMP/one.want"
  expect decide-ok 200 "" -H "$(bearer "$decide")" "${one[@]}"
  cmp -s "$TMP/decide-ok" "$TMP/one.want" && ok || bad "the decision with a token differs from evaluate"
  # A decide-only token can neither read cases nor act.
  expect cases-decide 403 forbidden_scope -H "$(bearer "$decide")" "$URL/v1/cases"
  expect act-decide 403 forbidden_scope -X POST -H "$(bearer "$decide")" -H 'Content-Type: application/json' \
    --data-binary '{"action":"approve"}' "$URL/v1/cases/1/actions"
  expect reload-decide 403 forbidden_scope -X POST -H "$(bearer "$decide")" "$URL/v1/admin/reload"

  # Login: bad requests, a wrong password (2 failures of 127.0.0.1), a session.
  expect login-type 415 unsupported_media_type -X POST --data-binary '{}' -H 'Content-Type: text/plain' "$URL/v1/login"
  expect login-json 400 malformed_json -X POST --data-binary '{"user":' -H 'Content-Type: application/json' "$URL/v1/login"
  expect login-field 400 missing_field -X POST --data-binary '{"user":"zhao"}' -H 'Content-Type: application/json' "$URL/v1/login"
  contains "$TMP/login-field" '"field":"password"' "missing_field names the field"
  login login-wrong zhao 'correct horsE'
  equals "$STATUS" 401 "wrong password: 401"
  contains "$TMP/login-wrong" '"code":"bad_credentials"' "wrong password: bad_credentials"
  login login-nobody nobody 'correct horse'
  equals "$STATUS" 401 "unknown user: 401"
  equals "$(sed 's/"user":"[a-z]*"//' "$TMP/login-nobody")" "$(sed 's/"user":"[a-z]*"//' "$TMP/login-wrong")" \
    "an unknown user and a wrong password get the same answer"
  login login-ok zhao 'correct horse'
  equals "$STATUS" 200 "login: 200"
  local session; session="$(token_of login-ok)"
  equals "${session:0:4}" "sbs_" "a session token is sbs_…"
  equals "${#session}" 47 "sbs_ + 32 random bytes"
  contains "$TMP/login-ok" '"user":{"name":"zhao","display_name":"赵 科员"},"roles":["旗县区科技局[临河区]"],"scopes":["decide","read","act"]' \
    "login: user, roles, the scopes without admin"
  matches "$TMP/login-ok" '"expires_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' "login: the expiry"
  equals "$(sql "SELECT scopes FROM api_tokens WHERE expires_at IS NOT NULL AND revoked = 0 AND user_id = (SELECT id FROM users WHERE name = 'zhao')")" \
    "decide,read,act" "the session is an api_tokens row with an expiry"
  equals "$(sql "SELECT count(*) FROM api_tokens WHERE token_hash = '$session' OR token_hash LIKE '%${session:4:20}%'")" 0 \
    "the session token itself is not stored"
  expect me-session 200 "" -H "$(bearer "$session")" "$URL/v1/me"
  contains "$TMP/me-session" '"user":{"name":"zhao"' "me with the session"
  expect rules-session 200 "" -H "$(bearer "$session")" "$URL/v1/rules"
  expect reload-session 403 forbidden_scope -X POST -H "$(bearer "$session")" "$URL/v1/admin/reload"
  login login-root root 'root secret'
  contains "$TMP/login-root" '"roles":["admin"],"scopes":["decide","read","act","admin","policy"]' "an admin's session has the admin scope (and policy)"

  # Logout revokes the session (not an API token).
  expect logout-api 400 not_a_session -X POST -H "$(bearer "$decide")" "$URL/v1/logout"
  expect logout-none 401 unauthenticated -X POST "$URL/v1/logout"
  expect logout 200 "" -X POST -H "$(bearer "$session")" "$URL/v1/logout"
  equals "$(cat "$TMP/logout")" '{"status":"logged_out"}' "logout: the answer"
  expect me-after 401 bad_token -H "$(bearer "$session")" "$URL/v1/me"
  expect logout-again 401 bad_token -X POST -H "$(bearer "$session")" "$URL/v1/logout"

  # Throttling by name: 5 failures for li from five addresses; then li is refused even with the
  # right password, from a sixth address.
  for i in 2 3 4 5 6; do login "li-wrong-$i" li wrong --interface "127.0.0.$i"; equals "$STATUS" 401 "li failure $i"; done
  login li-locked li 'battery staple' --interface 127.0.0.7
  equals "$STATUS" 429 "a locked name: 429 even with the right password"
  contains "$TMP/li-locked" '"code":"too_many_attempts"' "a locked name: too_many_attempts"
  local retry; retry="$(header li-locked Retry-After)"
  [ -n "$retry" ] && [ "$retry" -gt 850 ] && [ "$retry" -le 900 ] && ok || bad "Retry-After within 15 min: [$retry]"
  login zhao-elsewhere zhao 'correct horse' --interface 127.0.0.7
  equals "$STATUS" 200 "another name from that address logs in"
  # Throttling by address: 5 failures from 127.0.0.8 for five names lock the address for everyone.
  for n in a b c d e; do login "addr-$n" "$n" wrong --interface 127.0.0.8; done
  login addr-zhao zhao 'correct horse' --interface 127.0.0.8
  equals "$STATUS" 429 "a locked address: 429 even with the right password"
  login addr-zhao2 zhao 'correct horse' --interface 127.0.0.9
  equals "$STATUS" 200 "the same user from another address logs in"

  # 12 failures (2 + 5 + 5) and 2 throttled logins.
  curl -sS "$URL/metrics" >"$TMP/metrics"
  contains "$TMP/metrics" 'subsidy_login_failures_total 14' "failed and throttled logins are counted"

  serve_stop "$pid"
  # No secret in what the server wrote (its log, its errors).
  local f s
  for f in "$TMP/auth-$LABEL.out" "$TMP/auth-$LABEL.err"; do
    for s in 'correct horse' 'battery staple' 'root secret' "$session" "$decide" "$read" "$expired" "${session:4}" sbs_ sbt_ argon2; do
      lacks "$f" "$s" "no secret in $(basename "$f")"
    done
  done
}

on_backends serve_auth suite

# Without --db the service is decisions-only and open; the user routes have no database.
serve_start open --rules rules --threads 1 || exit 1
expect open-decide 200 "" -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json \
  "$URL/v1/decisions?as_of=2022-06-30"
expect open-rules 200 "" "$URL/v1/rules"
LABEL=no-db
login open-login zhao 'correct horse'
equals "$STATUS" 503 "login without a database: 503"
contains "$TMP/open-login" '"code":"no_database"' "login without a database: no_database"
expect open-me 503 no_database "$URL/v1/me"
serve_stop "$PID"

echo "serve auth: $pass passed, $fail failed"
[ "$fail" = 0 ]
