#!/usr/bin/env bash
# Sets up what is missing, builds amfora, and runs the weekly job on the bundled samples:
# two consecutive Fridays into a fresh SQLite warehouse, then prints where the reports are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product amfora
bin=.build/release/amfora
out=${AMFORA_SAMPLES_OUT:-build-samples}
rm -rf "$out"
mkdir -p "$out"
for friday in 2026-11-20 2026-11-27; do
    echo "== amfora run --batch-date $friday"
    # Exit 1 means "done, but a person should look": the samples carry deliberate faults.
    "$bin" run --config samples/amfora.conf --source "samples/$friday" --batch-date "$friday" \
        --warehouse "$out/amfora.sqlite" --reports "$out/reports" || [ $? = 1 ]
done
echo
echo "warehouse: $out/amfora.sqlite (try: sqlite3 $out/amfora.sqlite 'select * from v_batch')"
echo "report:    $(cd "$out/reports/2026-11-27" && pwd)/index.html (open it in a browser; CSV files for Excel beside it)"
