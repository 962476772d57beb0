#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a given time:
#   scripts/fuzz.sh [SECONDS] [TARGET...]        SECONDS per target (default 60);
#                                                TARGETs: rules facts case_state (default: all)
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_PARALLEL=1 runs the targets at the same
# time instead of one after the other, FUZZ_RULEGEN_FILES generated rule files added to the `rules`
# corpus (default 200), FUZZ_ARGS more libFuzzer options (e.g. "-fork=2 -ignore_crashes=1" to
# collect several findings in one run), CXX (default clang++).
# The corpora grow in $FUZZ_BUILD_DIR/corpus/TARGET (seeded by tests/fuzz/seed-corpus.sh); crashing,
# leaking or hanging inputs are left in $FUZZ_BUILD_DIR/findings/TARGET/ with the full log in
# $FUZZ_BUILD_DIR/findings/TARGET.log. Exit status: 0 when every target ran clean, 1 otherwise.
# A finding becomes a regression test by copying its input into tests/fuzz/regressions/TARGET/
# (see tests/fuzz/README.md). Needs the clang packages of scripts/install-deps.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=("$@")
[ "${#TARGETS[@]}" -gt 0 ] || TARGETS=(rules facts case_state)
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
CXX="${CXX:-clang++}"
case "$SECONDS_PER_TARGET" in '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number, not '$SECONDS_PER_TARGET'" >&2; exit 2 ;; esac
for t in "${TARGETS[@]}"; do
  case "$t" in rules | facts | case_state) ;; *) echo "fuzz.sh: unknown target '$t' (rules, facts, case_state)" >&2; exit 2 ;; esac
done
if ! command -v "$CXX" >/dev/null || ! "$CXX" --version | grep -q clang; then
  echo "fuzz.sh: needs clang (libFuzzer); run scripts/install-deps.sh" >&2
  exit 2
fi

start=$(date +%s)
# RelWithDebInfo without NDEBUG: assertions stay on while fuzzing.
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER="$CXX" -DSUBSIDY_FUZZ=ON -DSUBSIDY_BUILD_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
build_targets=(rulegen)
for t in "${TARGETS[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$BUILD" -j"$(nproc)" --target "${build_targets[@]}"
built=$(date +%s)
echo "fuzz.sh: build took $((built - start)) s"

CORPUS="$BUILD/corpus"
FINDINGS="$BUILD/findings"
mkdir -p "$CORPUS" "$FINDINGS"
"$ROOT/tests/fuzz/seed-corpus.sh" "$CORPUS" "$BUILD/tests/fuzz/rulegen" "${FUZZ_RULEGEN_FILES:-200}"

# UBSan findings are fatal (-fno-sanitize-recover) and print a stack; libFuzzer checks for leaks.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
export SUBSIDY_RULES_DIR="${SUBSIDY_RULES_DIR:-$ROOT/rules}"

run_one() {
  local t="$1" dict="$ROOT/tests/fuzz/json.dict"
  [ "$t" = rules ] && dict="$ROOT/tests/fuzz/rules.dict"
  rm -rf "$FINDINGS/$t"
  mkdir -p "$FINDINGS/$t"
  local begin rc=0
  begin=$(date +%s)
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
  "$BUILD/tests/fuzz/fuzz_$t" "$CORPUS/$t" -dict="$dict" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$FINDINGS/$t/" ${FUZZ_ARGS:-} >"$FINDINGS/$t.log" 2>&1 || rc=$?
  echo $(($(date +%s) - begin)) >"$FINDINGS/$t.seconds"
  return "$rc"
}

declare -A status
if [ "${FUZZ_PARALLEL:-0}" = 1 ]; then
  declare -A pids
  for t in "${TARGETS[@]}"; do
    run_one "$t" &
    pids[$t]=$!
  done
  for t in "${TARGETS[@]}"; do
    if wait "${pids[$t]}"; then status[$t]=0; else status[$t]=$?; fi
  done
else
  for t in "${TARGETS[@]}"; do
    if run_one "$t"; then status[$t]=0; else status[$t]=$?; fi
  done
fi

# Executions and exec/s: libFuzzer's final statistics, or (-fork mode, which prints none) its last
# status line "#N: … exec/s R …".
executions() {
  grep -m1 '^stat::number_of_executed_units:' "$FINDINGS/$1.log" | awk '{print $2}' | grep . ||
    grep -oE '^#[0-9]+' "$FINDINGS/$1.log" | tail -1 | tr -d '#'
}
exec_per_sec() {
  grep -m1 '^stat::average_exec_per_sec:' "$FINDINGS/$1.log" | awk '{print $2}' | grep . ||
    grep -oE 'exec/s:? [0-9]+' "$FINDINGS/$1.log" | tail -1 | grep -oE '[0-9]+$'
}
failed=0
printf '%-11s %8s %12s %8s %8s  %s\n' target seconds executions exec/s corpus result
for t in "${TARGETS[@]}"; do
  artifacts=$(find "$FINDINGS/$t" -type f | wc -l)
  result=ok
  if [ "${status[$t]}" != 0 ] || [ "$artifacts" -gt 0 ] || grep -qE "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:" "$FINDINGS/$t.log"; then
    result="FAILED (exit ${status[$t]}, $artifacts input(s) in $FINDINGS/$t/, log $FINDINGS/$t.log)"
    failed=1
  fi
  printf '%-11s %8s %12s %8s %8s  %s\n' "$t" "$(cat "$FINDINGS/$t.seconds")" "$(executions "$t" || true)" \
    "$(exec_per_sec "$t" || true)" "$(find "$CORPUS/$t" -type f | wc -l)" "$result"
done
for t in "${TARGETS[@]}"; do
  if [ "${status[$t]}" != 0 ]; then
    echo "---- $t: end of $FINDINGS/$t.log"
    grep -vE '^#[0-9]+' "$FINDINGS/$t.log" | tail -40
  fi
done
echo "fuzz.sh: $(($(date +%s) - start)) s in all"
exit "$failed"
