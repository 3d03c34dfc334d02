#!/usr/bin/env bash
# The two-Friday inbox of the run benchmarks, generated once and kept: prints its directory.
#   scripts/bench-inbox.sh RECORDS      (CHANGE_RATE=r: the share of measures that change; BENCH_DATA=dir: where, default bench-data)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:?records}
rate=${CHANGE_RATE:-}
inbox="${BENCH_DATA:-bench-data}/run-$records${rate:+-change-$rate}"
if [ ! -f "$inbox/.done" ]; then
    rm -rf "$inbox"
    python3 scripts/generate_inbox.py --out "$inbox" --records "$records" --fault-rate 0.001 ${rate:+--change-rate "$rate"} >&2
    touch "$inbox/.done"
fi
echo "$inbox"
