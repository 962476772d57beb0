#!/usr/bin/env bash
# CLI tests of `subsidy case advance` (docs/cases.md §2.1): correction periods that ran out close
# their cases, two `case advance` processes at once store exactly one timer event per due case, a
# second run does nothing, cases not yet due are left alone, a case that cannot be moved exits 3.
# Runs on SQLite (a temporary file) and, when SUBSIDY_TEST_PG holds a PostgreSQL URL, on
# PostgreSQL in a fresh schema.
#   advance_cli_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
R() { "$BIN" "$@" --db "$DB" --rules rules; }
DUE=8      # cases 1..DUE are returned for correction on 2025-03-05: the period ends on 2025-03-12
CASES=12   # DUE+1, DUE+2: at county review (a deadline, no timer); the rest: not even submitted

suite() {
  python3 - tests/cli/data/incubator-agri-corrected.json "$TMP/apps.jsonl" "$CASES" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "ADV-%02d" % i
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
  expect_rc 0 "import" R case import "$TMP/apps.jsonl" --program R14 --date 2025-03-03 --no-progress
  local i
  for i in $(seq 1 $((DUE + 2))); do
    R case act "$i" submit --as 申报单位 --actor A --date 2025-03-03 >/dev/null || bad "submit $i"
  done
  for i in $(seq 1 "$DUE"); do
    R case act "$i" approve --as 旗县区科技局[临河区] --actor W --date 2025-03-04 >/dev/null || bad "approve $i"
    R case act "$i" return --as 市科技局 --actor L --date 2025-03-05 >/dev/null || bad "return $i"
  done
  equals "$(sql "SELECT count(*) FROM cases WHERE timer_due = '2025-03-12' AND closed = 0")" "$DUE" "timer column of the returned cases"

  expect_rc 0 "nothing is due on the period's last day" R case advance --date 2025-03-12
  contains "$TMP/out" "case advance 2025-03-12: 0 due, 0 moved" "summary"
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'timer'")" "0" "no timer event yet"

  # Two runs at once.
  R case advance --date 2025-03-13 --format json --no-progress >"$TMP/a.json" 2>"$TMP/a.err" & local pa=$!
  R case advance --date 2025-03-13 --format json --no-progress >"$TMP/b.json" 2>"$TMP/b.err" & local pb=$!
  wait $pa; local ra=$?; wait $pb; local rb=$?
  equals "$ra $rb" "0 0" "both runs succeed"
  [ "$ra$rb" = 00 ] || sed 's/^/    /' "$TMP/a.err" "$TMP/b.err" | head -8
  equals "$(python3 -c 'import json,sys; print(sum(len(json.load(open(f))["moved"]) for f in sys.argv[1:]))' "$TMP/a.json" "$TMP/b.json")" \
    "$DUE" "the runs moved every due case between them"
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'timer' AND actor = 'system'")" "$DUE" "one system timer event per due case"
  equals "$(sql "SELECT count(*) FROM (SELECT case_id FROM events WHERE action = 'timer' GROUP BY case_id HAVING count(*) > 1) x")" "0" \
    "no case moved twice"
  equals "$(sql "SELECT count(*) FROM cases WHERE closed = 1 AND stages = '|closed|'")" "$DUE" "expired corrections are closed"
  equals "$(sql "SELECT count(*) FROM cases WHERE closed = 0")" "$((CASES - DUE))" "the others stay open"
  expect_rc 0 "audit verify" "$BIN" audit verify --db "$DB"

  expect_rc 0 "a second run does nothing" R case advance --date 2025-03-13
  contains "$TMP/out" "0 due, 0 moved" "second run"
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'timer'")" "$DUE" "still one timer event per case"
  expect_rc 0 "cases at county review are not moved by time" R case advance --date 2025-12-31
  contains "$TMP/out" "0 due" "overdue is not due"

  expect_rc 0 "show after advance" R case show 1
  contains "$TMP/out" "stage: closed" "the case shows where it is"

  # A stored case whose programme the rules no longer have: reported (exit 3), the run goes on.
  sql "UPDATE cases SET programme = 'GONE', timer_due = '2025-03-01', closed = 0 WHERE id = $CASES" >/dev/null
  expect_rc 3 "a case that cannot be moved" R case advance --date 2025-03-13 --format json
  contains "$TMP/err" "GONE" "the failure names the programme"
  contains "$TMP/out" "\"failed\":[{\"id\":$CASES," "the failure in the JSON report"
  expect_rc 2 "a bad date" R case advance --date 2025-02-30
  expect_rc 4 "rules that cannot be read" "$BIN" case advance --db "$DB" --rules "$TMP/no-rules" --format json
  contains "$TMP/out" '{"error":{"kind":"rules"' "a rules error is a JSON error object with --format json"
}

# Errors before any case: the database cannot be reached (exit 7; a JSON error object with --format json).
unreachable() {
  LABEL=unreachable
  expect_rc 7 "unreachable database" "$BIN" case advance --db "postgresql://nobody@127.0.0.1:1/none" --rules rules --format json
  contains "$TMP/out" '{"error":{"kind":"database"' "a database error is a JSON error object"
}

on_backends advance suite
unreachable

echo "advance CLI tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
