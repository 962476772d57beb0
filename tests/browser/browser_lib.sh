# Sourced by the browser tests' scripts after BIN, ROOT and SHOTS are set: the CLI test helpers
# (tests/cli/lib.sh, serve_lib.sh), BROWSER_DIR, and exit 77 (ctest: skipped) when node, chromium or
# tests/browser/node_modules (npm ci) is missing — a failure instead when SUBSIDY_BROWSER_REQUIRED is
# set (scripts/test.sh sets it).
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../cli/serve_lib.sh"
BROWSER_DIR="$ROOT/tests/browser"
skip() {
  if [ -n "${SUBSIDY_BROWSER_REQUIRED:-}" ]; then echo "FAIL: $*"; exit 1; fi
  echo "skipped: $*"; exit 77
}
command -v node >/dev/null || skip "node is not installed"
[ -x "${SUBSIDY_CHROMIUM:-/usr/bin/chromium}" ] || skip "chromium is not installed (scripts/install-deps.sh)"
[ -d "$BROWSER_DIR/node_modules/playwright-core" ] || skip "tests/browser/node_modules is missing (npm ci in tests/browser)"
