#!/usr/bin/env bash
# Batch-throughput benchmark: every batch figure of docs/benchmark.md in one run.
#   bash bench/run.sh [N] [SEED] [REPEATS]        defaults: 1000000 42 5
# Builds Release (in $SUBSIDY_BUILD_DIR, default build-release), generates the workload with
# ../shared/bench/gen.py, checks the workload rules, then alternates per round: the hand-coded
# reference program (pinned to core 0), `subsidy evaluate --jobs 1` (pinned to core 0), the same
# with `--output summary`, and `--jobs 2` (unpinned). It verifies the checksum against
# ../shared/bench/oracle.py for SEED and for a second seed (7, 100,000 applicants), that the output
# is byte-identical with the decoder's fast path off (--no-fast-decode) and with --jobs 1 and 2, and
# prints applicants/s, the ratios, peak RSS and evaluation-only ns/applicant (bench/eval_bench).
# Ratios are taken within one run (same load); the machine's load average is printed with them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SUBSIDY_SHARED:-$ROOT/../shared}/bench"
N="${1:-1000000}"; SEED="${2:-42}"; REPEATS="${3:-5}"
WORK="${SUBSIDY_BENCH_DIR:-/tmp/subsidy-bench}"
BUILD="${SUBSIDY_BUILD_DIR:-build-release}"
mkdir -p "$WORK"
cd "$ROOT"

bash scripts/install-deps.sh >/dev/null
echo "== build (Release, $BUILD)"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target subsidy eval_bench >/dev/null
SUBSIDY="$ROOT/$BUILD/cli/subsidy"
g++ -O2 -std=c++17 -o "$WORK/ref" "$SHARED/ref/ref.cpp" -lsimdjson
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== workload rules"
"$SUBSIDY" rules check bench/rules | tail -2
"$SUBSIDY" rules test bench/rules --as-of 2021-06-30 | tail -2

APPS="$WORK/apps-$N-$SEED.jsonl"
if [ ! -s "$APPS" ]; then
  echo "== generating N=$N seed=$SEED"
  python3 "$SHARED/gen.py" --n "$N" --seed "$SEED" --out "$APPS"
fi
APPS2="$WORK/apps-100k.jsonl"  # the second seed, and the evaluation-only input
[ -s "$APPS2" ] || python3 "$SHARED/gen.py" --n 100000 --seed 7 --out "$APPS2"

# run LABEL CMD... : wall seconds and peak RSS (KiB) of one run on $APPS, output to $WORK/out-LABEL.jsonl
run() {
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time-$label" "$@" < "$APPS" > "$WORK/out-$label.jsonl"
  cat "$WORK/time-$label"
}
SUB=("$SUBSIDY" evaluate --rules bench/rules --as-of 2021-06-30 --no-progress)
declare -a T_REF T_ONE T_SUM T_TWO R_ONE R_SUM R_TWO R_REF
echo "== $REPEATS alternating rounds (ref, subsidy --jobs 1 and --jobs 1 --output summary pinned to core 0; --jobs 2 unpinned)"
for i in $(seq 1 "$REPEATS"); do
  read -r t m < <(run ref taskset -c 0 "$WORK/ref"); T_REF+=("$t"); R_REF+=("$m")
  read -r t m < <(run one taskset -c 0 "${SUB[@]}" --jobs 1); T_ONE+=("$t"); R_ONE+=("$m")
  read -r t m < <(run sum taskset -c 0 "${SUB[@]}" --jobs 1 --output summary); T_SUM+=("$t"); R_SUM+=("$m")
  read -r t m < <(run two "${SUB[@]}" --jobs 2); T_TWO+=("$t"); R_TWO+=("$m")
  echo "  round $i: ref ${T_REF[-1]}s  jobs1 ${T_ONE[-1]}s  jobs1 summary ${T_SUM[-1]}s  jobs2 ${T_TWO[-1]}s  (load $(cut -d' ' -f1 /proc/loadavg))"
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== checksum (seed $SEED, N=$N)"
python3 "$SHARED/oracle.py" < "$APPS" > "$WORK/out-oracle.jsonl"
C_ORACLE=$(python3 "$SHARED/checksum.py" "$WORK/out-oracle.jsonl")
C_REF=$(python3 "$SHARED/checksum.py" "$WORK/out-ref.jsonl")
C_ONE=$(python3 bench/checksum.py "$WORK/out-one.jsonl")
C_SUM=$(python3 bench/checksum.py "$WORK/out-sum.jsonl")
echo "  oracle:        $C_ORACLE"
echo "  subsidy -j1:   $C_ONE"
[ "$C_ORACLE" = "$C_REF" ] || { echo "  MISMATCH: ref differs from oracle"; exit 1; }
[ "$C_ORACLE" = "$C_ONE" ] || { echo "  MISMATCH: subsidy --jobs 1 differs from oracle"; exit 1; }
[ "$C_ORACLE" = "$C_SUM" ] || { echo "  MISMATCH: subsidy --output summary differs from oracle"; exit 1; }
cmp -s "$WORK/out-one.jsonl" "$WORK/out-two.jsonl" || { echo "  MISMATCH: --jobs 2 output differs from --jobs 1"; exit 1; }
"${SUB[@]}" --jobs 2 --no-fast-decode < "$APPS" > "$WORK/out-strict.jsonl"
cmp -s "$WORK/out-one.jsonl" "$WORK/out-strict.jsonl" || { echo "  MISMATCH: output differs with --no-fast-decode"; exit 1; }
echo "  checksum identical (oracle, ref, subsidy --jobs 1, --output summary); --jobs 2 and --no-fast-decode byte-identical to --jobs 1"
echo "== checksum (seed 7, N=100000)"
python3 "$SHARED/oracle.py" < "$APPS2" > "$WORK/out-oracle-7.jsonl"
"${SUB[@]}" --jobs 2 < "$APPS2" > "$WORK/out-7.jsonl"
C7_ORACLE=$(python3 "$SHARED/checksum.py" "$WORK/out-oracle-7.jsonl")
C7=$(python3 bench/checksum.py "$WORK/out-7.jsonl")
echo "  oracle:        $C7_ORACLE"
[ "$C7_ORACLE" = "$C7" ] || { echo "  MISMATCH: subsidy differs from oracle for seed 7"; exit 1; }
echo "  checksum identical (oracle, subsidy --jobs 2)"

python3 - "$N" "${T_REF[*]}" "${T_ONE[*]}" "${T_SUM[*]}" "${T_TWO[*]}" "${R_REF[*]}" "${R_ONE[*]}" "${R_SUM[*]}" "${R_TWO[*]}" \
  "$(stat -c %s "$WORK/out-one.jsonl")" "$(stat -c %s "$WORK/out-sum.jsonl")" "$LOAD_END" <<'PY'
import statistics, sys
n = int(sys.argv[1])
ref, one, summ, two = ([float(x) for x in a.split()] for a in sys.argv[2:6])
rref, rone, rsum, rtwo = ([int(x) for x in a.split()] for a in sys.argv[6:10])
bytes_full, bytes_sum = int(sys.argv[10]), int(sys.argv[11])
med = statistics.median
print("== figures (N=%d, median of %d rounds; whole process, JSON in and out; load average at the end %s)" % (n, len(ref), sys.argv[12]))
print("  ref (hand-coded)                 %10.0f applicants/s   peak RSS %6.1f MiB" % (n / med(ref), max(rref) / 1024))
print("  subsidy --jobs 1                 %10.0f applicants/s   peak RSS %6.1f MiB   output %6.1f MiB" % (n / med(one), max(rone) / 1024, bytes_full / 2**20))
print("  subsidy --jobs 1 --output summary%10.0f applicants/s   peak RSS %6.1f MiB   output %6.1f MiB" % (n / med(summ), max(rsum) / 1024, bytes_sum / 2**20))
print("  subsidy --jobs 2                 %10.0f applicants/s   peak RSS %6.1f MiB" % (n / med(two), max(rtwo) / 1024))
print("  ratio subsidy -j1 / ref                 %.2f  (median of per-round ratios %.2f; target >= 0.7)" % (med(ref) / med(one), med([r / o for r, o in zip(ref, one)])))
print("  ratio subsidy -j1 summary / ref         %.2f  (median of per-round ratios %.2f)" % (med(ref) / med(summ), med([r / o for r, o in zip(ref, summ)])))
print("  ratio subsidy -j2 / subsidy -j1         %.2f  (median of per-round ratios %.2f; target >= 1.85 on 2 cores)" % (med(one) / med(two), med([o / t for o, t in zip(one, two)])))
PY

echo "== evaluation only (100,000 applicants of seed 7; ns/applicant)"
taskset -c 0 "$WORK/ref" --eval-bench < "$APPS2" > /dev/null 2> "$WORK/ref-eval.txt" || true
sed -E 's/.*eval_only_ns_per_app\(median of 5\)=([0-9.]+).*/  ref evaluate():     \1 ns\/applicant/' "$WORK/ref-eval.txt"
SUBSIDY_BENCH_APPS="$APPS2" taskset -c 0 "$ROOT/$BUILD/bench/eval_bench" \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "median" | \
  awk '{printf "  subsidy %-24s %s %s/applicant\n", $1, $2, $3}'
