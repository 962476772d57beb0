#!/usr/bin/env bash
# Audit benchmark (docs/storage.md §4): time and peak RSS of `subsidy audit verify` with and without
# replay, and of `audit checkpoint`, over N cases of 15 events each (a case taken from submission
# through a return for correction, joint review and 公示 to disbursement, cloned N times with its
# chain re-hashed for each case id), on SQLite and — with $SUBSIDY_TEST_PG — PostgreSQL.
#   bash bench/audit.sh [N]         default 20000 (300,000 events)
# AUDIT_BIN=path/to/subsidy skips the Release build into $AUDIT_BUILD (default /tmp/subsidy-audit-release).
# AUDIT_CHAINS_ONLY=1 measures `audit verify --no-replay` only (the chain check's time and memory).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-20000}"
WORK="$(mktemp -d)"; SCHEMA=""
PG="${SUBSIDY_TEST_PG:-}"
cleanup() {
  if [ -n "$SCHEMA" ]; then psql "$PG" -qAtc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"
BIN="${AUDIT_BIN:-}"
if [ -z "$BIN" ]; then
  BUILD="${AUDIT_BUILD:-/tmp/subsidy-audit-release}"
  echo "== build (Release) in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target subsidy >/dev/null
  BIN="$BUILD/cli/subsidy"
fi

# One real case, through the service.
DB="$WORK/one.db"
R() { "$BIN" "$@" --db "$DB" --rules rules >/dev/null 2>&1; }
D=tests/cli/data
"$BIN" budget set --program R14 --year 2024 --total 100000000000 --actor 财政局 --db "$DB" >/dev/null
R case submit --program R14 --facts $D/incubator-agri.json --applicant ORG1 --date 2024-05-06
for s in "submit 申报单位 2024-05-06" "approve 旗县区科技局[临河区] 2024-05-07" "return 市科技局 2024-05-08"; do
  set -- $s; R case act 1 "$1" --as "$2" --actor 甲 --date "$3"; done
R case correct 1 --facts $D/incubator-agri-corrected.json --actor 甲 --date 2024-05-09
for s in "resubmit 申报单位 2024-05-09" "approve 市科技局 2024-05-10" "approve 专家组 2024-05-13" "approve 市科技局 2024-05-14" \
         "approve 市农牧局 2024-05-15" "approve 市财政局 2024-05-15" "approve 市科技局 2024-05-16" "approve 市财政局 2024-05-27" \
         "disburse 市财政局 2024-05-28"; do
  set -- $s; R case act 1 "$1" --as "$2" --actor 甲 --date "$3"; done
"$BIN" audit verify --db "$DB" --rules rules >/dev/null

# Cloned N times: SQL that fills a migrated database.
python3 - "$DB" "$N" "$WORK/clone.sql" <<'PY'
import hashlib, json, sqlite3, sys
db, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
con = sqlite3.connect(db); con.row_factory = sqlite3.Row
case = dict(con.execute("SELECT * FROM cases WHERE id = 1").fetchone())
facts = [dict(r) for r in con.execute("SELECT * FROM facts_versions WHERE case_id = 1 ORDER BY version")]
events = [dict(r) for r in con.execute("SELECT * FROM events WHERE case_id = 1 ORDER BY seq")]
award = dict(con.execute("SELECT * FROM awards WHERE case_id = 1").fetchone())
def q(v): return "NULL" if v is None else str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'"
def canon(e):
    vals = [("case_id", str(e["case_id"])), ("seq", str(e["seq"])), ("actor", e["actor"]), ("role", e["role"]),
            ("action", e["action"]), ("from_stage", e["from_stage"]), ("to_stage", e["to_stage"]), ("note", e["note"]),
            ("at", e["occurred_at"]), ("payload", e["payload_json"]), ("prev_hash", e["prev_hash"])]
    b = b"subsidy.event.v1\n"
    for k, v in vals:
        v = v.encode(); b += k.encode() + b":" + str(len(v)).encode() + b":" + v + b"\n"
    return b
def ins(table, row): return "INSERT INTO %s (%s) VALUES (%s);\n" % (table, ", ".join(row), ", ".join(q(v) for v in row.values()))
with open(out, "w") as f:
    f.write("BEGIN;\n")
    for b in con.execute("SELECT * FROM budgets"): f.write(ins("budgets", dict(b)))
    for b in con.execute("SELECT * FROM budget_events"): f.write(ins("budget_events", dict(b)))
    for k in range(1, n + 1):
        app = "BENCH-%07d" % k
        c = dict(case); c["id"] = k; c["application_id"] = app
        prev = "0" * 64
        evs = []
        for e in events:
            e = dict(e); e["case_id"] = k; e["prev_hash"] = prev
            if e["seq"] == 1:
                p = json.loads(e["payload_json"]); p["audit"]["case"]["application_id"] = app
                e["payload_json"] = json.dumps(p, ensure_ascii=False, separators=(",", ":"))
            e["hash"] = hashlib.sha256(canon(e)).hexdigest(); prev = e["hash"]; evs.append(e)
        c["event_head"] = prev
        f.write(ins("cases", c))
        for fv in facts:
            fv = dict(fv); fv["case_id"] = k
            if fv["version"] == 1: fv["facts_json"] = fv["facts_json"]  # the facts' own id is not checked against the clone
            f.write(ins("facts_versions", fv))
        for e in evs: f.write(ins("events", e))
        a = dict(award); del a["id"]; a["case_id"] = k; f.write(ins("awards", a))
    f.write("UPDATE budgets SET consumed_fen = %d;\nCOMMIT;\n" % (n * award["amount_fen"]))
PY
# (the ruleset is not copied: replay uses the --rules ones when the decisions' hash is theirs)

measure() {  # measure LABEL CMD…: wall seconds and peak RSS (MiB)
  local label="$1"; shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  read -r secs kb <"$WORK/time"
  printf "%-44s %8.2f s %8.0f MiB  exit %s  %s\n" "$label" "$secs" "$((kb / 1024))" "$rc" "$(tail -1 "$WORK/out" | sed 's/.*: //' | cut -c1-70)"
}
"$BIN" audit keygen --out "$WORK/key" >/dev/null

run() {  # run BACKEND URL
  measure "$1: audit verify --no-replay" "$BIN" audit verify --db "$2" --no-replay
  [ -n "${AUDIT_CHAINS_ONLY:-}" ] && return
  measure "$1: audit verify (replay)" "$BIN" audit verify --db "$2" --rules rules
  measure "$1: audit checkpoint" "$BIN" audit checkpoint --db "$2" --key "$WORK/key" --out "$WORK/cp-$1"
  measure "$1: audit verify --checkpoint (replay)" "$BIN" audit verify --db "$2" --rules rules --checkpoint "$WORK/cp-$1" --pubkey "$WORK/key.pub"
}

echo "== $N cases, $((N * $(sqlite3 "$DB" "SELECT COUNT(*) FROM events"))) events"
S="$WORK/bench.db"
"$BIN" db migrate --db "$S" >/dev/null
sqlite3 "$S" <"$WORK/clone.sql"
run sqlite "$S"
if [ -n "$PG" ] && psql "$PG" -qAtc "SELECT 1" >/dev/null 2>&1; then
  SCHEMA="bench_audit_$$"
  psql "$PG" -qAtc "CREATE SCHEMA $SCHEMA" >/dev/null
  sep='?'; case "$PG" in *\?*) sep='&';; esac
  P="${PG}${sep}options=-c%20search_path%3D${SCHEMA}"
  "$BIN" db migrate --db "$P" >/dev/null
  { echo "SET search_path TO $SCHEMA;"; cat "$WORK/clone.sql"; } |
    psql -q "$PG" -v ON_ERROR_STOP=1 >/dev/null
  psql "$PG" -qAtc "SET search_path TO $SCHEMA; SELECT setval(pg_get_serial_sequence('cases','id'), $N); SELECT setval(pg_get_serial_sequence('awards','id'), $N)" >/dev/null
  run postgresql "$P"
else
  echo "(PostgreSQL skipped: set SUBSIDY_TEST_PG)"
fi
