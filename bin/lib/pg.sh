# A throwaway PostgreSQL cluster for bin/test --postgres and bin/smoke. Source it, then:
#   pg_start PORT   initdb in a fresh temporary directory and start a server on 127.0.0.1:PORT
#                   (trust authentication, user postgres); sets PG_URL=postgres://postgres@127.0.0.1:PORT.
#                   fsync is off (a test database need not survive a crash) unless PG_FSYNC=on.
#   pg_createdb NAME  create a database on that server
#   pg_stop         stop the server and remove its directory (safe to call twice; use it in a trap)
# As root the server runs as the postgres user (via su), as PostgreSQL refuses to run as root.
# Needs the Debian package postgresql (bin/setup --postgres installs it).

PG_DATA=""
PG_URL=""

_pg_run() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

pg_start() {
  local port="$1" me
  me=$(basename "$0")
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$PG_BIN" ] || { echo "$me: PostgreSQL server binaries not found (package postgresql)" >&2; return 1; }
  PG_DATA=$(mktemp -d /tmp/portal-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DATA"
  _pg_run "'$PG_BIN/initdb' -D '$PG_DATA' -A trust -U postgres -E UTF8 --locale=C.UTF-8" >/dev/null \
    || { echo "$me: initdb failed" >&2; return 1; }
  _pg_run "'$PG_BIN/pg_ctl' -D '$PG_DATA' -w -l '$PG_DATA/server.log' -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}\" start" >/dev/null \
    || { echo "$me: PostgreSQL did not start on port $port; its log:" >&2; cat "$PG_DATA/server.log" >&2; return 1; }
  PG_URL="postgres://postgres@127.0.0.1:${port}"
}

pg_createdb() {
  _pg_run "'$PG_BIN/createdb' -h 127.0.0.1 -p '${PG_URL##*:}' -U postgres '$1'"
}

pg_stop() {
  [ -n "$PG_DATA" ] || return 0
  _pg_run "'$PG_BIN/pg_ctl' -D '$PG_DATA' -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$PG_DATA"
  PG_DATA=""
}
