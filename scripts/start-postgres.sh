#!/usr/bin/env bash
# Starts a local PostgreSQL 15 server (Debian 12 package) for the repository tests and prints its
# connection URL on stdout, e.g. postgresql://subsidy:subsidy@127.0.0.1:5432/subsidy_test
#
# Idempotent: installs the `postgresql` package if it is missing, creates and starts cluster 15/main,
# creates (or resets) the login role `subsidy` and the UTF-8 database `subsidy_test`, and waits until
# the server accepts TCP connections. Needs root or password-less sudo; every message but the URL
# goes to stderr. Environment: SUBSIDY_PG_USER, SUBSIDY_PG_PASSWORD, SUBSIDY_PG_DB override the names.
set -euo pipefail

PG_VERSION=15
CLUSTER=main
PG_USER="${SUBSIDY_PG_USER:-subsidy}"
PG_PASSWORD="${SUBSIDY_PG_PASSWORD:-subsidy}"
PG_DB="${SUBSIDY_PG_DB:-subsidy_test}"

log() { echo "start-postgres: $*" >&2; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    log "needs root or password-less sudo to start PostgreSQL"
    exit 2
  fi
fi

# Runs a command as the `postgres` operating-system user (peer authentication on the local socket).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -n -u postgres "$@")
  fi
}

if ! dpkg-query -W -f='${Status}' "postgresql-$PG_VERSION" 2>/dev/null | grep -q "install ok installed"; then
  log "installing postgresql"
  "${SUDO[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
fi

if ! pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$CLUSTER" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
  log "creating cluster $PG_VERSION/$CLUSTER"
  "${SUDO[@]}" pg_createcluster "$PG_VERSION" "$CLUSTER" >&2
fi

PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$CLUSTER" '$1 == v && $2 == c { print $3 }')"
STATUS="$(pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$CLUSTER" '$1 == v && $2 == c { print $4 }')"
if [ "$STATUS" != "online" ]; then
  log "starting cluster $PG_VERSION/$CLUSTER on port $PORT"
  "${SUDO[@]}" pg_ctlcluster "$PG_VERSION" "$CLUSTER" start >&2
fi

for _ in $(seq 1 120); do
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then break; fi
  sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
  log "server did not become ready on 127.0.0.1:$PORT (see /var/log/postgresql/postgresql-$PG_VERSION-$CLUSTER.log)"
  exit 1
fi

as_postgres psql -q -p "$PORT" -v ON_ERROR_STOP=1 -v user="$PG_USER" -v password="$PG_PASSWORD" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'password')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'user') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'user', :'password') \gexec
SQL
if [ "$(as_postgres psql -p "$PORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
  log "creating database $PG_DB"
  as_postgres createdb -p "$PORT" -O "$PG_USER" -E UTF8 -T template0 "$PG_DB" >&2
fi

echo "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PORT/$PG_DB"
