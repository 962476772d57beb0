#!/usr/bin/env bash
# `case advance` benchmark (docs/benchmark.md "Case store", docs/cases.md §2.1): N cases of which
# DUE have an `after` period that ended — half a 公示 (public notice → fund plan), half a correction
# period (→ closed) — and one `subsidy case advance` process that moves them; then a second run,
# which finds nothing due. Prints seconds and cases/s on SQLite and PostgreSQL, for each batch size
# in $ADVANCE_BATCHES (due cases per unit of work; default "1 100": one commit per case vs per 100).
#   bash bench/advance.sh [N] [DUE]          defaults: 20000 2000
# Set-up: N applicants are imported; one case is taken through the workflow to the public notice
# and one returned for correction with `case act`, and DUE/2 cases each are given their stored
# workflow state (stage, roles, state, deadlines, timer) by SQL, so the set-up takes seconds, not
# thousands of processes. Their histories lack the steps that led there; `case advance` does not
# read them.
# PostgreSQL: $SUBSIDY_TEST_PG, else the URL printed by scripts/start-postgres.sh; skipped when neither works.
# Builds Release into $CASES_BUILD (default /tmp/subsidy-cases-release, shared with bench/cases.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-20000}"; DUE="${2:-2000}"
BATCHES="${ADVANCE_BATCHES:-1 100}"  # cases per unit of work compared (case advance --batch)
BUILD="${CASES_BUILD:-/tmp/subsidy-cases-release}"
WORK="$(mktemp -d)"; SCHEMA=""
PG="${SUBSIDY_TEST_PG:-}"
cleanup() {
  if [ -n "$SCHEMA" ]; then psql "$PG" -qAtc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"
if [ "$DUE" -lt 4 ] || [ "$DUE" -gt "$N" ]; then echo "need 4 <= DUE <= N" >&2; exit 2; fi

echo "== build (Release) in $BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target subsidy >/dev/null
BIN="$BUILD/cli/subsidy"

python3 - tests/cli/data/incubator-agri-corrected.json "$WORK/apps.jsonl" "$N" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "ADV-%07d" % i
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY

now_ns() { date +%s%N; }
seconds() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.2f}')" "$1" "$2"; }

# setup DB SQL-COMMAND: import, two template cases by real steps, copy their states to DUE cases
setup() {
  local db="$1" sqlcmd="$2" act
  "$BIN" case import "$WORK/apps.jsonl" --program R14 --batch 500 --date 2025-03-03 --no-progress --db "$db" --rules rules >/dev/null
  act() { "$BIN" case act "$@" --db "$db" --rules rules >/dev/null; }
  # case 1: returned for correction on 2025-03-05 (the period ends on 2025-03-12)
  act 1 submit --as 申报单位 --actor bench --date 2025-03-03
  act 1 approve --as 旗县区科技局[临河区] --actor bench --date 2025-03-04
  act 1 return --as 市科技局 --actor bench --date 2025-03-05
  # case 2: through every review to the public notice on 2025-03-10 (the notice ends on 2025-03-17)
  act 2 submit --as 申报单位 --actor bench --date 2025-03-03
  act 2 approve --as 旗县区科技局[临河区] --actor bench --date 2025-03-04
  act 2 approve --as 市科技局 --actor bench --date 2025-03-05
  act 2 approve --as 专家组 --actor bench --date 2025-03-06
  act 2 approve --as 市科技局 --actor bench --date 2025-03-07
  act 2 approve --as 市农牧局 --actor bench --date 2025-03-07
  act 2 approve --as 市财政局 --actor bench --date 2025-03-07
  act 2 approve --as 市科技局 --actor bench --date 2025-03-10
  local half=$((DUE / 2)) cols="stages roles state_json deadlines next_due timer_due closed" set="" c
  for c in $cols; do set="$set${set:+, }$c = (SELECT t.$c FROM cases t WHERE t.id = %s)"; done
  # half - 1 more cases like case 1 and DUE - half - 1 like case 2, spread over the whole table
  local k=$((N / DUE))
  $sqlcmd "UPDATE cases SET $(printf "$set" 1 1 1 1 1 1 1) WHERE id IN (SELECT id FROM cases WHERE id > 2 AND id % $((2 * k)) = 0 ORDER BY id LIMIT $((half - 1)))"
  $sqlcmd "UPDATE cases SET $(printf "$set" 2 2 2 2 2 2 2) WHERE id IN (SELECT id FROM cases WHERE id > 2 AND id % $((2 * k)) = $k ORDER BY id LIMIT $((DUE - half - 1)))"
  echo "due on 2025-03-18: $($sqlcmd "SELECT count(*) FROM cases WHERE closed = 0 AND timer_due < '2025-03-18'") of $($sqlcmd "SELECT count(*) FROM cases") cases"
}

# run DB: one `case advance` process, timed; then a second one
run() {
  local db="$1" batch="$2" t0 t1
  t0=$(now_ns)
  "$BIN" case advance --date 2025-03-18 --batch "$batch" --no-progress --db "$db" --rules rules >"$WORK/advance.out"
  t1=$(now_ns)
  local moved; moved=$(head -1 "$WORK/advance.out" | sed -E 's/.*: ([0-9]+) due, ([0-9]+) moved.*/\2/')
  echo "case advance --batch $batch: $(head -1 "$WORK/advance.out")"
  python3 -c "import sys; n=int(sys.argv[1]); s=(int(sys.argv[3])-int(sys.argv[2]))/1e9; b=int(sys.argv[4]); print(f'  {s:.2f} s, {n/s:,.0f} cases/s moved (whole process: rules, database, {-(-n//b)} units of work of up to {b} cases)')" "$moved" "$t0" "$t1" "$batch"
  t0=$(now_ns)
  "$BIN" case advance --date 2025-03-18 --no-progress --db "$db" --rules rules >"$WORK/again.out"
  t1=$(now_ns)
  echo "second run:   $(head -1 "$WORK/again.out") in $(seconds "$t0" "$t1") s"
}

echo "== SQLite ($N cases, $DUE due)"
sqlite_sql() { sqlite3 "$WORK/bench.db" "$1"; }
setup "$WORK/bench.db" sqlite_sql
cp "$WORK/bench.db" "$WORK/fresh.db"
for batch in $BATCHES; do
  cp "$WORK/fresh.db" "$WORK/bench.db"
  run "$WORK/bench.db" "$batch"
done

if [ -z "$PG" ] && [ "$(id -u)" -eq 0 ]; then PG="$(bash scripts/start-postgres.sh 2>/dev/null | tail -1 || true)"; fi
if [ -n "$PG" ] && psql "$PG" -qAtc "SELECT 1" >/dev/null 2>&1; then
  SCHEMA="bench_advance_$$"
  psql "$PG" -qAtc "CREATE SCHEMA $SCHEMA" >/dev/null
  sep='?'; case "$PG" in *\?*) sep='&';; esac
  PGDB="${PG}${sep}options=-c%20search_path%3D${SCHEMA}"
  "$BIN" db migrate --db "$PGDB" >/dev/null
  pg_sql() { psql "$PG" -qAtc "SET search_path TO $SCHEMA; $1"; }
  echo "== PostgreSQL ($(echo "$PG" | sed -E 's#://([^:]*):[^@]*@#://\1:***@#'), $N cases, $DUE due)"
  for batch in $BATCHES; do
    psql "$PG" -qAtc "DROP SCHEMA $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA" >/dev/null
    "$BIN" db migrate --db "$PGDB" >/dev/null
    setup "$PGDB" pg_sql
    run "$PGDB" "$batch"
  done
else
  echo "== PostgreSQL skipped (set SUBSIDY_TEST_PG or run scripts/start-postgres.sh)"
fi
