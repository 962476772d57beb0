#!/usr/bin/env bash
# CLI tests: run the built `subsidy` binary and check output and exit codes (docs/integration.md).
#   cli_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
cd "$ROOT"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
pass=0; fail=0
ok()   { pass=$((pass+1)); }
bad()  { fail=$((fail+1)); echo "FAIL: $*"; }
# expect_rc WANT DESC CMD...
expect_rc() { local want="$1" desc="$2"; shift 2; "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; sed 's/^/    /' "$TMP/err" | head -5; fi; }
# contains FILE TEXT DESC
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$3: missing [$2]"; head -c 600 "$1" | sed 's/^/    /'; fi; }
lines() { wc -l < "$1" | tr -d ' '; }

# --help and --version on every command
for c in "" "rules" "rules check" "rules test" "evaluate"; do expect_rc 0 "help $c" "$BIN" $c --help; done
expect_rc 0 version "$BIN" --version; contains "$TMP/out" "subsidy 0." "version text"
expect_rc 2 "no subcommand" "$BIN"
expect_rc 2 "unknown option" "$BIN" evaluate --rules rules --bogus

# rules check / test
expect_rc 0 "rules check shipped" "$BIN" rules check rules/; contains "$TMP/out" "0 errors" "rules check summary"
expect_rc 4 "rules check bad" "$BIN" rules check tests/golden/check/bad/five_mistakes.rules
contains "$TMP/out" "five_mistakes.rules:15:38: error[E0101]: unknown name \`enterprize\`" "check diagnostic"
expect_rc 4 "rules check json" "$BIN" rules check --format json tests/golden/check/bad/five_mistakes.rules
contains "$TMP/out" '"code":"E0310"' "json diagnostics"
expect_rc 4 "missing rules dir" "$BIN" rules check "$TMP/nope"; contains "$TMP/err" "does not exist" "missing dir message"
expect_rc 0 "rules test shipped" "$BIN" rules test rules/; contains "$TMP/out" " 0 failed" "rules test summary"
cat > "$TMP/failing.rules" <<'R'
fact n: int "n" "n";
program P "p" "p" { citation "c"; require big: n >= 10 else "太小" "too small"; amount 1万; }
test "wrong expectation" as of 2022-01-01 { given n = 3; expect P eligible amount 1万; }
R
expect_rc 1 "rules test failing" "$BIN" rules test "$TMP/failing.rules"
contains "$TMP/out" "expected: P eligible amount 1万元" "expected shown"
contains "$TMP/out" "actual:   P refused because big" "actual shown"
# rules test --format json: one object with results, failures and coverage; errors as error objects
expect_rc 0 "rules test json shipped" "$BIN" rules test rules/ --format json
[ "$(lines "$TMP/out")" = 1 ] && ok || bad "rules test json is one line"
python3 -c 'import json,sys; o=json.load(open(sys.argv[1])); c=o["coverage"]
assert o["failed"]==0 and o["passed"]>0 and o["failures"]==[], o
for k in ("programmes","requirements"): assert c[k]["covered"]+len(c[k]["uncovered"])==c[k]["total"], c[k]' "$TMP/out" && ok || bad "rules test json shape"
expect_rc 1 "rules test json failing" "$BIN" rules test "$TMP/failing.rules" --format json
contains "$TMP/out" '"failures":[{"test":"wrong expectation","location":"'"$TMP"'/failing.rules:3:' "json failure location"
contains "$TMP/out" '"expected":"P eligible amount 1万元","actual":"P refused because big' "json expected and actual"
contains "$TMP/out" '"requirements":{"covered":1,"total":1,"uncovered":[]}' "json requirement coverage"
expect_rc 4 "rules test json bad rules" "$BIN" rules test tests/golden/check/bad/five_mistakes.rules --format json
contains "$TMP/out" '{"error":{"kind":"rules","code":"rules_invalid","message":"the rules have errors: ' "json rules error object"
contains "$TMP/err" "five_mistakes.rules:15:38: error[E0101]" "diagnostics stay on stderr"
expect_rc 4 "rules test json missing dir" "$BIN" rules test "$TMP/nope" --format json
contains "$TMP/out" '{"error":{"kind":"rules","code":"rules_unreadable","message":"rules path' "json unreadable rules"
expect_rc 4 "rules check json missing dir" "$BIN" rules check "$TMP/nope" --format json
contains "$TMP/out" '"code":"rules_unreadable"' "rules check json unreadable"

# evaluate: one JSON object (pretty-printed)
expect_rc 0 "evaluate one" "$BIN" evaluate --rules rules --as-of 2022-06-30 examples/refused-r02.json
[ "$(lines "$TMP/out")" = 1 ] && ok || bad "one object gives one line"
contains "$TMP/out" '"R02":{"outcome":"refused","eligible":false,"amount_fen":0,"amount":"0.00","reasons":[{"requirement":"above_scale","clause":"实施细则 一(三)2"}]}' "refusal names requirement and clause"
expect_rc 0 "explain zh" "$BIN" evaluate --rules rules --as-of 2022-06-30 --format text --lang zh examples/refused-r02.json
contains "$TMP/out" "✗ above_scale: 不是规模以上工业企业 [条款 实施细则 一(三)2]" "zh explanation"
expect_rc 0 "explain en" "$BIN" evaluate --rules rules --as-of 2022-06-30 --format text --lang en examples/refused-r02.json
contains "$TMP/out" "✗ above_scale: not an above-scale industrial enterprise [clause 实施细则 一(三)2]" "en explanation"
expect_rc 0 "explain json" "$BIN" evaluate --rules rules --as-of 2022-06-30 --explain --lang en examples/refused-r02.json
contains "$TMP/out" '"text":"not an above-scale industrial enterprise"' "json explanation text"
expect_rc 0 "program filter" "$BIN" evaluate --rules rules --as-of 2022-06-30 --program R01 examples/refused-r02.json
grep -q '"R02"' "$TMP/out" && bad "--program R01 must leave R02 out" || ok
expect_rc 2 "unknown program" "$BIN" evaluate --rules rules --program R99 examples/refused-r02.json
contains "$TMP/err" "unknown programme \`R99\`" "unknown programme message"
expect_rc 2 "bad date" "$BIN" evaluate --rules rules --as-of 2022-02-30 examples/refused-r02.json
expect_rc 3 "missing input" "$BIN" evaluate --rules rules "$TMP/none.jsonl"
expect_rc 4 "bad rules" "$BIN" evaluate --rules tests/golden/check/bad examples/refused-r02.json

# JSON Lines with bad lines scattered through: good lines still decided, in order, with any --jobs
GOOD="$(head -1 examples/batch.jsonl)"
{
  for i in $(seq 1 3000); do
    case $((i % 1000)) in
      17) echo '{"id":"broken", "org_type": ';;
      400) echo "$GOOD" | sed 's/"rd_expense":[0-9]*/"rd_expense":"lots"/';;
      733) echo "$GOOD" | sed 's/{/{"colour":"red",/';;
      *) echo "$GOOD";;
    esac
    [ $((i % 500)) = 0 ] && echo ""
  done
} > "$TMP/mixed.jsonl"
expect_rc 3 "bad lines jobs1" "$BIN" evaluate --rules rules --as-of 2022-06-30 --jobs 1 "$TMP/mixed.jsonl"
cp "$TMP/out" "$TMP/j1"
contains "$TMP/err" "9 of 3000 records could not be decoded (first: line 17" "failure summary"
[ "$(lines "$TMP/j1")" = 3000 ] && ok || bad "one output line per record (got $(lines "$TMP/j1"))"
[ "$(grep -c '"error"' "$TMP/j1")" = 9 ] && ok || bad "nine error records"
contains "$TMP/j1" '{"line":17,"id":null,"error":{"code":"malformed_json"' "malformed line named"
contains "$TMP/j1" '"error":{"code":"bad_number","field":"rd_expense"' "bad money string names field"
contains "$TMP/j1" '"error":{"code":"unknown_field","field":"colour"' "unknown field named"
line_of_400=$(sed -n '/"bad_number"/{p;q}' "$TMP/j1" | sed -E 's/.*"line":([0-9]+).*/\1/')
[ "$line_of_400" = 400 ] && ok || bad "error line number counts input lines (got $line_of_400)"
for j in 2 4; do
  expect_rc 3 "bad lines jobs$j" "$BIN" evaluate --rules rules --as-of 2022-06-30 --jobs $j "$TMP/mixed.jsonl"
  cmp -s "$TMP/out" "$TMP/j1" && ok || bad "--jobs $j output differs from --jobs 1"
done
cat "$TMP/mixed.jsonl" | "$BIN" evaluate --rules rules --as-of 2022-06-30 --jobs 2 - > "$TMP/stdin" 2>/dev/null
cmp -s "$TMP/stdin" "$TMP/j1" && ok || bad "stdin input differs"
printf '{"id":"x","rd_expense":92233720368547759}\n' > "$TMP/huge.jsonl"
expect_rc 3 "out of range" "$BIN" evaluate --rules rules --as-of 2022-06-30 --program R01 "$TMP/huge.jsonl"
contains "$TMP/out" '"code":"out_of_range","field":"rd_expense"' "money overflow at decode"
# progress: forced on, a progress line with the record count goes to stderr; off by default when not a terminal
expect_rc 3 "progress on" "$BIN" evaluate --rules rules --as-of 2022-06-30 --progress "$TMP/mixed.jsonl"
contains "$TMP/err" "3000 records" "progress line"
expect_rc 3 "progress default" "$BIN" evaluate --rules rules --as-of 2022-06-30 "$TMP/mixed.jsonl"
grep -q "records  " "$TMP/err" && bad "no progress line when stderr is not a terminal" || ok
expect_rc 2 "progress flags exclusive" "$BIN" evaluate --rules rules --progress --no-progress "$TMP/mixed.jsonl"
: > "$TMP/empty.jsonl"
expect_rc 3 "empty input" "$BIN" evaluate --rules rules "$TMP/empty.jsonl"

# Input framing (docs/integration.md §2): a byte order mark, CR-only and CRLF line ends, lines that
# are not JSON, an over-long line; JSON Lines and the single-object path, file and stdin, --jobs 1 and 2
EV=("$BIN" evaluate --rules rules --as-of 2022-06-30)
"${EV[@]}" --jobs 1 examples/batch.jsonl > "$TMP/plain.out" 2>/dev/null
"${EV[@]}" --jobs 1 examples/refused-r02.json > "$TMP/plain1.out" 2>/dev/null
{ printf '\xef\xbb\xbf'; cat examples/batch.jsonl; } > "$TMP/bom.jsonl"
tr '\n' '\r' < examples/batch.jsonl > "$TMP/cr.jsonl"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' examples/batch.jsonl; } > "$TMP/bomcrlf.jsonl"
{ printf '\xef\xbb\xbf'; tr '\n' '\r' < examples/refused-r02.json; } > "$TMP/bomcr.json"
for j in 1 2; do
  for f in bom.jsonl cr.jsonl bomcrlf.jsonl; do
    expect_rc 0 "$f jobs$j" "${EV[@]}" --jobs $j "$TMP/$f"
    cmp -s "$TMP/out" "$TMP/plain.out" && ok || bad "$f --jobs $j: decisions differ from the plain file"
    "${EV[@]}" --jobs $j - < "$TMP/$f" > "$TMP/stdin.out" 2>/dev/null
    cmp -s "$TMP/stdin.out" "$TMP/plain.out" && ok || bad "$f on stdin --jobs $j differs"
  done
  expect_rc 0 "bom+cr object jobs$j" "${EV[@]}" --jobs $j "$TMP/bomcr.json"
  cmp -s "$TMP/out" "$TMP/plain1.out" && ok || bad "pretty object with BOM and CR line ends --jobs $j differs"
  "${EV[@]}" --jobs $j < "$TMP/bomcr.json" > "$TMP/stdin.out" 2>/dev/null
  cmp -s "$TMP/stdin.out" "$TMP/plain1.out" && ok || bad "pretty object with BOM and CR on stdin --jobs $j differs"
done
{ echo hello; head -1 examples/batch.jsonl; echo '{"a":1'; printf '  {"id":"q" 5}\r\n'; sed -n 2p examples/batch.jsonl; } > "$TMP/notjson.jsonl"
for j in 1 2; do
  expect_rc 3 "not JSON jobs$j" "${EV[@]}" --jobs $j "$TMP/notjson.jsonl"
  [ "$(lines "$TMP/out")" = 5 ] && ok || bad "one output line per input line (got $(lines "$TMP/out"))"
  contains "$TMP/out" '{"line":1,"id":null,"error":{"code":"malformed_json","field":null,"message":"not valid JSON: unexpected `hello` at column 1"}}' "hello is malformed_json at column 1"
  contains "$TMP/out" '{"line":3,"id":null,"error":{"code":"malformed_json","field":null,"message":"not valid JSON: unexpected end of the record at column 7"}}' "truncated line is malformed_json"
  contains "$TMP/out" '{"line":4,"id":"q","error":{"code":"malformed_json","field":null,"message":"not valid JSON: unexpected character '"'5'"' at column 13"}}' "column counts from the line start"
  [ "$(grep -c '"as_of"' "$TMP/out")" = 2 ] && ok || bad "the two good lines are decided"
  contains "$TMP/err" "3 of 5 records could not be decoded (first: line 1" "summary names the first bad line"
done
sed 's/"org_type": "enterprise"/"org_type": enterprise/' examples/refused-r02.json > "$TMP/badpretty.json"
expect_rc 3 "pretty object with a syntax error" "${EV[@]}" "$TMP/badpretty.json"
contains "$TMP/out" "\"code\":\"malformed_json\",\"field\":\"org_type\",\"message\":\"not valid JSON: unexpected \`enterprise\` at line 3, column 15\"" "line and column inside a pretty-printed object"
head -1 examples/batch.jsonl | sed 's/"prior_awards":\[[^]]*\]/"prior_awards":["R03","R3"]/' > "$TMP/r3.jsonl"
grep -q '"R3"' "$TMP/r3.jsonl" && ok || bad "test input has prior_awards"
expect_rc 3 "no programme id in a set of program" "${EV[@]}" "$TMP/r3.jsonl"
contains "$TMP/out" '"error":{"code":"unknown_program","field":"prior_awards","message":"\"R3\" is not a programme id of the ruleset; programmes: ' "unknown programme id named"
# Mixed line ends across block boundaries (inputs over 256 KiB are read in blocks): the same decisions
# and line numbers as with \n alone
python3 - examples/batch.jsonl "$TMP/lf.jsonl" "$TMP/mixed-eol.jsonl" <<'EOF'
import sys
good = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l]
lines = ["hello" if i % 97 == 5 else good[i % len(good)] for i in range(1500)]
open(sys.argv[2], "w", encoding="utf-8", newline="").write("".join(l + "\n" for l in lines))
open(sys.argv[3], "w", encoding="utf-8", newline="").write("".join(l + ["\n", "\r\n", "\r"][i % 3] for i, l in enumerate(lines)))
EOF
"${EV[@]}" --jobs 1 "$TMP/lf.jsonl" > "$TMP/lf.out" 2>/dev/null
[ "$(grep -c '"malformed_json"' "$TMP/lf.out")" = 16 ] && ok || bad "mixed line ends: the malformed lines are found"
for j in 1 2; do
  "${EV[@]}" --jobs $j "$TMP/mixed-eol.jsonl" > "$TMP/mixed-eol.out" 2>/dev/null
  cmp -s "$TMP/mixed-eol.out" "$TMP/lf.out" && ok || bad "mixed line ends --jobs $j differ from LF line ends"
done
{ printf '{"id":"big","name":"'; head -c 5000000 /dev/zero | tr '\0' x; printf '"}\n'; head -1 examples/batch.jsonl; } > "$TMP/long.jsonl"
for j in 1 2; do
  expect_rc 3 "over-long line jobs$j" "${EV[@]}" --jobs $j "$TMP/long.jsonl"
  contains "$TMP/out" '{"line":1,"id":null,"error":{"code":"too_large","field":null,"message":"the record is larger than the limit of 4194304 bytes (4 MiB)"}}' "over-long line is too_large"
  [ "$(lines "$TMP/out")" = 2 ] && [ "$(grep -c '"as_of"' "$TMP/out")" = 1 ] && ok || bad "the line after an over-long one is decided"
done

# A programme in `error`: flagged at the top level, exit 9 (docs/integration.md §6); undecodable
# records (exit 3) take precedence. No amount is printed for an error in the text output.
cat > "$TMP/errors.rules" <<'R'
fact n: int "n" "n";
param late: money "上限" "cap" { from 2030-01-01 = 1000元 source "s" sourced; }
program P "p" "p" { citation "c"; amount late; }
program Q "q" "q" { citation "c"; amount 1万; }
R
printf '{"id":"a","n":1}\n{"id":"b","n":2}\n' > "$TMP/errors.jsonl"
for j in 1 2; do
  expect_rc 9 "programme in error jobs$j" "$BIN" evaluate --rules "$TMP/errors.rules" --as-of 2024-06-01 --jobs $j "$TMP/errors.jsonl"
  contains "$TMP/out" '"P":{"outcome":"error","eligible":false,"amount_fen":0,"amount":"0.00","error":"参数 `late` 在评估日期没有生效的值' "error names the parameter"
  contains "$TMP/out" '"errors":["P"]}' "errors listed at the top level"
  contains "$TMP/err" "2 decisions had a programme in \`error\` (first: line 1)" "stderr counts decisions in error"
done
expect_rc 0 "no error once the parameter is in force" "$BIN" evaluate --rules "$TMP/errors.rules" --as-of 2030-06-01 "$TMP/errors.jsonl"
contains "$TMP/out" '"errors":[]}' "empty errors list"
printf '{"id":"a","n":1}\n{"id":"b","n":"x"}\n' > "$TMP/errors-bad.jsonl"
expect_rc 3 "undecodable record takes precedence over an error" "$BIN" evaluate --rules "$TMP/errors.rules" --as-of 2024-06-01 "$TMP/errors-bad.jsonl"
contains "$TMP/err" "1 decision had a programme in \`error\`" "both reported"
contains "$TMP/err" "1 of 2 records could not be decoded" "both reported (decode)"
expect_rc 9 "text output of an error" "$BIN" evaluate --rules "$TMP/errors.rules" --as-of 2024-06-01 --format text --lang en "$TMP/errors.jsonl"
contains "$TMP/out" "! parameter \`late\` has no value in force on the evaluation date (" "text names the error in English, with its place"
if grep -q "= 0.00元" "$TMP/out"; then bad "text output prints an amount for an error"; else ok; fi

# --no-fusion (diagnostic, hidden from --help): identical decisions.
expect_rc 0 "fused" "$BIN" evaluate --rules rules --as-of 2024-06-28 --explain examples/batch.jsonl; cp "$TMP/out" "$TMP/fused.jsonl"
expect_rc 0 "no fusion" "$BIN" evaluate --rules rules --as-of 2024-06-28 --explain --no-fusion examples/batch.jsonl
cmp -s "$TMP/out" "$TMP/fused.jsonl" && ok || bad "--no-fusion changed a decision"
expect_rc 0 "help evaluate" "$BIN" evaluate --help
if grep -q -- "--no-fusion" "$TMP/out"; then bad "--no-fusion is listed in --help"; else ok; fi
if grep -q -- "--no-fast-decode" "$TMP/out"; then bad "--no-fast-decode is listed in --help"; else ok; fi
contains "$TMP/out" "--output" "--output in --help"

# --no-fast-decode (diagnostic, hidden): the decoder's fast path changes no byte, error records included.
{ cat examples/batch.jsonl; cat "$TMP/mixed.jsonl"; cat examples/batch.jsonl; } > "$TMP/feed.jsonl"
expect_rc 3 "fast decode" "$BIN" evaluate --rules rules --as-of 2024-06-28 --jobs 2 "$TMP/feed.jsonl"; cp "$TMP/out" "$TMP/fast.jsonl"
expect_rc 3 "no fast decode" "$BIN" evaluate --rules rules --as-of 2024-06-28 --jobs 2 --no-fast-decode "$TMP/feed.jsonl"
cmp -s "$TMP/out" "$TMP/fast.jsonl" && ok || bad "--no-fast-decode changed the output"

# --output summary: the golden file tests/cli/data/summary.expect (decisions, an error record, --program).
{ cat examples/batch.jsonl; echo '{"id":"BAD","employees":"many"}'; } > "$TMP/summary-in.jsonl"
expect_rc 3 "summary" "$BIN" evaluate --rules rules --as-of 2024-06-28 --output summary "$TMP/summary-in.jsonl"
"$BIN" evaluate --rules rules --as-of 2024-06-28 --output summary --program R01 --program R03 examples/batch.jsonl >> "$TMP/out" 2>/dev/null
if diff -u tests/cli/data/summary.expect "$TMP/out" > "$TMP/diff"; then ok; else bad "--output summary differs from tests/cli/data/summary.expect"; head -20 "$TMP/diff"; fi
expect_rc 2 "summary with --explain" "$BIN" evaluate --rules rules --output summary --explain examples/batch.jsonl
contains "$TMP/err" "cannot be combined with --explain" "summary with --explain message"
expect_rc 2 "summary with --format text" "$BIN" evaluate --rules rules --output summary --format text examples/batch.jsonl
expect_rc 2 "bad --output" "$BIN" evaluate --rules rules --output brief examples/batch.jsonl

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
