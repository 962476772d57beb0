#!/usr/bin/env bash
# CLI tests of the case store commands (docs/cases.md): the lifecycle of a competitive case from
# submission to disbursement (correction, joint review, publicity, budget, award fed back),
# concurrent processes acting on one case and racing for a budget, allocation, a killed import,
# and (SQLite) tampering detected by `audit verify`. Runs on SQLite (a temporary file) and, when
# SUBSIDY_TEST_PG / SUBSIDY_TEST_MARIADB hold their URLs, on PostgreSQL in a fresh schema and on
# MariaDB in a fresh database.
#   case_cli_test.sh path/to/subsidy project-root
# CASE_TEST_IMPORT_LINES (default 30000) sizes the killed import.
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DATA=tests/cli/data
IMPORT_LINES="${CASE_TEST_IMPORT_LINES:-30000}"
S() { "$BIN" "$@" --db "$DB"; }                    # commands without --rules
R() { "$BIN" "$@" --db "$DB" --rules rules; }      # commands with --rules

lifecycle() {
  expect_rc 0 "budget set" S budget set --program R14 --year 2024 --total 300000 --actor 财政局
  expect_rc 0 "submit" R case submit --program R14 --facts $DATA/incubator-agri.json --applicant ORG1 --date 2024-05-06
  contains "$TMP/out" "case 1 created: application APP-2024-0001, programme R14, call year 2024" "submit output"
  contains "$TMP/out" "decision: refused" "refused before correction"
  expect_rc 0 "submit again is idempotent" R case submit --program R14 --facts $DATA/incubator-agri.json --applicant ORG1 --date 2024-05-06
  contains "$TMP/out" "case 1 already exists" "idempotent note"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["id"]; json.dump(d, open(sys.argv[2], "w"))' $DATA/incubator-agri.json "$TMP/noid.json"
  expect_rc 3 "facts without id" R case submit --program R14 --facts "$TMP/noid.json" --date 2024-05-06
  contains "$TMP/err" "missing_field \`id\`" "missing id named"
  expect_rc 3 "facts with a wrong type" R case submit --program R14 --facts <(sed 's/"rd_expense": 0/"rd_expense": "x"/' $DATA/incubator-agri.json) --date 2024-05-06
  contains "$TMP/err" "rd_expense" "bad field named"
  expect_rc 0 "applicant submits" R case act 1 submit --as 申报单位 --actor 张三 --date 2024-05-06
  expect_rc 8 "wrong county" R case act 1 approve --as 旗县区科技局[五原县] --actor X --date 2024-05-07
  contains "$TMP/err" "refused [wrong_role]" "wrong role message"
  expect_rc 0 "county approves" R case act 1 approve --as 旗县区科技局[临河区] --actor 王芳 --note 材料齐全 --date 2024-05-07
  contains "$TMP/out" "formal_review" "at formal review"
  expect_rc 8 "approve while not eligible" R case act 1 approve --as 市科技局 --actor 李四 --date 2024-05-08
  contains "$TMP/err" "guard_false" "guard refusal"
  expect_rc 0 "return for correction" R case act 1 return --as 市科技局 --actor 李四 --note 评价结果待核实 --date 2024-05-08
  contains "$TMP/out" "timer: 补正材料 ends on 2024-05-14, then → closed (逾期未补正)" "act shows the correction period"
  expect_rc 0 "show the correction period" R case show 1 --date 2024-05-09
  contains "$TMP/out" "timer: 补正材料 ends on 2024-05-14, then → closed (逾期未补正)" "show: the correction period and what follows"
  expect_rc 0 "correct" R case correct 1 --facts $DATA/incubator-agri-corrected.json --actor 李四 --date 2024-05-09
  contains "$TMP/out" "facts version 2" "facts version 2"
  contains "$TMP/out" "→ eligible" "eligible after correction"
  expect_rc 0 "resubmit" R case act 1 resubmit --as 申报单位 --actor 张三 --date 2024-05-09
  contains "$TMP/out" "formal_review" "back at formal review"
  expect_rc 0 "formal approve" R case act 1 approve --as 市科技局 --actor 李四 --date 2024-05-10
  expect_rc 0 "budget show" S budget show --program R14 --year 2024
  contains "$TMP/out" "reserved             0.00" "nothing reserved before the city's decision"
  expect_rc 0 "expert review" R case act 1 approve --as 专家组 --actor 专家 --date 2024-05-13
  expect_rc 0 "site visit" R case act 1 approve --as 市科技局 --actor 李四 --date 2024-05-14
  contains "$TMP/out" "responsible 市农牧局, 市财政局" "selected reviewers"
  expect_rc 8 "a bureau that was not selected" R case act 1 approve --as 市林草局 --actor X --date 2024-05-15
  expect_rc 8 "coordinator cannot decide the joint review" R case act 1 approve --as 市科技局 --actor 李四 --date 2024-05-15
  expect_rc 0 "vote 1" R case act 1 approve --as 市农牧局 --actor 赵六 --date 2024-05-15
  expect_rc 8 "vote twice" R case act 1 approve --as 市农牧局 --actor 赵六 --date 2024-05-15
  expect_rc 0 "vote 2" R case act 1 approve --as 市财政局 --actor 钱七 --date 2024-05-15
  contains "$TMP/out" "collective_decision" "joint review decided"
  expect_rc 0 "collective decision reserves" R case act 1 approve --as 市科技局 --actor 李四 --date 2024-05-16
  contains "$TMP/out" "publicity" "publicity"
  contains "$TMP/out" "reserved" "reservation note"
  expect_rc 0 "budget show" S budget show --program R14 --year 2024
  contains "$TMP/out" "reserved        200000.00" "200000 reserved by the reserving stage (collective_decision)"
  expect_rc 0 "inbox by role" S case list --role 市科技局 --format json --date 2024-05-20
  contains "$TMP/out" '"stages":["publicity"]' "inbox json"
  contains "$TMP/out" '"timer":{"stage":"publicity","ends":"2024-05-23","then":"fund_plan"}' "inbox json: the running timer"
  expect_rc 0 "inbox table" S case list --role 市科技局 --date 2024-05-20
  contains "$TMP/out" "publicity 公示" "stage with its Chinese label"
  contains "$TMP/out" "2024-05-23 → fund_plan" "timer column"
  expect_rc 0 "show the notice period" R case show 1 --date 2024-05-20
  contains "$TMP/out" "timer: 公示 ends on 2024-05-23, then → fund_plan (公示期满无异议)" "show: 公示 ends on D, then → the next stage"
  expect_rc 0 "fund plan after the notice period" R case act 1 approve --as 市财政局 --actor 钱七 --date 2024-05-27
  contains "$TMP/out" "disbursement" "at disbursement"
  expect_rc 0 "disburse" R case act 1 disburse --as 市财政局 --actor 钱七 --date 2024-05-28
  contains "$TMP/out" "award recorded: ORG1 R14/2024" "award recorded"
  expect_rc 8 "closed case" R case act 1 approve --as 市财政局 --actor 钱七 --date 2024-05-29
  expect_rc 0 "budget consumed" S budget show --program R14
  contains "$TMP/out" "reserved             0.00  consumed        200000.00" "consumed"
  # a disbursed case cannot be corrected: refused, nothing changes (issue 8: it released another case's money)
  expect_rc 8 "correct a disbursed case" R case correct 1 --facts $DATA/incubator-agri.json --actor 李四 --date 2024-05-29
  contains "$TMP/err" "refused [not_correctable]" "correction refusal names why"
  contains "$TMP/err" "awaiting_correction" "correction refusal names where corrections are possible"
  expect_rc 0 "budget unchanged by the refused correction" S budget show --program R14
  contains "$TMP/out" "reserved             0.00  consumed        200000.00" "still consumed, nothing released"
  equals "$(sql "SELECT decision_outcome || ' ' || facts_version || ' ' || consumed_fen FROM cases WHERE id = 1")" "eligible 2 20000000" "decision and facts kept"
  expect_rc 0 "history" S case history 1
  for step in "submit +\(new\) → application" "approve +county_review → formal_review" "return +formal_review → awaiting_correction" \
              "correct" "resubmit +awaiting_correction → formal_review" "approve +joint_review → joint_review" \
              "approve +joint_review → collective_decision" "timer +publicity → fund_plan" "disburse +disbursement → disbursed" \
              "评价结果待核实"; do
    matches "$TMP/out" "$step" "history step"
  done
  # the workflow date of each step beside the write time: the county approved on 2024-05-07, the
  # notice period's timer fired dated its last day, 2024-05-23
  matches "$TMP/out" "^ *3  2024-05-07  [0-9-]+T[0-9:]+Z  王芳 +旗县区科技局\[临河区\]  approve  " "county approval dated 2024-05-07"
  matches "$TMP/out" "  2024-05-23  [0-9-]+T[0-9:]+Z  system +system +timer +publicity → fund_plan" "timer dated the day after the notice period"
  equals "$(wc -l <"$TMP/out")" 16 "a header and 15 events"
  expect_rc 0 "history json" S case history 1 --format json
  contains "$TMP/out" '"budget":["consumed' "budget change in payload"
  contains "$TMP/out" '"seq":3,"date":"2024-05-07","at":"' "history json: the workflow date of a step"
  expect_rc 0 "show" R case show 1 --date 2024-06-01
  contains "$TMP/out" "stage: disbursed" "show stage"
  # awards feedback: the same applicant applies again in 2024 → refused (recently funded)
  facts_with_id APP-2024-0002 "$TMP/second.json"
  expect_rc 0 "second submission" R case submit --program R14 --facts "$TMP/second.json" --applicant ORG1 --date 2024-06-03
  contains "$TMP/out" "decision: refused" "award fed back"
  expect_rc 0 "explain" R case show 2 --explain --lang en --date 2024-06-03
  contains "$TMP/out" "recently_funded" "explained by recently_funded"
  expect_rc 0 "audit clean" S audit verify
}

# The inbox after the lifecycle (case 1 disbursed and closed, case 2 open at application): open cases
# by default, names checked against the rules with "did you mean", table / CSV / JSON output, and
# errors and refusals as JSON objects on stdout with --format json.
inbox() {
  expect_rc 0 "open cases only" S case list --date 2024-06-03
  grep -q "APP-2024-0001" "$TMP/out" && bad "a closed case is not in the inbox" || ok
  contains "$TMP/out" "APP-2024-0002" "the open case listed"
  contains "$TMP/out" "1 open case (" "counted as open"
  expect_rc 0 "--all" S case list --all --date 2024-06-03
  contains "$TMP/out" "APP-2024-0001" "--all lists the closed case"
  contains "$TMP/out" "disbursed 已拨付" "closed stage with its label"
  expect_rc 0 "by applicant" S case list --all --applicant ORG1 --format json
  equals "$(wc -l <"$TMP/out")" 2 "both cases of ORG1"
  expect_rc 0 "by another applicant" S case list --all --applicant 91150800MA0000000X
  contains "$TMP/out" "0 cases" "no case of another applicant"
  # columns line up by display width (Chinese 2 columns): every column starts at its header's column
  expect_rc 0 "table" S case list --all --date 2024-06-03
  python3 - "$TMP/out" <<'EOF' && ok || bad "table columns align by display width"
import re, sys, unicodedata
def w(s): return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[:-1]
# the last column (amount) is right-aligned: every line is as wide as the header
assert len({w(l) for l in lines}) == 1, [w(l) for l in lines]
# a cell after a gap of two or more spaces starts at a header's column (or is the amount)
heads = {w(lines[0][:m.start()]) for m in re.finditer(r"(?:^|(?<=  ))\S", lines[0])}
for l in lines[1:]:
    starts = {w(l[:m.start()]) for m in re.finditer(r"(?<=  )\S", l)}
    assert starts <= heads | {w(l) - len(l.split()[-1])}, (l, sorted(starts), sorted(heads))
EOF
  # names the rules do not have: exit 2 with a suggestion, not "0 cases"
  expect_rc 2 "unknown stage" S case list --stage publicty
  contains "$TMP/err" "unknown stage \`publicty\`; did you mean \`publicity\`?" "stage suggestion"
  expect_rc 2 "unknown role" S case list --role 市科技
  contains "$TMP/err" "did you mean \`市科技局\`?" "role suggestion"
  expect_rc 2 "role family without a member" S case list --role 旗县区科技局
  contains "$TMP/err" "is a role family" "family named"
  expect_rc 0 "a family member" S case list --role 旗县区科技局[临河区]
  expect_rc 2 "unknown programme" S case list --program R14x
  contains "$TMP/err" "did you mean \`R14\`?" "programme suggestion"
  expect_rc 2 "unknown stage as JSON" S case list --stage publicty --format json
  contains "$TMP/out" '{"error":{"kind":"usage","code":"unknown_stage","message":"unknown stage `publicty`; did you mean `publicity`?","details":{"stage":"publicty"}}}' "usage error object"
  # CSV export: RFC 4180, a header, one record per case
  expect_rc 0 "csv" S case list --all --format csv --date 2024-06-03
  python3 - "$TMP/out" <<'EOF' && ok || bad "csv export"
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == 3, raw
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert [r["application_id"] for r in rows] == ["APP-2024-0001", "APP-2024-0002"], rows
assert rows[0]["closed"] == "true" and rows[0]["stage"] == "disbursed" and rows[0]["amount_fen"] == "20000000" and rows[0]["amount"] == "200000.00", rows[0]
assert rows[1]["closed"] == "false" and rows[1]["stage_label"] == "项目申报" and rows[1]["applicant"] == "ORG1", rows[1]
EOF
  # errors and refusals of case commands as one JSON object on stdout (the text stays on stderr)
  expect_rc 8 "refusal as JSON" R case act 1 approve --as 市财政局 --actor 钱七 --date 2024-06-04 --format json
  contains "$TMP/out" '{"error":{"kind":"refused","code":"case_closed","message":"refused [case_closed]: ' "refusal object"
  equals "$(wc -l <"$TMP/out")" 1 "only the object on stdout"
  contains "$TMP/err" "refused [case_closed]" "the text on stderr"
  expect_rc 3 "no such case as JSON" S case history 999999 --format json
  contains "$TMP/out" '{"error":{"kind":"not_found","code":"not_found","message":"' "not found object"
  expect_rc 2 "unknown programme on submit as JSON" R case submit --program NOPE --facts $DATA/incubator-agri.json --format json
  contains "$TMP/out" '"code":"unknown_programme"' "usage object"
  contains "$TMP/out" '"details":{"programme":"NOPE"}' "usage details"
  expect_rc 3 "unreadable facts as JSON" R case submit --program R14 --facts "$TMP/none.json" --format json
  contains "$TMP/out" '{"error":{"kind":"input","code":"unreadable_file","message":"cannot read the facts file' "input object"
  expect_rc 3 "bad facts as JSON" R case correct 2 --facts <(echo '{"id":"APP-2024-0002","rd_expense":"x"}') --actor 李四 --format json
  contains "$TMP/out" '{"error":{"kind":"input","code":"' "decode error object"
  expect_rc 4 "rules errors as JSON" "$BIN" case list --rules tests/golden/check/bad --db "$DB" --format json
  contains "$TMP/out" '{"error":{"kind":"rules","code":"rules_invalid","message":"the rules have errors: ' "rules error object"
  expect_rc 7 "database unreachable as JSON" "$BIN" case list --db "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2" --format json
  contains "$TMP/out" '{"error":{"kind":"database","code":"unavailable","message":"' "database error object"
  # … and of the budget, awards and audit commands
  expect_rc 3 "history of no budget as JSON" S budget history --program R14 --year 2031 --format json
  contains "$TMP/out" '{"error":{"kind":"not_found","code":"' "budget not found object"
  expect_rc 7 "budget show, database unreachable, as JSON" "$BIN" budget show --db "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2" --format json
  contains "$TMP/out" '{"error":{"kind":"database","code":"unavailable"' "budget show error object"
  expect_rc 7 "awards list, database unreachable, as JSON" "$BIN" awards list --db "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2" --format json
  contains "$TMP/out" '{"error":{"kind":"database","code":"unavailable"' "awards list error object"
  expect_rc 7 "audit verify, database unreachable, as JSON" "$BIN" audit verify --db "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2" --format json
  contains "$TMP/out" '{"error":{"kind":"database","code":"unavailable"' "audit error object"
}

concurrency() {
  # N processes act on one case at once: exactly one wins.
  facts_with_id APP-C-1 "$TMP/c1.json"
  expect_rc 0 "submit C1" R case submit --program R14 --facts "$TMP/c1.json" --date 2025-03-03 --format json
  local id; id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TMP/out")
  expect_rc 0 "C1 submitted" R case act "$id" submit --as 申报单位 --actor A --date 2025-03-03
  local pids=() i
  for i in 1 2 3 4 5 6; do
    R case act "$id" approve --as 旗县区科技局[临河区] --actor "P$i" --date 2025-03-04 >"$TMP/p$i.out" 2>"$TMP/p$i.err" & pids+=($!)
  done
  local wins=0 others=0 odd=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"; case $? in 0) wins=$((wins+1));; 6|8) others=$((others+1));; *) odd=$((odd+1)); cat "$TMP/p$((i+1)).err";; esac
  done
  equals "$wins/$others/$odd" "1/5/0" "one of six concurrent approvals wins"
  equals "$(sql "SELECT count(*) FROM events WHERE case_id = $id")" 3 "three events on the contested case"
  equals "$(sql "SELECT version FROM cases WHERE id = $id")" 3 "version 3"
  expect_rc 0 "audit after the race" S audit verify --case "$id"

  # Budget race: five approvals against a budget that fits two.
  expect_rc 0 "budget 2025" S budget set --program R14 --year 2025 --total 400000 --actor 财政局
  local ids=()
  for i in 1 2 3 4 5; do
    facts_with_id "APP-B-$i" "$TMP/b$i.json"
    R case submit --program R14 --facts "$TMP/b$i.json" --date 2025-03-03 --format json >"$TMP/b.out" 2>&1
    ids+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TMP/b.out")")
    R case act "${ids[-1]}" submit --as 申报单位 --actor A --date 2025-03-03 >/dev/null 2>&1
  done
  # each case through the reviews to the collective decision, the stage whose approval reserves
  for i in "${!ids[@]}"; do
    local step
    for step in "旗县区科技局[临河区] 2025-03-04" "市科技局 2025-03-05" "专家组 2025-03-06" "市科技局 2025-03-07" \
                "市农牧局 2025-03-07" "市财政局 2025-03-07"; do
      R case act "${ids[$i]}" approve --as ${step% *} --actor R --date ${step#* } >/dev/null 2>&1 || bad "review step $step of case ${ids[$i]}"
    done
  done
  equals "$(sql "SELECT reserved_fen FROM budgets WHERE programme = 'R14' AND year = 2025")" 0 "the reviews before the city's decision reserve nothing"
  pids=()
  for i in "${!ids[@]}"; do
    R case act "${ids[$i]}" approve --as 市科技局 --actor "Q$i" --date 2025-03-10 >"$TMP/q$i.out" 2>"$TMP/q$i.err" & pids+=($!)
  done
  wins=0; others=0; odd=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"; case $? in 0) wins=$((wins+1));; 8) others=$((others+1));; *) odd=$((odd+1)); cat "$TMP/q$i.err";; esac
  done
  equals "$wins/$others/$odd" "2/3/0" "two of five approvals fit the budget"
  equals "$(sql "SELECT reserved_fen FROM budgets WHERE programme = 'R14' AND year = 2025")" 40000000 "reserved == total, never more"
  grep -h "only" "$TMP"/q*.err | head -1 > "$TMP/refusal"
  contains "$TMP/refusal" "available" "budget refusal names the available amount"

  # Allocation among the open eligible cases of 2025 (C1 + B1..B5 = 6 × 200000 against 400000).
  expect_rc 0 "allocate pro-rata" R budget allocate --program R14 --year 2025 --method pro-rata --actor 财务
  contains "$TMP/out" "66666.00" "pro-rata share floored to yuan"
  equals "$(sql "SELECT reserved_fen FROM budgets WHERE programme = 'R14' AND year = 2025")" 39999600 "pro-rata reserved"
  expect_rc 0 "allocate ranked" R budget allocate --program R14 --year 2025 --method ranked --actor 财务
  equals "$(sql "SELECT count(*) FROM cases WHERE call_year = 2025 AND reserved_fen = 20000000")" 2 "ranked funds two whole amounts"
  equals "$(sql "SELECT SUM(reserved_fen) FROM cases WHERE programme = 'R14' AND call_year = 2025")" 40000000 "the cases hold exactly the budget's reservations"
  equals "$(sql "SELECT reserved_fen FROM budgets WHERE programme = 'R14' AND year = 2025")" 40000000 "ranked reserved"
  equals "$(sql "SELECT count(*) FROM events WHERE action = 'allocate'")" 12 "an allocate event per case and run"
  expect_rc 0 "audit after allocation" S audit verify
}

# The budgets' ledger (budget history), awards list, the JSON outputs of budget show and audit
# verify, and a budget total changed in SQL (after lifecycle and concurrency).
ledger() {
  expect_rc 2 "budget set needs an actor" S budget set --program R14 --year 2026 --total 1000
  equals "$(sql "SELECT count(*) FROM budgets WHERE year = 2026")" 0 "no budget without an actor"
  expect_rc 2 "budget set with a blank actor" S budget set --program R14 --year 2026 --total 1000 --actor " "
  expect_rc 0 "budget raised" S budget set --program R14 --year 2024 --total 350000 --actor 财政局李 --note 追加预算
  expect_rc 0 "budget history" S budget history --program R14 --year 2024
  equals "$(wc -l <"$TMP/out")" 2 "two changes of the 2024 total"
  contains "$TMP/out" "  1  " "first event"
  contains "$TMP/out" "set       total        300000.00  by 财政局  #" "the first total and who set it"
  contains "$TMP/out" "set       total        350000.00  by 财政局李  note: 追加预算  #" "the raise, its actor and note"
  expect_rc 0 "budget history with allocations" S budget history --program R14 --year 2025
  contains "$TMP/out" "allocate  total        400000.00  by 财务" "allocation by its actor"
  contains "$TMP/out" "pro-rata: demand 1200000.00, available 400000.00, 6 case(s)" "what the pro-rata allocation shared"
  contains "$TMP/out" "ranked: demand 1200000.00, available 400000.00, 6 case(s)" "what the ranked allocation shared"
  expect_rc 0 "budget history json" S budget history --program R14 --year 2025 --format json
  equals "$(wc -l <"$TMP/out")" 3 "one JSON line per ledger event"
  contains "$TMP/out" '"action":"allocate","total_fen":40000000,"total":"400000.00","note":"","payload":{"method":"pro-rata","demand_fen":120000000,"available_fen":40000000,"cases":[{"case":' "allocation payload as JSON"
  expect_rc 3 "history of no budget" S budget history --program R14 --year 2030
  contains "$TMP/err" "no budget R14/2030" "unknown budget named"
  expect_rc 0 "budget show json" S budget show --program R14 --year 2025 --format json
  contains "$TMP/out" '{"programme":"R14","year":2025,"total_fen":40000000,"reserved_fen":40000000,"consumed_fen":0,"available_fen":0,' "budget as JSON"
  expect_rc 0 "awards list" S awards list
  contains "$TMP/out" "ORG1" "the award of case 1"
  contains "$TMP/out" "200000.00" "its amount"
  expect_rc 0 "awards list csv" S awards list --program R14 --year 2024 --format csv
  equals "$(head -1 "$TMP/out" | tr -d '\r')" "id,applicant,programme,year,amount,achievement,case,disbursed_at" "csv header"
  equals "$(sed -n 2p "$TMP/out" | cut -d, -f2-5)" "ORG1,R14,2024,200000.00" "csv row"
  expect_rc 0 "awards list json" S awards list --applicant ORG1 --format json
  contains "$TMP/out" '"applicant":"ORG1","programme":"R14","year":2024,"amount_fen":20000000,"amount":"200000.00","achievement":null,"case_id":1,' "award as JSON"
  expect_rc 0 "awards of nobody" S awards list --applicant NOBODY
  contains "$TMP/out" "no awards" "none"
  expect_rc 2 "awards of an impossible year" S awards list --year 1999
  expect_rc 0 "audit json" S audit verify --format json
  contains "$TMP/out" '"clean":true' "clean as JSON"
  contains "$TMP/out" '"budgets":2,"budget_events":5,"replayed":8,"legacy":0,"awards":1,"findings":[]' "budgets counted, every case replayed"
  expect_rc 0 "audit text counts budgets" S audit verify
  contains "$TMP/out" "2 budgets, 5 budget events; 8 cases replayed, 1 award checked: every chain verifies and every case matches its history" "budget counts in text"
  sql "UPDATE budgets SET total_fen = total_fen + 100 WHERE programme = 'R14' AND year = 2024" >/dev/null
  expect_rc 1 "a total changed in SQL" S audit verify
  contains "$TMP/out" "budget R14/2024 seq 2: budget_mismatch: the total of R14/2024 is 350001.00 yuan but its last \`set\` event (seq 2) set 350000.00 yuan" "mismatch named"
  expect_rc 1 "a total changed in SQL, json" S audit verify --format json
  contains "$TMP/out" '"clean":false' "not clean"
  contains "$TMP/out" '{"budget":"R14/2024","seq":2,"kind":"budget_mismatch",' "mismatch as JSON"
  sql "UPDATE budgets SET total_fen = total_fen - 100 WHERE programme = 'R14' AND year = 2024" >/dev/null
  expect_rc 0 "clean again" S audit verify
}

crash_import() {
  python3 - "$DATA/incubator-agri-corrected.json" "$TMP/big.jsonl" "$IMPORT_LINES" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "IMP-%06d" % i
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
EOF
  # the binary itself in the background (not a shell function's subshell), so SIGKILL hits it
  "$BIN" case import "$TMP/big.jsonl" --program R14 --batch 500 --date 2025-04-01 --no-progress --db "$DB" --rules rules >"$TMP/imp.out" 2>&1 &
  local pid=$! n=0 k
  for k in $(seq 1 600); do
    n=$(sql "SELECT count(*) FROM cases WHERE application_id LIKE 'IMP-%'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 1000 ] && break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  n=$(sql "SELECT count(*) FROM cases WHERE application_id LIKE 'IMP-%'")
  if [ "$n" -lt "$IMPORT_LINES" ]; then ok; else bad "the import finished before it was killed ($n cases); raise CASE_TEST_IMPORT_LINES"; fi
  equals "$((n % 500))" 0 "only whole batches committed ($n cases)"
  equals "$(sql "SELECT count(*) FROM cases c WHERE application_id LIKE 'IMP-%' AND NOT EXISTS (SELECT 1 FROM facts_versions f WHERE f.case_id = c.id)")" 0 "every case has its facts"
  equals "$(sql "SELECT count(*) FROM cases c WHERE application_id LIKE 'IMP-%' AND (SELECT count(*) FROM events e WHERE e.case_id = c.id) <> 1")" 0 "every case has its first event"
  expect_rc 0 "re-run completes the import" R case import "$TMP/big.jsonl" --program R14 --batch 500 --date 2025-04-01 --no-progress
  contains "$TMP/out" "$((IMPORT_LINES - n)) created, $n skipped" "re-run counts"
  equals "$(sql "SELECT count(DISTINCT application_id) FROM cases WHERE application_id LIKE 'IMP-%'")" "$IMPORT_LINES" "every line imported once"
  printf '%s\n' '{"id":"IMP-X1","org_type":"nonsense"}' >"$TMP/bad.jsonl"
  head -3 "$TMP/big.jsonl" >>"$TMP/bad.jsonl"
  expect_rc 3 "bad line in an import" R case import "$TMP/bad.jsonl" --program R14 --date 2025-04-01 --no-progress
  contains "$TMP/err" "bad.jsonl:1:" "line number of the bad line"
  contains "$TMP/out" "0 created, 3 skipped" "existing ids skipped"
}

tamper() {  # SQLite only: edit a note, delete an event, swap two seqs of case 1
  sqlite3 "$DBFILE" "UPDATE events SET note = '改过' WHERE case_id = 1 AND seq = 4;
                     DELETE FROM events WHERE case_id = 1 AND seq = 8;
                     UPDATE events SET seq = 1000 WHERE case_id = 1 AND seq = 10;
                     UPDATE events SET seq = 10 WHERE case_id = 1 AND seq = 12;
                     UPDATE events SET seq = 12 WHERE case_id = 1 AND seq = 1000;"
  expect_rc 1 "audit finds tampering" S audit verify
  contains "$TMP/out" "case 1 seq 4: altered" "edited note"
  contains "$TMP/out" "case 1 seq 8: deleted" "deleted event"
  contains "$TMP/out" "case 1 seq 10: reordered" "swapped seq 10"
  contains "$TMP/out" "case 1 seq 12: reordered" "swapped seq 12"
  # a forged row far beyond case 3's chain: one finding for the whole gap, not one per missing seq
  n3=$(sqlite3 "$DBFILE" "SELECT event_count FROM cases WHERE id = 3")
  sqlite3 "$DBFILE" "INSERT INTO events (case_id, seq, actor, role, action, from_stage, to_stage, note, occurred_at, payload_json, prev_hash, hash)
                     SELECT case_id, 10000000, actor, role, action, from_stage, to_stage, '伪造', occurred_at, payload_json, prev_hash, hash
                     FROM events WHERE case_id = 3 AND seq = 1;"
  # the chains' findings (--no-replay; the replay also names the forged event as a second submission)
  expect_rc 1 "audit finds the forged far seq" S audit verify --case 3 --no-replay
  equals "$(grep -c '^case 3 seq' "$TMP/out")" 2 "the seq flood gives the gap and the forged event"
  contains "$TMP/out" "case 3 seq $((n3 + 1)): deleted: events seq $((n3 + 1)) to 9999999 are missing (deleted): seq jumps from $n3 to 10000000" "the gap as one range"
  contains "$TMP/out" "case 3 seq 10000000: altered" "the forged event"
  expect_rc 0 "other cases are clean" S audit verify --case 2
}

misc() {
  for c in "case" "case submit" "case show" "case list" "case act" "case correct" "case history" "case import" \
           "budget" "budget set" "budget show" "budget history" "budget allocate" "awards" "awards list" "db" "db migrate" "db status" "audit" "audit verify"; do
    expect_rc 0 "help $c" "$BIN" $c --help
  done
  expect_rc 0 "db status" S db status
  contains "$TMP/out" "up to date" "schema up to date"
  expect_rc 3 "no such case" S case history 999999
  expect_rc 2 "unknown programme" R case submit --program NOPE --facts $DATA/incubator-agri.json
  expect_rc 7 "database unreachable" "$BIN" case list --db "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2"
  # an actor must be named; budgets only for programmes of the ruleset and possible years; nothing stored otherwise
  local before; before=$(sql "SELECT count(*) FROM events")
  # a smaller amount: in yuan, and only with a reason (usage errors; nothing stored)
  expect_rc 2 "amount not in yuan" R case act 2 approve --as 市科技局 --actor 李四 --amount 十万 --reason 核减 --date 2030-01-01
  contains "$TMP/err" "is not an amount in yuan" "bad amount named"
  expect_rc 2 "reason without amount" R case act 2 approve --as 市科技局 --actor 李四 --reason 核减 --date 2030-01-01
  contains "$TMP/err" "--reason goes with --amount" "reason without amount named"
  expect_rc 2 "empty actor" R case act 2 withdraw --as 申报单位 --actor "" --date 2030-01-01
  contains "$TMP/err" "actor must name the person acting (it is empty)" "empty actor named"
  expect_rc 2 "blank actor" R case act 2 withdraw --as 申报单位 --actor "  " --date 2030-01-01
  contains "$TMP/err" "(it is blank)" "blank actor named"
  expect_rc 2 "blank actor on correct" R case correct 2 --facts "$TMP/second.json" --actor " " --date 2030-01-01
  expect_rc 2 "empty actor on submit" R case submit --program R14 --facts $DATA/incubator-agri.json --actor "" --date 2030-01-01
  expect_rc 2 "blank actor on allocate" R budget allocate --program R14 --year 2025 --method ranked --actor "	"
  equals "$(sql "SELECT count(*) FROM events")" "$before" "no event without an actor"
  expect_rc 2 "budget for an unknown programme" S budget set --program NOPE --year 2025 --total 1000 --actor 财政局
  contains "$TMP/err" "unknown programme \`NOPE\`" "unknown programme named"
  local y
  for y in 0 -1 1999 2101 99999; do
    expect_rc 2 "impossible year $y" S budget set --program R14 --year "$y" --total 1000 --actor 财政局
    contains "$TMP/err" "is not a call year (2000–2100)" "year $y refused"
  done
  for y in abc 2025.5 ""; do
    expect_rc 2 "year not a number [$y]" S budget set --program R14 --year "$y" --total 1000 --actor 财政局
  done
  equals "$(sql "SELECT count(*) FROM budgets WHERE programme NOT IN ('R14') OR year NOT IN (2024, 2025)")" 0 "no such budget stored"
  expect_rc 0 "overdue list" S case list --overdue --date 2030-01-01
  contains "$TMP/out" "!" "overdue marked"
}

run_suite() {
  BACKEND="$1"; LABEL="$1"
  echo "== $LABEL"
  if [ "$BACKEND" = pg ]; then S db migrate >/dev/null || bad "db migrate"; fi
  lifecycle
  inbox
  concurrency
  ledger
  crash_import
  misc
  if [ "$BACKEND" = sqlite ]; then tamper; fi
}

BACKEND=sqlite; DBFILE="$TMP/cases.db"; DB="$DBFILE"
run_suite sqlite

if [ -n "${SUBSIDY_TEST_PG:-}" ]; then
  PG_SCHEMA="cli_$$_$RANDOM"
  if psql "$SUBSIDY_TEST_PG" -qAtc "CREATE SCHEMA $PG_SCHEMA" >/dev/null; then
    sep='?'; case "$SUBSIDY_TEST_PG" in *\?*) sep='&';; esac
    DB="${SUBSIDY_TEST_PG}${sep}options=-c%20search_path%3D${PG_SCHEMA}"
    run_suite pg
  else
    bad "cannot create schema $PG_SCHEMA on PostgreSQL"
  fi
else
  echo "PostgreSQL part skipped: SUBSIDY_TEST_PG is not set"
fi
on_mariadb cases run_suite mariadb

# Routing facts are required where routing happens (docs/integration.md §2): R14's workflow routes by
# `industry`, so submitting, importing or correcting an application without it is refused (exit 3),
# naming the field; `evaluate` does not route and accepts it. Own database, independent of the suites.
routing_facts() {
  LABEL=routing
  local RDB="$TMP/routing.db"
  python3 - "$DATA/incubator-agri.json" "$TMP/no-industry.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); del d["industry"]
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
EOF
  local msg="missing_field \`industry\`: workflow \`competitive\` routes by it"
  expect_rc 3 "submit without industry" "$BIN" case submit --program R14 --facts "$TMP/no-industry.json" --applicant ORG9 --actor 王五 --date 2024-05-06 --db "$RDB" --rules rules
  contains "$TMP/err" "$msg" "submit names the routing fact"
  expect_rc 3 "import without industry" "$BIN" case import "$TMP/no-industry.json" --program R14 --date 2024-05-06 --no-progress --db "$RDB" --rules rules
  contains "$TMP/err" "no-industry.json:1: facts: $msg" "import names the line and the routing fact"
  expect_rc 0 "submit with industry" "$BIN" case submit --program R14 --facts "$DATA/incubator-agri.json" --applicant ORG9 --actor 王五 --date 2024-05-06 --db "$RDB" --rules rules
  local id; id=$(sed -nE 's/^case ([0-9]+) created.*/\1/p' "$TMP/out")
  expect_rc 3 "correct without industry" "$BIN" case correct "$id" --facts "$TMP/no-industry.json" --actor 王五 --date 2024-05-07 --db "$RDB" --rules rules
  contains "$TMP/err" "$msg" "correct names the routing fact"
  expect_rc 0 "evaluate does not route" "$BIN" evaluate --rules rules --as-of 2024-05-06 --program R14 "$TMP/no-industry.json"
}
routing_facts

echo "case_cli_test: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
