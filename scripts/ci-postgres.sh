#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the pushdown tests and print its URL on stdout (and
# nothing else there; progress goes to stderr). As root on Debian it installs the `postgresql`
# package when no server binaries are found. The cluster lives in a fresh temporary directory,
# listens on 127.0.0.1 only, on a free port, and trusts local connections (a test server only).
#
#   export CREST_TEST_POSTGRES_URL="$(bash scripts/ci-postgres.sh)"
#   pg_ctl -D "$(dirname ...)" stop   # or let CI tear the machine down
set -euo pipefail
log() { echo "ci-postgres: $*" >&2; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

if ! bindir="$(find_bindir)"; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    log "no PostgreSQL server binaries, and cannot install them (needs root and apt-get)"; exit 1
  fi
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir="$(find_bindir)" || { log "postgresql installed but initdb/pg_ctl not found"; exit 1; }
fi
log "server binaries in $bindir"

# The server refuses to run as root: run it as the postgres user when we are root.
run_as=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/sh postgres
  run_as=(runuser -u postgres --)
  owner=postgres
fi

dir="$(mktemp -d -t crest-pg.XXXXXX)"
chown "$owner" "$dir"
port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"

"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >&2 \
  || { cat "$dir/server.log" >&2; exit 1; }
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres crest_test >&2
log "running (data in $dir/data; stop with: ${run_as[*]} $bindir/pg_ctl -D $dir/data stop)"
# For the caller's clean-up: the command that stops this server.
[ -n "${CREST_PG_STOP_FILE:-}" ] && printf '%s\n' "${run_as[*]} $bindir/pg_ctl -D $dir/data -m fast stop" >"$CREST_PG_STOP_FILE"
echo "postgres://postgres@127.0.0.1:$port/crest_test"
