#!/usr/bin/env bash
# A year of Fridays: runs N consecutive Fridays (default 52) of a generated inbox into one
# warehouse, as cron would — each Friday's run, the late deliveries of that Friday rerun the way
# an operator would, then `amfora maintain` (retention and upkeep) — and records per Friday the
# wall and CPU seconds of the run and of each stage, peak memory, the warehouse's and the
# archive's size and the versions that changed. Ends with the curves (scripts/year_curves.py).
#   scripts/bench-year.sh [records]   (default 1000000; FRIDAYS=n, default 52; CHANGE_RATE=r;
#                                      STEADY=1: as many measures removed as new, so the dataset
#                                      keeps its size; MAINTAIN=0: no `amfora maintain` after each Friday;
#                                      AMFORA=path: another amfora binary (an earlier build, to compare);
#                                      SVG=path: where the curves go, default the work directory;
#                                      ENDS=k: Friday 2 and the last Friday run again k times each,
#                                      alternating, from copies of their starting warehouses; default 3)
# The generated inbox is evolved Friday by Friday (scripts/generate_inbox.py --fridays): measures
# extended, hours changed, starts moved, new and removed (some reappearing), a municipality
# skipping a Friday, a truncated file corrected the week after, late deliveries, code-list
# cut-overs crossed. About 370 MB a Friday at a million records.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
n=${FRIDAYS:-52}
data=${BENCH_DATA:-bench-data}
rate=${CHANGE_RATE:-}
maintain=${MAINTAIN:-1}
scripts/setup.sh time
steady=${STEADY:-0}
if [ -n "${AMFORA:-}" ]; then bin=$AMFORA; else swift build -c release --product amfora >/dev/null; bin=$(pwd)/.build/release/amfora; fi
inbox="$data/year-$records-$n${rate:+-change-$rate}$([ "$steady" = 1 ] && echo -steady)"
if [ ! -f "$inbox/.done" ]; then
    rm -rf "$inbox"
    python3 scripts/generate_inbox.py --out "$inbox" --records "$records" --fridays "$n" --fault-rate 0.001 ${rate:+--change-rate "$rate"} $([ "$steady" = 1 ] && echo --steady)
    touch "$inbox/.done"
fi
work="$inbox-work${AMFORA:+-$(basename "$AMFORA")}"
rm -rf "$work"; mkdir -p "$work"
common=(--warehouse "$work/amfora.sqlite" --reports "$work/reports")
log="$work/year.jsonl"
: > "$log"
timed() {  # name, command...: wall, user+system CPU and peak RSS of one command into $work/$name.time
    local name=$1; shift
    sync   # the previous step's write-back must not land on this one
    /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2>&1 && return
    local status=$?
    [ $status = 1 ] && return   # done, with something for a person: a held delivery is one of the year's events
    echo "$name failed ($status):" >&2; tail -n 20 "$work/$name.out" >&2; exit 1
}
python3 - "$inbox/manifest.json" > "$work/plan" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
events = m.get("events", {})
for d in m["fridays"]:
    print(d, ",".join(str(k) for k in events.get(d, {}).get("late", [])) or "-")
PY
i=0
while read -r friday late; do
    i=$((i + 1))
    timed run "$bin" run --source "$inbox/$friday" --batch-date "$friday" "${common[@]}"
    cp "$work/reports/$friday/run.json" "$work/run.json"
    : > "$work/reruns.time"
    if [ "$late" != "-" ]; then
        for k in ${late//,/ }; do
            timed rerun "$bin" rerun --municipality "$k" --source "$inbox/late/$friday" --batch-date "$friday" "${common[@]}"
            cat "$work/rerun.time" >> "$work/reruns.time"
        done
    fi
    : > "$work/maintain.time"
    if [ "$maintain" = 1 ]; then timed maintain "$bin" maintain --warehouse "$work/amfora.sqlite"; fi
    # The warehouse that Friday 2 and the last Friday start from, for the comparison at the end.
    if [ "$i" = 1 ] || [ "$i" = $((n - 1)) ]; then
        rm -f "$work/before-$((i + 1)).sqlite-wal"
        for x in "" -wal; do [ -f "$work/amfora.sqlite$x" ] && cp "$work/amfora.sqlite$x" "$work/before-$((i + 1)).sqlite$x"; done
    fi
    python3 - "$i" "$friday" "$late" "$work" "$inbox" >> "$log" <<'PY'
import json, os, sys
i, friday, late, work, inbox = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def times(name):
    rows = [l.split() for l in open(os.path.join(work, name + ".time")) if l.strip() and l[0].isdigit()]
    return [{"wall": float(w), "cpu": float(u) + float(s), "rss_mb": int(k) / 1024} for w, u, s, k in rows]
def size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs
               if not os.path.islink(os.path.join(d, f)))
run = json.load(open(os.path.join(work, "run.json")))
wh = os.path.join(work, "amfora.sqlite")
row = {
    "friday": i, "date": friday, "run": times("run")[0],
    "stages": {s["stage"]: {"wall": s["seconds"], "cpu": s.get("cpu_seconds")} for s in run["stages"]},
    "reruns": times("reruns"), "late": [] if late == "-" else late.split(","),
    "maintain": (times("maintain") or [None])[0],
    "warehouse_bytes": sum(size(wh + x) for x in ("", "-wal")),
    "archive_bytes": size(os.path.join(work, "amfora.archive")),
    "inbox_bytes": size(os.path.join(inbox, friday)),
    "new_versions": sum(d["new_versions"] for d in run["deliveries"]),
    "removed": sum(d["removed"] for d in run["deliveries"]),
    "states": sorted({d["status"] for d in run["deliveries"]}),
}
print(json.dumps(row))
r = row["run"]
print(f'Friday {i:2} {friday}: {r["wall"]:6.1f} s wall, {r["cpu"]:6.1f} s CPU, peak {r["rss_mb"]:6.0f} MB, '
      f'warehouse {row["warehouse_bytes"] / 1e6:7.0f} MB, archive {row["archive_bytes"] / 1e6:6.0f} MB, '
      f'{row["new_versions"]:,} new versions, {row["removed"]:,} removed'
      + (f', {len(row["late"])} late rerun(s)' if row["late"] else ''), file=sys.stderr)
PY
done < "$work/plan"
python3 scripts/year_curves.py "$log" --manifest "$inbox/manifest.json" --svg "${SVG:-$work/year.svg}"

# The target compares Friday 2's run with the last Friday's, but the two ran months apart in the
# year and this machine's speed drifts by a fifth over a quarter of an hour (all stages at once,
# the untouched ones too). So both runs again, alternating (ENDS=k pairs, default 3), each from
# a copy of the warehouse it started from, with an empty archive and report folder each time.
ends=${ENDS:-3}
if [ "$ends" -gt 0 ]; then
    last=$(sed -n "${n}p" "$work/plan" | cut -d' ' -f1)
    second=$(sed -n 2p "$work/plan" | cut -d' ' -f1)
    : > "$work/ends.time"
    for k in $(seq "$ends"); do
        order="2 $n"; [ $((k % 2)) = 0 ] && order="$n 2"
        for f in $order; do
            day=$second; [ "$f" = "$n" ] && day=$last
            rm -rf "$work/ends"; mkdir -p "$work/ends"
            for x in "" -wal; do [ -f "$work/before-$f.sqlite$x" ] && cp "$work/before-$f.sqlite$x" "$work/ends/amfora.sqlite$x"; done
            timed end "$bin" run --source "$inbox/$day" --batch-date "$day" --warehouse "$work/ends/amfora.sqlite" --reports "$work/ends/reports"
            echo "$f $(grep "^[0-9]" "$work/end.time" | tail -n 1)" >> "$work/ends.time"
        done
    done
    rm -rf "$work/ends"
    python3 - "$work/ends.time" "$n" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
last = sys.argv[2]
cpu = {f: [float(u) + float(s) for g, w, u, s, k in rows if g == f] for f in ("2", last)}
a, b = statistics.median(cpu["2"]), statistics.median(cpu[last])
print(f"Friday 2 and Friday {last} again, alternating, each from its own starting warehouse: "
      f"CPU {', '.join(f'{x:.2f}' for x in cpu['2'])} s and {', '.join(f'{x:.2f}' for x in cpu[last])} s; "
      f"medians {a:.2f} and {b:.2f} s = {b / a:.3f} × (target at most 1.05 ×)")
PY
fi
