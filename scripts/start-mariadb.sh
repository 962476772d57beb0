#!/usr/bin/env bash
# Starts a local MariaDB server (Debian 12 package, 10.11) for the repository tests and prints its
# connection URL on stdout, e.g. mysql://subsidy:subsidy@127.0.0.1:3306/subsidy_test
#
# Idempotent: installs the `mariadb-server` package if it is missing, initialises the data directory
# if it is empty, starts the server unless it answers already, creates (or resets) the user `subsidy`
# with its password and the database `subsidy_test` (utf8mb4), and grants the user every privilege on
# `subsidy_test` and on the databases `subsidy_test_*` (each repository test creates and drops one of
# its own). Needs root or password-less sudo (the server's root account is reached through the
# unix_socket plugin); every message but the URL goes to stderr.
# Environment: SUBSIDY_MARIADB_USER, SUBSIDY_MARIADB_PASSWORD, SUBSIDY_MARIADB_DB override the names.
set -euo pipefail

M_USER="${SUBSIDY_MARIADB_USER:-subsidy}"
M_PASSWORD="${SUBSIDY_MARIADB_PASSWORD:-subsidy}"
M_DB="${SUBSIDY_MARIADB_DB:-subsidy_test}"
PORT=3306
DATADIR=/var/lib/mysql

log() { echo "start-mariadb: $*" >&2; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    log "needs root or password-less sudo to start MariaDB"
    exit 2
  fi
fi

for name in "$M_USER" "$M_DB"; do
  if ! [[ "$name" =~ ^[A-Za-z0-9_]+$ ]]; then
    log "user and database names may contain only letters, digits and '_' (got '$name')"
    exit 2
  fi
done
case "$M_PASSWORD" in *"'"* | *"\\"*) log "the password may not contain ' or \\"; exit 2 ;; esac

if ! dpkg-query -W -f='${Status}' mariadb-server 2>/dev/null | grep -q "install ok installed"; then
  log "installing mariadb-server"
  "${SUDO[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends mariadb-server >&2
fi

# As the server's root account (unix_socket authentication of the operating-system root).
as_root() { "${SUDO[@]}" mariadb --protocol=socket -uroot "$@"; }
alive() { "${SUDO[@]}" mariadb-admin --protocol=socket -uroot ping >/dev/null 2>&1; }

if ! alive; then
  if [ ! -d "$DATADIR/mysql" ]; then
    log "initialising the data directory $DATADIR"
    "${SUDO[@]}" mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >&2
  fi
  "${SUDO[@]}" install -d -o mysql -g mysql /run/mysqld
  log "starting mariadbd on 127.0.0.1:$PORT"
  # Detached from this shell (no systemd in CI containers); its log goes to the data directory.
  "${SUDO[@]}" setsid mariadbd-safe --user=mysql --datadir="$DATADIR" --bind-address=127.0.0.1 --port="$PORT" \
    --log-error="$DATADIR/subsidy-test.err" </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    if alive; then break; fi
    sleep 0.5
  done
  if ! alive; then
    log "server did not become ready (see $DATADIR/subsidy-test.err)"
    exit 1
  fi
fi

# The databases of the repository tests: `subsidy_test_<pid>_<n>` (LIKE pattern, '_' escaped).
TEST_DBS="${M_DB//_/\\_}\\_%"
as_root >&2 <<SQL
DROP USER IF EXISTS '$M_USER'@'localhost', '$M_USER'@'127.0.0.1';
CREATE USER '$M_USER'@'localhost' IDENTIFIED BY '$M_PASSWORD';
CREATE USER '$M_USER'@'127.0.0.1' IDENTIFIED BY '$M_PASSWORD';
CREATE DATABASE IF NOT EXISTS \`$M_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
GRANT ALL PRIVILEGES ON \`$M_DB\`.* TO '$M_USER'@'localhost', '$M_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$TEST_DBS\`.* TO '$M_USER'@'localhost', '$M_USER'@'127.0.0.1';
SQL

PORT="$(as_root -N -B -e 'SELECT @@port')"
echo "mysql://$M_USER:$M_PASSWORD@127.0.0.1:$PORT/$M_DB"
