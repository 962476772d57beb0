#!/usr/bin/env bash
# The officer's desk at 20,000 cases on SQLite (docs/benchmark.md "The desk"): the p50 server time of
# what the desk's pages stand on — a county officer's and the city officer's case list
# (GET /v1/cases) and inbox (GET /v1/inbox), a case (GET /v1/cases/{id}), a step
# (POST /v1/cases/{id}/actions, the county's approval) — then the same lists once more with the
# stored visibility cleared (every case's roles resolved per request, as before migration 007), in
# the same run; and, when the desk's pages are served, the p50 and the page weight (HTML + the CSS
# and JS files it links) of each desk page. One client on one keep-alive connection, times over
# loopback (the client's part is a few tens of µs).
#   bash bench/desk.sh [N] [REPEAT]        defaults: 20000 cases, 30 requests per figure
# DESK_BIN=path/to/subsidy uses that binary; else Release is built into $DESK_BUILD
# (default /tmp/subsidy-desk-release).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-20000}"; REPEAT="${2:-30}"
BUILD="${DESK_BUILD:-/tmp/subsidy-desk-release}"
WORK="$(mktemp -d)"; SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"

if [ -n "${DESK_BIN:-}" ]; then
  BIN="$DESK_BIN"
else
  echo "== build (Release) in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target subsidy >"$WORK/build.log" || { tail -20 "$WORK/build.log" >&2; exit 1; }
  BIN="$BUILD/cli/subsidy"
fi

# N applications spread over the seven counties (a county officer sees about a seventh), some in
# the agricultural high-tech zone, over several industries (the joint review's sector bureaus).
python3 - tests/cli/data/incubator-agri-corrected.json "$WORK/apps.jsonl" "$N" <<'PY'
import json, random, sys
d = json.load(open(sys.argv[1]))
counties = ["临河区", "五原县", "磴口县", "乌拉特前旗", "乌拉特中旗", "乌拉特后旗", "杭锦后旗"]
industries = ["agriculture", "livestock", "forestry", "water", "manufacturing", "other"]
rng = random.Random(11)
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "DESK-%07d" % i
        d["county"] = counties[i % len(counties)]
        d["in_agri_hightech_zone"] = rng.random() < 0.1
        d["industry"] = industries[rng.randrange(len(industries))]
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY

DB="$WORK/desk.db"
"$BIN" db migrate --db "$DB" >/dev/null
echo "== import $N cases"
"$BIN" case import "$WORK/apps.jsonl" --program R14 --batch 500 --date 2025-03-03 --no-progress --db "$DB" --rules rules >/dev/null
PASSWORD="desk-bench-password-$$"
for u in app:申报单位 county:旗县区科技局[临河区] city:市科技局; do
  printf '%s' "$PASSWORD" | "$BIN" user add "${u%%:*}" --password-stdin --db "$DB" >/dev/null 2>&1
  "$BIN" user grant "${u%%:*}" "${u#*:}" --db "$DB" --rules rules >/dev/null 2>&1
done
APP=$("$BIN" user token app --scope act,read --db "$DB" 2>/dev/null)
COUNTY=$("$BIN" user token county --scope act,read --db "$DB" 2>/dev/null)
CITY=$("$BIN" user token city --scope act,read --db "$DB" 2>/dev/null)

start_server() {
  "$BIN" serve --rules rules --db "$DB" --listen 127.0.0.1:0 --threads 2 --timers-every 0 --access-log off --today 2025-03-04 \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER=$!
  URL=""
  for _ in $(seq 400); do
    URL=$(sed -n 's|^listening on \(http://.*\)$|\1|p' "$WORK/serve.out"); [ -n "$URL" ] && break; sleep 0.05
  done
  [ -n "$URL" ] || { echo "serve did not start: $(tail -3 "$WORK/serve.err")" >&2; exit 1; }
}
stop_server() { kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""; }

cat >"$WORK/client.py" <<'PY'
import http.client, json, re, sys, time, urllib.parse
url, mode = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(u.hostname, u.port)
def call(method, path, headers=None, body=None):
    t0 = time.perf_counter()
    conn.request(method, path, body, headers or {})
    r = conn.getresponse(); data = r.read()
    return r, data, time.perf_counter() - t0
def p50(xs):
    xs = sorted(xs); return xs[len(xs) // 2] * 1000
def bearer(t): return {"Authorization": "Bearer " + t}
if mode == "submit":  # the applicant submits cases FIRST..LAST
    token, first, last = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    h = dict(bearer(token), **{"Content-Type": "application/json"})
    for i in range(first, last + 1):
        r, data, _ = call("POST", "/v1/cases/%d/actions" % i, h, json.dumps({"action": "submit"}))
        if r.status != 200: sys.exit("submit %d: %d %s" % (i, r.status, data[:200]))
elif mode == "get":  # LABEL TOKEN PATH REPEAT: p50 of GET PATH
    label, token, path, repeat = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
    times, size = [], 0
    for _ in range(repeat):
        r, data, t = call("GET", path, bearer(token))
        if r.status != 200: sys.exit("%s: %d %s" % (path, r.status, data[:200]))
        times.append(t); size = len(data)
    n = ""
    if path.startswith("/v1/cases?") or path.startswith("/v1/inbox"):
        n = "  (%d on the page)" % len(json.loads(data)["cases"])
    print("  %-44s p50 %7.2f ms  %7d bytes%s" % (label, p50(times), size, n))
elif mode == "step":  # LABEL TOKEN ACTION FIRST LAST STRIDE: p50 of one step per case (FIRST 0: LAST cases of the inbox)
    label, token, action, first, last, stride = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
    h = dict(bearer(token), **{"Content-Type": "application/json"})
    times = []
    ids = range(first, last + 1, stride)
    if first == 0:  # the first LAST cases of the inbox of TOKEN
        r, data, _ = call("GET", "/v1/inbox?limit=%d" % last, bearer(token))
        ids = [c["id"] for c in json.loads(data)["cases"]]
    for i in ids:
        r, data, t = call("POST", "/v1/cases/%d/actions" % i, h, json.dumps({"action": action}))
        if r.status != 200: sys.exit("%s %d: %d %s" % (action, i, r.status, data[:200]))
        times.append(t)
    print("  %-44s p50 %7.2f ms  (%d steps)" % (label, p50(times), len(times)))
elif mode == "desk":  # USER PASSWORD REPEAT CASE: each desk page that is served, its p50 and weight
    user, password, repeat, case = sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
    r, data, _ = call("GET", "/desk/login")
    if r.status != 200:
        print("  the desk is not served (GET /desk/login: %d): no page figures" % r.status); sys.exit(0)
    cookies = {}
    def keep(resp):
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("="); cookies[name] = rest.split(";")[0]
    keep(r)
    csrf = re.search(rb'name="csrf"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="csrf"', data)
    token = (csrf.group(1) or csrf.group(2)).decode() if csrf else ""
    def jar(): return {"Cookie": "; ".join("%s=%s" % kv for kv in cookies.items())}
    body = urllib.parse.urlencode({"user": user, "password": password, "csrf": token})
    r, data, _ = call("POST", "/desk/login", dict(jar(), **{"Content-Type": "application/x-www-form-urlencoded"}), body)
    keep(r)
    if r.status not in (200, 303):
        print("  desk login refused: %d %s" % (r.status, data[:200])); sys.exit(0)
    assets = {}
    for label, path in [("inbox", "/desk/inbox"), ("case", "/desk/cases/" + case), ("budgets", "/desk/budgets"),
                        ("audit", "/desk/audit"), ("submit", "/desk/submit")]:
        times, html = [], b""
        for _ in range(repeat):
            r, html, t = call("GET", path, jar())
            if r.status != 200: break
            times.append(t)
        if not times:
            print("  desk %-39s %d" % (path, r.status)); continue
        weight = len(html)
        for ref in re.findall(rb'<(?:link[^>]*href|script[^>]*src)="(/desk/assets/[^"]+)"', html):
            ref = ref.decode()
            if ref not in assets:
                _, a, _ = call("GET", ref, jar()); assets[ref] = len(a)
            weight += assets[ref]
        print("  desk %-39s p50 %7.2f ms  %7d bytes HTML, %7d with CSS+JS" % (path, p50(times), len(html), weight))
PY

start_server
SUBMITTED=$((N / 4))
echo "== the applicant submits cases 1..$SUBMITTED (over HTTP)"
python3 "$WORK/client.py" "$URL" submit "$APP" 1 "$SUBMITTED"
figures() {
  python3 "$WORK/client.py" "$URL" get "county: GET /v1/cases?limit=50" "$COUNTY" "/v1/cases?limit=50" "$REPEAT"
  python3 "$WORK/client.py" "$URL" get "county: GET /v1/inbox?limit=50" "$COUNTY" "/v1/inbox?limit=50" "$REPEAT"
  python3 "$WORK/client.py" "$URL" get "county: GET /v1/cases?county=临河区&overdue=1" "$COUNTY" "/v1/cases?limit=50&county=%E4%B8%B4%E6%B2%B3%E5%8C%BA&overdue=1" "$REPEAT"
  python3 "$WORK/client.py" "$URL" get "city: GET /v1/cases?limit=50" "$CITY" "/v1/cases?limit=50" "$REPEAT"
  python3 "$WORK/client.py" "$URL" get "city: GET /v1/inbox?limit=50" "$CITY" "/v1/inbox?limit=50" "$REPEAT"
}
echo "== $N cases, $SUBMITTED at the county review; stored visibility (migration 007)"
figures
python3 "$WORK/client.py" "$URL" get "county: GET /v1/cases/1" "$COUNTY" "/v1/cases/1" "$REPEAT"
# 200 cases of the 临河区 inbox (the zone's cases go to 农高区管委会 instead).
python3 "$WORK/client.py" "$URL" step "county: approve (POST /v1/cases/{id}/actions)" "$COUNTY" approve 0 200 1
python3 "$WORK/client.py" "$URL" desk county "$PASSWORD" "$REPEAT" 1
python3 "$WORK/client.py" "$URL" desk city "$PASSWORD" "$REPEAT" 1
stop_server

echo "== the same lists with the visibility cleared (every case's roles resolved per request, as before 007)"
sqlite3 "$DB" "UPDATE cases SET visible_roles = NULL, visibility_rules = NULL"
start_server
figures
stop_server
