#!/usr/bin/env bash
# `subsidy serve` through a real HTTP client (curl): every endpoint, the error statuses, JSON Lines
# decisions byte-identical to `subsidy evaluate`, graceful shutdown on SIGTERM (docs/service.md).
#   serve_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
cd "$ROOT"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
pass=0; fail=0
ok()  { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL: $*"; }
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$3: missing [$2]"; head -c 600 "$1" | sed 's/^/    /'; fi; }
eq() { if [ "$1" = "$2" ]; then ok; else bad "$3: got [$1], want [$2]"; fi; }

# start NAME ARGS…: starts a server on a free port, waits for its "listening on" line, sets URL and PID.
start() {
  local name="$1"; shift
  : >"$TMP/$name.out"
  "$BIN" serve --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
  PID=$!; PIDS+=("$PID")
  for _ in $(seq 100); do
    URL=$(sed -n 's|^listening on \(https\{0,1\}://127\.0\.0\.1:[0-9]*\)$|\1|p' "$TMP/$name.out")
    [ -n "$URL" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.05
  done
  bad "$name: no listening line"; sed 's/^/    /' "$TMP/$name.err" | head -5; return 1
}
# call NAME CURL-ARGS…: response body in $TMP/NAME, headers in $TMP/NAME.h, status in $STATUS.
call() {
  local name="$1"; shift
  STATUS=$(curl -sS --max-time 20 -o "$TMP/$name" -D "$TMP/$name.h" -w '%{http_code}' "$@")
}
# expect_error NAME STATUS CODE CURL-ARGS…: the status and the JSON error object with that code.
expect_error() {
  local name="$1" want="$2" code="$3"; shift 3
  call "$name" "$@"
  eq "$STATUS" "$want" "$name status"
  contains "$TMP/$name" "{\"error\":{\"kind\":" "$name error object"
  contains "$TMP/$name" "\"code\":\"$code\"" "$name code"
}

# Rules that do not load: refuse to start, exit 4.
mkdir -p "$TMP/broken" && printf 'programme X {\n' >"$TMP/broken/x.rules"
"$BIN" serve --rules "$TMP/broken" --listen 127.0.0.1:0 >"$TMP/broken.out" 2>"$TMP/broken.err"
eq "$?" 4 "broken rules exit"
eq "$(cat "$TMP/broken.out")" "" "broken rules: no listening line"

"$BIN" db migrate --db "$TMP/ok.db" >/dev/null || bad "db migrate"
# Without --db the service is decisions-only and open (the decisions tests); /readyz with one below.
start main --rules rules --threads 2 --max-body 64KiB || exit 1
MAIN_PID=$PID MAIN_URL=$URL
HASH=$(sed -n 's/.*"ruleset_hash":"\([0-9a-f]*\)".*/\1/p' <(curl -sS "$URL/readyz"))
[ ${#HASH} = 64 ] && ok || bad "readyz names the ruleset hash: [$HASH]"

call healthz "$URL/healthz"
eq "$STATUS" 200 "healthz status"; eq "$(cat "$TMP/healthz")" '{"status":"ok"}' "healthz body"
contains "$TMP/healthz.h" "X-Ruleset-Hash: $HASH" "healthz ruleset hash header"
grep -qiE '^X-Request-Id: [0-9a-f]{32}' "$TMP/healthz.h" && ok || bad "healthz request id"
call healthz2 "$URL/healthz"
[ "$(grep -i '^X-Request-Id' "$TMP/healthz.h")" != "$(grep -i '^X-Request-Id' "$TMP/healthz2.h")" ] && ok || bad "request ids differ"
start withdb --rules rules --db "$TMP/ok.db" --threads 1 || exit 1
call readyz "$URL/readyz"; eq "$STATUS" 200 "readyz with a reachable database"
kill -TERM "$PID"; wait "$PID"; eq "$?" 0 "SIGTERM exit (with --db)"
URL=$MAIN_URL

call rules "$URL/v1/rules"
eq "$STATUS" 200 "rules status"
contains "$TMP/rules" "\"ruleset_hash\":\"$HASH\"" "rules hash"
contains "$TMP/rules" '{"id":"R02","title":{"zh":' "rules programme with title"
contains "$TMP/rules" '"$schema":"https://json-schema.org/draft/2020-12/schema"' "rules fact schema"
contains "$TMP/rules" '"county":{' "rules fact property"
contains "$TMP/rules" '"on_dishonesty_list":{"title":' "rules boolean fact"
contains "$TMP/rules" '"type":"boolean"' "rules boolean type"

# One applicant → one decision, the same as `subsidy evaluate`.
"$BIN" evaluate --rules rules --as-of 2022-06-30 examples/refused-r02.json >"$TMP/one.want"
call one -X POST -H 'Content-Type: application/json; charset=utf-8' --data-binary @examples/refused-r02.json \
  "$URL/v1/decisions?as_of=2022-06-30"
eq "$STATUS" 200 "one decision status"
cmp -s "$TMP/one" "$TMP/one.want" && ok || bad "one decision differs from evaluate"
"$BIN" evaluate --rules rules --as-of 2022-06-30 --explain --lang en --program R02 examples/refused-r02.json >"$TMP/onex.want"
call onex -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json \
  "$URL/v1/decisions?as_of=2022-06-30&explain=1&lang=en&program=R02"
cmp -s "$TMP/onex" "$TMP/onex.want" && ok || bad "explained decision differs from evaluate"
# Query values are percent-decoded, a bare `explain` is explain=1, media types are case-insensitive.
call onexp -X POST -H 'Content-Type: Application/JSON' --data-binary @examples/refused-r02.json \
  "$URL/v1/decisions?as_of=2022%2D06%2D30&explain&lang=en&program=R%302"
cmp -s "$TMP/onexp" "$TMP/onex.want" && ok || bad "percent-encoded query differs"
call empty -X POST -H 'Content-Type: application/x-ndjson' --data-binary '' "$URL/v1/decisions"
eq "$STATUS" 200 "empty JSON Lines status"; eq "$(wc -c <"$TMP/empty")" 0 "empty JSON Lines: no line"

# JSON Lines → JSON Lines in input order, error records included: byte-identical to evaluate.
{ cat examples/batch.jsonl; echo '{"id":"broken",'; echo '{"id":"extra","bogus":1}'; cat examples/batch.jsonl; } >"$TMP/in.jsonl"
"$BIN" evaluate --rules rules --as-of 2022-06-30 --explain "$TMP/in.jsonl" >"$TMP/lines.want" 2>/dev/null
call lines -X POST -H 'Content-Type: application/x-ndjson' --data-binary @"$TMP/in.jsonl" "$URL/v1/decisions?as_of=2022-06-30&explain=1"
eq "$STATUS" 200 "json lines status"
contains "$TMP/lines.h" "application/x-ndjson" "json lines content type"
cmp -s "$TMP/lines" "$TMP/lines.want" && ok || bad "json lines differ from evaluate"
eq "$(wc -l <"$TMP/lines")" "$(wc -l <"$TMP/in.jsonl")" "one line per record"

# Errors: the JSON error object of docs/integration.md §5.1 with its status.
expect_error bad_json 400 malformed_json -X POST -H 'Content-Type: application/json' --data-binary '{"id":' "$URL/v1/decisions"
expect_error unknown_field 400 unknown_field -X POST -H 'Content-Type: application/json' --data-binary '{"bogus":1}' "$URL/v1/decisions"
contains "$TMP/unknown_field" '"field":"bogus"' "unknown field named"
expect_error bad_date 400 bad_query -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions?as_of=2022-02-30"
expect_error bad_lang 400 bad_query -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions?lang=fr"
expect_error bad_param 400 bad_query -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions?format=text"
expect_error bad_program 400 unknown_programme -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$URL/v1/decisions?program=NOPE"
expect_error not_found 404 unknown_route "$URL/v2/nothing"
expect_error method 405 method_not_allowed "$URL/v1/decisions"
contains "$TMP/method.h" "Allow: POST" "405 Allow header"
expect_error method_get 405 method_not_allowed -X DELETE "$URL/v1/rules"
expect_error media 415 unsupported_media_type -X POST -H 'Content-Type: text/plain' --data-binary '{}' "$URL/v1/decisions"
expect_error no_media 415 unsupported_media_type -X POST --data-binary @examples/refused-r02.json -H 'Content-Type:' "$URL/v1/decisions"
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/big"
expect_error big 413 body_too_large -X POST -H 'Content-Type: application/json' --data-binary @"$TMP/big" "$URL/v1/decisions"
contains "$TMP/big.h" "X-Ruleset-Hash: $HASH" "413 ruleset hash header"
call after_big "$URL/healthz"; eq "$STATUS" 200 "serving after a refused body"

# Keep-alive: two requests on one connection.
curl -sS -o /dev/null -o /dev/null -w '%{num_connects}\n' "$URL/healthz" "$URL/v1/rules" >"$TMP/conns"
eq "$(tr '\n' ' ' <"$TMP/conns")" "1 0 " "keep-alive reuses the connection"

# /readyz without a reachable database: 503 with why.
start nodb --rules rules --db "$TMP/missing/dir/x.db" --threads 1 || exit 1
NODB_PID=$PID
expect_error notready 503 not_ready "$URL/readyz"
contains "$TMP/nodb.err" "warning: cannot compare --rules with the version published in" "nodb: the skipped check is said"
kill -INT "$NODB_PID"; wait "$NODB_PID"; eq "$?" 0 "SIGINT exit"

# /metrics (Prometheus text): requests by route pattern (never the raw path), decisions by
# programme and outcome; the counters move with the requests.
metric() { sed -n "s|^$1 \([0-9.e+-]*\)\$|\1|p" "$TMP/metrics"; }
call metrics "$MAIN_URL/metrics"
eq "$STATUS" 200 "metrics status"
contains "$TMP/metrics.h" "text/plain; version=0.0.4" "metrics content type"
contains "$TMP/metrics" "# TYPE subsidy_http_requests_total counter" "metrics requests type"
contains "$TMP/metrics" "subsidy_ruleset_info{hash=\"$HASH\"} 1" "metrics ruleset hash"
contains "$TMP/metrics" '# TYPE subsidy_http_request_duration_seconds histogram' "metrics latency histogram"
contains "$TMP/metrics" 'subsidy_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"}' "metrics latency by route"
contains "$TMP/metrics" 'subsidy_http_requests_total{route="unmatched",method="GET",status="404"}' "an unknown path is counted as unmatched"
grep -q 'v2/nothing' "$TMP/metrics" && bad "metrics name a raw path" || ok
contains "$TMP/metrics" 'subsidy_rules_reloads_total{result="failed"}' "metrics reloads"
contains "$TMP/metrics" 'subsidy_timers_fired_total 0' "metrics timers"
H0=$(metric 'subsidy_http_requests_total{route="\/healthz",method="GET",status="200"}')
R0=$(metric 'subsidy_decisions_total{programme="R02",outcome="refused"}')
U0=$(metric 'subsidy_undecodable_records_total')
call m_h "$MAIN_URL/healthz"
call m_one -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json "$MAIN_URL/v1/decisions?as_of=2022-06-30&program=R02"
printf '%s\n{"id":"bad",\n' "$(cat examples/refused-r02.json | tr -d '\n')" >"$TMP/two.jsonl"
call m_lines -X POST -H 'Content-Type: application/x-ndjson' --data-binary @"$TMP/two.jsonl" "$MAIN_URL/v1/decisions?as_of=2022-06-30&program=R02"
call metrics "$MAIN_URL/metrics"
eq "$(metric 'subsidy_http_requests_total{route="\/healthz",method="GET",status="200"}')" "$((H0 + 1))" "healthz counter moves by one"
eq "$(metric 'subsidy_decisions_total{programme="R02",outcome="refused"}')" "$((R0 + 2))" "decisions counter moves (one + one streamed)"
eq "$(metric 'subsidy_undecodable_records_total')" "$((U0 + 1))" "undecodable records counted"

# The access log (stderr by default): one JSON line per request, never a header value, a query or a body.
call secret -X POST -H 'Authorization: Bearer sbt_SECRETTOKEN123' -H 'Content-Type: application/json' \
  --data-binary '{"user":"zhao","password":"PASSWORD-S3CRET"}' "$MAIN_URL/v1/decisions?as_of=2022-06-30&q=QUERYSECRET"
sleep 0.2
id=$(sed -n 's/^X-Request-Id: \([0-9a-f]*\).*/\1/ip' "$TMP/secret.h")
grep -F "\"request_id\":\"$id\"" "$TMP/main.err" >"$TMP/secret.log"
eq "$(wc -l <"$TMP/secret.log")" 1 "one access log line per request"
contains "$TMP/secret.log" '"method":"POST","route":"/v1/decisions","status":' "access log names the route"
contains "$TMP/secret.log" '"remote":"127.0.0.1"' "access log names the remote"
contains "$TMP/secret.log" '"duration_us":' "access log has the duration"
grep -qE 'SECRETTOKEN|S3CRET|QUERYSECRET|zhao|Bearer' "$TMP/main.err" && bad "a secret in the access log" || ok

# A JSON Lines body is streamed: 200,000 applicants (≈200 MB in, ≈580 MB out, sent chunked) give the
# bytes of `evaluate` while the server's peak memory stays flat — a bound on memory, never on time.
for _ in $(seq 200); do cat examples/batch.jsonl; done >"$TMP/k.jsonl"
gen() { for _ in $(seq "$1"); do cat "$TMP/k.jsonl"; done; }
start stream --rules rules --threads 2 --max-streams 1 --read-timeout 2 --access-log "$TMP/access.log" || exit 1
STREAM_PID=$PID STREAM_URL=$URL
gen 2 | curl -sS -o /dev/null -X POST -H 'Content-Type: application/x-ndjson' -T - "$URL/v1/decisions?as_of=2022-06-30"
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"; }
HWM0=$(hwm "$STREAM_PID")
WANT=$(gen 200 | "$BIN" evaluate --rules rules --as-of 2022-06-30 - | sha256sum)
GOT=$(gen 200 | curl -sS -X POST -H 'Content-Type: application/x-ndjson' -T - "$URL/v1/decisions?as_of=2022-06-30" | sha256sum)
eq "$GOT" "$WANT" "200,000-line stream identical to evaluate"
HWM1=$(hwm "$STREAM_PID")
[ $((HWM1 - HWM0)) -lt 65536 ] && ok || bad "server peak memory grew by $((HWM1 - HWM0)) kB over a 200 MB stream"
contains "$TMP/access.log" '"route":"/v1/decisions","status":200' "--access-log FILE"

# A client that hangs up mid-stream ends its stream (the one stream slot is free again), and the
# server serves on; while that stream runs, one more is refused (--max-streams 1).
mkfifo "$TMP/hang"
curl -sS -o /dev/null -X POST -H 'Content-Type: application/x-ndjson' -T - "$URL/v1/decisions" <"$TMP/hang" 2>/dev/null &
HANG_PID=$!
exec 5>"$TMP/hang"
cat "$TMP/k.jsonl" >&5
sleep 0.3
expect_error busy 503 too_many_streams -X POST -H 'Content-Type: application/x-ndjson' --data-binary @examples/batch.jsonl "$URL/v1/decisions"
contains "$TMP/busy.h" "Retry-After: 1" "503 Retry-After"
kill -KILL "$HANG_PID"; wait "$HANG_PID" 2>/dev/null
exec 5>&-
for _ in $(seq 50); do
  call after_hang -X POST -H 'Content-Type: application/x-ndjson' --data-binary @examples/batch.jsonl "$URL/v1/decisions?as_of=2022-06-30"
  [ "$STATUS" = 200 ] && break; sleep 0.1
done
eq "$STATUS" 200 "a stream after a client hung up mid-stream"
eq "$(wc -l <"$TMP/after_hang")" 5 "its decisions"

# A stream whose client stops sending is cut off after --read-timeout without progress: its
# response ends without the last chunk, and the access log says so.
mkfifo "$TMP/stall"
curl -sS --max-time 30 -o /dev/null -X POST -H 'Content-Type: application/x-ndjson' -T - "$URL/v1/decisions" <"$TMP/stall" 2>/dev/null &
STALL_PID=$!
exec 6>"$TMP/stall"
cat examples/batch.jsonl >&6
STALLED='"status":200,"bytes":0,"duration_us":[0-9]*,"aborted":true'
for _ in $(seq 150); do grep -q "$STALLED" "$TMP/access.log" && break; sleep 0.1; done
grep -q "$STALLED" "$TMP/access.log" && ok || bad "a stalled stream is not cut off"
kill "$STALL_PID" 2>/dev/null; wait "$STALL_PID" 2>/dev/null
exec 6>&-

# Slowloris: a request whose header comes a line every 0.7 s is answered 408 once --read-timeout (2 s) is up.
exec 7<>"/dev/tcp/127.0.0.1/${URL##*:}"
( printf 'GET /healthz HTTP/1.1\r\n'; for i in 1 2 3 4 5 6; do sleep 0.7; printf 'X-Slow-%s: 1\r\n' "$i"; done ) >&7 2>/dev/null &
SLOW_PID=$!
IFS= read -r -t 10 status_line <&7; eq "${status_line%$'\r'}" "HTTP/1.1 408 Request Timeout" "slowloris header: 408"
kill "$SLOW_PID" 2>/dev/null; wait "$SLOW_PID" 2>/dev/null
exec 7>&-
# The same for a body sent a byte at a time.
( printf 'POST /v1/decisions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n'
  for i in $(seq 10); do sleep 0.5; printf '{'; done ) | curl -sS -o "$TMP/slowbody" -w '%{http_code}' --max-time 10 \
  telnet://127.0.0.1:"${URL##*:}" >/dev/null 2>&1
contains "$TMP/slowbody" '"code":"request_timeout"' "slow body: 408 request_timeout"
call after_slow "$URL/healthz"; eq "$STATUS" 200 "serving after slow clients"
kill -TERM "$STREAM_PID"; wait "$STREAM_PID"; eq "$?" 0 "stream server SIGTERM exit"

# HTTPS with --tls-cert/--tls-key: a self-signed certificate made here, checked by curl --cacert.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 1 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null || bad "openssl req"
start tls --rules rules --threads 2 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" || exit 1
TLS_PID=$PID
case "$URL" in https://*) ok ;; *) bad "the listening line names https: [$URL]" ;; esac
call tls_health --cacert "$TMP/cert.pem" "$URL/healthz"; eq "$STATUS" 200 "healthz over TLS"
call tls_one --cacert "$TMP/cert.pem" -X POST -H 'Content-Type: application/json' --data-binary @examples/refused-r02.json \
  "$URL/v1/decisions?as_of=2022-06-30"
cmp -s "$TMP/tls_one" "$TMP/one.want" && ok || bad "a decision over TLS differs from evaluate"
WANT=$(gen 3 | "$BIN" evaluate --rules rules --as-of 2022-06-30 - | sha256sum)
GOT=$(gen 3 | curl -sS --cacert "$TMP/cert.pem" -X POST -H 'Content-Type: application/x-ndjson' -T - "$URL/v1/decisions?as_of=2022-06-30" | sha256sum)
eq "$GOT" "$WANT" "a stream over TLS identical to evaluate"
curl -sS --max-time 5 -o /dev/null "http://127.0.0.1:${URL##*:}/healthz" 2>/dev/null && bad "plain HTTP answered on the TLS port" || ok
call tls_after --cacert "$TMP/cert.pem" "$URL/healthz"; eq "$STATUS" 200 "TLS serving after a plain HTTP client"
kill -TERM "$TLS_PID"; wait "$TLS_PID"; eq "$?" 0 "TLS server SIGTERM exit"
# A certificate or key that does not load is a startup error naming it: exit 2, no listening line.
echo 'not a certificate' >"$TMP/junk.pem"
tls_refused() {  # NAME WANT-IN-STDERR SERVE-ARGS…
  local name="$1" want="$2"; shift 2
  "$BIN" serve --rules rules --listen 127.0.0.1:0 "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  eq "$?" 2 "$name exit"
  eq "$(cat "$TMP/$name.out")" "" "$name: no listening line"
  contains "$TMP/$name.err" "$want" "$name message"
}
tls_refused bad_cert "cannot load the TLS certificate \`$TMP/junk.pem\`" --tls-cert "$TMP/junk.pem" --tls-key "$TMP/key.pem"
tls_refused bad_key "cannot load the TLS key \`$TMP/junk.pem\`" --tls-cert "$TMP/cert.pem" --tls-key "$TMP/junk.pem"
tls_refused no_key "--tls-cert and --tls-key go together" --tls-cert "$TMP/cert.pem"
tls_refused bad_log "cannot open the access log" --access-log "$TMP"  # a directory

# SIGTERM while a request is in flight (its body half sent, chunked): it is answered in full, then exit 0.
for _ in $(seq 400); do cat examples/batch.jsonl; done >"$TMP/many.jsonl"
"$BIN" evaluate --rules rules --as-of 2022-06-30 --explain "$TMP/many.jsonl" >"$TMP/many.want"
start term --rules rules --threads 2 --max-body 64MiB || exit 1
TERM_PID=$PID
mkfifo "$TMP/body"
curl -sS --max-time 20 -o "$TMP/many" -w '%{http_code}' -X POST -H 'Content-Type: application/x-ndjson' -T - \
  "$URL/v1/decisions?as_of=2022-06-30&explain=1" <"$TMP/body" >"$TMP/many.status" &
CURL_PID=$!
exec 3>"$TMP/body"
head -n 1000 "$TMP/many.jsonl" >&3
sleep 0.3
kill -TERM "$TERM_PID"
sleep 0.1
tail -n +1001 "$TMP/many.jsonl" >&3
exec 3>&-
wait "$CURL_PID"; eq "$?" 0 "in-flight request completes"
eq "$(cat "$TMP/many.status")" 200 "in-flight request status"
cmp -s "$TMP/many" "$TMP/many.want" && ok || bad "in-flight response complete and identical to evaluate"
wait "$TERM_PID"; eq "$?" 0 "SIGTERM exit"
curl -sS --max-time 2 "$URL/healthz" >/dev/null 2>&1 && bad "still accepting after SIGTERM" || ok

# An idle keep-alive connection does not hold up shutdown: the server closes it and exits.
start main2 --rules rules --threads 1 || exit 1
MAIN2_PID=$PID
exec 4<>"/dev/tcp/127.0.0.1/${URL##*:}"
printf 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n' >&4
IFS= read -r -t 5 status_line <&4; eq "${status_line%$'\r'}" "HTTP/1.1 200 OK" "raw keep-alive request"
kill -TERM "$MAIN2_PID"
for _ in $(seq 40); do kill -0 "$MAIN2_PID" 2>/dev/null || break; sleep 0.05; done
kill -0 "$MAIN2_PID" 2>/dev/null && bad "an idle keep-alive connection holds up shutdown" || ok
wait "$MAIN2_PID"; eq "$?" 0 "SIGTERM exit with an idle connection"
exec 4>&-

# SIGHUP (a reload when serve asks for one) does not end the server.
kill -HUP "$MAIN_PID"; sleep 0.2
call after_hup "$MAIN_URL/healthz"; eq "$STATUS" 200 "serving after SIGHUP"

kill -TERM "$MAIN_PID"; wait "$MAIN_PID"; eq "$?" 0 "SIGTERM exit"
echo "serve tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
