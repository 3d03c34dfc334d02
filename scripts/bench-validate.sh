#!/usr/bin/env bash
# Benchmark of parse + normalise + validate (amfora validate) on a generated national inbox:
# MB/s, records/s and peak memory on one core and on all cores (files in parallel), and peak
# memory on one 2 GB file (memory must not grow with file size).
#   scripts/bench-validate.sh [records]   (default 1000000 activation records)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
data=${BENCH_DATA:-bench-data}
scripts/setup.sh time
swift build -c release --product amfora >/dev/null
bin=.build/release/amfora
inbox="$data/validate-$records"
if [ ! -f "$inbox/.done" ]; then
    rm -rf "$inbox"
    python3 scripts/generate_inbox.py --out "$inbox" --records "$records" --fault-rate 0.001
    touch "$inbox/.done"
fi
friday=$(ls "$inbox" | grep -E '^[0-9]{4}-' | sort | tail -1)
files=("$inbox/$friday"/AMFORA_*)
bytes=$(cat "${files[@]}" | wc -c)
cat "${files[@]}" > /dev/null   # warm the page cache: measure parsing, not the disk

run() {  # label, command...
    local label=$1; shift
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o /tmp/amfora-bench.$$ "$@" > /dev/null || true
        read -r secs kb < <(tail -n 1 /tmp/amfora-bench.$$)
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; bestkb=$kb; fi
    done
    local recs
    recs=$({ "$bin" validate --json "${files[@]}" || true; } | python3 -c 'import json,sys; print(sum(f["records"] for f in json.load(sys.stdin)["files"]))')
    awk -v l="$label" -v b="$bytes" -v s="$best" -v r="$recs" -v kb="$bestkb" 'BEGIN {
        printf "%-28s %8.1f MB in %6.2f s = %7.1f MB/s, %10.0f records/s, peak RSS %6.1f MB\n", l, b/1e6, s, b/1e6/s, r/s, kb/1024 }'
}

echo "amfora validate on ${#files[@]} AMFORA files of $friday (best of 3):"
run "1 core (taskset -c 0)" taskset -c 0 "$bin" validate "${files[@]}"
run "all cores ($(nproc))" "$bin" validate "${files[@]}"

big="$data/big/AMFORA_101_20261127.txt"
if [ ! -f "$big" ]; then
    mkdir -p "$data/big"
    one=$(ls -S "${files[@]}" | head -1)
    : > "$big"
    while [ "$(stat -c %s "$big")" -lt 2000000000 ]; do sed 's/^\(.\{10\}\)[0-9]\{3\}/\1101/' "$one" >> "$big"; done
fi
/usr/bin/time -f "%e %M" -o /tmp/amfora-bench.$$ "$bin" validate "$big" > /dev/null || true
read -r secs kb < <(tail -n 1 /tmp/amfora-bench.$$)
awk -v b="$(stat -c %s "$big")" -v s="$secs" -v kb="$kb" 'BEGIN {
    printf "%-28s %8.1f MB in %6.2f s = %7.1f MB/s, peak RSS %6.1f MB\n", "one 2 GB file", b/1e6, s, b/1e6/s, kb/1024 }'
rm -f /tmp/amfora-bench.$$
