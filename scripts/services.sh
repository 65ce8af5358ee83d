# Services the tests use (source this file): a throwaway PostgreSQL server (exports NARRASCOPE_TEST_POSTGRES)
# and Debian's Chromium for the browser tests. Installs the Debian packages when missing (CI machines start
# without them).
# The server lives in a temporary folder, listens on 127.0.0.1 only, trusts local connections, and is stopped
# and deleted when the calling shell exits.

narrascope_pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

narrascope_apt_install() {
  command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] || return 1
  echo "Installing $* (Debian packages)…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null; }
}

narrascope_ensure_chromium() {
  command -v chromium >/dev/null || narrascope_apt_install chromium || true
  command -v chromium >/dev/null || { echo "Chromium is not installed; browser tests will not run" >&2; return 1; }
}

narrascope_start_postgres() {
  local bindir
  bindir=$(narrascope_pg_bindir || true)
  if [ -z "$bindir" ]; then
    narrascope_apt_install postgresql || true
    bindir=$(narrascope_pg_bindir || true)
  fi
  if [ -z "$bindir" ]; then
    echo "PostgreSQL is not installed; PostgreSQL tests will not run" >&2
    return 1
  fi
  NARRASCOPE_PG_DIR=$(mktemp -d /tmp/narrascope-pg.XXXXXX)
  local port run_as=()
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root
    chown postgres "$NARRASCOPE_PG_DIR"
    local runuser
    runuser=$(PATH="$PATH:/usr/sbin:/sbin" command -v runuser) || { echo "runuser not found" >&2; return 1; }
    run_as=("$runuser" -u postgres --)
  fi
  "${run_as[@]}" "$bindir/initdb" -D "$NARRASCOPE_PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null || return 1
  "${run_as[@]}" "$bindir/pg_ctl" -D "$NARRASCOPE_PG_DIR/data" -l "$NARRASCOPE_PG_DIR/server.log" -w \
    -o "-p $port -k $NARRASCOPE_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start \
    >/dev/null || { cat "$NARRASCOPE_PG_DIR/server.log" >&2; return 1; }
  "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE narrascope_test" >/dev/null || return 1
  export NARRASCOPE_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/narrascope_test"
  NARRASCOPE_PG_STOP=("${run_as[@]}" "$bindir/pg_ctl" -D "$NARRASCOPE_PG_DIR/data" -m immediate stop)
  trap 'narrascope_stop_postgres' EXIT
  echo "PostgreSQL test server on 127.0.0.1:$port" >&2
}

narrascope_stop_postgres() {
  "${NARRASCOPE_PG_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$NARRASCOPE_PG_DIR"
}
