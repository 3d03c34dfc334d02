#!/usr/bin/env bash
# What the week tables' upkeep costs the weekly run (issue 15's "no more than 5 s slower"):
# the weekly run of this build against a measuring-only build whose write-down writes only its
# own rows (scripts/measuring/without-week-upkeep.patch, never released), on the national inbox.
#   scripts/bench-week-upkeep.sh [records]   (CHANGE_RATE=r as for bench-inbox.sh)
# Each build runs its own first Friday: a line's stored hash is seeded with the build's own
# fingerprint (LineHashers.swift), so a build trusts no line another build checked and would
# parse every line again, which is no part of the upkeep's cost. The weekly runs go in the order
# without, with, with, without, each from its own build's first Friday, the page cache dropped
# (when this runs as root) and the inbox and warehouse read in again before each.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000000}
scripts/setup.sh time
swift build -c release --product amfora >/dev/null
cp .build/release/amfora /tmp/amfora-with-upkeep
tree=$(mktemp -d /tmp/amfora-without-upkeep.XXXXXX)
git worktree add --detach "$tree" HEAD >/dev/null 2>&1
trap 'git worktree remove --force "$tree"' EXIT
git -C "$tree" apply "$(pwd)/scripts/measuring/without-week-upkeep.patch"
# The second build keeps its own folder inside this checkout (ignored, .build-*), so that later runs reuse it.
(cd "$tree" && swift build -c release --product amfora --scratch-path "$OLDPWD/.build-without-upkeep" >/dev/null)
cp .build-without-upkeep/release/amfora /tmp/amfora-without-upkeep
inbox=$(scripts/bench-inbox.sh "$records")
fridays=($(ls "$inbox" | grep -E '^[0-9]{4}-' | sort))
work="$inbox-upkeep"
mkdir -p "$work"
common=(--warehouse "$work/amfora.sqlite" --reports "$work/reports")
timed() {  # label, command...: wall, CPU and peak memory of one command
    local label=$1; shift
    sync
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/out" 2>&1 || [ $? = 1 ]
    read -r secs kb u s < <(tail -n 1 "$work/time")
    printf '%-28s %6.1f s wall, %6.1f s CPU, peak %6.0f MiB\n' "$label" "$secs" "$(echo "$u + $s" | bc)" "$((kb / 1024))"
}
stages() {
    python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("    " + ", ".join("%s %.1f s" % (st["stage"], st["seconds"]) for st in s["stages"] if st["seconds"] > 0.05))
PY
}
clean() { rm -rf "$work/amfora.sqlite" "$work/amfora.sqlite-wal" "$work/amfora.sqlite-shm" "$work/amfora.archive" "$work/reports"; }
for b in with-upkeep without-upkeep; do
    clean
    timed "first Friday ($b)" /tmp/amfora-$b run --source "$inbox/${fridays[0]}" --batch-date "${fridays[0]}" "${common[@]}"
    mv "$work/amfora.sqlite" "$work/first-$b.sqlite"; rm -rf "$work/first-$b.archive"; mv "$work/amfora.archive" "$work/first-$b.archive"
done
restore() {
    clean; cp "$work/first-$1.sqlite" "$work/amfora.sqlite"; cp -al "$work/first-$1.archive" "$work/amfora.archive"
    sync; if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; fi
    cat "$inbox/${fridays[1]}"/* "$work/amfora.sqlite" > /dev/null
}
for b in without-upkeep with-upkeep with-upkeep without-upkeep; do
    restore "$b"
    timed "weekly ($b)" /tmp/amfora-$b run --source "$inbox/${fridays[1]}" --batch-date "${fridays[1]}" "${common[@]}"
    stages "$work/reports/${fridays[1]}/run.json"
done
