#!/usr/bin/env bash
# The officer's desk in a real browser (issue 11; docs/officer.md): a fresh SQLite database with a
# user for each role, one R01 case of an agricultural enterprise in 临河区 submitted, a budget, and an
# XSS probe case; `subsidy serve` with the test-only --today-file and --timers-every 1; then
# tests/browser/journey.test.mjs drives Debian's chromium through the journey and the negative
# checks, and writes the screenshots into SCREENSHOTS (default: $TMP, kept only when given).
#   journey_test.sh path/to/subsidy project-root [SCREENSHOTS]
# Exit 77 (ctest: skipped) when the desk is not served by this binary, or when chromium or
# tests/browser/node_modules (npm ci) is missing and SUBSIDY_BROWSER_REQUIRED is not set (with it,
# scripts/test.sh: a failure).
set -uo pipefail
BIN="$1"; ROOT="$2"; SHOTS="${3:-}"
. "$(dirname "${BASH_SOURCE[0]}")/browser_lib.sh"

DB="$TMP/desk.db"
expect_rc 0 "db migrate" "$BIN" db migrate --db "$DB"
PASSWORD="desk-journey-passphrase"
# user ROLE…: the users of the journey, one per role (admin: the audit page).
for u in applicant:申报单位 county:旗县区科技局[临河区] wuyuan:旗县区科技局[五原县] city:市科技局 nongmu:市农牧局 \
         finance:市财政局 auditor:admin; do
  printf '%s' "$PASSWORD" | "$BIN" user add "${u%%:*}" --password-stdin --db "$DB" >/dev/null 2>"$TMP/err" || bad "user add ${u%%:*}: $(cat "$TMP/err")"
  "$BIN" user grant "${u%%:*}" "${u#*:}" --db "$DB" --rules rules >/dev/null 2>"$TMP/err" || bad "user grant ${u#*:}: $(cat "$TMP/err")"
done
expect_rc 0 "budget" "$BIN" budget set --program R01 --year 2024 --total 500000 --actor 市财政局 --db "$DB" --rules rules
# The case of the journey, submitted by the applicant on 2024-09-02 (examples/workflow/agri-path.txt).
expect_rc 0 "case submit" "$BIN" case submit --program R01 --facts examples/workflow/agri-enterprise.json --date 2024-09-02 \
  --db "$DB" --rules rules --format json
CASE=$(sed -n 's/.*"id":\([0-9][0-9]*\).*/\1/p' "$TMP/out" | head -1)
[ -n "$CASE" ] || { bad "no case id in: $(head -c 300 "$TMP/out")"; CASE=1; }
expect_rc 0 "submit step" "$BIN" case act "$CASE" submit --as 申报单位 --actor 申报人 --date 2024-09-02 --db "$DB" --rules rules
# The XSS probe: an application id and an applicant that are markup (a 五原县 case: not the 临河区 officer's).
python3 - examples/workflow/agri-enterprise.json "$TMP/xss.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"] = "XSS-<img src=x onerror=alert(1)>"
d["county"] = "五原县"
json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)
PY
expect_rc 0 "xss case" "$BIN" case submit --program R01 --facts "$TMP/xss.json" --applicant '<script>alert(1)</script>' \
  --date 2024-09-02 --db "$DB" --rules rules --format json
XSS=$(sed -n 's/.*"id":\([0-9][0-9]*\).*/\1/p' "$TMP/out" | head -1)
expect_rc 0 "xss submit step" "$BIN" case act "${XSS:-2}" submit --as 申报单位 --actor 申报人 --date 2024-09-02 --db "$DB" --rules rules

echo 2024-09-04 >"$TMP/today"
serve_start desk --rules rules --db "$DB" --timers-every 1 --today-file "$TMP/today" --access-log off || exit 1
call probe "$URL/desk/login"
# Until adapters/web is registered by `subsidy serve` there is no desk to drive: skipped even under
# SUBSIDY_BROWSER_REQUIRED.
if [ "$STATUS" != 200 ]; then echo "skipped: this binary does not serve the desk (GET /desk/login: $STATUS)"; exit 77; fi

[ -n "$SHOTS" ] && mkdir -p "$SHOTS"
(cd "$BROWSER_DIR" && URL="$URL" PASSWORD="$PASSWORD" CASE="$CASE" XSS="${XSS:-2}" TODAY_FILE="$TMP/today" \
  SHOTS="${SHOTS:-$TMP}" node journey.test.mjs)
rc=$?
serve_stop "$PID"
equals "$RC" 0 "serve stops with exit 0"
lacks "$TMP/desk.err" "timers:" "no timer errors"
expect_rc 0 "audit verify after the journey" "$BIN" audit verify --db "$DB"
echo "journey_shell: $pass passed, $fail failed"
[ "$rc" = 0 ] && [ "$fail" = 0 ]
