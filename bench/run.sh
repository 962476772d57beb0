#!/usr/bin/env bash
# Batch-throughput benchmark (issue: "Batch decisions at the speed of the hardware").
#   bash bench/run.sh [N] [SEED] [REPEATS]        defaults: 1000000 42 5
# Builds Release, generates the workload with ../shared/bench/gen.py, checks the workload rules,
# runs `subsidy evaluate` (--jobs 1 pinned to one core, and --jobs 2) alternating with the hand-coded
# reference program, verifies the checksum against ../shared/bench/oracle.py, and prints
# applicants/s, ratios, peak RSS and evaluation-only ns/applicant.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SUBSIDY_SHARED:-$ROOT/../shared}/bench"
N="${1:-1000000}"; SEED="${2:-42}"; REPEATS="${3:-5}"
WORK="${SUBSIDY_BENCH_DIR:-/tmp/subsidy-bench}"
mkdir -p "$WORK"
cd "$ROOT"

bash scripts/install-deps.sh >/dev/null
echo "== build (Release)"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-release -j"$(nproc)" --target subsidy eval_bench >/dev/null
SUBSIDY="$ROOT/build-release/cli/subsidy"
g++ -O2 -std=c++17 -o "$WORK/ref" "$SHARED/ref/ref.cpp" -lsimdjson

echo "== workload rules"
"$SUBSIDY" rules check bench/rules | tail -2
"$SUBSIDY" rules test bench/rules --as-of 2021-06-30 | tail -2

APPS="$WORK/apps-$N-$SEED.jsonl"
if [ ! -s "$APPS" ]; then
  echo "== generating N=$N seed=$SEED"
  python3 "$SHARED/gen.py" --n "$N" --seed "$SEED" --out "$APPS"
fi
[ -s "$WORK/apps-100k.jsonl" ] || python3 "$SHARED/gen.py" --n 100000 --seed 7 --out "$WORK/apps-100k.jsonl"

# run LABEL CMD... : wall seconds and peak RSS (KiB) of one run, output to $WORK/out-LABEL.jsonl
run() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time-$label" "$@" < "$APPS" > "$WORK/out-$label.jsonl"
  cat "$WORK/time-$label"
}
SUB=("$SUBSIDY" evaluate --rules bench/rules --as-of 2021-06-30 --no-progress)
declare -a T_REF T_ONE T_TWO R_ONE R_TWO R_REF
echo "== $REPEATS alternating runs (ref pinned to core 0; subsidy --jobs 1 pinned to core 0; subsidy --jobs 2 unpinned)"
for i in $(seq 1 "$REPEATS"); do
  read -r t m < <(run ref taskset -c 0 "$WORK/ref"); T_REF+=("$t"); R_REF+=("$m")
  read -r t m < <(run one taskset -c 0 "${SUB[@]}" --jobs 1); T_ONE+=("$t"); R_ONE+=("$m")
  read -r t m < <(run two "${SUB[@]}" --jobs 2); T_TWO+=("$t"); R_TWO+=("$m")
  echo "  run $i: ref ${T_REF[-1]}s  jobs1 ${T_ONE[-1]}s  jobs2 ${T_TWO[-1]}s"
done

echo "== checksum"
python3 "$SHARED/oracle.py" < "$APPS" > "$WORK/out-oracle.jsonl"
C_ORACLE=$(python3 "$SHARED/checksum.py" "$WORK/out-oracle.jsonl")
C_REF=$(python3 "$SHARED/checksum.py" "$WORK/out-ref.jsonl")
C_ONE=$(python3 bench/checksum.py "$WORK/out-one.jsonl")
C_TWO=$(python3 bench/checksum.py "$WORK/out-two.jsonl")
echo "  oracle:        $C_ORACLE"
echo "  subsidy -j1:   $C_ONE"
[ "$C_ORACLE" = "$C_REF" ] || { echo "  MISMATCH: ref differs from oracle"; exit 1; }
[ "$C_ORACLE" = "$C_ONE" ] || { echo "  MISMATCH: subsidy --jobs 1 differs from oracle"; exit 1; }
[ "$C_ORACLE" = "$C_TWO" ] || { echo "  MISMATCH: subsidy --jobs 2 differs from oracle"; exit 1; }
echo "  checksum identical (oracle, ref, subsidy --jobs 1, subsidy --jobs 2)"

python3 - "$N" "${T_REF[*]}" "${T_ONE[*]}" "${T_TWO[*]}" "${R_REF[*]}" "${R_ONE[*]}" "${R_TWO[*]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
ref, one, two = ([float(x) for x in a.split()] for a in sys.argv[2:5])
rref, rone, rtwo = ([int(x) for x in a.split()] for a in sys.argv[5:8])
med = statistics.median
print("== figures (N=%d, median of %d runs; whole process, JSON in and out)" % (n, len(ref)))
print("  ref (hand-coded)        %10.0f applicants/s   peak RSS %6.1f MiB" % (n / med(ref), max(rref) / 1024))
print("  subsidy --jobs 1        %10.0f applicants/s   peak RSS %6.1f MiB" % (n / med(one), max(rone) / 1024))
print("  subsidy --jobs 2        %10.0f applicants/s   peak RSS %6.1f MiB" % (n / med(two), max(rtwo) / 1024))
print("  ratio subsidy -j1 / ref         %.2f  (median of per-run ratios %.2f; target >= 0.7)" % (med(ref) / med(one), med([r / o for r, o in zip(ref, one)])))
print("  ratio subsidy -j2 / subsidy -j1 %.2f  (target >= 1.7 on 2 cores)" % (med(one) / med(two)))
PY

echo "== evaluation only"
taskset -c 0 "$WORK/ref" --eval-bench < "$WORK/apps-100k.jsonl" > /dev/null 2> "$WORK/ref-eval.txt" || true
sed -E 's/.*eval_only_ns_per_app\(median of 5\)=([0-9.]+).*/  ref evaluate():     \1 ns\/applicant/' "$WORK/ref-eval.txt"
SUBSIDY_BENCH_APPS="$WORK/apps-100k.jsonl" taskset -c 0 "$ROOT/build-release/bench/eval_bench" \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "median" | \
  awk '{printf "  subsidy %-24s %s %s/applicant\n", $1, $2, $3}'
