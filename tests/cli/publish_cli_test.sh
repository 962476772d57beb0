#!/usr/bin/env bash
# CLI tests of published rule versions and decision replay (docs/whatif.md "Publishing and
# replay"): `rules publish` refused when a rule test fails (nothing stored), `rules versions`, the
# case commands using the published version without --rules (and --rules winning with a warning),
# decisions keeping the ruleset that made them, `case replay` identical, and a stored decision
# edited in SQL found by `case replay` and `audit replay`. Runs on SQLite and, when SUBSIDY_TEST_PG
# holds a PostgreSQL URL, on PostgreSQL in a fresh schema.
#   publish_cli_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$(realpath "$1")"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"

# A draft whose R14 amount changed without its tests (they now fail), and one with only a comment
# changed (another ruleset hash, every test passing).
cp -r "$ROOT/rules" "$TMP/failing"
sed -i 's/from 2022-01-01 = 20万 source/from 2022-01-01 = 30万 source/' "$TMP/failing/programs/r14_incubator.rules"
cp -r "$ROOT/rules" "$TMP/v2"
printf '\n# 2025 年度发布\n' >> "$TMP/v2/common.rules"
cp -r "$ROOT/rules" "$TMP/v3"
printf '\n# 2026 年度发布\n' >> "$TMP/v3/common.rules"
for v in v4 v5 v6; do cp -r "$ROOT/rules" "$TMP/$v"; printf '\n# %s\n' "$v" >> "$TMP/$v/common.rules"; done
FACTS="$ROOT/tests/cli/data/incubator-agri-corrected.json"
sed 's/APP-2024-0001/APP-2024-0002/' "$FACTS" > "$TMP/second.json"
sed 's/APP-2024-0001/APP-2024-0003/' "$FACTS" > "$TMP/third.json"

suite() {
  expect_rc 1 "publishing rules whose tests fail is refused" "$BIN" rules publish "$TMP/failing" --db "$DB" --note "提高孵化器补助" --as-of 2024-06-28
  contains "$TMP/err" "publishing refused" "the refusal says so"
  contains "$TMP/err" 'test "R14 合格：自治区级、优秀，20万 / eligible: regional, excellent"' "it names the failing test"
  contains "$TMP/err" "incubator_platform_test.rules:10" "and where it is"
  expect_rc 1 "the same refusal as JSON" "$BIN" rules publish "$TMP/failing" --db "$DB" --note "x" --format json --as-of 2024-06-28
  contains "$TMP/out" '"code":"rule_tests_failed"' "a stable code"
  equals "$(sql "SELECT COUNT(*) FROM published_rulesets")" "0" "nothing published"
  equals "$(sql "SELECT COUNT(*) FROM rulesets")" "0" "nothing stored"
  expect_rc 0 "no versions yet" "$BIN" rules versions --db "$DB"
  contains "$TMP/out" "no published rule version" "versions says so"
  expect_rc 2 "a note is required" "$BIN" rules publish rules --db "$DB"

  expect_rc 0 "publish the rules" "$BIN" rules publish rules --db "$DB" --note "2024 年度标准" --as-of 2024-06-28
  contains "$TMP/out" "published rule version 1" "version 1"
  matches "$TMP/out" "[0-9]+ passed, 0 failed; coverage" "with the test summary"
  local v1; v1="$(sql "SELECT ruleset_hash FROM published_rulesets WHERE version = 1")"
  equals "$(sql "SELECT published_by FROM published_rulesets WHERE version = 1")" "os:$(id -un)" "who: the OS user"
  expect_rc 0 "publishing the same ruleset again" "$BIN" rules publish rules --db "$DB" --note "again" --as-of 2024-06-28
  contains "$TMP/out" "unchanged" "changes nothing"
  equals "$(sql "SELECT COUNT(*) FROM published_rulesets")" "1" "still one version"

  # Case commands without --rules, where there is no rules directory: the published version.
  (cd "$TMP" && "$BIN" case submit --program R14 --facts "$FACTS" --db "$DB") >"$TMP/out" 2>"$TMP/err"
  equals "$?" "0" "case submit without --rules nor a rules directory uses the published version"
  equals "$(sql "SELECT decision_ruleset_hash FROM cases WHERE id = 1")" "$v1" "its decision names the published ruleset"

  expect_rc 0 "publish a second version" "$BIN" rules publish "$TMP/v2" --db "$DB" --note "2025 年度" --as-of 2024-06-28
  contains "$TMP/out" "published rule version 2" "version 2"
  local v2; v2="$(sql "SELECT ruleset_hash FROM published_rulesets WHERE version = 2")"
  [ "$v1" != "$v2" ] && ok || bad "version 2 is another ruleset"
  expect_rc 0 "versions" "$BIN" rules versions --db "$DB"
  matches "$TMP/out" "^ +1  ${v1:0:12} .*2024 年度标准" "version 1 listed"
  matches "$TMP/out" "^ +2\\*  ${v2:0:12} .*2025 年度" "version 2 listed as current"
  expect_rc 0 "versions as JSON" "$BIN" rules versions --db "$DB" --format json
  contains "$TMP/out" "\"version\":2,\"ruleset_hash\":\"$v2\"" "JSON lists version 2"

  (cd "$TMP" && "$BIN" case submit --program R14 --facts "$TMP/second.json" --db "$DB") >"$TMP/out" 2>"$TMP/err"
  equals "$?" "0" "a second case without --rules"
  equals "$(sql "SELECT decision_ruleset_hash FROM cases WHERE id = 2")" "$v2" "it is decided by the latest version"
  equals "$(sql "SELECT decision_ruleset_hash FROM cases WHERE id = 1")" "$v1" "the first decision keeps its version"
  expect_rc 0 "case submit --rules with another ruleset" "$BIN" case submit --program R14 --facts "$TMP/third.json" --rules rules --db "$DB"
  contains "$TMP/err" "is not the published rule version 2" "--rules wins, with a warning"
  equals "$(sql "SELECT decision_ruleset_hash FROM cases WHERE id = 3")" "$v1" "decided by --rules"
  (cd "$TMP" && "$BIN" case show 1 --db "$DB") >"$TMP/out" 2>"$TMP/err"
  equals "$?" "0" "case show without --rules"

  # serve without --rules: the published version, and the next one after a reload (SIGHUP).
  serve_start "serve_$BACKEND" --db "$DB" && {
    call ready "$URL/readyz"
    contains "$TMP/ready" "\"ruleset_hash\":\"$v2\"" "serve without --rules serves the published version"
    "$BIN" rules publish "$TMP/v3" --db "$DB" --note "2026 年度" --as-of 2024-06-28 >/dev/null 2>&1 || bad "publish version 3"
    local v3; v3="$(sql "SELECT ruleset_hash FROM published_rulesets WHERE version = 3")"
    kill -HUP "$PID"; wait_for "$TMP/serve_$BACKEND.err" "rules reloaded"
    call ready "$URL/readyz"
    contains "$TMP/ready" "\"ruleset_hash\":\"$v3\"" "a reload serves the version published since"
    serve_stop "$PID"
  }

  # Publishers racing (two processes): distinct consecutive numbers; one ruleset published twice at once is stored once.
  "$BIN" rules publish "$TMP/v4" --db "$DB" --note "race 4" --as-of 2024-06-28 >"$TMP/race4.out" 2>"$TMP/race4.err" & local p4=$!
  "$BIN" rules publish "$TMP/v5" --db "$DB" --note "race 5" --as-of 2024-06-28 >"$TMP/race5.out" 2>"$TMP/race5.err" & local p5=$!
  wait "$p4"; local rc4=$?; wait "$p5"; local rc5=$?
  equals "$rc4 $rc5" "0 0" "two racing publishers both succeed ($(cat "$TMP/race4.err" "$TMP/race5.err"))"
  equals "$(sql "SELECT COUNT(DISTINCT version) || ' ' || MIN(version) || ' ' || MAX(version) FROM published_rulesets WHERE version > 3")" "2 4 5" \
    "they get versions 4 and 5"
  "$BIN" rules publish "$TMP/v6" --db "$DB" --note "race 6a" --as-of 2024-06-28 >"$TMP/race6a.out" 2>"$TMP/race6a.err" & p4=$!
  "$BIN" rules publish "$TMP/v6" --db "$DB" --note "race 6b" --as-of 2024-06-28 >"$TMP/race6b.out" 2>"$TMP/race6b.err" & p5=$!
  wait "$p4"; rc4=$?; wait "$p5"; rc5=$?
  equals "$rc4 $rc5" "0 0" "the same ruleset published twice at once ($(cat "$TMP/race6a.err" "$TMP/race6b.err"))"
  equals "$(sql "SELECT COUNT(*) || ' ' || MAX(version) FROM published_rulesets WHERE version > 5")" "1 6" "is stored once, as version 6"
  cat "$TMP/race6a.out" "$TMP/race6b.out" > "$TMP/out"
  contains "$TMP/out" "unchanged" "the other publisher is told it was already published"

  expect_rc 0 "replay a case decided by an earlier version" "$BIN" case replay 1 --db "$DB"
  contains "$TMP/out" "identical" "identical"
  contains "$TMP/out" "ruleset ${v1:0:12}" "with the ruleset of its decision"
  expect_rc 0 "audit replay of an untouched database" "$BIN" audit replay --db "$DB"
  contains "$TMP/out" "3 cases replayed: 3 identical, 0 differ" "every case identical"

  sql "UPDATE cases SET decision_amount_fen = 30000000 WHERE id = 2" >/dev/null
  expect_rc 1 "a decision amount edited in SQL" "$BIN" case replay 2 --db "$DB"
  contains "$TMP/out" "amount_fen: stored 30000000, replayed 20000000" "names what differs"
  sql "UPDATE cases SET decision_outcome = 'refused' WHERE id = 3" >/dev/null
  expect_rc 1 "audit replay finds them" "$BIN" audit replay --db "$DB" --progress
  contains "$TMP/out" "case 2 · application APP-2024-0002" "names case 2"
  contains "$TMP/out" "outcome: stored refused, replayed eligible" "and what changed in case 3"
  contains "$TMP/out" "3 cases replayed: 1 identical, 2 differ" "counts"
  contains "$TMP/err" "replayed 3 cases" "progress on stderr"
  expect_rc 1 "audit replay as JSON" "$BIN" audit replay --db "$DB" --format json
  contains "$TMP/out" '"differs":2' "JSON counts"
  contains "$TMP/out" '{"what":"amount_fen","stored":"30000000","replayed":"20000000"}' "JSON differences"
  expect_rc 3 "replay of an unknown case" "$BIN" case replay 99 --db "$DB"

  # A decision whose ruleset was never stored (made before migration 004): audit replay exits 4 with
  # a warning when nothing differs (1 wins when something does), as `case replay` of it does.
  sql "UPDATE cases SET decision_ruleset_hash = '$(printf 'f%.0s' $(seq 64))' WHERE id = 1" >/dev/null
  expect_rc 1 "differences win over an unreplayable decision" "$BIN" audit replay --db "$DB"
  sql "UPDATE cases SET decision_amount_fen = 20000000 WHERE id = 2" >/dev/null
  sql "UPDATE cases SET decision_outcome = 'eligible' WHERE id = 3" >/dev/null
  expect_rc 4 "a pre-004 decision alone: exit 4" "$BIN" audit replay --db "$DB"
  contains "$TMP/out" "3 cases replayed: 2 identical, 0 differ, 1 cannot be replayed" "counted"
  contains "$TMP/out" "decided before migration 004" "and named"
  contains "$TMP/err" "warning: 1 decision cannot be replayed" "with a warning"
  expect_rc 4 "case replay of it" "$BIN" case replay 1 --db "$DB"
}

on_backends publish suite
on_mariadb publish suite
echo "publish CLI: $pass passed, $fail failed"
[ "$fail" = 0 ]
