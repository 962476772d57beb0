#!/usr/bin/env bash
# The one command that runs every test: installs dependencies, builds, runs unit, golden, CLI and rule tests,
# then each libFuzzer target briefly with the sanitizers (FUZZ_SECONDS per target, default 60; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

# The repository tests also run against a real PostgreSQL server when one can be started here
# (root or password-less sudo); otherwise they are skipped with a notice. An explicitly set
# SUBSIDY_TEST_PG (any reachable server) is used as is.
if [ -z "${SUBSIDY_TEST_PG:-}" ]; then
  if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
    SUBSIDY_TEST_PG="$(bash scripts/start-postgres.sh)"
    export SUBSIDY_TEST_PG
    echo "PostgreSQL tests use $(echo "$SUBSIDY_TEST_PG" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"
  else
    echo "notice: not root and no password-less sudo: PostgreSQL repository tests will be skipped" >&2
  fi
fi

ctest --test-dir build --output-on-failure -j"$(nproc)"

# Bounded fuzzing (docs: tests/fuzz/README.md): rule-language front end, fact decoder, CaseState reader,
# each for FUZZ_SECONDS under ASan + UBSan. Any crash, leak, hang or sanitizer report fails the run.
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi
