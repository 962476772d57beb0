#!/usr/bin/env bash
# `subsidy serve` benchmark (docs/service.md "Metrics and logs", issue 10's figures), not run in CI:
#  1. POST /v1/decisions, one applicant per request, keep-alive: wrk with 2 threads and
#     $CONNECTIONS connections for $DURATION s → requests/s, p50, p99;
#  2. a JSON Lines stream of $LINES applicants through POST /v1/decisions against `subsidy evaluate`
#     on the same file, alternating, $ROUNDS rounds each, over loopback TCP and over a Unix domain
#     socket (--listen unix:PATH, as behind a reverse proxy on the same host) → applicants/s, the
#     ratio of the best runs, and the CPU seconds the server and evaluate spent per run;
#  3. the server's resident memory (VmRSS) sampled every 5 s over a load run of $LOAD s (wrk, as in 1)
#     → at the start, the peak and the end.
#   bash bench/serve.sh                      defaults: DURATION=10 CONNECTIONS=16 LINES=200000 ROUNDS=3 LOAD=30
#   LOAD=600 bash bench/serve.sh             the 10-minute memory run of the note
# Needs wrk (apt-get install wrk) and curl. The server and the clients share the machine: on 2 cores
# the load generator takes a good part of one. Builds Release into $SERVE_BUILD (default
# /tmp/subsidy-serve-release), or uses $SUBSIDY_BIN when set.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${DURATION:-10}"; CONNECTIONS="${CONNECTIONS:-16}"; LINES="${LINES:-200000}"; ROUNDS="${ROUNDS:-3}"
LOAD="${LOAD:-30}"
BUILD="${SERVE_BUILD:-/tmp/subsidy-serve-release}"
WORK="$(mktemp -d)"; SERVER=""; UNIX_SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  if [ -n "$UNIX_SERVER" ]; then kill -TERM "$UNIX_SERVER" 2>/dev/null || true; wait "$UNIX_SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$ROOT"
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }

if [ -n "${SUBSIDY_BIN:-}" ]; then
  BIN="$SUBSIDY_BIN"
else
  echo "== build (Release) in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target subsidy >/dev/null
  BIN="$BUILD/cli/subsidy"
fi

# A server on a free port, decisions only (no --db: open), no access log unless $ACCESS_LOG.
: >"$WORK/serve.out"
"$BIN" serve --rules rules --listen 127.0.0.1:0 --threads "$(nproc)" --access-log "${ACCESS_LOG:-off}" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER=$!
URL=""
for _ in $(seq 100); do
  URL=$(sed -n 's|^listening on \(http://[0-9.]*:[0-9]*\)$|\1|p' "$WORK/serve.out")
  [ -n "$URL" ] && break
  sleep 0.05
done
[ -n "$URL" ] || { echo "the server did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }
# The same server on a Unix domain socket.
"$BIN" serve --rules rules --listen "unix:$WORK/serve.sock" --threads "$(nproc)" --access-log off >"$WORK/unix.out" 2>"$WORK/unix.err" &
UNIX_SERVER=$!
for _ in $(seq 100); do grep -q '^listening on unix:' "$WORK/unix.out" && break; sleep 0.05; done
grep -q '^listening on unix:' "$WORK/unix.out" || { echo "the unix-socket server did not start:" >&2; cat "$WORK/unix.err" >&2; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$SERVER/status"; }
now() { date +%s.%N; }

# 1. One applicant per request.
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$ROOT/examples/refused-r02.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA
curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions"
echo "== one applicant per request: wrk -t2 -c$CONNECTIONS -d${DURATION}s, keep-alive, server --threads $(nproc)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$URL/v1/decisions?as_of=2022-06-30" >"$WORK/wrk.txt"
awk '/Requests\/sec/ {printf "  requests/s %s\n", $2} / 50% / {printf "  p50 %s\n", $2} / 99% / {printf "  p99 %s\n", $2}
     /Non-2xx/ {printf "  NON-2xx responses: %s\n", $NF}' "$WORK/wrk.txt"

# 2. JSON Lines: the stream against evaluate, alternating.
for _ in $(seq 200); do cat examples/batch.jsonl; done >"$WORK/k.jsonl"  # 1,000 lines
# Whole copies, then the rest: no `| head` (under pipefail its SIGPIPE to cat ended the script here).
{ for _ in $(seq $(( LINES / 1000 ))); do cat "$WORK/k.jsonl"; done; [ $(( LINES % 1000 )) = 0 ] || sed -n "1,$(( LINES % 1000 ))p" "$WORK/k.jsonl"; } >"$WORK/in.jsonl"
echo "== JSON Lines, $LINES applicants ($(( $(stat -c %s "$WORK/in.jsonl") / 1048576 )) MiB): evaluate -j$(nproc) vs POST /v1/decisions (curl -T FILE)"
best_eval=0; best_serve=0; best_unix=0
rate() { awk -v n="$LINES" -v a="$1" -v b="$2" 'BEGIN {printf "%d", n / (b - a)}'; }
HZ=$(getconf CLK_TCK)
for r in $(seq "$ROUNDS"); do
  t0=$(now); /usr/bin/time -f "%U %S" -o "$WORK/eval.cpu" "$BIN" evaluate --rules rules --as-of 2022-06-30 --no-progress "$WORK/in.jsonl" >/dev/null; t1=$(now)
  c0=$(cpu_ticks "$SERVER")
  curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/x-ndjson' -T "$WORK/in.jsonl" "$URL/v1/decisions?as_of=2022-06-30"
  t2=$(now); c1=$(cpu_ticks "$SERVER"); u0=$(cpu_ticks "$UNIX_SERVER")
  curl -sS -f -o /dev/null -X POST -H 'Content-Type: application/x-ndjson' -T "$WORK/in.jsonl" --unix-socket "$WORK/serve.sock" \
    "http://localhost/v1/decisions?as_of=2022-06-30"
  t3=$(now); u1=$(cpu_ticks "$UNIX_SERVER")
  e=$(rate "$t0" "$t1"); s=$(rate "$t1" "$t2"); u=$(rate "$t2" "$t3")
  awk -v r="$r" -v e="$e" -v s="$s" -v u="$u" -v ec="$(awk '{print $1 + $2}' "$WORK/eval.cpu")" \
      -v sc="$(( c1 - c0 ))" -v uc="$(( u1 - u0 ))" -v hz="$HZ" \
      'BEGIN {printf "  round %d: evaluate %d/s, serve TCP %d/s, serve unix socket %d/s; CPU s: evaluate %.2f, server TCP %.2f, server unix %.2f\n", r, e, s, u, ec, sc / hz, uc / hz}'
  [ "$e" -gt "$best_eval" ] && best_eval=$e
  [ "$s" -gt "$best_serve" ] && best_serve=$s
  [ "$u" -gt "$best_unix" ] && best_unix=$u
done
awk -v e="$best_eval" -v s="$best_serve" -v u="$best_unix" \
  'BEGIN {printf "  best: evaluate %d/s, serve TCP %d/s (%.2f of evaluate), serve unix socket %d/s (%.2f of evaluate)\n", e, s, s / e, u, u / e}'

# 3. Memory under load.
echo "== resident memory over ${LOAD}s of load (wrk as in 1)"
start_rss=$(rss); peak=$start_rss
wrk -t2 -c"$CONNECTIONS" -d"${LOAD}s" -s "$WORK/post.lua" "$URL/v1/decisions?as_of=2022-06-30" >"$WORK/load.txt" &
LOADER=$!
while kill -0 "$LOADER" 2>/dev/null; do
  sleep 5
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
done
wait "$LOADER"
awk '/Requests\/sec/ {printf "  requests/s %s\n", $2}' "$WORK/load.txt"
echo "  VmRSS kB: start $start_rss, peak $peak, end $(rss)"
