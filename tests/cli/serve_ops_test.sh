#!/usr/bin/env bash
# Operations of `subsidy serve` through curl (docs/service.md "Operations"): /openapi.json, hot
# reload of the rules by SIGHUP and by POST /v1/admin/reload (a broken ruleset is refused with its
# diagnostics and the old one keeps serving; a fixed one serves under its new hash), and the timers
# (--timers-every with the test-only --today-file: a 公示 or correction period that ran out fires once,
# counted in /metrics; SIGTERM stops the loop). The database part runs on SQLite and, when
# SUBSIDY_TEST_PG is set, on PostgreSQL.
#   serve_ops_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"
decide() { call "$1" -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions?as_of=2022-06-30" "${@:2}"; }

# ---- the OpenAPI document and SIGHUP reload, without a database ----
LABEL=sighup
cp -r rules "$TMP/rules"
serve_start sighup --rules "$TMP/rules" --threads 2 || exit 1
SERVER=$PID
call openapi "$URL/openapi.json"
equals "$STATUS" 200 "openapi.json without credentials"
contains "$TMP/openapi" '"openapi": "3.1.0"' "an OpenAPI 3.1 document"
contains "$TMP/openapi" '"/v1/admin/reload"' "the document lists the reload route"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/openapi" && ok || bad "openapi.json is JSON"

decide before
HASH0=$(header before X-Ruleset-Hash)
equals "${#HASH0}" 64 "the ruleset hash of a decision"
cp "$TMP/before" "$TMP/before.body"

printf '\nprogramme BROKEN {\n' >>"$TMP/rules/common.rules"
kill -HUP "$SERVER"
wait_for "$TMP/sighup.err" "SIGHUP: rules not reloaded"
contains "$TMP/sighup.err" "keeps serving" "a refused reload says the old ruleset serves"
matches "$TMP/sighup.err" 'common\.rules:[0-9]+:[0-9]+: error' "the diagnostics of the broken rules, with file:line:col"
decide broken
equals "$STATUS" 200 "decisions still answer after a refused reload"
equals "$(header broken X-Ruleset-Hash)" "$HASH0" "with the old ruleset"
cmp -s "$TMP/broken" "$TMP/before.body" && ok || bad "the same decision as before the refused reload"

cp rules/common.rules "$TMP/rules/common.rules"
printf '\n# reloaded\n' >>"$TMP/rules/common.rules"
kill -HUP "$SERVER"
wait_for "$TMP/sighup.err" "SIGHUP: rules reloaded"
decide after
equals "$STATUS" 200 "decisions after the reload"
HASH1=$(header after X-Ruleset-Hash)
[ "${#HASH1}" = 64 ] && [ "$HASH1" != "$HASH0" ] && ok || bad "a new ruleset hash after the reload: [$HASH1] vs [$HASH0]"
contains "$TMP/sighup.err" "ruleset $HASH1 (was $HASH0)" "SIGHUP names the new and the old hash"
call readyz "$URL/readyz"
contains "$TMP/readyz" "\"ruleset_hash\":\"$HASH1\"" "readyz names the new hash"
call metrics "$URL/metrics"
contains "$TMP/metrics" 'subsidy_rules_reloads_total{result="failed"} 1' "the refused reload is counted"
contains "$TMP/metrics" 'subsidy_rules_reloads_total{result="ok"} 1' "the reload is counted"
call reload_open -X POST "$URL/v1/admin/reload"
equals "$STATUS" 503 "without --db the reload route is not open (SIGHUP only)"
serve_stop "$SERVER"
equals "$RC" 0 "SIGTERM after reloads: exit 0"

# ---- with a database: the admin route and the timers ----
R() { "$BIN" "$@" --db "$DB" --rules rules; }
DUE=4  # cases 1..DUE are returned for correction on 2025-03-05: the period ends on 2025-03-12

suite() {
  cp -r rules "$TMP/rules-$LABEL"
  local dir="$TMP/rules-$LABEL"
  "$BIN" db migrate --db "$DB" >/dev/null 2>&1
  "$BIN" user add root --db "$DB" >/dev/null 2>&1 || bad "user add"
  R user grant root admin >/dev/null 2>&1 || bad "grant admin"
  "$BIN" user add reader --db "$DB" >/dev/null 2>&1 || bad "user add reader"
  local admin reader
  admin=$("$BIN" user token root --scope admin --db "$DB" 2>/dev/null)
  reader=$("$BIN" user token reader --scope read,decide --db "$DB" 2>/dev/null)

  serve_start "reload-$LABEL" --rules "$dir" --db "$DB" --timers-every 0 || return
  local server=$PID
  call r_noauth -X POST "$URL/v1/admin/reload"
  equals "$STATUS" 401 "reload without credentials"
  call r_reader -X POST -H "Authorization: Bearer $reader" "$URL/v1/admin/reload"
  equals "$STATUS" 403 "reload with a token without the admin scope"
  contains "$TMP/r_reader" '"code":"forbidden_scope"' "forbidden_scope"
  decide d0 -H "Authorization: Bearer $reader"
  local hash0; hash0=$(header d0 X-Ruleset-Hash)
  printf '\nprogramme BROKEN {\n' >>"$dir/common.rules"
  call r_broken -X POST -H "Authorization: Bearer $admin" "$URL/v1/admin/reload"
  equals "$STATUS" 422 "a broken ruleset is refused"
  contains "$TMP/r_broken" '"code":"rules_invalid"' "rules_invalid"
  contains "$TMP/r_broken" '"diagnostics":"' "with the diagnostics"
  contains "$TMP/r_broken" 'common.rules:' "naming the file"
  contains "$TMP/r_broken" "\"ruleset_hash\":\"$hash0\"" "and the hash that keeps serving"
  decide d1 -H "Authorization: Bearer $reader"
  equals "$STATUS" 200 "decisions answer after the refused reload"
  equals "$(header d1 X-Ruleset-Hash)" "$hash0" "with the old hash"
  cp rules/common.rules "$dir/common.rules"
  printf '\n# reloaded over HTTP\n' >>"$dir/common.rules"
  call r_ok -X POST -H "Authorization: Bearer $admin" "$URL/v1/admin/reload"
  equals "$STATUS" 200 "a fixed ruleset is reloaded"
  local hash1; hash1=$(sed -n 's/.*"ruleset_hash":"\([0-9a-f]*\)".*/\1/p' "$TMP/r_ok")
  [ "${#hash1}" = 64 ] && [ "$hash1" != "$hash0" ] && ok || bad "the answer names the new hash: [$hash1]"
  contains "$TMP/r_ok" "\"previous_hash\":\"$hash0\"" "and the previous one"
  equals "$(header r_ok X-Ruleset-Hash)" "$hash1" "X-Ruleset-Hash of the reload answer"
  decide d2 -H "Authorization: Bearer $reader"
  equals "$(header d2 X-Ruleset-Hash)" "$hash1" "decisions use the new ruleset"
  serve_stop "$server"

  # Timers: cases returned for correction; their period ends on 2025-03-12.
  make_apps OPS "$((DUE + 1))" "$TMP/apps.jsonl"
  R case import "$TMP/apps.jsonl" --program R14 --date 2025-03-03 --no-progress >/dev/null 2>&1 || bad "import"
  local i
  for i in $(seq 1 $((DUE + 1))); do R case act "$i" submit --as 申报单位 --actor A --date 2025-03-03 >/dev/null || bad "submit $i"; done
  for i in $(seq 1 "$DUE"); do
    R case act "$i" approve --as 旗县区科技局[临河区] --actor W --date 2025-03-04 >/dev/null || bad "approve $i"
    R case act "$i" return --as 市科技局 --actor L --date 2025-03-05 >/dev/null || bad "return $i"
  done

  # On the period's last day nothing fires (without --today-file the real date would fire them all);
  # the test-only --today-file is read on each use, so the next day comes while the service runs.
  expect_rc 2 "--today-file that is no date" "$BIN" serve --rules rules --db "$DB" --today-file /dev/null
  echo 2025-03-12 >"$TMP/today"
  serve_start "timers-$LABEL" --rules rules --db "$DB" --timers-every 1 --today-file "$TMP/today" || return
  server=$PID
  sleep 2.5
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'timer'")" "0" "no timer fires on the period's last day"
  echo 2025-03-13 >"$TMP/today"
  local n=""
  for _ in $(seq 100); do
    n=$(sql "SELECT count(*) FROM events WHERE action = 'timer' AND actor = 'system'")
    [ "$n" = "$DUE" ] && break
    sleep 0.1
  done
  equals "$n" "$DUE" "the timers moved every due case"
  sleep 1.5  # at least one more run: nothing is due any more
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'timer'")" "$DUE" "one timer event per case"
  equals "$(sql "SELECT count(*) FROM cases WHERE closed = 1")" "$DUE" "expired corrections are closed"
  equals "$(sql "SELECT count(*) FROM cases WHERE closed = 0")" "1" "the case at county review stays open"
  call tm "$URL/metrics"
  contains "$TMP/tm" "subsidy_timers_fired_total $DUE" "timers fired in /metrics"
  serve_stop "$server"
  equals "$RC" 0 "SIGTERM with the timer loop running: exit 0"
  contains "$TMP/timers-$LABEL.err" "stopped" "stopped"
  lacks "$TMP/timers-$LABEL.err" "timers:" "no timer errors"
  expect_rc 0 "audit verify after the timers" "$BIN" audit verify --db "$DB"
}

on_backends serve_ops suite
echo "serve_ops: $pass passed, $fail failed"
[ "$fail" = 0 ]
