# Shared by the CLI test scripts that run the built binary against a database (case_cli_test.sh,
# advance_cli_test.sh, user_cli_test.sh): a temporary directory, pass/fail counters and checks,
# SQL on the backend under test, and running a suite on SQLite and then — when SUBSIDY_TEST_PG holds
# a PostgreSQL URL — on PostgreSQL in a fresh schema, or once on MariaDB in a fresh database when
# SUBSIDY_TEST_MARIADB holds a MariaDB URL. Source it after setting BIN and ROOT.
cd "$ROOT"
TMP="$(mktemp -d)"
PG_SCHEMA=""
MARIADB_DB=""
. "$ROOT/scripts/mariadb-client.sh"
cleanup() {
  if [ -n "$PG_SCHEMA" ]; then psql "$SUBSIDY_TEST_PG" -qAtc "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1; fi
  if [ -n "$MARIADB_DB" ]; then mariadb_client "$SUBSIDY_TEST_MARIADB" "" -e "DROP DATABASE IF EXISTS $MARIADB_DB" >/dev/null 2>&1; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
pass=0; fail=0; LABEL=""
ok()   { pass=$((pass+1)); }
bad()  { fail=$((fail+1)); echo "FAIL [$LABEL]: $*"; }
# expect_rc WANT DESC CMD...: CMD's stdout in $TMP/out, stderr in $TMP/err
expect_rc() { local want="$1" desc="$2"; shift 2; "$@" >"$TMP/out" 2>"$TMP/err"; local rc=$?
  if [ "$rc" = "$want" ]; then ok; else bad "$desc: exit $rc, want $want"; sed 's/^/    /' "$TMP/err" "$TMP/out" | head -8; fi; }
contains() { if grep -qF -- "$2" "$1"; then ok; else bad "$3: missing [$2]"; head -c 1500 "$1" | sed 's/^/    /'; fi; }
lacks() { if grep -qF -- "$2" "$1"; then bad "$3: has [$2]"; else ok; fi; }
matches() { if grep -qE -- "$2" "$1"; then ok; else bad "$3: no line matches [$2]"; head -c 1500 "$1" | sed 's/^/    /'; fi; }
equals() { if [ "$1" = "$2" ]; then ok; else bad "$3: got [$1], want [$2]"; fi; }
sql() {
  case "$BACKEND" in
    sqlite) sqlite3 "$DBFILE" "$1" ;;
    mariadb) mariadb_client "$SUBSIDY_TEST_MARIADB" "$MARIADB_DB" -e "SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT'; $1" ;;
    *) psql "$SUBSIDY_TEST_PG" -qAtc "SET search_path TO $PG_SCHEMA; $1" ;;
  esac
}

# on_backends NAME SUITE: runs SUITE with BACKEND/DB set, on SQLite ($TMP/NAME.db), then on a
# fresh PostgreSQL schema NAME_<pid> when SUBSIDY_TEST_PG is set (migrated first).
on_backends() {
  local name="$1" suite="$2"
  LABEL=sqlite; BACKEND=sqlite; DBFILE="$TMP/$name.db"; DB="$DBFILE"
  "$suite"
  if [ -n "${SUBSIDY_TEST_PG:-}" ]; then
    LABEL=postgresql; BACKEND=postgresql
    PG_SCHEMA="${name}_$$"
    psql "$SUBSIDY_TEST_PG" -qAtc "CREATE SCHEMA $PG_SCHEMA" >/dev/null
    local sep='?'; case "$SUBSIDY_TEST_PG" in *\?*) sep='&';; esac
    DB="${SUBSIDY_TEST_PG}${sep}options=-c%20search_path%3D${PG_SCHEMA}"
    "$BIN" db migrate --db "$DB" >/dev/null
    "$suite"
  else
    echo "notice: SUBSIDY_TEST_PG not set: the PostgreSQL part of the $name test is skipped"
  fi
}

# on_mariadb NAME CMD ARGS…: runs CMD ARGS… once with BACKEND=mariadb and DB set, in a fresh MariaDB
# database <DB>_NAME_<pid> on the server of $SUBSIDY_TEST_MARIADB (migrated first; its user may
# create databases named <DB>_…, scripts/start-mariadb.sh), when that is set.
on_mariadb() {
  local name="$1"; shift
  if [ -z "${SUBSIDY_TEST_MARIADB:-}" ]; then
    echo "notice: SUBSIDY_TEST_MARIADB not set: the MariaDB part of the $name test is skipped"
    return
  fi
  LABEL=mariadb; BACKEND=mariadb
  local base="${SUBSIDY_TEST_MARIADB%%\?*}"
  MARIADB_DB="${base##*/}_${name}_$$"
  if ! mariadb_client "$SUBSIDY_TEST_MARIADB" "" -e "CREATE DATABASE $MARIADB_DB"; then
    bad "cannot create database $MARIADB_DB on MariaDB"
    return
  fi
  DB="$(mariadb_url_with_db "$SUBSIDY_TEST_MARIADB" "$MARIADB_DB")"
  "$BIN" db migrate --db "$DB" >/dev/null || bad "db migrate on MariaDB"
  "$@"
}

# facts_with_id ID FILE: a copy of the eligible facts (tests/cli/data) with another application id.
facts_with_id() { python3 - "$ROOT/tests/cli/data/incubator-agri-corrected.json" "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); d["id"] = sys.argv[2]
json.dump(d, open(sys.argv[3], "w"), ensure_ascii=False)
EOF
}
