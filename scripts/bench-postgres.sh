#!/usr/bin/env bash
# The load into PostgreSQL beside the load into SQLite, from one run on one generated inbox
# (default the national ~10 million records a Friday; the first Friday, then the second with the
# first loaded): amfora-bench-load streams each Friday's deliveries into each warehouse alike (one
# transaction each, the same matcher), and prints seconds, MB/s, records/s and peak RSS. During
# PostgreSQL's second Friday an analyst's question runs in a loop beside the load (as
# amfora_analyst, through the analyst views): its latencies show that readers go on, seeing the
# last committed state.
#   scripts/bench-postgres.sh [records]       (CHANGE_RATE=r as for bench-run.sh; ONLY=101,147: those municipalities)
# The server: a throwaway cluster of its own (scripts/pg-cluster.sh) with fsync on, 2 GB of
# shared buffers and room for the WAL between checkpoints, on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000000}
scripts/setup.sh time postgres
swift build -c release --product amfora >/dev/null
swift build -c release --product amfora-bench-load >/dev/null
bin=$(pwd)/.build/release
inbox=$(scripts/bench-inbox.sh "$records")
fridays=($(ls -d "$inbox"/[0-9][0-9][0-9][0-9]-* | sort | head -2))
work=$(mktemp -d /tmp/amfora-bench-pg.XXXXXX)
chmod 711 "$work"  # the server's user passes through to its cluster in it (scripts/pg-cluster.sh)
trap 'scripts/pg-cluster.sh stop "$work/pg"; rm -rf "$work"' EXIT
PG_SETTINGS="-c shared_buffers=2GB -c max_wal_size=16GB -c checkpoint_timeout=30min -c maintenance_work_mem=1GB" \
    scripts/pg-cluster.sh start "$work/pg"
. "$work/pg/env"
psql "$AMFORA_TEST_POSTGRES" -qc "CREATE DATABASE bench"
url=${AMFORA_TEST_POSTGRES%/postgres}/bench
only=${ONLY:+--only $ONLY}
"$bin/amfora" init-roles --warehouse "$url" --person-key "$work/person.key" >/dev/null
reader_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
# On standard input, not in psql's arguments: a password never stands in a process list.
psql "$url" -q <<< "CREATE ROLE bench_reader LOGIN PASSWORD '$reader_pw' IN ROLE amfora_analyst"
port=$(echo "$url" | sed -E 's#.*:([0-9]+)/.*#\1#')
(umask 077; printf '127.0.0.1:%s:*:bench_reader:%s\n' "$port" "$reader_pw" > "$work/reader.pgpass")
reader="postgresql://bench_reader@127.0.0.1:$port/bench?passfile=$work/reader.pgpass"

timed() {  # label, command...
    local label=$1; shift
    sync
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1
    read -r secs kb < <(tail -n 1 "$work/time")
    sed "s/^/  $label /" "$work/out"
    printf '  %-28s %8.1f s wall, peak RSS %7.1f MB\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
}
question="SELECT count(*), round(sum(hours_written_down)) FROM v_activity WHERE komnr = '101' AND foranstalt = 139"
read_loop() {  # until the file $work/stop exists: the analyst's question, one latency (ms) a line
    while [ ! -f "$work/stop" ]; do
        local t0; t0=$(date +%s%N)
        psql "$reader" -Atqc "$question" >/dev/null
        echo $(( ($(date +%s%N) - t0) / 1000000 ))
    done > "$work/latencies"
}

echo "== PostgreSQL 15 (COPY, the analyst views, roles)"
timed "first Friday" "$bin/amfora-bench-load" --warehouse "$url" --person-key "$work/person.key" $only "${fridays[0]}"
# A week lies between two Fridays, and autovacuum marks the loaded pages all-visible within
# minutes of a load (its insert threshold): done here at once, so that the second Friday reads
# the current versions by an index-only scan, as it would a week later.
psql "$url" -qc "VACUUM (ANALYZE) amfora.activity" -c "VACUUM (ANALYZE) amfora.aid"
read_loop & loop=$!
timed "second Friday" "$bin/amfora-bench-load" --warehouse "$url" --person-key "$work/person.key" $only "${fridays[1]}"
touch "$work/stop"; wait $loop
python3 - "$work/latencies" <<'PY'
import sys
ms = sorted(int(l) for l in open(sys.argv[1]) if l.strip())
if ms:
    q = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
    print(f"  reader during the second Friday: {len(ms)} questions, median {q(0.5)} ms, 95 % {q(0.95)} ms, max {ms[-1]} ms (psql's start included)")
PY
psql "$url" -Atc "SELECT '  database size ' || pg_size_pretty(pg_database_size('bench'))"

echo "== SQLite (the same loads, streamed; the weekly run's worker threads are not used here)"
timed "first Friday" "$bin/amfora-bench-load" --warehouse "$work/w.sqlite" $only "${fridays[0]}"
timed "second Friday" "$bin/amfora-bench-load" --warehouse "$work/w.sqlite" $only "${fridays[1]}"
echo "  file size $(du -h "$work/w.sqlite" | cut -f1)"
