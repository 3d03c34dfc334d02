#!/usr/bin/env bash
# Two national Fridays replayed through the cron wrapper, as cron would run them: one inbox
# directory that both Fridays are delivered into (last week's files stay there), the main pass
# at 03:30 and the catch-up passes at 05:30 and 06:30 (the run's clock set by AMFORA_TEST_NOW),
# and 17 aid files of Friday 2 holding only a BOM (municipalities with no grants). Prints the
# mail of every pass: what cron would send.
#   scripts/replay-cron.sh [records]     (default 300000 activation records a Friday)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-300000}
swift build -c release --product amfora >/dev/null
work=$(mktemp -d /tmp/amfora-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/generate_inbox.py --out "$work/gen" --records "$records" --friday 2026-11-27 >/dev/null
mkdir -p "$work/inbox" "$work/log"
cat > "$work/amfora.conf" <<CONF
source = $work/inbox
warehouse = $work/w/amfora.sqlite
reports = $work/reports
CONF
pass() {  # pass TIME: one cron pass at that moment
    echo "----- cron pass at $1 -----"
    AMFORA=$PWD/.build/release/amfora AMFORA_CONFIG=$work/amfora.conf AMFORA_LOGDIR=$work/log AMFORA_TEST_NOW=$1 \
        cron/amfora-cron.sh || echo "(exit $?)"
}
# 17 municipalities have no aid grants of type 2: every Friday their HJAELP2 file is only a BOM.
none=$(ls "$work/gen/2026-11-20" | grep '^HJAELP2_' | tail -17 | cut -d_ -f2)
for k in $none; do for d in 20261120 20261127; do printf '\xef\xbb\xbf' > "$work/gen/${d:0:4}-${d:4:2}-${d:6:2}/HJAELP2_${k}_$d.txt"; done; done
cp "$work/gen/2026-11-20/"* "$work/inbox/"
pass 2026-11-20T03:30:00+01:00
cp "$work/gen/2026-11-27/"* "$work/inbox/"
for t in 03:30 05:30 06:30; do pass "2026-11-27T$t:00+01:00"; done
