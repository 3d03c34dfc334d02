#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the samples, nothing of the machine's own:
#   scripts/pg-cluster.sh start DIR   initdb into DIR, start on a free loopback port, write DIR/env
#   scripts/pg-cluster.sh stop DIR    stop it and remove DIR
# DIR/env exports AMFORA_TEST_POSTGRES (a superuser's URL, without the password) and PGPASSFILE
# (DIR/pgpass, mode 0600, where libpq finds the password). Passwords are checked (scram-sha-256),
# so the credentials path is the one a real server takes. initdb refuses to run as root: as root
# the server runs as Debian's `postgres` user. PG_SETTINGS adds server settings ("-c k=v …"):
# the benchmark's cluster runs with fsync on and a server's memory (scripts/bench-postgres.sh).
set -euo pipefail
cmd=${1:?start or stop}
dir=${2:?a directory}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/initdb" ] || { echo "pg-cluster: no PostgreSQL server (Debian's postgresql); scripts/setup.sh postgres installs it" >&2; exit 1; }
as_server=()
[ "$(id -u)" = 0 ] && as_server=(runuser -u postgres --)

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    mkdir -p "$dir/data" "$dir/socket"
    if [ "$(id -u)" = 0 ]; then
        chmod 711 "$dir"  # the server's user passes through to its own directories, and reads nothing else here
        chown postgres "$dir/data" "$dir/socket"
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$password" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
    "${as_server[@]}" "$bindir/initdb" -D "$dir/data" -U amfora_admin --pwfile="$pwfile" \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { rm -f "$pwfile"; cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$pwfile"
    umask 077
    printf '127.0.0.1:%s:*:*:%s\n' "$port" "$password" >"$dir/pgpass"
    # fsync off by default: a test cluster is thrown away, and a killed client is what the crash tests kill.
    "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -s start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket -c max_connections=60 ${PG_SETTINGS:--c fsync=off}" >&2
    cat >"$dir/env" <<ENV
export AMFORA_TEST_POSTGRES=postgresql://amfora_admin@127.0.0.1:$port/postgres
export PGPASSFILE=$dir/pgpass
ENV
    echo "pg-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2
    ;;
stop)
    [ -d "$dir/data" ] && "${as_server[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -s stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*) echo "pg-cluster: start or stop" >&2; exit 2 ;;
esac
