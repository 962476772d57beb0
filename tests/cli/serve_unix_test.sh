#!/usr/bin/env bash
# `subsidy serve --listen unix:PATH` (docs/service.md "Behind a reverse proxy"): the same API on a
# Unix domain socket — one decision, a JSON Lines stream byte-identical to `subsidy evaluate` —, a
# socket a live server holds is refused, a stale one (a killed server's) is replaced, a file that is
# no socket is refused, TLS is refused there, and SIGTERM removes the socket file.
#   serve_unix_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"
LABEL=unix
SOCK="$TMP/serve.sock"

# unix_start NAME ARGS…: a server on $SOCK; PID once it prints its listening line.
unix_start() {
  local name="$1"; shift
  "$BIN" serve --listen "unix:$SOCK" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PID=$!; SERVE_PIDS+=("$PID")
  for _ in $(seq 200); do
    grep -qxF "listening on unix:$SOCK" "$TMP/$name.out" && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  bad "$name: no listening line"; sed 's/^/    /' "$TMP/$name.err" | head -5; return 1
}

unix_start first --rules rules --threads 2 || exit 1
FIRST=$PID
[ -S "$SOCK" ] && ok || bad "the socket file exists"
call health --unix-socket "$SOCK" http://localhost/healthz
equals "$STATUS" 200 "/healthz over the socket"
call one --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json \
  "http://localhost/v1/decisions?as_of=2022-06-30"
equals "$STATUS" 200 "one decision over the socket"
equals "$(header one X-Ruleset-Hash | wc -c)" 65 "with the ruleset hash"
for _ in $(seq 50); do cat examples/batch.jsonl; done >"$TMP/in.jsonl"
"$BIN" evaluate --rules rules --as-of 2022-06-30 --no-progress "$TMP/in.jsonl" >"$TMP/want.jsonl"
call stream --unix-socket "$SOCK" -X POST -H 'Content-Type: application/x-ndjson' -T "$TMP/in.jsonl" \
  "http://localhost/v1/decisions?as_of=2022-06-30"
equals "$STATUS" 200 "a JSON Lines stream over the socket"
cmp -s "$TMP/stream" "$TMP/want.jsonl" && ok || bad "the stream is byte-identical to evaluate"
grep -q '"remote":"unix"' "$TMP/first.err" && ok || bad "the access log names the client unix"

expect_rc 2 "a second server on a live socket" "$BIN" serve --rules rules --listen "unix:$SOCK"
contains "$TMP/err" "a server is listening there already" "says the socket is in use"
call still --unix-socket "$SOCK" http://localhost/healthz
equals "$STATUS" 200 "the first server keeps its socket"

serve_stop "$FIRST"
equals "$RC" 0 "SIGTERM: exit 0"
[ -e "$SOCK" ] && bad "SIGTERM leaves the socket file" || ok

unix_start killed --rules rules || exit 1
kill -KILL "$PID"; wait "$PID" 2>/dev/null
[ -S "$SOCK" ] && ok || bad "a killed server leaves its socket file"
unix_start stale --rules rules || exit 1
call again --unix-socket "$SOCK" http://localhost/healthz
equals "$STATUS" 200 "a stale socket file is replaced"
serve_stop "$PID"

echo "not a socket" >"$SOCK"
expect_rc 2 "a file that is no socket" "$BIN" serve --rules rules --listen "unix:$SOCK"
contains "$TMP/err" "no socket" "says the file is no socket"
equals "$(cat "$SOCK")" "not a socket" "and leaves the file alone"
rm -f "$SOCK"
expect_rc 2 "unix: without a path" "$BIN" serve --rules rules --listen unix:
expect_rc 2 "TLS on a Unix domain socket" "$BIN" serve --rules rules --listen "unix:$SOCK" --tls-cert x.pem --tls-key x.key
contains "$TMP/err" "Unix domain socket" "says TLS is for TCP"

echo "serve_unix: $pass passed, $fail failed"
[ "$fail" = 0 ]
