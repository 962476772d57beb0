#!/usr/bin/env bash
# CLI tests of `subsidy workflow` (docs/workflow.md §7): golden outputs of show, dot and simulate
# (tests/golden/workflow_cli/*.txt), exit codes, and errors with file:line:col for bad input.
#   workflow_cli_test.sh path/to/subsidy project-root
# SUBSIDY_UPDATE_GOLDEN=1 rewrites the golden files; review the diff.
set -uo pipefail
BIN="$1"; ROOT="$2"
cd "$ROOT"
TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
GOLD=tests/golden/workflow_cli
EX=examples/workflow
pass=0; fail=0
ok()   { pass=$((pass+1)); }
bad()  { fail=$((fail+1)); echo "FAIL: $*"; }
# expect_rc WANT DESC CMD...
expect_rc() { local want="$1" desc="$2"; shift 2; "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; sed 's/^/    /' "$TMP/err" | head -8; fi; }
# contains FILE TEXT DESC
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$3: missing [$2]"; head -c 800 "$1" | sed 's/^/    /'; fi; }
# golden NAME CMD...: exit 0 and stdout equal to $GOLD/NAME.txt
golden() { local name="$1"; shift; expect_rc 0 "$name" "$@"
  if [ -n "${SUBSIDY_UPDATE_GOLDEN:-}" ]; then cp "$TMP/out" "$GOLD/$name.txt"; ok; return; fi
  if [ ! -f "$GOLD/$name.txt" ]; then bad "$name: $GOLD/$name.txt is missing (run with SUBSIDY_UPDATE_GOLDEN=1)"; return; fi
  if diff -u "$GOLD/$name.txt" "$TMP/out" >"$TMP/diff"; then ok; else bad "$name differs from $GOLD/$name.txt"; head -30 "$TMP/diff"; fi; }

# --help on every command
for c in "workflow" "workflow check" "workflow show" "workflow dot" "workflow simulate"; do
  expect_rc 0 "help $c" "$BIN" $c --help
done
expect_rc 2 "workflow without subcommand" "$BIN" workflow

# check: the shipped rules, a broken workflow, a warning-only file, a broken calendar
expect_rc 0 "workflow check shipped" "$BIN" workflow check rules/
contains "$TMP/out" "workflow formula \"核准制（公式类项目）\": 13 stages (4 terminal)" "formula summary"
contains "$TMP/out" "used by R12 R14 R40" "competitive programmes"
contains "$TMP/out" "calendar rules/calendar/cn-mainland.tsv: 2020–2026, 208 days off, 46 weekend working days" "calendar summary"
contains "$TMP/out" "0 errors, 0 warnings" "check summary"
expect_rc 4 "workflow check cycle" "$BIN" workflow check tests/golden/workflow/bad/cycle.rules
contains "$TMP/out" "cycle.rules:24:5: error[E0722]: this transition closes a cycle that passes through no return edge: county_review → formal_review → county_review" "cycle diagnostic"
expect_rc 0 "workflow check warnings" "$BIN" workflow check tests/golden/workflow/good/enum_guards.rules
contains "$TMP/out" "warning[W0724]: no transition of stage \`application\` is enabled when industry = other" "W0724"
contains "$TMP/out" "calendar: none at" "no calendar noted"
printf 'date\tkind\tname\n2024-10-01\toff\t国庆节\n2024-10-11\twork\t国庆节\n2024-10-02 off 国庆节\n' > "$TMP/cal.tsv"
expect_rc 4 "workflow check bad calendar" "$BIN" workflow check rules/ --calendar "$TMP/cal.tsv"
contains "$TMP/out" "cal.tsv:3:1: error[E0742]: 2024-10-11 is a Friday, a working day anyway" "E0742"
contains "$TMP/out" "cal.tsv:4:1: error[E0740]: calendar line must be" "E0740"
expect_rc 3 "workflow check missing calendar option" "$BIN" workflow check rules/ --calendar "$TMP/none.tsv"
expect_rc 4 "workflow check missing dir" "$BIN" workflow check "$TMP/nope"

# show and dot (golden)
golden show-formula "$BIN" workflow show rules --workflow formula
golden show-competitive "$BIN" workflow show rules --workflow competitive
golden dot-formula "$BIN" workflow dot rules --workflow formula
golden dot-competitive "$BIN" workflow dot rules --workflow competitive
expect_rc 2 "show unknown workflow" "$BIN" workflow show rules --workflow formul
contains "$TMP/err" "unknown workflow \`formul\`; the workflows are: competitive, formula" "unknown workflow message"
expect_rc 0 "dot all" "$BIN" workflow dot rules
[ "$(grep -c '^digraph' "$TMP/out")" = 2 ] && ok || bad "dot without --workflow prints every workflow"
expect_rc 2 "svg needs one workflow" "$BIN" workflow dot rules --svg "$TMP/all.svg"
expect_rc 5 "svg without graphviz" env PATH=/nonexistent "$BIN" workflow dot rules --workflow formula --svg "$TMP/f.svg"
contains "$TMP/err" "Graphviz is not installed" "no graphviz message"
if command -v dot >/dev/null; then
  expect_rc 0 "svg" "$BIN" workflow dot rules --workflow formula --svg "$TMP/f.svg"
  contains "$TMP/f.svg" "<svg" "svg written"
  contains "$TMP/f.svg" "county_review" "svg content"
fi

# simulate: the realistic paths (golden)
SIM=("$BIN" workflow simulate rules --program R01 --facts "$EX/agri-enterprise.json")
golden simulate-agri-path "${SIM[@]}" --actions "$EX/agri-path.txt"
golden simulate-correction-path "${SIM[@]}" --actions "$EX/correction-path.txt"
golden simulate-objection-path "${SIM[@]}" --actions "$EX/objection-path.txt"
golden simulate-wrong-bureau "${SIM[@]}" --actions "$EX/wrong-bureau.txt"
golden simulate-correction-json "${SIM[@]}" --actions "$EX/correction-path.txt" --format json
expect_rc 1 "fail on refusal" "${SIM[@]}" --actions "$EX/wrong-bureau.txt" --fail-on-refusal
# a big amount without a programme: the leading group decides after the joint review
printf '2024-03-01 申报单位 submit\n2024-03-04 旗县区科技局[临河区] approve\n2024-03-05 市科技局 approve\n2024-03-06 市农牧局 approve\n2024-03-06 市财政局 approve\n' > "$TMP/big.txt"
expect_rc 0 "simulate --workflow --amount" "$BIN" workflow simulate rules --workflow formula --amount 150万 --facts "$EX/agri-enterprise.json" --actions "$TMP/big.txt"
contains "$TMP/out" "no programme: eligible, decided_amount 150万元" "decision from --amount"
contains "$TMP/out" "→ leading_group 领导小组审定 · 领导小组" "routed to the leading group"
# the maximum correction period closes the case
printf '2024-09-02 申报单位 submit\n2024-09-03 旗县区科技局[临河区] return\n2024-09-20 advance\n' > "$TMP/expire.txt"
expect_rc 0 "correction expires" "${SIM[@]}" --actions "$TMP/expire.txt"
contains "$TMP/out" "timer: the 5 working days of stage \`awaiting_correction\` ended on 2024-09-10" "timer fired"
contains "$TMP/out" "→ closed 已终止 (end)" "case closed"

# simulate: usage and input errors
expect_rc 2 "simulate needs a workflow" "$BIN" workflow simulate rules --facts "$EX/agri-enterprise.json" --actions "$EX/agri-path.txt"
expect_rc 2 "simulate unknown programme" "$BIN" workflow simulate rules --program R99 --facts "$EX/agri-enterprise.json" --actions "$EX/agri-path.txt"
expect_rc 2 "simulate program and workflow disagree" "${SIM[@]}" --workflow competitive --actions "$EX/agri-path.txt"
expect_rc 2 "simulate amount with program" "${SIM[@]}" --amount 5万 --actions "$EX/agri-path.txt"
expect_rc 2 "simulate bad start" "${SIM[@]}" --start 2024-02-30 --actions "$EX/agri-path.txt"
expect_rc 3 "simulate missing facts" "$BIN" workflow simulate rules --program R01 --facts "$TMP/none.json" --actions "$EX/agri-path.txt"
printf '# comment\n2024-09-02 申报单位 submit\n2024-09-31 市科技局 approve\n2024-10-01 市科技 approve\n2024-10-02 市科技局 aprove\n2024-10-03 旗县区科技局 approve\n2024-10-04 市科技局\n' > "$TMP/bad-actions.txt"
expect_rc 3 "simulate bad actions" "${SIM[@]}" --actions "$TMP/bad-actions.txt"
contains "$TMP/err" "bad-actions.txt:3:1: error: \`2024-09-31\` is not a date (YYYY-MM-DD)" "bad date named"
contains "$TMP/err" "bad-actions.txt:4:12: error: unknown role \`市科技\`; did you mean \`市科技局\`?" "unknown role named"
contains "$TMP/err" "bad-actions.txt:5:17: error: unknown action \`aprove\`; did you mean \`approve\`?" "unknown action named"
contains "$TMP/err" "bad-actions.txt:6:12: error: \`旗县区科技局\` is a role family: write the member" "family member named"
contains "$TMP/err" "bad-actions.txt:7:12: error: expected DATE ROLE ACTION" "short line named"
sed 's/"industry": "agriculture"/"industry": "farming"/' "$EX/agri-enterprise.json" > "$TMP/bad-facts.json"
expect_rc 3 "simulate bad facts" "$BIN" workflow simulate rules --program R01 --facts "$TMP/bad-facts.json" --actions "$EX/agri-path.txt"
contains "$TMP/err" "bad-facts.json:6:3: error: bad_enum \`industry\`: \"farming\" is not a value of Industry" "bad enum field named"
grep -v '"industry"' "$EX/agri-enterprise.json" > "$TMP/no-industry.json"
expect_rc 3 "simulate facts missing a routing fact" "$BIN" workflow simulate rules --workflow formula --facts "$TMP/no-industry.json" --actions "$EX/agri-path.txt"
contains "$TMP/err" "no-industry.json:1:1: error: missing_field \`industry\`: workflow \`formula\` routes by it" "routing fact named"
mkdir -p "$TMP/nocal" && cp -r rules/*.rules rules/programs rules/workflows "$TMP/nocal/"
expect_rc 4 "simulate without calendar" "$BIN" workflow simulate "$TMP/nocal" --program R01 --facts "$EX/agri-enterprise.json" --actions "$EX/agri-path.txt"
contains "$TMP/err" "no working-day calendar" "missing calendar message"
expect_rc 0 "simulate with --calendar" "$BIN" workflow simulate "$TMP/nocal" --program R01 --facts "$EX/agri-enterprise.json" --actions "$EX/agri-path.txt" --calendar rules/calendar/cn-mainland.tsv

echo "workflow CLI tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
