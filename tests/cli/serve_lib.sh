# Helpers of the CLI test scripts that run `subsidy serve` (serve_ops, serve_multi, serve_auth, serve_cases),
# on top of tests/cli/lib.sh (source that first): servers on free ports killed at exit, curl calls
# with the body, headers and status kept, waiting for a line, stopping with SIGTERM.
SERVE_PIDS=()
trap 'for p in "${SERVE_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; cleanup' EXIT

# serve_start NAME ARGS…: `subsidy serve --listen 127.0.0.1:0 ARGS…`, stdout in $TMP/NAME.out and
# stderr in $TMP/NAME.err; sets URL and PID once it prints its listening line (10 s at most).
serve_start() {
  local name="$1"; shift
  "$BIN" serve --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PID=$!; SERVE_PIDS+=("$PID"); URL=""
  for _ in $(seq 200); do
    URL=$(sed -n 's|^listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$TMP/$name.out")
    [ -n "$URL" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  bad "$name: no listening line"; sed 's/^/    /' "$TMP/$name.err" | head -5; return 1
}
# serve_stop PID: SIGTERM, waits; the exit status in $RC.
serve_stop() { kill -TERM "$1"; wait "$1"; RC=$?; }
# call NAME CURL-ARGS…: the body in $TMP/NAME, the headers in $TMP/NAME.h, the status in $STATUS.
call() {
  local name="$1"; shift
  STATUS=$(curl -sS --max-time 20 -o "$TMP/$name" -D "$TMP/$name.h" -w '%{http_code}' "$@")
}
# header NAME FIELD: that response header of call NAME.
header() { sed -n "s/^$2: \([^\r]*\)\r\?$/\1/Ip" "$TMP/$1.h" | head -1; }
# wait_for FILE TEXT: until FILE contains TEXT (10 s at most).
wait_for() {
  for _ in $(seq 200); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  bad "waited for [$2] in $1"; return 1
}
# make_apps PREFIX N FILE: N copies of tests/cli/data/incubator-agri-corrected.json as JSON Lines,
# with the ids PREFIX-00, PREFIX-01, …
make_apps() {
  python3 - tests/cli/data/incubator-agri-corrected.json "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[4], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "%s-%02d" % (sys.argv[2], i)
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
}
