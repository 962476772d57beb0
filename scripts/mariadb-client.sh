# Sourced by tests/cli/lib.sh and bench/cases.sh: the mariadb client for a URL of the form
# mysql://USER:PASSWORD@HOST:PORT/DB (as scripts/start-mariadb.sh prints it; no percent-encoding).
#   mariadb_client URL DB ARGS…   runs `mariadb` as USER on HOST:PORT in database DB ("": none),
#                                 batch output without column names (-N -B -r)
mariadb_client() {
  local url="$1" db="$2"; shift 2
  [[ "$url" =~ ^(mysql|mariadb)://([^:@/]*)(:([^@/]*))?@([^:/?]*)(:([0-9]+))?/([^?]*) ]] || {
    echo "not a mysql://USER:PASSWORD@HOST:PORT/DB URL: $url" >&2; return 2; }
  mariadb --protocol=tcp -h "${BASH_REMATCH[5]}" -P "${BASH_REMATCH[7]:-3306}" -u "${BASH_REMATCH[2]}" \
    "-p${BASH_REMATCH[4]}" -N -B -r "$@" $db
}

# mariadb_url_with_db URL DB: URL naming database DB instead (its ?options kept).
mariadb_url_with_db() {
  local base="${1%%\?*}"
  local out="${base%/*}/$2"
  case "$1" in *\?*) out="$out?${1#*\?}" ;; esac
  echo "$out"
}
