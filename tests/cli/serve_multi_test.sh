#!/usr/bin/env bash
# Two `subsidy serve` instances on one PostgreSQL database (docs/service.md "Deployment with
# PostgreSQL"), with concurrent curl clients acting on the same cases through both:
#   - no lost update: the same approval sent to both instances at once is taken once (200), the
#     other gets 409 conflict, and each case's history has that one step;
#   - budget guard: approvals into a budget with room for two cases reserve two, the others are
#     refused with budget_exceeded, and the budget is never over-committed;
#   - timers once: both instances run --timers-every 1 with the same --today; each correction
#     period that ran out is closed by exactly one `system` event.
# Needs SUBSIDY_TEST_PG (a PostgreSQL URL); without it the test is skipped.
#   serve_multi_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"
if [ -z "${SUBSIDY_TEST_PG:-}" ]; then
  echo "notice: SUBSIDY_TEST_PG not set: the two-instance test needs PostgreSQL and is skipped"
  exit 0
fi
RACE=6    # cases 1..RACE: the same approval through both instances at once
BUDGET=6  # the next BUDGET cases: approvals into a budget with room for two
DUE=4     # the next DUE cases: returned for correction, their period ends on 2025-03-12
TODAY=2025-03-13
R() { "$BIN" "$@" --db "$DB" --rules rules; }

suite() {
  local total=$((RACE + BUDGET + DUE)) i
  make_apps MULTI "$total" "$TMP/apps.jsonl"
  R case import "$TMP/apps.jsonl" --program R14 --date 2025-03-03 --no-progress >/dev/null 2>&1 || bad "import"
  # R14 follows the competitive workflow: the first RACE+BUDGET cases are taken to the bureau's
  # collective decision (the reserving stage, 市科技局), the last DUE are returned for correction.
  for i in $(seq 1 "$total"); do
    R case act "$i" submit --as 申报单位 --actor A --date 2025-03-03 >/dev/null || bad "submit $i"
    R case act "$i" approve --as 旗县区科技局[临河区] --actor W --date 2025-03-04 >/dev/null || bad "county approve $i"
  done
  for i in $(seq 1 $((RACE + BUDGET))); do
    for role in 市科技局 专家组 市科技局 市农牧局 市财政局; do
      R case act "$i" approve --as "$role" --actor C --date 2025-03-05 >/dev/null || bad "case $i: approve as $role"
    done
  done
  for i in $(seq $((RACE + BUDGET + 1)) "$total"); do
    R case act "$i" return --as 市科技局 --actor L --date 2025-03-05 >/dev/null || bad "return $i"
  done
  equals "$(sql "SELECT count(*) FROM cases WHERE stages = '|collective_decision|'")" "$((RACE + BUDGET))" "cases at the collective decision"
  local amount year
  amount=$(sql "SELECT max(decision_amount_fen) FROM cases")
  year=$(sql "SELECT DISTINCT call_year FROM cases")
  [ "$amount" -gt 0 ] 2>/dev/null && ok || bad "the cases have an amount: [$amount]"

  "$BIN" user add shi --db "$DB" >/dev/null 2>&1 || bad "user add"
  R user grant shi 市科技局 >/dev/null 2>&1 || bad "grant 市科技局"
  local token
  token=$("$BIN" user token shi --scope read,act --db "$DB" 2>/dev/null)

  serve_start a --rules rules --db "$DB" --threads 2 --timers-every 1 --today "$TODAY" || return
  local pid_a=$PID url_a=$URL
  serve_start b --rules rules --db "$DB" --threads 2 --timers-every 1 --today "$TODAY" || return
  local pid_b=$PID url_b=$URL

  # approve NAME URL CASE [VERSION]: POST …/actions as 市科技局 in the background.
  approve() {
    local body='{"action":"approve","role":"市科技局"'
    [ -n "${4:-}" ] && body+=",\"version\":$4"
    curl -sS --max-time 30 -o "$TMP/$1" -w '%{http_code}\n' -X POST -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data-binary "$body}" "$2/v1/cases/$3/actions" >"$TMP/$1.status" &
  }

  # No lost update: each case approved through both instances at once, with the version both saw.
  R budget set --program R14 --year "$year" --total 100000000 --actor test >/dev/null || bad "a large budget"
  for i in $(seq 1 "$RACE"); do
    local v; v=$(sql "SELECT version FROM cases WHERE id = $i")
    approve "race-a-$i" "$url_a" "$i" "$v"
    approve "race-b-$i" "$url_b" "$i" "$v"
  done
  wait_clients
  for i in $(seq 1 "$RACE"); do
    equals "$(cat "$TMP/race-a-$i.status" "$TMP/race-b-$i.status" | sort | tr '\n' ' ')" "200 409 " "case $i: one approval, one conflict"
    equals "$(sql "SELECT count(*) FROM events WHERE case_id = $i AND action = 'approve' AND actor = 'shi'")" "1" "case $i: one approval by shi"
  done
  cat "$TMP"/race-[ab]-*[0-9] | grep -F '"code":"conflict"' | head -1 >"$TMP/conflict"
  [ -s "$TMP/conflict" ] && ok || bad "the loser's answer is the conflict error object"
  equals "$(sql "SELECT count(*) FROM cases WHERE id <= $RACE AND stages = '|publicity|'")" "$RACE" "every raced case moved once"

  # Budget guard: room for exactly two of the next BUDGET cases, approved at once through both.
  local first=$((RACE + 1)) last=$((RACE + BUDGET)) reserved
  reserved=$(sql "SELECT coalesce(sum(reserved_fen), 0) FROM cases")
  local room=$(( (reserved + 2 * amount + amount / 2) / 100 ))
  R budget set --program R14 --year "$year" --total "$room" --actor test >/dev/null || bad "a small budget"
  for i in $(seq "$first" "$last"); do
    if [ $((i % 2)) = 0 ]; then approve "budget-$i" "$url_a" "$i"; else approve "budget-$i" "$url_b" "$i"; fi
  done
  wait_clients
  equals "$(cat "$TMP"/budget-*.status | grep -c '^200$')" "2" "two approvals fit the budget"
  equals "$(cat "$TMP"/budget-*.status | grep -c '^422$')" "$((BUDGET - 2))" "the others are refused"
  equals "$(grep -lF '"code":"budget_exceeded"' "$TMP"/budget-*[0-9] | wc -l)" "$((BUDGET - 2))" "refused with budget_exceeded"
  equals "$(sql "SELECT count(*) FROM budgets WHERE reserved_fen + consumed_fen > total_fen")" "0" "no budget over-committed"
  equals "$(sql "SELECT b.reserved_fen = (SELECT sum(reserved_fen) FROM cases c WHERE c.programme = b.programme AND c.call_year = b.year) FROM budgets b")" \
    "t" "the budget's reservation is the sum of its cases'"
  equals "$(sql "SELECT count(*) FROM cases WHERE id BETWEEN $first AND $last AND stages = '|collective_decision|'")" "$((BUDGET - 2))" \
    "the refused cases stay at the collective decision"

  # Timers once: both instances fire every second with the same day.
  local n=""
  for _ in $(seq 100); do
    n=$(sql "SELECT count(*) FROM events WHERE action = 'timer' AND actor = 'system'")
    [ "$n" = "$DUE" ] && break
    sleep 0.1
  done
  equals "$n" "$DUE" "the timers moved every due case"
  sleep 2.5  # two more runs on each instance: nothing is due any more
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'timer'")" "$DUE" "one timer event per due case"
  equals "$(sql "SELECT count(*) FROM (SELECT case_id FROM events WHERE action = 'timer' GROUP BY case_id HAVING count(*) > 1) x")" "0" \
    "no case moved twice"
  local fired_a fired_b
  call ma "$url_a/metrics"; fired_a=$(sed -n 's/^subsidy_timers_fired_total \([0-9]*\)$/\1/p' "$TMP/ma")
  call mb "$url_b/metrics"; fired_b=$(sed -n 's/^subsidy_timers_fired_total \([0-9]*\)$/\1/p' "$TMP/mb")
  equals "$(( ${fired_a:-0} + ${fired_b:-0} ))" "$DUE" "the instances' timer counts add up to the due cases"

  # History: each case's events are numbered 1..n without a gap, and the chains verify.
  equals "$(sql "SELECT count(*) FROM (SELECT case_id FROM events GROUP BY case_id HAVING max(seq) <> count(*) OR min(seq) <> 1) x")" "0" \
    "every history is numbered without a gap"
  expect_rc 0 "audit verify" "$BIN" audit verify --db "$DB"

  serve_stop "$pid_a"; equals "$RC" 0 "instance a stops on SIGTERM"
  serve_stop "$pid_b"; equals "$RC" 0 "instance b stops on SIGTERM"
  for s in a b; do lacks "$TMP/$s.err" "timers:" "instance $s: no timer errors"; done
}

# The background curl clients (not the servers).
wait_clients() {
  local j
  for j in $(jobs -p); do
    case " ${SERVE_PIDS[*]} " in *" $j "*) ;; *) wait "$j" ;; esac
  done
}

LABEL=postgresql; BACKEND=postgresql; PG_SCHEMA="serve_multi_$$"
psql "$SUBSIDY_TEST_PG" -qAtc "CREATE SCHEMA $PG_SCHEMA" >/dev/null
sep='?'; case "$SUBSIDY_TEST_PG" in *\?*) sep='&';; esac
DB="${SUBSIDY_TEST_PG}${sep}options=-c%20search_path%3D${PG_SCHEMA}"
"$BIN" db migrate --db "$DB" >/dev/null 2>&1 || bad "db migrate"
suite
echo "serve_multi: $pass passed, $fail failed"
[ "$fail" = 0 ]
