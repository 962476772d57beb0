#!/usr/bin/env bash
# Scheduled checkpoints (docs/storage.md §4): `serve --checkpoint-every 1s --checkpoint-key KEY
# --checkpoint-dir DIR` on two instances over one database (SQLite; with SUBSIDY_TEST_PG also
# PostgreSQL) sharing DIR:
#   - they write one chain: checkpoint-000001.txt, -000002.txt, … without gaps, each naming the hash
#     of the one before as `previous` (the first the genesis value), no two with the same previous;
#   - every checkpoint verifies against the database with the public key; the newest is clean;
#   - each file was written by exactly one instance (the `wrote` lines of both are the files);
#   - the signing key is in no table; bad options exit 2 naming the option.
#   serve_checkpoint_test.sh path/to/subsidy project-root
set -uo pipefail
BIN="$1"; ROOT="$2"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/serve_lib.sh"
S() { "$BIN" "$@" --db "$DB"; }

expect_rc 0 "keygen" "$BIN" audit keygen --out "$TMP/key"

suite() {
  local dir="$TMP/cp-$LABEL" a b n i prev
  mkdir -p "$dir"
  expect_rc 0 "budget set" S budget set --program R14 --year 2024 --total 3000000 --actor 财政局
  "$BIN" case submit --program R14 --facts tests/cli/data/incubator-agri.json --applicant ORG1 --date 2024-05-06 \
    --db "$DB" --rules rules >/dev/null || bad "case submit"

  expect_rc 2 "key without the others" "$BIN" serve --rules rules --db "$DB" --checkpoint-key "$TMP/key"
  contains "$TMP/err" "go together" "the three options go together"
  expect_rc 2 "a bad duration" "$BIN" serve --rules rules --db "$DB" --checkpoint-every soon --checkpoint-key "$TMP/key" --checkpoint-dir "$dir"
  contains "$TMP/err" "--checkpoint-every takes a DURATION" "the duration is named"
  expect_rc 2 "a public key cannot sign" "$BIN" serve --rules rules --db "$DB" --checkpoint-every 1s --checkpoint-key "$TMP/key.pub" --checkpoint-dir "$dir"
  contains "$TMP/err" "not an Ed25519 private key" "the key is named"
  expect_rc 2 "no directory" "$BIN" serve --rules rules --db "$DB" --checkpoint-every 1s --checkpoint-key "$TMP/key" --checkpoint-dir "$TMP/none"
  contains "$TMP/err" "is not a directory" "the directory is named"

  local opts=(--rules rules --db "$DB" --timers-every 0 --checkpoint-every 1s --checkpoint-key "$TMP/key" --checkpoint-dir "$dir")
  serve_start "cpa-$LABEL" "${opts[@]}" || return; a=$PID
  serve_start "cpb-$LABEL" "${opts[@]}" || return; b=$PID
  for _ in $(seq 200); do [ -e "$dir/checkpoint-000004.txt" ] && break; sleep 0.05; done
  # a case moves while they run: the later checkpoints hold its new head
  "$BIN" case act 1 submit --as 申报单位 --actor 甲 --date 2024-05-06 --db "$DB" --rules rules >/dev/null || bad "case act"
  for _ in $(seq 200); do [ -e "$dir/checkpoint-000006.txt" ] && break; sleep 0.05; done
  serve_stop "$a"; equals "$RC" 0 "instance a stops"
  serve_stop "$b"; equals "$RC" 0 "instance b stops"

  n=$(ls "$dir" | grep -c '^checkpoint-[0-9]*\.txt$')
  [ "$n" -ge 6 ] && ok || bad "want at least 6 checkpoints, got $n"
  equals "$(ls -A "$dir" | grep -vc '^checkpoint-[0-9]*\.txt$')" 0 "no temporary file is left"
  equals "$(cat "$TMP/cpa-$LABEL.err" "$TMP/cpb-$LABEL.err" | grep -c '^checkpoint: wrote ')" "$n" "each checkpoint written by one instance"
  lacks "$TMP/cpa-$LABEL.err" "not written" "no failed run (a)"
  lacks "$TMP/cpb-$LABEL.err" "not written" "no failed run (b)"
  # the chain: each names the SHA-256 of the header (up to its signature line) of the one before
  python3 - "$dir" "$n" >"$TMP/chain" <<'PY'
import hashlib, sys
d, n = sys.argv[1], int(sys.argv[2])
prev = "0" * 64
for i in range(1, n + 1):
    text = open(f"{d}/checkpoint-{i:06d}.txt", encoding="utf-8").read()
    header = text[: text.index("\n", text.index("\nsignature: ") + 1) + 1]
    named = [l for l in header.splitlines() if l.startswith("previous: ")][0][10:]
    print(f"{i} {'ok' if named == prev else 'broken: names ' + named + ', want ' + prev}")
    prev = hashlib.sha256(header.encode()).hexdigest()
PY
  equals "$(grep -vc ' ok$' "$TMP/chain")" 0 "one unbroken chain of previous hashes"
  for i in $(seq 1 "$n"); do
    expect_rc 0 "checkpoint $i verifies" S audit verify --no-replay --checkpoint "$(printf '%s/checkpoint-%06d.txt' "$dir" "$i")" --pubkey "$TMP/key.pub"
  done
  [ "$(grep '^case 1 ' "$dir/checkpoint-000001.txt")" != "$(grep '^case 1 ' "$(printf '%s/checkpoint-%06d.txt' "$dir" "$n")")" ] \
    && ok || bad "the newest checkpoint holds the case's new head"
  case "$BACKEND" in
    sqlite) lacks "$DBFILE" "PRIVATE KEY" "the key is not in the database" ;;
    *) equals "$(pg_dump "$SUBSIDY_TEST_PG" -n "$PG_SCHEMA" | grep -c 'PRIVATE KEY')" 0 "the key is not in the database" ;;
  esac
}

on_backends serve_checkpoint suite
echo "serve checkpoint: $pass passed, $fail failed"
[ "$fail" = 0 ]
