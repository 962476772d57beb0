#!/usr/bin/env bash
# The one command that runs every test: installs dependencies, builds, runs unit, golden, CLI and rule tests,
# then each libFuzzer target briefly with the sanitizers (FUZZ_SECONDS per target, default 60; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh

# The repository tests also run against real PostgreSQL and MariaDB servers when they can be
# started here (root or password-less sudo); otherwise they are skipped with a notice. An
# explicitly set SUBSIDY_TEST_PG / SUBSIDY_TEST_MARIADB (any reachable server) is used as is.
# start_server VAR NAME SCRIPT: exports VAR with the URL SCRIPT prints.
start_server() {
  local var="$1" name="$2" script="$3"
  if [ -n "${!var:-}" ]; then return; fi
  if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
    local url
    url="$(bash "$script")"  # a server that cannot be started fails the run (set -e)
    printf -v "$var" '%s' "$url"
    export "${var?}"
    echo "$name tests use $(echo "${!var}" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"
  else
    echo "notice: not root and no password-less sudo: $name repository tests will be skipped" >&2
  fi
}
start_server SUBSIDY_TEST_PG PostgreSQL scripts/start-postgres.sh
start_server SUBSIDY_TEST_MARIADB MariaDB scripts/start-mariadb.sh

# The browser tests (tests/browser, ctest browser.*) drive Debian's chromium with playwright-core,
# pinned by tests/browser/package-lock.json; never a browser download.
(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
export SUBSIDY_BROWSER_REQUIRED=1  # chromium or playwright-core missing fails the browser tests instead of skipping them

ctest --test-dir build --output-on-failure -j"$(nproc)"

# Bounded fuzzing (docs: tests/fuzz/README.md): rule-language front end, fact decoder, CaseState reader,
# each for FUZZ_SECONDS under ASan + UBSan. Any crash, leak, hang or sanitizer report fails the run.
if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
fi
