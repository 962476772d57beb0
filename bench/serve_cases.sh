#!/usr/bin/env bash
# Case actions over HTTP (docs/benchmark.md "Case actions over HTTP"): the latency of one workflow
# step through `subsidy serve` — POST /v1/cases/{id}/actions, `approve` by the county bureau,
# authenticated with an API token — on SQLite and on PostgreSQL. One client on one keep-alive
# connection sends the steps one after another (each case once) and times each answer; a second
# pass with two clients shows the throughput. Targets: p50 < 3 ms on SQLite, < 5 ms on PostgreSQL.
#   bash bench/serve_cases.sh [N]          default N = 1000 cases per backend
# PostgreSQL: $SUBSIDY_TEST_PG, else the URL printed by scripts/start-postgres.sh; skipped when neither works.
# Builds Release into $SERVE_BUILD (default /tmp/subsidy-serve-release).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-1000}"
BUILD="${SERVE_BUILD:-/tmp/subsidy-serve-release}"
WORK="$(mktemp -d)"; SCHEMA=""; SERVER=""
PG="${SUBSIDY_TEST_PG:-}"
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [ -n "$SCHEMA" ]; then psql "$PG" -qAtc "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"

echo "== build (Release) in $BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target subsidy >"$WORK/build.log" || { tail -20 "$WORK/build.log" >&2; exit 1; }
BIN="$BUILD/cli/subsidy"

python3 - tests/cli/data/incubator-agri-corrected.json "$WORK/apps.jsonl" "$N" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "SERVE-%07d" % i
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY

# The client: steps over one keep-alive connection per client thread; prints the figures.
cat >"$WORK/client.py" <<'PY'
import http.client, json, sys, threading, time, urllib.parse
url, token, first, last, clients, action = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
u = urllib.parse.urlparse(url)
body = json.dumps({"action": action}).encode()
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
ids = list(range(first, last + 1))
lat, bad, lock = [], [], threading.Lock()
def run(part):
    conn = http.client.HTTPConnection(u.hostname, u.port)
    mine = []
    for i in part:
        t0 = time.perf_counter()
        conn.request("POST", "/v1/cases/%d/actions" % i, body, headers)
        r = conn.getresponse(); data = r.read()
        mine.append(time.perf_counter() - t0)
        if r.status != 200:
            with lock: bad.append((i, r.status, data[:200]))
    with lock: lat.extend(mine)
t0 = time.perf_counter()
threads = [threading.Thread(target=run, args=(ids[k::clients],)) for k in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
wall = time.perf_counter() - t0
if bad:
    print("  %d of %d steps failed, e.g. case %d: %d %s" % (len(bad), len(ids), bad[0][0], bad[0][1], bad[0][2]), file=sys.stderr)
    sys.exit(1)
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
print("  %-9s %d client%s, %5d steps: p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %7.2f ms  %6.0f steps/s"
      % (action, clients, "" if clients == 1 else "s", len(lat), q(0.50), q(0.90), q(0.99), lat[-1] * 1000, len(lat) / wall))
PY

# bench NAME DB: N cases imported; submit by the applicant, then approve by the county bureau, over HTTP.
bench() {
  local name="$1" db="$2"
  "$BIN" db migrate --db "$db" >/dev/null
  "$BIN" case import "$WORK/apps.jsonl" --program R14 --batch 500 --date 2025-03-03 --no-progress --db "$db" --rules rules >/dev/null
  "$BIN" user add app --db "$db" >/dev/null 2>&1
  "$BIN" user grant app 申报单位 --db "$db" --rules rules >/dev/null 2>&1
  "$BIN" user add county --db "$db" >/dev/null 2>&1
  "$BIN" user grant county '旗县区科技局[临河区]' --db "$db" --rules rules >/dev/null 2>&1
  local app county
  app=$("$BIN" user token app --scope act,read --db "$db" 2>/dev/null)
  county=$("$BIN" user token county --scope act,read --db "$db" 2>/dev/null)
  "$BIN" serve --rules rules --db "$db" --listen 127.0.0.1:0 --threads 2 --timers-every 0 --access-log off --today 2025-03-04 \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER=$!
  local url=""
  for _ in $(seq 200); do
    url=$(sed -n 's|^listening on \(http://.*\)$|\1|p' "$WORK/serve.out"); [ -n "$url" ] && break; sleep 0.05
  done
  [ -n "$url" ] || { echo "serve did not start: $(tail -3 "$WORK/serve.err")" >&2; exit 1; }
  echo "== $name ($N cases, serve --threads 2)"
  local half=$((N / 2))
  python3 "$WORK/client.py" "$url" "$app" 1 "$N" 1 submit
  python3 "$WORK/client.py" "$url" "$county" 1 "$half" 1 approve
  python3 "$WORK/client.py" "$url" "$county" $((half + 1)) "$N" 2 approve
  kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
}

bench sqlite "$WORK/bench.db"

if [ -z "$PG" ] && [ -x scripts/start-postgres.sh ]; then PG=$(bash scripts/start-postgres.sh 2>/dev/null | tail -1 || true); fi
if [ -n "$PG" ] && psql "$PG" -qAtc "SELECT 1" >/dev/null 2>&1; then
  SCHEMA="serve_bench_$$"
  psql "$PG" -qAtc "CREATE SCHEMA $SCHEMA" >/dev/null
  sep='?'; case "$PG" in *\?*) sep='&';; esac
  bench postgresql "${PG}${sep}options=-c%20search_path%3D${SCHEMA}%20-c%20client_min_messages%3Dwarning"
else
  echo "== postgresql: skipped (set SUBSIDY_TEST_PG or run scripts/start-postgres.sh)"
fi
