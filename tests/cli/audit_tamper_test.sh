#!/usr/bin/env bash
# The tamper suite of issue 13 (docs/storage.md §4): a realistic database (a case taken from
# submission through a return for correction, joint review and 公示 to disbursement, a case at
# formal review, a case at county review, a budget), a signed checkpoint of it, then — each on a
# fresh copy — every kind of direct edit of the database an insider could make, and `audit verify`
# (replay, and against the checkpoint) must find each one, naming the case (or budget) and what
# differs. Runs on SQLite and, with SUBSIDY_TEST_PG, on PostgreSQL (each copy a schema of its own),
# with SUBSIDY_TEST_MARIADB on MariaDB (each copy a database of its own);
# then a subset on a database made with `db migrate --hash sm3` (event chains, ledgers, checkpoints in SM3).
#   audit_tamper_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DATA=tests/cli/data
RECHAIN="python3 $ROOT/tests/cli/rechain.py"
S() { "$BIN" "$@" --db "$DB"; }
R() { "$BIN" "$@" --db "$DB" --rules rules; }


# The pristine database: built once per backend.
build() {
  expect_rc 0 "budget set" S budget set --program R14 --year 2024 --total 3000000 --actor 财政局
  # case 1: returned for correction, corrected, joint review, 公示, disbursed
  R case submit --program R14 --facts $DATA/incubator-agri.json --applicant ORG1 --date 2024-05-06 >/dev/null
  local steps=(
    "submit 申报单位 2024-05-06" "approve 旗县区科技局[临河区] 2024-05-07" "return 市科技局 2024-05-08")
  for s in "${steps[@]}"; do set -- $s; expect_rc 0 "case 1 $1 by $2" R case act 1 "$1" --as "$2" --actor 甲 --date "$3"; done
  expect_rc 0 "case 1 correct" R case correct 1 --facts $DATA/incubator-agri-corrected.json --actor 甲 --date 2024-05-09
  steps=("resubmit 申报单位 2024-05-09" "approve 市科技局 2024-05-10" "approve 专家组 2024-05-13" "approve 市科技局 2024-05-14"
         "approve 市农牧局 2024-05-15" "approve 市财政局 2024-05-15" "approve 市科技局 2024-05-16" "approve 市财政局 2024-05-27"
         "disburse 市财政局 2024-05-28")
  for s in "${steps[@]}"; do set -- $s; expect_rc 0 "case 1 $1 by $2" R case act 1 "$1" --as "$2" --actor 甲 --date "$3"; done
  # case 2 at formal review, case 3 at county review (both eligible, 200,000 yuan)
  facts_with_id APP-T-2 "$TMP/f2.json"; facts_with_id APP-T-3 "$TMP/f3.json"
  R case submit --program R14 --facts "$TMP/f2.json" --applicant ORG2 --date 2024-06-03 >/dev/null
  R case submit --program R14 --facts "$TMP/f3.json" --applicant ORG3 --date 2024-06-03 >/dev/null
  expect_rc 0 "case 2 submit" R case act 2 submit --as 申报单位 --actor 乙 --date 2024-06-03
  expect_rc 0 "case 2 county approve" R case act 2 approve --as 旗县区科技局[临河区] --actor 乙 --date 2024-06-04
  expect_rc 0 "case 3 submit" R case act 3 submit --as 申报单位 --actor 丙 --date 2024-06-03
  expect_rc 0 "the pristine database verifies, replayed" R audit verify
  contains "$TMP/out" "3 cases replayed" "every case replayed"
  contains "$TMP/out" "every chain verifies and every case matches its history" "clean"
  expect_rc 0 "checkpoint" S audit checkpoint --key "$TMP/key" --out "$TMP/cp-$LABEL"
  expect_rc 0 "clean against the checkpoint" R audit verify --checkpoint "$TMP/cp-$LABEL" --pubkey "$TMP/key.pub"
}

# events_json CASE: the case's events as a JSON array (what rechain.py reads).
events_json() {
  local cols="'case_id',case_id,'seq',seq,'actor',actor,'role',role,'action',action,'from_stage',from_stage,'to_stage',to_stage,'note',note,'occurred_at',occurred_at,'payload_json',payload_json"
  case "$BACKEND" in
    sqlite) sql "SELECT json_group_array(json_object($cols)) FROM (SELECT * FROM events WHERE case_id = $1 ORDER BY seq)" ;;
    mariadb) sql "SELECT JSON_ARRAYAGG(JSON_OBJECT($cols) ORDER BY seq) FROM events WHERE case_id = $1" ;;
    *) sql "SELECT json_agg(json_build_object($cols) ORDER BY seq) FROM events WHERE case_id = $1" ;;
  esac
}
# rechain CASE OPTIONS…: rewrites the case's chain consistently (rechain.py) in the database.
rechain() {
  local id="$1"; shift
  events_json "$id" >"$TMP/ev.json"
  $RECHAIN "$TMP/ev.json" "$@" >"$TMP/rechain.sql" || { bad "rechain.py failed"; return; }
  case "$BACKEND" in
    sqlite) sqlite3 "$DBFILE" <"$TMP/rechain.sql" ;;
    mariadb) { echo "SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES';"; cat "$TMP/rechain.sql"; } |
               mariadb_client "$SUBSIDY_TEST_MARIADB" "$MARIADB_DB" ;;
    *) { echo "SET search_path TO $PG_SCHEMA;"; cat "$TMP/rechain.sql"; } | psql -q "$SUBSIDY_TEST_PG" >/dev/null ;;
  esac
}
seq_of() { sql "SELECT seq FROM events WHERE case_id = $1 AND action = '$2' ORDER BY seq LIMIT 1"; }

# fresh NAME: DB (and sql()) on a new copy of the pristine database.
fresh() {
  case "$BACKEND" in
    sqlite) DBFILE="$TMP/$1.db"; cp "$BASE_DB" "$DBFILE"; DB="$DBFILE" ;;
    mariadb)
      MARIADB_DB="${BASE_MARIADB}_$1"
      mariadb_client "$SUBSIDY_TEST_MARIADB" "" -e "CREATE DATABASE $MARIADB_DB" || bad "cannot create $MARIADB_DB"
      mariadb_dump "$BASE_MARIADB" | mariadb_client "$SUBSIDY_TEST_MARIADB" "$MARIADB_DB"
      DB="$(mariadb_url_with_db "$SUBSIDY_TEST_MARIADB" "$MARIADB_DB")" ;;
    *)
      PG_SCHEMA="${BASE_SCHEMA}_$1"
      pg_dump "$SUBSIDY_TEST_PG" -n "$BASE_SCHEMA" | sed "s/\b$BASE_SCHEMA\b/$PG_SCHEMA/g" | psql -q "$SUBSIDY_TEST_PG" >/dev/null 2>&1
      local sep='?'; case "$SUBSIDY_TEST_PG" in *\?*) sep='&';; esac
      DB="${SUBSIDY_TEST_PG}${sep}options=-c%20search_path%3D${PG_SCHEMA}" ;;
  esac
}
# mariadb_dump DB: mariadb-dump of database DB on the server of $SUBSIDY_TEST_MARIADB.
mariadb_dump() {
  [[ "$SUBSIDY_TEST_MARIADB" =~ ^(mysql|mariadb)://([^:@/]*)(:([^@/]*))?@([^:/?]*)(:([0-9]+))?/ ]] || return 2
  mariadb-dump --protocol=tcp -h "${BASH_REMATCH[5]}" -P "${BASH_REMATCH[7]:-3306}" -u "${BASH_REMATCH[2]}" \
    "-p${BASH_REMATCH[4]}" --skip-lock-tables "$1"
}
done_with() {
  if [ "$BACKEND" = mariadb ]; then
    mariadb_client "$SUBSIDY_TEST_MARIADB" "" -e "DROP DATABASE IF EXISTS $MARIADB_DB" >/dev/null 2>&1; MARIADB_DB="$BASE_MARIADB"
  elif [ "$BACKEND" != sqlite ]; then psql "$SUBSIDY_TEST_PG" -qAtc "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1; PG_SCHEMA="$BASE_SCHEMA"; fi
}
# found NAME WHAT…: audit verify (replay and checkpoint) exits 1 and its report has each WHAT
found() {
  local name="$1"; shift
  expect_rc 1 "$name: found" R audit verify --checkpoint "$TMP/cp-$LABEL" --pubkey "$TMP/key.pub"
  for w in "$@"; do contains "$TMP/out" "$w" "$name"; done
}
# found_by_replay NAME WHAT…: found without the checkpoint too
found_by_replay() {
  local name="$1"; shift
  expect_rc 1 "$name: found by replay" R audit verify
  for w in "$@"; do contains "$TMP/out" "$w" "$name (replay)"; done
}

tampering() {
  BASE_DB="$DBFILE"; BASE_SCHEMA="$PG_SCHEMA"; BASE_MARIADB="$MARIADB_DB"
  local n1 ret cor
  n1=$(sql "SELECT event_count FROM cases WHERE id = 1")

  # --- consistent rewrites of a chain with its head: only the checkpoint can tell
  fresh approver
  rechain 1 --set 3 actor 冒名者
  expect_rc 0 "a new approver, chain and head rewritten: every chain verifies" S audit verify --no-replay
  found "new approver" "case 1 seq $n1: checkpoint: case 1: event seq $n1 is not the one at the checkpoint" "the history up to it was rewritten"
  done_with

  fresh noreturn
  ret=$(seq_of 1 return); cor=$(seq_of 1 correct)
  rechain 1 --delete "$ret" --delete "$cor" --delete "$((cor + 1))"
  found "deleted return for correction" "case 1 seq" "checkpoint: case 1: the case's history has $((n1 - 3)) events but had $n1" \
        "records facts version 2 after 1"
  found_by_replay "deleted return for correction" "illegal_step: case 1: event seq $ret"
  done_with

  fresh truncated
  rechain 1 --truncate $((n1 - 2))
  found "truncated history" "it was truncated" "state_mismatch: case 1: the stored stages is \`disbursed\` but the replayed workflow says \`fund_plan\`"
  done_with

  fresh forged
  rechain 2 --append '{"actor":"伪造","role":"市财政局","action":"disburse","from_stage":"formal_review","to_stage":"disbursed"}'
  found_by_replay "forged appended disbursement" "illegal_step: case 2: event seq 4 (disburse): \`disburse\` by \`市财政局\`" "is not a step the workflow takes"
  done_with

  fresh deletedcase
  sql "DELETE FROM awards WHERE case_id = 1; DELETE FROM events WHERE case_id = 1; DELETE FROM facts_versions WHERE case_id = 1; DELETE FROM cases WHERE id = 1;"
  expect_rc 0 "a deleted case: every chain still verifies" S audit verify --no-replay
  found "deleted case" "checkpoint: case 1: the case existed at the checkpoint" "it was deleted" \
        "budget_mismatch: the consumed amount of R14/2024 is 200000.00 yuan but its cases' events paid 0.00 yuan"
  done_with

  # --- single rows that decide money or routing: found by replay
  fresh facts
  sql "UPDATE facts_versions SET facts_json = replace(facts_json, '\"is_agri\": true', '\"is_agri\": false') WHERE case_id = 2"
  sql "UPDATE facts_versions SET facts_json = facts_json || ' ' WHERE case_id = 3"
  found_by_replay "edited facts versions" "case 3 seq 1: state_mismatch: case 3: facts version 1 is not the one event seq 1 recorded"
  done_with

  fresh amount
  sql "UPDATE cases SET decision_amount_fen = decision_amount_fen * 5 WHERE id = 2; UPDATE cases SET decision_outcome = 'refused' WHERE id = 3"
  found_by_replay "decision amount and outcome" "case 2 seq 0: state_mismatch: case 2: the stored decision amount is 1000000.00 yuan but its last event" \
        "case 3 seq 0: state_mismatch: case 3: the stored decision outcome is refused but its last event (seq 2) says eligible"
  done_with

  fresh reservation
  sql "UPDATE cases SET reserved_fen = 5000000 WHERE id = 2; UPDATE budgets SET reserved_fen = reserved_fen + 5000000"
  found_by_replay "reservation" "state_mismatch: case 2: the stored reservation is 50000.00 yuan but its last event" \
        "budget_mismatch: the reserved amount of R14/2024 is 50000.00 yuan but its cases' events hold 0.00 yuan"
  done_with

  fresh stages
  sql "UPDATE cases SET stages = '|fund_plan|', roles = '|市财政局|' WHERE id = 2"
  sql "UPDATE cases SET state_json = replace(state_json, 'county_review', 'fund_plan') WHERE id = 3"
  found_by_replay "stage columns" "state_mismatch: case 2: the stored stages is \`fund_plan\` but the replayed workflow says \`formal_review\`" \
        "state_mismatch: case 2: the stored responsible roles is \`市财政局\`" "state_mismatch: case 3: the stored workflow state (state_json)"
  done_with

  fresh identity
  sql "UPDATE cases SET application_id = 'APP-FORGED' WHERE id = 2; UPDATE cases SET programme = 'R13' WHERE id = 3"
  found_by_replay "application id and programme" "case 2: the stored application id is \`APP-FORGED\` but its first event says \`APP-T-2\`" \
        "case 3: the stored programme is \`R13\` but its first event says \`R14\`"
  done_with

  fresh budget
  sql "UPDATE budgets SET total_fen = total_fen * 2, consumed_fen = 0"
  found_by_replay "budget row" "budget R14/2024 seq 1: budget_mismatch: the total of R14/2024 is 6000000.00 yuan" \
        "budget_mismatch: the consumed amount of R14/2024 is 0.00 yuan but its cases' events paid 200000.00 yuan"
  done_with

  fresh awards
  sql "UPDATE awards SET amount_fen = amount_fen * 5 WHERE case_id = 1"
  found_by_replay "award amount" "award_mismatch: case 1: the case's awards total 1000000.00 yuan but its disbursement events paid 200000.00 yuan"
  done_with
  fresh noaward
  sql "DELETE FROM awards WHERE case_id = 1"
  found_by_replay "deleted award" "award_mismatch: case 1: the case's disbursement paid 200000.00 yuan but it has no award: the award was deleted"
  done_with

  # --- the stage jump of the issue: case 3 moved from county review to disbursement, amount ×5
  fresh stagejump
  sql "UPDATE cases SET stages = '|disbursement|', roles = '|市财政局|', decision_amount_fen = decision_amount_fen * 5,
       state_json = replace(state_json, '\"stage\":\"county_review\"', '\"stage\":\"disbursement\"') WHERE id = 3"
  expect_rc 8 "the jumped case is refused at disbursement" R case act 3 disburse --as 市财政局 --actor 钱七 --date 2024-06-10
  contains "$TMP/err" "refused [history_mismatch]" "refusal names why"
  contains "$TMP/err" "case 3" "refusal names the case"
  equals "$(sql "SELECT COUNT(*) FROM awards WHERE case_id = 3")" 0 "nothing paid"
  found_by_replay "stage jump" "state_mismatch: case 3: the stored stages is \`disbursement\` but the replayed workflow says \`county_review\`" \
        "state_mismatch: case 3: the stored decision amount is 1000000.00 yuan"
  done_with

  # --- the single-row kinds the chains always caught
  fresh rows
  sql "UPDATE events SET note = '改' WHERE case_id = 1 AND seq = 2"
  sql "DELETE FROM events WHERE case_id = 2 AND seq = 2"
  found "single rows" "case 1 seq 2: altered" "case 2 seq 2: deleted"
  done_with
  fresh flood
  sql "INSERT INTO events (case_id, seq, actor, role, action, from_stage, to_stage, note, occurred_at, payload_json, prev_hash, hash)
       SELECT case_id, 10000000, actor, role, action, from_stage, to_stage, '伪造', occurred_at, payload_json, prev_hash, hash FROM events WHERE case_id = 3 AND seq = 1"
  found "seq flood" "case 3 seq 3: deleted: events seq 3 to 9999999 are missing (deleted)"
  equals "$(grep -c 'deleted: events seq' "$TMP/out")" 1 "the flood is one deleted finding"
  done_with

  # --- a forged or altered checkpoint, and the wrong key
  fresh cpforged
  sed 's/^cases: 3$/cases: 2/' "$TMP/cp-$LABEL" >"$TMP/cp-forged"
  expect_rc 1 "an altered checkpoint" R audit verify --checkpoint "$TMP/cp-forged" --pubkey "$TMP/key.pub"
  contains "$TMP/out" "the signature does not match the checkpoint's header" "altered checkpoint named"
  expect_rc 1 "another key" R audit verify --checkpoint "$TMP/cp-$LABEL" --pubkey "$TMP/other.pub"
  contains "$TMP/out" "signed with another key" "wrong key named"
  done_with
  DBFILE="$BASE_DB"; DB="$BASE_DB"
}

# verify_audit reads the events in pages of 256 cases (keyset on case_id): 600 more cases, events
# edited at the pages' edges, every event read exactly once and each edit found in its case.
paging() {
  BASE_DB="$DBFILE"; BASE_SCHEMA="$PG_SCHEMA"; BASE_MARIADB="$MARIADB_DB"
  fresh paging
  python3 - "$ROOT/tests/cli/data/incubator-agri-corrected.json" "$TMP/many.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for i in range(600):
        d["id"] = "APP-PAGE-%03d" % i
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
PY
  expect_rc 0 "import 600 cases" R case import "$TMP/many.jsonl" --program R14 --date 2024-06-03 --no-progress
  local total cases id
  total=$(sql "SELECT COUNT(*) FROM events"); cases=$(sql "SELECT COUNT(*) FROM cases")
  expect_rc 0 "603 cases verify" S audit verify --no-replay
  contains "$TMP/out" "$cases cases, $total events" "every event read once over the pages"
  for id in 4 256 257 258 512 513 603; do sql "UPDATE events SET note = 'page' WHERE case_id = $id AND seq = 1"; done
  expect_rc 1 "edits at the pages' edges" S audit verify --no-replay
  for id in 4 256 257 258 512 513 603; do contains "$TMP/out" "case $id seq 1: altered" "case $id (paging)"; done
  equals "$(grep -c ': altered:' "$TMP/out")" 7 "each edit found once"
  contains "$TMP/out" "$cases cases, $total events" "every event read once"
  done_with
  DBFILE="$BASE_DB"; DB="$BASE_DB"
}

suite() {
  build
  tampering
  paging
}

# The SM3 database: chosen before its first event, recorded, used by every chain and the checkpoint.
tampering_sm3() {
  BASE_DB="$DBFILE"; BASE_SCHEMA="$PG_SCHEMA"; BASE_MARIADB="$MARIADB_DB"
  local n1
  n1=$(sql "SELECT event_count FROM cases WHERE id = 1")
  equals "$(sql "SELECT value FROM settings WHERE name = 'audit_hash'")" sm3 "settings.audit_hash is sm3"
  contains "$TMP/cp-$LABEL" "hash: sm3" "the checkpoint names its hash"
  expect_rc 6 "the hash of a database with events cannot change" S db migrate --hash sha256
  contains "$TMP/err" "its hash cannot become sha256" "the refusal says why"

  fresh sm3rechain
  rechain 1 --hash sm3 --set 3 actor 冒名者
  expect_rc 0 "an SM3 rewrite of chain and head: every chain verifies" S audit verify --no-replay
  found "new approver (sm3)" "case 1 seq $n1: checkpoint: case 1: event seq $n1 is not the one at the checkpoint"
  done_with

  fresh sm3assha
  rechain 2 --hash sha256
  found "a chain rewritten in SHA-256 on an SM3 database" "case 2 seq 1: altered" "case 2 seq 3: altered"
  done_with

  fresh sm3rows
  sql "UPDATE events SET note = '改' WHERE case_id = 1 AND seq = 2"
  sql "DELETE FROM events WHERE case_id = 2 AND seq = 2"
  sql "UPDATE budget_events SET note = '改' WHERE seq = 1"
  found "single rows (sm3)" "case 1 seq 2: altered" "case 2 seq 2: deleted" "budget R14/2024 seq 1: altered"
  done_with

  fresh sm3deleted
  sql "DELETE FROM awards WHERE case_id = 1; DELETE FROM events WHERE case_id = 1; DELETE FROM facts_versions WHERE case_id = 1; DELETE FROM cases WHERE id = 1;"
  found "deleted case (sm3)" "checkpoint: case 1: the case existed at the checkpoint" "it was deleted"
  done_with

  fresh sm3settings
  sql "UPDATE settings SET value = 'sha256' WHERE name = 'audit_hash'"
  found "audit_hash switched to sha256" "case 1 seq 1: altered" "budget R14/2024 seq 1: altered" "hashed with sm3 but the database's are sha256"
  done_with
  DBFILE="$BASE_DB"; DB="$BASE_DB"
}

suite_sm3() {
  expect_rc 0 "db migrate --hash sm3" S db migrate --hash sm3
  contains "$TMP/out" "audit hash: sm3" "migrate reports the hash"
  build
  tampering_sm3
}

expect_rc 0 "keygen" "$BIN" audit keygen --out "$TMP/key"
equals "$(stat -c %a "$TMP/key")" 600 "the private key is 0600"
contains "$TMP/key.pub" "BEGIN PUBLIC KEY" "the public key"
expect_rc 3 "keygen never overwrites" "$BIN" audit keygen --out "$TMP/key"
"$BIN" audit keygen --out "$TMP/other" >/dev/null
on_backends tamper suite
on_backends tamper_sm3 suite_sm3
on_mariadb tamper suite
echo "audit tamper: $pass passed, $fail failed"
[ "$fail" = 0 ]
