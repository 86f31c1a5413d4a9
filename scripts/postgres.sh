#!/usr/bin/env bash
# A private PostgreSQL 15 server for tests and development: Orleans membership and grain state live in it.
#
#   scripts/postgres.sh start DIR PORT   initdb DIR on first use, start the server on 127.0.0.1:PORT, and make
#                                        sure the role and database exist (safe to repeat while it runs)
#   scripts/postgres.sh stop DIR         stop the server whose files are in DIR (safe when it is not running)
#   scripts/postgres.sh status DIR       exit 0 when the server in DIR runs, 3 when it does not
#
# Layout of DIR: pgdata/ (the cluster), socket/ (its Unix socket, owner-only), server.log.
# Access: TCP only on 127.0.0.1 with a password (scram-sha-256); the Unix socket in DIR/socket trusts its
# owner and is what this script uses to administer the server.
#
# Environment:
#   OPATH_PG_PASSWORD  password of the application role (default: a fixed value meant for tests only)
#   OPATH_PG_USER      application role (default: opath)
#   OPATH_PG_DATABASE  database (default: orleans_pathology)
#   OPATH_PG_BIN       PostgreSQL binaries (default: /usr/lib/postgresql/15/bin; Debian 12 package postgresql-15)
#
# PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` account
# (runuser); as any other user the commands run as that user.
set -euo pipefail

readonly default_password="opath-tests-only"
pg_bin="${OPATH_PG_BIN:-/usr/lib/postgresql/15/bin}"
pg_user="${OPATH_PG_USER:-opath}"
pg_database="${OPATH_PG_DATABASE:-orleans_pathology}"
pg_password="${OPATH_PG_PASSWORD:-$default_password}"

die() { echo "postgres.sh: $*" >&2; exit 1; }

usage() {
  echo "usage: $0 start DIR PORT | stop DIR | status DIR" >&2
  exit 2
}

# Runs a PostgreSQL command as the account that owns the cluster, from a directory that account can read.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

is_running() {
  [ -f "$1/pgdata/PG_VERSION" ] && as_owner "$pg_bin/pg_ctl" status -D "$1/pgdata" >/dev/null 2>&1
}

cmd_start() {
  local dir="$1" port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ] && [ "$port" -le 65535 ] \
    || die "port must be a number from 1024 to 65535, got '$port'"
  [ -x "$pg_bin/pg_ctl" ] || die "no PostgreSQL binaries in $pg_bin (Debian 12: apt-get install postgresql-15)"

  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" \
      || die "the postgres account cannot write $dir (a parent directory is closed to it); choose another DIR"
  fi

  if [ ! -f "$dir/pgdata/PG_VERSION" ]; then
    echo "postgres.sh: initialising a new cluster in $dir/pgdata" >&2
    as_owner "$pg_bin/initdb" -D "$dir/pgdata" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
      || die "initdb failed; see $dir/initdb.log"
    # Only loopback TCP, always with a password; the owner-only socket directory guards local trust.
    as_owner bash -c 'cat > "$1"' _ "$dir/pgdata/pg_hba.conf" <<'EOF'
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   scram-sha-256
EOF
  fi

  local socket_dir="$dir/socket"
  # A Unix socket path holds at most 107 bytes (sun_path); PostgreSQL puts .s.PGSQL.PORT in this directory.
  [ "${#socket_dir}" -le 92 ] || die "DIR is too long for a Unix socket path: $socket_dir (at most 92 characters)"
  as_owner mkdir -p "$socket_dir"
  as_owner chmod 700 "$socket_dir"

  if is_running "$dir"; then
    echo "postgres.sh: already running in $dir" >&2
  else
    # 300 connections: a process hosting many silos (bench/scale.sh, 16) shares Npgsql pools of up to 100 each, which
    # outran the default 100 ("remaining connection slots are reserved") with 162 slides planning at once.
    as_owner "$pg_bin/pg_ctl" start -D "$dir/pgdata" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k '$socket_dir' -c listen_addresses=127.0.0.1 -c max_connections=300" >/dev/null \
      || die "the server did not start; see $dir/server.log"
  fi

  # The port the server really listens on (it may differ from PORT when it was already running).
  local live_port
  live_port="$(as_owner sed -n 4p "$dir/pgdata/postmaster.pid")"
  [ "$live_port" = "$port" ] || echo "postgres.sh: note: the running server listens on port $live_port, not $port" >&2

  [ "$pg_password" = "$default_password" ] && \
    echo "postgres.sh: OPATH_PG_PASSWORD is not set; using the test-only default password" >&2

  # Role and database, created when missing; the password is set every time so that it follows the env var.
  as_owner "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$live_port" -U postgres -d postgres \
    -v role="$pg_user" -v pw="$pg_password" -v db="$pg_database" >/dev/null <<'EOF'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
EOF

  echo "Host=127.0.0.1;Port=$live_port;Database=$pg_database;Username=$pg_user"
}

cmd_stop() {
  local dir="$1"
  if is_running "$dir"; then
    as_owner "$pg_bin/pg_ctl" stop -D "$dir/pgdata" -m fast -w -t 60 >/dev/null
    echo "postgres.sh: stopped the server in $dir" >&2
  else
    echo "postgres.sh: no server running in $dir" >&2
  fi
}

case "${1:-}" in
  start) [ $# -eq 3 ] || usage; cmd_start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
  status) [ $# -eq 2 ] || usage; if is_running "$2"; then echo "running"; else echo "stopped"; exit 3; fi ;;
  *) usage ;;
esac
