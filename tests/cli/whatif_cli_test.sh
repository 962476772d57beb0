#!/usr/bin/env bash
# `subsidy rules diff` and `subsidy rules whatif` (docs/whatif.md): the structural diff of each kind of
# change with its locations on both sides and the input-contract warning; a what-if over a population
# whose every number is checked against two separate `subsidy evaluate` runs of the same file (per
# programme eligible counts and totals, the total, the set of changed ids and each changed amount);
# the why of a parameter change, a requirement change and a cap; budget over-commit with --db;
# --by, csv, --all, the cases of a database; the HTML report's structure.
# Usage: whatif_cli_test.sh BIN ROOT
BIN="$1"; ROOT="$2"
. "$ROOT/tests/cli/lib.sh"
LABEL=whatif
AS_OF=2024-06-28

# The draft: a copy of rules/ with a rate and a cap of R10 changed, R11's cap lowered (a cap that
# now binds while the formula is the same), and R01's requirement has_rd_expense tightened.
cp -r "$ROOT/rules" "$TMP/draft"
sed -i 's/from 2021-11-17 = 10% source/from 2021-11-17 = 12% source/' "$TMP/draft/programs/r10_tech_buyer.rules"
sed -i 's/from 2021-11-17 = 100万 source "示意值：policy.md R-10/from 2021-11-17 = 9万 source "示意值：policy.md R-10/' "$TMP/draft/programs/r10_tech_buyer.rules"
sed -i 's/from 2021-11-17 = 100万 source "示意值：参照 C-01b/from 2021-11-17 = 1万 source "示意值：参照 C-01b/' "$TMP/draft/programs/r11_tech_seller.rules"
sed -i 's/require has_rd_expense: rd_expense > 0元/require has_rd_expense: rd_expense > 150万/' "$TMP/draft/programs/r01_rd_post.rules"

# ---------------------------------------------------------------- rules diff
expect_rc 0 "rules diff" "$BIN" rules diff "$ROOT/rules" "$TMP/draft"
contains "$TMP/out" "changed parameter value tech_buyer_rate from 2021-11-17 (value)" "diff: the rate"
contains "$TMP/out" "- 10% [illustrative" "diff: the old rate"
contains "$TMP/out" "+ 12% [illustrative" "diff: the new rate"
matches "$TMP/out" "at .*programs/r10_tech_buyer.rules:14:" "diff: the rate's location"
contains "$TMP/out" "changed parameter value tech_seller_cap from 2021-11-17 (value)" "diff: the cap"
contains "$TMP/out" "changed requirement R01.has_rd_expense (condition)" "diff: the requirement"
contains "$TMP/out" "+ rd_expense > 150万" "diff: the new condition"
matches "$TMP/out" "at .*programs/r01_rd_post.rules:[0-9]+:" "diff: the requirement's location"
contains "$TMP/out" "4 changes, 0 input-contract changes" "diff: the count"
expect_rc 0 "rules diff of a ruleset with itself" "$BIN" rules diff "$ROOT/rules" "$ROOT/rules"
contains "$TMP/out" "0 changes, 0 input-contract changes" "diff: nothing"

# Every other kind: a programme, a table row, an exception, a group, a workflow stage, and a fact that
# becomes required (the input contract: a warning on stderr).
cp -r "$TMP/draft" "$TMP/draft2"
cat >> "$TMP/draft2/facts.rules" <<'EOF'
fact employee_count: int "职工人数" "employees";
EOF
cat > "$TMP/draft2/programs/z99_new.rules" <<'EOF'
program Z99 "新项目" "New programme" {
  bureau "市科技局";
  citation "测试";
  source "test" illustrative;
  effective from 2024-01-01;
  workflow formula;
  require big: employee_count >= 10 else "职工不足10人" "fewer than 10 employees" clause "测试";
  amount 1万;
}
EOF
sed -i 's/  B        => 300万;/  B        => 250万;/' "$TMP/draft2/programs/r40_talent.rules"
sed -i 's/  when incubator_award_paid > 0元;/  when incubator_award_paid > 1元;/' "$TMP/draft2/programs/m04_incubator.rules"
sed -i '43s/  cap 500万;/  cap 400万;/' "$TMP/draft2/common.rules"
sed -i 's/    after 5 working days -> fund_plan "公示期满无异议"/    after 7 working days -> fund_plan "公示期满无异议"/' "$TMP/draft2/workflows/competitive.rules"
expect_rc 0 "rules diff with a new programme and fact" "$BIN" rules diff "$ROOT/rules" "$TMP/draft2"
contains "$TMP/out" "changed table row talent_award row 2 (row)" "diff: a table row"
contains "$TMP/out" "+ B => 250万;" "diff: the new row"
matches "$TMP/out" "at .*programs/r40_talent.rules:19:" "diff: the row's location"
contains "$TMP/out" "changed exception incubator_step_up (definition)" "diff: an exception"
contains "$TMP/out" "changed group rd_shared (cap)" "diff: a group"
matches "$TMP/out" "at .*common.rules:43:" "diff: the group cap's location"
contains "$TMP/out" "changed stage competitive.publicity (definition)" "diff: a workflow stage"
matches "$TMP/out" "at .*workflows/competitive.rules:102:" "diff: the stage's location"
contains "$TMP/out" "added programme Z99" "diff: programme added"
matches "$TMP/out" "at .*programs/z99_new.rules:1:" "diff: where it was added"
contains "$TMP/err" "warning: input contract: fact \`employee_count\` added" "diff: contract warning"
contains "$TMP/err" "required by evaluate" "diff: which path requires it"
matches "$TMP/err" "draft: .*facts.rules:[0-9]+:" "diff: the fact's location"
expect_rc 0 "rules diff --format json" "$BIN" rules diff "$ROOT/rules" "$TMP/draft2" --format json
python3 - "$TMP/out" <<'EOF' || bad "diff json"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = {(c["kind"], c["change"]) for c in d["changes"]}
assert ("programme", "added") in kinds, kinds
assert ("parameter value", "changed") in kinds, kinds
assert all(c["base_at"] or c["change"] == "added" for c in d["changes"])
assert all(c["draft_at"] or c["change"] == "removed" for c in d["changes"])
assert any(c["fact"] == "employee_count" and c["breaking"] for c in d["contract"]), d["contract"]
EOF
ok

# ---------------------------------------------------------------- a population
python3 - "$ROOT/examples" > "$TMP/pop.jsonl" <<'EOF'
import json, sys, glob, os
base = [json.loads(l) for l in open(os.path.join(sys.argv[1], "batch.jsonl")) if l.strip()]
for f in ["tech-buyer.json", "refused-r02.json", "service-incubator.json", "hetao-seed.json"]:
    base.append(json.load(open(os.path.join(sys.argv[1], f))))
counties = ["临河区", "五原县", "磴口县"]
n = 0
for k in range(60):
    for b in base:
        r = dict(b)
        n += 1
        r["id"] = "p%04d" % n
        r["county"] = counties[n % 3]
        r["tech_contract_paid"] = "%d.%02d" % (50000 * (k % 20) + 1234 * (n % 7), 56 * (n % 2))
        r["tech_contract_received"] = 100000 * (k % 9)
        r["rd_expense"] = 400000 * (k % 7) + 100000
        print(json.dumps(r, ensure_ascii=False))
EOF
"$BIN" evaluate --rules "$ROOT/rules" --as-of $AS_OF --no-progress "$TMP/pop.jsonl" > "$TMP/base.jsonl" || bad "evaluate base"
"$BIN" evaluate --rules "$TMP/draft" --as-of $AS_OF --no-progress "$TMP/pop.jsonl" > "$TMP/draft.jsonl" || bad "evaluate draft"
expect_rc 0 "whatif --format json --all" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" \
  --as-of $AS_OF --format json --all --by county --jobs 2
cp "$TMP/out" "$TMP/whatif.json"
python3 - "$TMP/base.jsonl" "$TMP/draft.jsonl" "$TMP/whatif.json" <<'EOF' || bad "whatif numbers against two evaluate runs"
import json, sys
base = [json.loads(l) for l in open(sys.argv[1])]
draft = [json.loads(l) for l in open(sys.argv[2])]
w = json.load(open(sys.argv[3]))
assert w["records"] == len(base) == len(draft), (w["records"], len(base))
def paid(p): return p["amount_fen"] if p["eligible"] else 0
progs = {p["programme"]: p for p in w["programmes"]}
for side, decs in (("base", base), ("draft", draft)):
    tot = 0
    for pid, p in progs.items():
        n = sum(1 for d in decs if d["programs"].get(pid, {}).get("outcome") == "eligible")
        s = sum(paid(d["programs"][pid]) for d in decs if pid in d["programs"])
        assert p[side + "_eligible"] == n, (side, pid, p[side + "_eligible"], n)
        assert p[side + "_fen"] == s, (side, pid, p[side + "_fen"], s)
    total = sum(d["total_fen"] for d in decs)
    assert w[side + "_fen"] == total, (side, w[side + "_fen"], total)
changed = {}
for b, d in zip(base, draft):
    assert b["id"] == d["id"]
    diffs = {pid for pid in set(b["programs"]) | set(d["programs"])
             if b["programs"][pid]["outcome"] != d["programs"][pid]["outcome"] or paid(b["programs"][pid]) != paid(d["programs"][pid])}
    if diffs or b["total_fen"] != d["total_fen"]:
        changed[b["id"]] = (b, d, diffs)
assert w["changed_count"] == len(changed), (w["changed_count"], len(changed))
got = {c["id"]: c for c in w["changed"]}
assert set(got) == set(changed), set(got) ^ set(changed)
for i, c in got.items():
    b, d, diffs = changed[i]
    assert c["base_fen"] == b["total_fen"] and c["draft_fen"] == d["total_fen"], i
    assert {p["programme"] for p in c["programmes"]} == diffs, (i, diffs)
    for p in c["programmes"]:
        assert p["base_fen"] == paid(b["programs"][p["programme"]]) and p["draft_fen"] == paid(d["programs"][p["programme"]]), (i, p)
        assert p["why"]["kind"] and p["why"]["text"], p
# Bands add up to the applicants eligible on either side; groups to the totals.
bands = w["bands"]
assert sum(b["count"] for b in bands.values()) + w["eligible_in_neither"] == w["records"]
assert sum(b["delta_fen"] for b in bands.values()) == w["delta_fen"]
assert sum(g["applicants"] for g in w["groups"]) == w["records"]
assert sum(g["delta_fen"] for g in w["groups"]) == w["delta_fen"]
assert {g["key"] for g in w["groups"]} == {"临河区", "五原县", "磴口县"}
# The why of each kind of change.
whys = [(p["programme"], p["why"]) for c in w["changed"] for p in c["programmes"]]
r10 = [y for pid, y in whys if pid == "R10"]
assert any(y["kind"] == "parameter" and y["name"] == "tech_buyer_rate" and y["from"] == "10%" and y["to"] == "12%"
           and y["valid_from"] == "2021-11-17" and "r10_tech_buyer.rules:14:" in y["draft_at"] for y in r10), r10[:3]
r11 = [y for pid, y in whys if pid == "R11"]
assert r11 and all(y["kind"] == "cap_binds" for y in r11), r11[:3]
assert all("r11_tech_seller.rules" in y["draft_at"] for y in r11), r11[:1]
r01 = [y for pid, y in whys if pid == "R01"]
assert r01 and any(y["kind"] == "requirement_fails" and y["name"] == "R01.has_rd_expense" and y["to"] == "rd_expense > 150万" for y in r01), r01[:3]
EOF
ok

# The same numbers on one thread, and the text, csv and sample outputs.
expect_rc 0 "whatif --jobs 1" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" \
  --as-of $AS_OF --format json --all --by county --jobs 1
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a==b' "$TMP/out" "$TMP/whatif.json" \
  && ok || bad "whatif: the same report on one and on two threads"
expect_rc 0 "whatif text" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" --as-of $AS_OF --sample 3
contains "$TMP/out" "规则草案影响评估" "text: heading in Chinese"
matches "$TMP/out" "^R10 .*技术交易后补助" "text: the R10 row"
contains "$TMP/out" "新增符合" "text: bands"
contains "$TMP/out" "参数 tech_buyer_rate 由 10% 改为 12%（自 2021-11-17 起）" "text: why in Chinese"
contains "$TMP/out" "(列出前 3; --all)" "text: a bounded sample"
expect_rc 0 "whatif text en" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" --as-of $AS_OF --lang en
contains "$TMP/out" "parameter tech_buyer_rate changed from 10% to 12% (valid from 2021-11-17)" "text: why in English"
contains "$TMP/out" "now binds" "text: the cap"
contains "$TMP/out" "requirement R01.has_rd_expense now fails" "text: the requirement"
expect_rc 0 "whatif csv" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" --as-of $AS_OF --format csv --all
contains "$TMP/out" "section,key,programme,base,draft,base_yuan,draft_yuan,delta_yuan,band,detail" "csv header"
n_csv=$(grep -c '^changed,' "$TMP/out")
n_json=$(python3 -c 'import json,sys; print(sum(len(c["programmes"]) for c in json.load(open(sys.argv[1]))["changed"]))' "$TMP/whatif.json")
equals "$n_csv" "$n_json" "csv: one row per changed programme result"
matches "$TMP/out" '^programme,R10,' "csv: programme rows"

# Budgets of the year: R10's demand in the draft over a budget that held the base's.
DB="$TMP/b.db"
"$BIN" db migrate --db "$DB" >/dev/null || bad "db migrate"
r10_base=$(python3 -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["programmes"] if p["programme"]=="R10"][0]["base_fen"])' "$TMP/whatif.json")
r10_draft=$(python3 -c 'import json,sys; print([p for p in json.load(open(sys.argv[1]))["programmes"] if p["programme"]=="R10"][0]["draft_fen"])' "$TMP/whatif.json")
[ "$r10_draft" -gt "$r10_base" ] && ok || bad "the draft should raise R10's demand ($r10_base → $r10_draft)"
budget_yuan=$(( (r10_base + 100) / 100 ))
"$BIN" budget set --program R10 --year 2024 --total "$budget_yuan" --actor 财政局 --db "$DB" >/dev/null || bad "budget set"
expect_rc 0 "whatif --db budgets" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" \
  --as-of $AS_OF --db "$DB" --format json
python3 - "$TMP/out" "$budget_yuan" <<'EOF' || bad "budget over-commit"
import json, sys
w = json.load(open(sys.argv[1]))
assert w["budget_year"] == 2024
b = [x for x in w["budgets"] if x["programme"] == "R10"][0]
assert b["total_fen"] == int(sys.argv[2]) * 100
assert b["base_over"] is False and b["draft_over"] is True, b
assert b["draft_over_by_fen"] == b["draft_demand_fen"] - b["total_fen"] > 0
EOF
ok
expect_rc 0 "whatif --db text" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" --as-of $AS_OF --db "$DB"
matches "$TMP/out" "^R10 .*超出预算" "text: the over-commit"

# BASE as a published version of the database: the same report as from the directory.
"$BIN" rules publish "$ROOT/rules" --db "$DB" --note "whatif test" --as-of $AS_OF >/dev/null 2>&1 || bad "rules publish"
expect_rc 0 "whatif --base @1" "$BIN" rules whatif --base @1 --draft "$TMP/draft" --population "$TMP/pop.jsonl" --as-of $AS_OF --format json --db "$DB"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a["base"]==b["base"] and a["programmes"]==b["programmes"] and a["changed_count"]==b["changed_count"]' \
  "$TMP/out" "$TMP/whatif.json" && ok || bad "whatif --base @1 differs from the directory"
expect_rc 0 "rules diff version:1" "$BIN" rules diff version:1 "$TMP/draft" --db "$DB"
contains "$TMP/out" "4 changes, 0 input-contract changes" "diff of a published version"
expect_rc 2 "rules diff @1 without --db" "$BIN" rules diff @1 "$TMP/draft"

# HTML: one self-contained file with the three charts and escaped values.
expect_rc 0 "whatif --html" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" \
  --as-of $AS_OF --db "$DB" --by county --html "$TMP/report.html"
contains "$TMP/report.html" '<svg class="chart" id="chart-programmes"' "html: programme bars"
contains "$TMP/report.html" 'id="chart-waterfall"' "html: waterfall"
contains "$TMP/report.html" 'id="chart-bands"' "html: distribution"
contains "$TMP/report.html" '超出预算' "html: over-commit"
lacks "$TMP/report.html" '<script' "html: no script"
lacks "$TMP/report.html" ' src=' "html: no external resource"
lacks "$TMP/report.html" '<link' "html: no stylesheet link"
lacks "$TMP/report.html" 'rd_expense > 150万<' "html: escaped" # '>' inside the condition is escaped
contains "$TMP/report.html" 'rd_expense &gt; 150万' "html: the condition escaped"

# The report in headless chromium (tests/browser; skipped without chromium or its node_modules).
if command -v node >/dev/null && [ -x "${SUBSIDY_CHROMIUM:-/usr/bin/chromium}" ] && [ -d "$ROOT/tests/browser/node_modules/playwright-core" ]; then
  (cd "$ROOT/tests/browser" && node whatif_report.test.mjs "$TMP/report.html" "${WHATIF_SCREENSHOT:-$TMP/report.png}") > "$TMP/browser.out" 2>&1 \
    && ok || { bad "the report in chromium"; cat "$TMP/browser.out"; }
else
  echo "skipped: the report in chromium (no node, chromium or tests/browser/node_modules)"
fi

# Errors: both or neither source, an unknown --by, an undecodable record.
expect_rc 2 "whatif without a source" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft"
expect_rc 2 "whatif --by unknown" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/pop.jsonl" --by nosuchfact
contains "$TMP/err" "nosuchfact" "unknown --by named"
{ head -3 "$TMP/pop.jsonl"; echo '{"id":"bad","org_type":"spaceship"}'; } > "$TMP/bad.jsonl"
expect_rc 3 "whatif with an undecodable record" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --population "$TMP/bad.jsonl" --as-of $AS_OF
contains "$TMP/err" "1 of 4 records could not be decoded (first: line 4" "the bad record's line"

# The stored cases: the same applicants imported as cases of R10.
head -40 "$TMP/pop.jsonl" > "$TMP/cases.jsonl"
"$BIN" case import --program R10 --rules "$ROOT/rules" --db "$DB" --as-of $AS_OF "$TMP/cases.jsonl" >/dev/null 2>"$TMP/import.err" \
  || { bad "case import"; cat "$TMP/import.err"; }
expect_rc 0 "whatif --cases" "$BIN" rules whatif --base "$ROOT/rules" --draft "$TMP/draft" --cases "$DB" --as-of $AS_OF --stage all --format json
python3 - "$TMP/out" "$TMP/base.jsonl" "$TMP/draft.jsonl" <<'EOF' || bad "whatif --cases against evaluate"
import json, sys
w = json.load(open(sys.argv[1]))
base = {d["id"]: d for d in map(json.loads, open(sys.argv[2]))}
draft = {d["id"]: d for d in map(json.loads, open(sys.argv[3]))}
assert w["source"] == "cases" and w["records"] == 40, w["records"]
ids = ["p%04d" % i for i in range(1, 41)]
def paid(p): return p["amount_fen"] if p["eligible"] else 0
r10 = [p for p in w["programmes"] if p["programme"] == "R10"][0]
assert r10["base_fen"] == sum(paid(base[i]["programs"]["R10"]) for i in ids), r10
assert r10["draft_fen"] == sum(paid(draft[i]["programs"]["R10"]) for i in ids), r10
assert all(p["base_fen"] == 0 and p["draft_fen"] == 0 for p in w["programmes"] if p["programme"] != "R10")
EOF
ok

echo "whatif: $pass passed, $fail failed"
[ "$fail" = 0 ]
