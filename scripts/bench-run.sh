#!/usr/bin/env bash
# Benchmark of the weekly run on a generated national inbox (default ~10 million activation
# records a Friday, ~3.6 GB): loads the first Friday (the setup), then times the second Friday
# with the first already loaded — the real weekly case — and a rerun of København (101).
# Prints each stage's time, records/s, rows/s and peak memory.
#   scripts/bench-run.sh [records]      (WEEKLY_RUNS=n: how often the weekly run is timed, default 3;
#                                        CHANGE_RATE=r: share of measures new, changed, moved or removed
#                                        between the Fridays, default the generator's 0.028)
# Ends with the analysts' week questions on the result (scripts/bench_queries.py).
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000000}
runs=${WEEKLY_RUNS:-3}
scripts/setup.sh time
swift build -c release --product amfora >/dev/null
bin=$(pwd)/.build/release/amfora
inbox=$(scripts/bench-inbox.sh "$records")
fridays=($(ls "$inbox" | grep -E '^[0-9]{4}-' | sort))
work="$inbox-work"
rm -rf "$work"; mkdir -p "$work"
timed() {  # label, command...: wall time and peak RSS of one command, then its summary json
    local label=$1; shift
    # A week lies between two Fridays: the previous step's writes reach the disk first, so that
    # their write-back does not land on the step being timed.
    sync
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || [ $? = 1 ]
    read -r secs kb < <(tail -n 1 "$work/time")
    printf '%-34s %8.1f s, peak RSS %7.1f MB\n' "$label" "$secs" "$(awk -v k="$kb" 'BEGIN{print k/1024}')"
}
stages() {  # the run's own stage timings from its summary.json
    python3 - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); records = int(sys.argv[2])
for st in s["stages"]:
    print(f'    {st["stage"]:<28} {st["seconds"]:8.2f} s  {st["detail"]}')
load = next(st for st in s["stages"] if st["stage"].startswith("parse"))
wd = next(st for st in s["stages"] if st["stage"] == "write-down")
loaded = [d for d in s["deliveries"] if d["status"] in ("loaded", "held")]
lines = sum(d["records"] for d in loaded)
rows = sum(d["new_versions"] for d in s["deliveries"])
print(f'    loading (parse+validate+match+write, every record of {len(loaded)} deliveries): {lines:,} rows in '
      f'{load["seconds"]:.1f} s = {lines / load["seconds"]:,.0f} rows/s; activation records alone {records / load["seconds"]:,.0f}/s; '
      f'{rows:,} new versions written')
w = s["write_down"]
if wd["seconds"] > 0 and w["records"]:
    print(f'    write-down stage (reading the measures, the rule, writing): {w["records"] / wd["seconds"]:,.0f} records/s over {w["persons"]:,} persons; the rule alone: amfora-bench')
PY
}
count() { cat "$inbox/$1"/AMFORA_* | wc -l; }
bytes() { cat "$inbox/$1"/* | wc -c; }
cat "$inbox/${fridays[0]}"/* "$inbox/${fridays[1]}"/* > /dev/null
common=(--warehouse "$work/amfora.sqlite" --reports "$work/reports")
echo "inbox: ${fridays[0]} and ${fridays[1]}, $(count "${fridays[1]}") activation lines, $(awk -v b="$(bytes "${fridays[1]}")" 'BEGIN{printf "%.0f MB", b/1e6}') on the second Friday"
timed "first Friday (initial load)" "$bin" run --source "$inbox/${fridays[0]}" --batch-date "${fridays[0]}" "${common[@]}"
stages "$work/reports/${fridays[0]}/run.json" "$(count "${fridays[0]}")"
# The weekly run is timed several times, each from the same first-Friday warehouse: on a shared
# 2-core machine one run can land anywhere in a range of about ±15 %, so the median is the figure.
cp "$work/amfora.sqlite" "$work/first.sqlite"
cp -al "$work/amfora.archive" "$work/first.archive"
loads=()
for i in $(seq 1 "$runs"); do
    rm -rf "$work/amfora.sqlite" "$work/amfora.sqlite-wal" "$work/amfora.sqlite-shm" "$work/amfora.archive"
    cp "$work/first.sqlite" "$work/amfora.sqlite"
    cp -al "$work/first.archive" "$work/amfora.archive"
    timed "second Friday (weekly run) $i/$runs" "$bin" run --source "$inbox/${fridays[1]}" --batch-date "${fridays[1]}" "${common[@]}"
    stages "$work/reports/${fridays[1]}/run.json" "$(count "${fridays[1]}")"
    loads+=("$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(next(st["seconds"] for st in s["stages"] if st["stage"].startswith("parse")))' "$work/reports/${fridays[1]}/run.json")")
done
python3 - "$work/reports/${fridays[1]}/run.json" "${loads[@]}" <<'PY'
import json, statistics, sys
s = json.load(open(sys.argv[1])); loads = sorted(map(float, sys.argv[2:]))
rows = sum(d["records"] for d in s["deliveries"] if d["status"] in ("loaded", "held"))
m = statistics.median(loads)
print(f'    loading over {len(loads)} weekly runs: ' + ', '.join(f'{t:.1f} s' for t in loads)
      + f'; median {m:.1f} s = {rows / m:,.0f} rows/s (slowest {rows / loads[-1]:,.0f}, fastest {rows / loads[0]:,.0f})')
PY
rm -rf "$work/first.sqlite" "$work/first.archive"
timed "rerun København (101)" "$bin" rerun --municipality 101 --source "$inbox/${fridays[1]}" --batch-date "${fridays[1]}" "${common[@]}"
stages "$work/reports/${fridays[1]}/run.json" "$(cat "$inbox/${fridays[1]}"/AMFORA_101_* | wc -l)"
echo "warehouse: $(du -h "$work/amfora.sqlite" | cut -f1)"
# The analysts' week questions on the warehouse just built (issue 15's bounds printed beside them).
python3 scripts/bench_queries.py "$work/amfora.sqlite" --week "$(python3 -c 'import datetime,sys; d=datetime.date.fromisoformat(sys.argv[1]); print((d - datetime.timedelta(days=d.weekday() + 7)).isoformat())' "${fridays[1]}")"
