#!/usr/bin/env bash
# What-if benchmark (issue 12): a draft of bench/rules that changes a rate (RD_POST 10% → 12%) and a
# cap (TECH_BUY 200万 → 150万), over N applicants from ../shared/bench/gen.py:
#   - `rules whatif --population` against one `subsidy evaluate` pass over the same file, alternating
#     in one run (the ratio is what counts on a shared machine; target ≤ 2.5×), both --jobs J;
#   - peak RSS of each (/usr/bin/time -v), and of the what-if at N/10 (flat in N);
#   - `rules whatif --cases` over C stored R14 cases on SQLite (rules/ and a draft raising a grant).
#   bash bench/whatif.sh [N] [REPEATS] [C] [J]        defaults: 1000000 3 20000 2
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SUBSIDY_SHARED:-$ROOT/../shared}/bench"
N="${1:-1000000}"; REPEATS="${2:-3}"; C="${3:-20000}"; J="${4:-2}"
WORK="${SUBSIDY_BENCH_DIR:-/tmp/subsidy-bench}"
BUILD="${SUBSIDY_WHATIF_BUILD:-$ROOT/build-whatif-rel}"
mkdir -p "$WORK"
cd "$ROOT"

if [ -n "${SUBSIDY_WHATIF_BIN:-}" ]; then  # an existing binary (the ratio within one run still holds)
  SUBSIDY="$SUBSIDY_WHATIF_BIN"
else
  echo "== build (Release) in $BUILD"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target subsidy >/dev/null
  SUBSIDY="$BUILD/cli/subsidy"
fi

DRAFT="$WORK/whatif-draft"
rm -rf "$DRAFT"
cp -r bench/rules "$DRAFT"
rm -f "$DRAFT"/workload_test.rules  # its expectations are the base's amounts
sed -i 's/amount floor_yuan((rd_expense_yuan - rd_expense_prev_yuan) \* 10%);/amount floor_yuan((rd_expense_yuan - rd_expense_prev_yuan) * 12%);/' "$DRAFT/workload.rules"
sed -i 's/  cap 200万;/  cap 150万;/' "$DRAFT/workload.rules"
"$SUBSIDY" rules diff bench/rules "$DRAFT" | tail -1

APPS="$WORK/apps-$N-42.jsonl"
[ -s "$APPS" ] || python3 "$SHARED/gen.py" --n "$N" --seed 42 --out "$APPS"
[ -s "$APPS" ] || { echo "gen.py wrote nothing"; exit 1; }
SMALL="$WORK/apps-$((N / 10))-42.jsonl"
[ -s "$SMALL" ] || head -n $((N / 10)) "$APPS" > "$SMALL"

# run LABEL CMD... : "seconds peak-KiB" of one run
run() {
  local label="$1"; shift
  /usr/bin/time -v -o "$WORK/time-$label" "$@" > "$WORK/out-$label" 2>/dev/null || { echo "  $label failed"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/time-$label")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-$label")
  echo "$wall $rss"
}
EVAL=("$SUBSIDY" evaluate --rules bench/rules --as-of 2021-06-30 --no-progress --jobs "$J" "$APPS")
WHATIF=("$SUBSIDY" rules whatif --base bench/rules --draft "$DRAFT" --as-of 2021-06-30 --no-progress --jobs "$J" --format json)
echo "== $REPEATS alternating runs over $N applicants (--jobs $J)"
declare -a TE TW
for i in $(seq 1 "$REPEATS"); do
  read -r te re < <(run eval "${EVAL[@]}"); TE+=("$te")
  read -r tw rw < <(run whatif "${WHATIF[@]}" --population "$APPS"); TW+=("$tw")
  echo "  run $i: evaluate ${te}s (${re} KiB)  whatif ${tw}s (${rw} KiB)  ratio $(python3 -c "print(round($tw/$te, 2))")"
done
python3 - "$WORK/out-whatif" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1]))
print("  what-if: %d records, %d changed, total %.2f → %.2f 元 (Δ %.2f)" % (w["records"], w["changed_count"], w["base_fen"] / 100, w["draft_fen"] / 100, w["delta_fen"] / 100))
EOF
med() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "  median: evaluate $(med "${TE[@]}")s  whatif $(med "${TW[@]}")s  ratio $(python3 -c "print(round($(med "${TW[@]}")/$(med "${TE[@]}"), 2))")"
read -r ts rs < <(run whatif-small "${WHATIF[@]}" --population "$SMALL")
echo "  peak RSS of the what-if: $((N / 10)) applicants ${rs} KiB, $N applicants ${rw} KiB"

echo "== $C stored cases on SQLite (rules/ and a draft raising R14's incubator_grant 20万 → 25万)"
CDRAFT="$WORK/whatif-cases-draft"
rm -rf "$CDRAFT"; cp -r rules "$CDRAFT"
sed -i 's/from 2022-01-01 = 20万 source/from 2022-01-01 = 25万 source/' "$CDRAFT/programs/r14_incubator.rules"
DB="$WORK/whatif-cases-$C.db"
if [ ! -s "$DB" ]; then
  "$SUBSIDY" db migrate --db "$DB" >/dev/null
  python3 - tests/cli/data/incubator-agri-corrected.json "$WORK/cases-$C.jsonl" "$C" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
counties = ["临河区", "五原县", "磴口县", "乌拉特前旗", "乌拉特中旗", "乌拉特后旗", "杭锦后旗"]
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[3])):
        d["id"] = "WHATIF-%07d" % i
        d["county"] = counties[i % len(counties)]
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
  "$SUBSIDY" case import "$WORK/cases-$C.jsonl" --program R14 --batch 500 --date 2025-03-03 --no-progress --db "$DB" --rules rules >/dev/null
fi
read -r tc rc < <(run cases "$SUBSIDY" rules whatif --base rules --draft "$CDRAFT" --as-of 2025-03-03 --no-progress --cases "$DB" --stage all --format json)
python3 - "$WORK/out-cases" "$tc" "$rc" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1]))
print("  %d cases in %ss (%d/s), peak %s KiB: %d changed, Δ %.2f 元" % (w["records"], sys.argv[2], w["records"] / float(sys.argv[2]), sys.argv[3], w["changed_count"], w["delta_fen"] / 100))
EOF
