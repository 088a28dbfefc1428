#!/bin/bash
# A throwaway PostgreSQL cluster for the tests (docs/scaling.md):
#   pg_cluster.sh start STATE_FILE   initdb in a fresh temp dir, start on a free loopback port
#                                    with its unix socket in that dir; writes
#                                    "URL DIR" to STATE_FILE, or "SKIP reason" when no server
#                                    can be started here (the tests then skip LOUDLY;
#                                    with REDIAL_PG_REQUIRED=1, as in CI, it fails instead).
#   pg_cluster.sh stop STATE_FILE    stops it and deletes the dir.
# As root (CI), initdb and postgres run as the postgres user (runuser), which owns the dir.
set -u
cmd=${1:?start or stop}
state=${2:?state file}

skip() {
  # CI (.ci/run sets REDIAL_PG_REQUIRED=1): no server is a failure, never a skip.
  if [ "${REDIAL_PG_REQUIRED:-0}" = 1 ]; then
    echo "pg_cluster.sh: cannot start PostgreSQL and REDIAL_PG_REQUIRED=1: $*" >&2
    exit 1
  fi
  echo "SKIP $*" >"$state"
  echo "!!!!!!!!!!!!!!!! PostgreSQL tests will be SKIPPED: $* !!!!!!!!!!!!!!!!" >&2
  exit 0
}

stop() {
  [ -f "$state" ] || return 0
  read -r url dir <"$state" || true
  if [ "${url:-}" != SKIP ] && [ -n "${dir:-}" ] && [ -d "$dir" ]; then
    $run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  rm -f "$state"
}

bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
run=""
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || { [ "$cmd" = stop ] && { rm -f "$state"; exit 0; }; skip "running as root and there is no postgres user to run the server as"; }
  run="runuser -u postgres --"
fi

case $cmd in
stop)
  stop
  ;;
start)
  stop
  [ -x "${bindir:-}/initdb" ] || skip "no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
  dir=$(mktemp -d /tmp/redial-pg.XXXXXX)
  chmod 700 "$dir"
  [ -n "$run" ] && chown postgres "$dir"
  if ! $run "$bindir/initdb" -D "$dir/data" -A trust -U redial -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    skip "initdb failed"
  fi
  for attempt in 1 2 3 4 5; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    if $run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null 2>&1; then
      echo "postgres://redial@127.0.0.1:$port/postgres $dir" >"$state"
      echo "PostgreSQL test cluster on port $port in $dir"
      exit 0
    fi
  done
  cat "$dir/server.log" >&2
  rm -rf "$dir"
  skip "the server did not start (see the log above)"
  ;;
*)
  echo "usage: pg_cluster.sh start|stop STATE_FILE" >&2
  exit 2
  ;;
esac
