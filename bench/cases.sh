#!/usr/bin/env bash
# Case-store benchmark (docs/benchmark.md "Case store"): cases/s of `subsidy case import` into SQLite,
# PostgreSQL and MariaDB, and the median and p90 latency of one `subsidy case act` (a whole process: load
# rules, open the database, load the case, transition, update + event in one transaction).
#   bash bench/cases.sh [N] [ACTS]          defaults: 20000 50
# CASES_BASE=<git revision>: the same figures for that revision too, built in a worktree, in the
# same run (before/after ratios on one machine at one time).
# PostgreSQL: $SUBSIDY_TEST_PG, else the URL printed by scripts/start-postgres.sh; skipped when neither works.
# MariaDB: $SUBSIDY_TEST_MARIADB, else the URL printed by scripts/start-mariadb.sh; likewise.
# Builds Release into $CASES_BUILD (default /tmp/subsidy-cases-release); SUBSIDY_CASES_BIN=<binary>
# measures that binary instead (no build), CASES_BASE_BIN=<binary> a second one beside it (with
# this tree's rules) for before/after ratios without a second build. Prints the load average
# before each backend: on a busy machine only the ratios within one run mean something.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-20000}"; ACTS="${2:-50}"
BUILD="${CASES_BUILD:-/tmp/subsidy-cases-release}"
WORK="$(mktemp -d)"; SCHEMA=""; MYDB=""
PG="${SUBSIDY_TEST_PG:-}"
MY="${SUBSIDY_TEST_MARIADB:-}"
. "$ROOT/scripts/mariadb-client.sh"
cleanup() {
  if [ -n "$SCHEMA" ]; then psql "$PG" -qAtc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
  if [ -n "$MYDB" ]; then mariadb_client "$MY" "" -e "DROP DATABASE IF EXISTS $MYDB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
  if [ -n "${BASE_DIR:-}" ]; then git -C "$ROOT" worktree remove --force "$BASE_DIR-src" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
cd "$ROOT"

if [ -n "${SUBSIDY_CASES_BIN:-}" ]; then
  BINS=("now=$SUBSIDY_CASES_BIN=rules")
else
  echo "== build (Release) in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target subsidy >/dev/null
  BINS=("now=$BUILD/cli/subsidy=rules")
fi
if [ -n "${CASES_BASE_BIN:-}" ]; then BINS=("base=$CASES_BASE_BIN=rules" "${BINS[@]}"); fi
if [ -n "${CASES_BASE:-}" ]; then
  BASE_DIR="$BUILD-base"
  rm -rf "$BASE_DIR-src"
  git worktree add -f --detach "$BASE_DIR-src" "$CASES_BASE" >/dev/null 2>&1
  echo "== build (Release) of $CASES_BASE in $BASE_DIR"
  CCACHE_BASEDIR="$BASE_DIR-src" cmake -S "$BASE_DIR-src" -B "$BASE_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  CCACHE_BASEDIR="$BASE_DIR-src" cmake --build "$BASE_DIR" -j"$(nproc)" --target subsidy >/dev/null
  BINS=("$CASES_BASE=$BASE_DIR/cli/subsidy=$BASE_DIR-src/rules" "${BINS[@]}")  # each revision with its own rules
fi

python3 - tests/cli/data/incubator-agri-corrected.json "$WORK/apps.jsonl" "$N" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
counties = ["临河区", "五原县", "磴口县", "乌拉特前旗", "乌拉特中旗", "乌拉特后旗", "杭锦后旗"]
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "BENCH-%07d" % i
        d["county"] = counties[i % len(counties)]
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY

now_ns() { date +%s%N; }

# import N applicants (one programme, batches of 500); prints cases/s
bench_import() {
  local db="$1" t0 t1
  t0=$(now_ns)
  "$BIN" case import "$WORK/apps.jsonl" --program R14 --batch 500 --date 2025-03-03 --no-progress --db "$db" --rules "$RULES" >"$WORK/import.out" \
    || { echo "case import failed: $(tail -2 "$WORK/import.out")" >&2; exit 1; }
  t1=$(now_ns)
  python3 -c "import sys; n=int(sys.argv[1]); s=(int(sys.argv[3])-int(sys.argv[2]))/1e9; print(f'{n/s:,.0f} cases/s ({n} cases in {s:.1f} s)')" "$N" "$t0" "$t1"
}

# ACTS × `case act` on distinct cases (submit: application → county review); prints the median
bench_act() {
  local db="$1" i t0 t1
  : >"$WORK/lat"
  for i in $(seq 1 "$ACTS"); do
    t0=$(now_ns)
    "$BIN" case act "$i" submit --as 申报单位 --actor bench --date 2025-03-04 --db "$db" --rules "$RULES" >/dev/null \
      || { echo "case act $i failed" >&2; exit 1; }
    t1=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) >>"$WORK/lat"
  done
  sort -n "$WORK/lat" | python3 -c "import sys; v=[int(x) for x in sys.stdin]; m=v[len(v)//2]; p=v[min(len(v)-1, (len(v)*9)//10)]; print(f'median {m/1000:.1f} ms, p90 {p/1000:.1f} ms, min {v[0]/1000:.1f} ms, max {v[-1]/1000:.1f} ms over {len(v)} acts')"
}

if [ -z "$PG" ] && [ "$(id -u)" -eq 0 ]; then PG="$(bash scripts/start-postgres.sh 2>/dev/null | tail -1 || true)"; fi
if [ -z "$MY" ] && [ "$(id -u)" -eq 0 ]; then MY="$(bash scripts/start-mariadb.sh 2>/dev/null | tail -1 || true)"; fi
for entry in "${BINS[@]}"; do
  LABEL="${entry%%=*}"; rest="${entry#*=}"; BIN="${rest%%=*}"; RULES="${rest#*=}"
  rm -f "$WORK/bench.db"
  echo "== [$LABEL] SQLite ($N applicants, programme R14, batches of 500) — load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  echo "case import: $(bench_import "$WORK/bench.db")"
  echo "case act:    $(bench_act "$WORK/bench.db")"
  if [ -n "$PG" ] && psql "$PG" -qAtc "SELECT 1" >/dev/null 2>&1; then
    SCHEMA="bench_$$"
    psql "$PG" -qAtc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE; CREATE SCHEMA $SCHEMA" >/dev/null
    sep='?'; case "$PG" in *\?*) sep='&';; esac
    PGDB="${PG}${sep}options=-c%20search_path%3D${SCHEMA}"
    "$BIN" db migrate --db "$PGDB" >/dev/null
    echo "== [$LABEL] PostgreSQL ($(echo "$PG" | sed -E 's#://([^:]*):[^@]*@#://\1:***@#')) — load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "case import: $(bench_import "$PGDB")"
    echo "case act:    $(bench_act "$PGDB")"
  else
    echo "== [$LABEL] PostgreSQL skipped (set SUBSIDY_TEST_PG or run scripts/start-postgres.sh)"
  fi
  if [ -n "$MY" ] && mariadb_client "$MY" "" -e "SELECT 1" >/dev/null 2>&1; then
    base="${MY%%\?*}"; MYDB="${base##*/}_bench_$$"
    mariadb_client "$MY" "" -e "DROP DATABASE IF EXISTS $MYDB; CREATE DATABASE $MYDB"
    MYURL="$(mariadb_url_with_db "$MY" "$MYDB")"
    "$BIN" db migrate --db "$MYURL" >/dev/null
    echo "== [$LABEL] MariaDB ($(echo "$MY" | sed -E 's#://([^:]*):[^@]*@#://\1:***@#')) — load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "case import: $(bench_import "$MYURL")"
    echo "case act:    $(bench_act "$MYURL")"
  else
    echo "== [$LABEL] MariaDB skipped (set SUBSIDY_TEST_MARIADB or run scripts/start-mariadb.sh)"
  fi
done
