#!/usr/bin/env bash
# The desk's rules page in a real browser (tests/browser/rules_page.test.mjs): a fresh SQLite
# database with a user of the role `policy` and one case, `subsidy serve`, then the page driven by
# Debian's chromium. Exit 77 (skipped) as journey_test.sh when chromium or node_modules is missing.
#   rules_page_test.sh path/to/subsidy project-root [SCREENSHOTS]
set -uo pipefail
BIN="$1"; ROOT="$2"; SHOTS="${3:-}"
. "$(dirname "${BASH_SOURCE[0]}")/browser_lib.sh"

DB="$TMP/rules.db"
expect_rc 0 "db migrate" "$BIN" db migrate --db "$DB"
PASSWORD="rules-page-passphrase"
printf '%s' "$PASSWORD" | "$BIN" user add policy --password-stdin --db "$DB" >/dev/null 2>"$TMP/err" || bad "user add: $(cat "$TMP/err")"
expect_rc 0 "grant policy" "$BIN" user grant policy policy --db "$DB" --rules rules
expect_rc 0 "case submit" "$BIN" case submit --program R01 --facts examples/workflow/agri-enterprise.json --date 2024-09-02 --db "$DB" --rules rules
sed 's/from 2021-11-17 = 10% source/from 2021-11-17 = 12% source/' rules/programs/r10_tech_buyer.rules > "$TMP/r10.rules"
{ cat rules/programs/r10_tech_buyer.rules; printf '\n# 2025 年度\n'; } > "$TMP/r10-passing.rules"
serve_start rules --rules rules --db "$DB" --today 2024-09-04 --access-log off || exit 1
[ -n "$SHOTS" ] && mkdir -p "$SHOTS"
(cd "$BROWSER_DIR" && URL="$URL" PASSWORD="$PASSWORD" DRAFT="$TMP/r10.rules" PASSING="$TMP/r10-passing.rules" SHOTS="$SHOTS" node rules_page.test.mjs)
rc=$?
serve_stop "$PID"
expect_rc 0 "versions" "$BIN" rules versions --db "$DB"
contains "$TMP/out" "2025 年度" "published, with its note"
contains "$TMP/out" " policy " "by the policy user"
echo "rules_page_shell: $pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
