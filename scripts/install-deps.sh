#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing `subsidy` needs. Run as root (or with sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config python3
  libboost1.81-dev            # Spirit X3 (rule language), Graph (workflows)
  libboost-json1.81-dev       # workflow case state as JSON
  libspdlog-dev               # logging
  libcli11-dev                # command-line parsing
  libutf8proc-dev             # display width of table columns (CJK text)
  libsimdjson-dev             # JSON input (On-Demand)
  libssl-dev                  # SHA-256 (ruleset hash, audit chains)
  libargon2-dev               # Argon2id password hashing (adapters/auth)
  libkainjow-mustache-dev     # HTML templates of the officer's desk (adapters/web)
  libgtest-dev libgmock-dev   # tests
  libbenchmark-dev            # microbenchmarks
  libsoci-dev libsqlite3-dev libpq-dev libmariadb-dev   # storage (SOCI on SQLite / PostgreSQL / MariaDB)
  postgresql                  # PostgreSQL 15 server for the repository tests (scripts/start-postgres.sh)
  mariadb-server mariadb-client   # MariaDB 10.11 server for the repository tests (scripts/start-mariadb.sh)
  unixodbc-dev odbc-mariadb   # ODBC: SOCI's ODBC backend, and the MariaDB driver its tests use
  sqlite3                     # sqlite3 CLI: tamper and crash checks in tests/cli/case_cli_test.sh
  clang libclang-rt-14-dev    # libFuzzer + sanitizer runtimes for the fuzz targets (scripts/fuzz.sh)
  chromium fonts-noto-cjk     # the desk's browser tests (tests/browser: headless, driven by playwright-core) and CJK screenshots
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the browser tests (tests/browser, playwright-core from npm); Debian's own when
# the machine has none (a Node.js of another origin brings its npm).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
