#!/usr/bin/env bash
# The service and the officer's desk in one command, on a fresh Debian 12 machine: installs and builds
# (scripts/build.sh), creates a fresh SQLite case database, imports the sample applicants of
# examples/ as cases and submits them, sets demo budgets, adds a demo user with every role below and
# one user per role for the desk, each with a random password (printed), then runs `subsidy serve` in
# the foreground (Ctrl-C stops it) and prints the desk's address and how to use the API.
#   bash scripts/serve-demo.sh [HOST:PORT]        default 127.0.0.1:8080
# SERVE_DEMO_DB: the database file (default build/serve-demo.db; it is replaced).
set -euo pipefail
cd "$(dirname "$0")/.."
LISTEN="${1:-127.0.0.1:8080}"
DB="${SERVE_DEMO_DB:-build/serve-demo.db}"
bash scripts/build.sh
B=build/cli/subsidy

rm -f "$DB" "$DB-wal" "$DB-shm"
$B db migrate --db "$DB"
# Every sample applicant as a case of four programmes (one application id per programme).
for p in R01 R02 R10 R14; do
  sed "s/^{\"id\":\"\([^\"]*\)\"/{\"id\":\"\1-$p\"/" examples/batch.jsonl >"build/serve-demo-$p.jsonl"
  $B case import "build/serve-demo-$p.jsonl" --program "$p" --db "$DB" --rules rules --no-progress
  rm -f "build/serve-demo-$p.jsonl"
done
for id in $($B case list --all --format csv --db "$DB" | tail -n +2 | cut -d, -f1); do
  $B case act "$id" submit --as 申报单位 --actor demo --db "$DB" --rules rules >/dev/null
done

# A case waiting for the county bureau of 临河区 whose decision is eligible: the example step below.
CASE=$($B case list --format csv --db "$DB" | awk -F, '$8 == "旗县区科技局[临河区]" && $13 == "eligible" { print $1; exit }')

PASSWORD="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
printf '%s\n' "$PASSWORD" | $B user add demo --display "演示用户 demo" --password-stdin --db "$DB"
for role in 申报单位 '旗县区科技局[临河区]' 市科技局 admin; do $B user grant demo "$role" --db "$DB" --rules rules; done

# Budgets for the demo programmes (the budget page's bars), in yuan.
for p in R01 R02 R10 R14; do
  $B budget set --program "$p" --year 2024 --total 5000000 --actor 市财政局 --db "$DB" --rules rules >/dev/null
done
# One desk user per role (docs/officer.md), each with a password of its own.
DESK_USERS=(applicant:申报单位 linhe:旗县区科技局[临河区] wuyuan:旗县区科技局[五原县] city:市科技局
            nongmu:市农牧局 finance:市财政局 auditor:admin)
DESK_LINES=""
for u in "${DESK_USERS[@]}"; do
  name="${u%%:*}"; role="${u#*:}"
  pw="$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')"
  printf '%s\n' "$pw" | $B user add "$name" --password-stdin --db "$DB" >/dev/null
  $B user grant "$name" "$role" --db "$DB" --rules rules >/dev/null
  DESK_LINES+="$(printf '  %-9s %-18s %s' "$name" "$pw" "$role")"$'\n'
done

URL="http://$LISTEN"
cat <<EOF

== subsidy serve on $URL (database $DB; Ctrl-C stops it)

The officer's desk: $URL/desk/  (docs/officer.md; ?lang=en for English)
  user      password           role
$DESK_LINES  demo      $PASSWORD   all of 申报单位, 旗县区科技局[临河区], 市科技局, admin (choose in the header)

Log in, then use the session token:
  TOKEN=\$(curl -s -X POST -H 'Content-Type: application/json' \\
      -d '{"user":"demo","password":"$PASSWORD"}' $URL/v1/login | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
  curl -s -H "Authorization: Bearer \$TOKEN" $URL/v1/inbox            # cases waiting for your roles
  curl -s -H "Authorization: Bearer \$TOKEN" '$URL/v1/cases/$CASE?explain=1' # a case, its explanation, your next steps
  curl -s -X POST -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
      -d '{"action":"approve","role":"旗县区科技局[临河区]"}' $URL/v1/cases/$CASE/actions   # recommend it
The API: $URL/openapi.json (OpenAPI 3.1) and docs/service.md.

EOF
exec $B serve --rules rules --db "$DB" --listen "$LISTEN"
