#!/usr/bin/env bash
# The weekly run into PostgreSQL beside the weekly run into SQLite, from one run on one generated
# inbox (default the national ~10 million records a Friday): `amfora run` of the first Friday,
# then of the second with the first loaded, into each warehouse; each run's wall time, stage times,
# records/s and peak RSS. During PostgreSQL's second Friday an analyst's question runs in a loop
# beside the run (as amfora_analyst, through the analyst views): its latencies show that readers go
# on, seeing the last committed state. Then the analysts' week questions on both warehouses.
#   scripts/bench-postgres.sh [records]       (CHANGE_RATE=r as for bench-run.sh)
# The server: a throwaway cluster of its own (scripts/pg-cluster.sh) with fsync on, 2 GB of
# shared buffers and room for the WAL between checkpoints, on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000000}
scripts/setup.sh time postgres
swift build -c release --product amfora >/dev/null
bin=$(pwd)/.build/release/amfora
inbox=$(scripts/bench-inbox.sh "$records")
fridays=($(ls "$inbox" | grep -E '^[0-9]{4}-' | sort | head -2))
work=$(mktemp -d /tmp/amfora-bench-pg.XXXXXX)
chmod 711 "$work"  # the server's user passes through to its cluster in it (scripts/pg-cluster.sh)
trap 'scripts/pg-cluster.sh stop "$work/pg"; rm -rf "$work"' EXIT
PG_SETTINGS="-c shared_buffers=2GB -c max_wal_size=16GB -c checkpoint_timeout=30min -c maintenance_work_mem=1GB" \
    scripts/pg-cluster.sh start "$work/pg"
. "$work/pg/env"
psql "$AMFORA_TEST_POSTGRES" -qc "CREATE DATABASE bench"
url=${AMFORA_TEST_POSTGRES%/postgres}/bench
"$bin" init-roles --warehouse "$url" --person-key "$work/person.key" >/dev/null
printf 'person_key_file = %s\narchive = %s\n' "$work/person.key" "$work/pg.archive" > "$work/pg.conf"
reader_pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
# On standard input, not in psql's arguments: a password never stands in a process list.
psql "$url" -q <<< "CREATE ROLE bench_reader LOGIN PASSWORD '$reader_pw' IN ROLE amfora_analyst"
port=$(echo "$url" | sed -E 's#.*:([0-9]+)/.*#\1#')
(umask 077; printf '127.0.0.1:%s:*:bench_reader:%s\n' "$port" "$reader_pw" > "$work/reader.pgpass")
reader="postgresql://bench_reader@127.0.0.1:$port/bench?passfile=$work/reader.pgpass"

timed() {  # label, command...: wall time and peak RSS of one run (exit 1: done, a person should look)
    local label=$1; shift
    sync
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || [ $? = 1 ] || { cat "$work/out" >&2; exit 1; }
    read -r secs kb < <(tail -n 1 "$work/time")
    printf '  %-28s %8.1f s wall, peak RSS %7.1f MB\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
}
stages() {  # a run's stage times from its run.json, and its rate
    python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for st in s["stages"]:
    print(f'      {st["stage"]:<26} {st["seconds"]:8.2f} s  {st["detail"][:110]}')
load = next(st for st in s["stages"] if st["stage"].startswith("parse"))
rows = sum(d["records"] for d in s["deliveries"] if d["status"] in ("loaded", "held"))
print(f'      loading: {rows:,} records in {load["seconds"]:.1f} s = {rows / load["seconds"]:,.0f} records/s')
PY
}
run() {  # label, warehouse, reports, friday, extra options...
    local label=$1 warehouse=$2 reports=$3 friday=$4; shift 4
    timed "$label" "$bin" run --source "$inbox/$friday" --batch-date "$friday" --warehouse "$warehouse" --reports "$reports" "$@"
    stages "$reports/$friday/run.json"
}
question="SELECT count(*), round(sum(hours_written_down)) FROM v_activity WHERE komnr = '101' AND foranstalt = 139"
read_loop() {  # until the file $work/stop exists: the analyst's question, one latency (ms) a line
    # An analyst, not a load generator: one server process (no parallel workers, which on this
    # 2-core machine would take the run's cores), a second between questions.
    while [ ! -f "$work/stop" ]; do
        local t0; t0=$(date +%s%N)
        PGOPTIONS="-c max_parallel_workers_per_gather=0" psql "$reader" -Atqc "$question" >/dev/null
        echo $(( ($(date +%s%N) - t0) / 1000000 ))
        sleep 1
    done > "$work/latencies"
}
# The analysts' questions of the week views (the analysts' issue), each timed once with its client's start.
monday=$(python3 -c 'import datetime,sys; d=datetime.date.fromisoformat(sys.argv[1]); m=d-datetime.timedelta(days=d.weekday()+7); print(m.isoformat(), m.isocalendar()[0], m.isocalendar()[1], (m-datetime.timedelta(days=364)).isoformat())' "${fridays[1]}")
read -r week year isoweek yearago <<< "$monday"
isoweek=$(printf '%d-W%02d' "$year" "$isoweek")
ask() {  # label, client..., query
    local label=$1; shift
    local t0; t0=$(date +%s%N)
    "$@" > "$work/answer"
    printf '    %-44s %8d ms  %s\n' "$label" $(( ($(date +%s%N) - t0) / 1000000 )) "$(head -c 80 "$work/answer" | tr '\n' ' ')"
}
questions() {  # client..., person column, one person
    local person_column=${@: -2:1} person=${@: -1}
    local client=("${@:1:$#-2}")
    ask "one week by week_start" "${client[@]}" "SELECT count(*), round(sum(hours_written_down)) FROM v_person_week WHERE week_start = '$week'"
    ask "one week by iso_week" "${client[@]}" "SELECT count(*), round(sum(hours_written_down)) FROM v_person_week WHERE iso_week = '$isoweek'"
    ask "wage subsidy by municipality, one week" "${client[@]}" "SELECT count(*), sum(persons) FROM v_week_stats WHERE week_start = '$week' AND foranstalt = 139"
    ask "a year of national weekly totals" "${client[@]}" "SELECT count(*) FROM (SELECT week_start, sum(measures), sum(hours_written_down) FROM v_week_stats WHERE week_start BETWEEN '$yearago' AND '$week' GROUP BY week_start) t"
    ask "a person's whole history" "${client[@]}" "SELECT count(*), round(sum(hours_written_down)) FROM v_activity_week WHERE $person_column = '$person'"
}

echo "inbox: $inbox, Fridays ${fridays[0]} and ${fridays[1]}"
echo "== PostgreSQL 15 (COPY, the analyst views, roles)"
run "first Friday" "$url" "$work/pg-reports" "${fridays[0]}" --config "$work/pg.conf"
# A week lies between two Fridays, and autovacuum marks the loaded pages all-visible within
# minutes of a load (its insert threshold): done here at once, so that the second Friday reads
# the current versions by an index-only scan, as it would a week later.
psql "$url" -qc "VACUUM (ANALYZE) amfora.activity" -c "VACUUM (ANALYZE) amfora.aid" -c "VACUUM (ANALYZE) amfora.writedown_segment" -c "VACUUM (ANALYZE) amfora.week_segment"
read_loop & loop=$!
run "second Friday (weekly run)" "$url" "$work/pg-reports" "${fridays[1]}" --config "$work/pg.conf"
touch "$work/stop"; wait $loop
python3 - "$work/latencies" <<'PY'
import sys
ms = sorted(int(l) for l in open(sys.argv[1]) if l.strip())
if ms:
    q = lambda p: ms[min(len(ms) - 1, int(p * len(ms)))]
    print(f"  reader during the second Friday: {len(ms)} questions, median {q(0.5)} ms, 95 % {q(0.95)} ms, max {ms[-1]} ms (psql's start included)")
PY
psql "$url" -Atc "SELECT '  database size ' || pg_size_pretty(pg_database_size('bench'))"
echo "  the analysts' questions (as amfora_analyst):"
# The same person in both warehouses: the one with the smallest CPR of those written down (the
# owner maps the CPR to its person key; the analyst asks).
person=$(psql "$url" -Atc "SELECT s.person_key FROM amfora.week_segment s WHERE s.person_key IN (SELECT person_key FROM analyst.v_activity WHERE hours_written_down < hours) ORDER BY s.cprnr LIMIT 1")
questions psql "$reader" -Atqc person_key "$person"

echo "== SQLite"
run "first Friday" "$work/w.sqlite" "$work/sqlite-reports" "${fridays[0]}"
run "second Friday (weekly run)" "$work/w.sqlite" "$work/sqlite-reports" "${fridays[1]}"
echo "  file size $(du -h "$work/w.sqlite" | cut -f1)"
echo "  the analysts' questions (sqlite3):"
cpr=$(sqlite3 "$work/w.sqlite" "SELECT min(cpr) FROM v_activity WHERE hours_written_down < hours")
questions sqlite3 "$work/w.sqlite" cpr "$cpr"
