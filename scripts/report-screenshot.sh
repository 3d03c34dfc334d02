#!/usr/bin/env bash
# Renders an HTML report in headless Chromium: a screenshot (PNG) and the DOM after the inline
# script ran (OUT.dom.html beside the PNG). Fails when Chromium fails, the page is cut short, or
# the page's script logs an error.
#
#   scripts/report-screenshot.sh [REPORT.html] [OUT.png]
#
# Without REPORT.html it renders the test fixture's report (HTMLReportTests/writeSampleReport,
# with the CSV and JSON files beside it) into a temporary folder first. OUT.png defaults to
# REPORT.png. WINDOW=1400,3000 sets the window (and so the screenshot) size.
# Installs Debian's chromium if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

html="${1:-}"
if [ -z "$html" ]; then
    sample_dir="$(mktemp -d /tmp/amfora-report-sample.XXXXXX)"
    html="$sample_dir/report.html"
    echo "report-screenshot: rendering the fixture's report to $html" >&2
    AMFORA_REPORT_SAMPLE="$html" swift test --scratch-path "${AMFORA_SCRATCH:-.build}" \
        --filter 'HTMLReportTests/writeSampleReport' >"$sample_dir/swift-test.log" 2>&1 \
        || { tail -40 "$sample_dir/swift-test.log" >&2; exit 1; }
fi
[ -f "$html" ] || { echo "report-screenshot: no such file: $html" >&2; exit 2; }
html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
png="${2:-${html%.html}.png}"
case "$png" in /*) ;; *) png="$PWD/$png" ;; esac
dom="${png%.png}.dom.html"
log="${png%.png}.chromium.log"
window="${WINDOW:-1400,3000}"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "report-screenshot: installing chromium" >&2
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

profile="$(mktemp -d /tmp/amfora-chromium.XXXXXX)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-extensions
       --disable-background-networking --disable-sync --hide-scrollbars --user-data-dir="$profile"
       --enable-logging=stderr --v=0)
url="file://$html"

rm -f "$png"
status=0
timeout 120 "$browser" "${flags[@]}" --screenshot="$png" --window-size="$window" "$url" >"$log" 2>&1 || status=$?
timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" >"$dom" 2>>"$log" || status=$((status ? status : $?))

fail=0
# The report must stand alone: nothing fetched from the network or from beside the file.
if grep -Eqi '<link|(src|href|xlink:href)="(https?:|//|file:|[a-z0-9_./-]+\.(png|jpe?g|gif|svg|css|js|woff2?)")|url\(|@import' "$html"; then
    echo "report-screenshot: the page refers to outside resources:" >&2
    grep -Eoi '<link[^>]*>|(src|href|xlink:href)="[^"#][^"]*"|url\([^)]*\)|@import[^;]*' "$html" | head -5 >&2
    fail=1
fi
if [ "$status" != 0 ]; then echo "report-screenshot: chromium exited with $status" >&2; fail=1; fi
if [ ! -s "$png" ]; then echo "report-screenshot: no screenshot written" >&2; fail=1; fi
if ! grep -q '</html>' "$dom" || ! grep -q '<h1' "$dom"; then
    echo "report-screenshot: the dumped DOM is empty or cut short" >&2; fail=1
fi
# Errors from the page itself (its script, a blocked resource): console messages and load failures.
if grep -E 'CONSOLE|Failed to load resource|net::ERR_' "$log" | grep -Eiq 'uncaught|error|failed'; then
    echo "report-screenshot: the page reported errors:" >&2
    grep -E 'CONSOLE|Failed to load resource|net::ERR_' "$log" >&2 || true
    fail=1
fi
if [ "$fail" != 0 ]; then
    echo "report-screenshot: chromium log: $log" >&2
    # Without its D-Bus noise (no session bus in a container is normal).
    grep -Ev 'dbus|bluez|UPower|idle_linux|^\s*$' "$log" | tail -20 >&2 || true
    exit 1
fi
echo "report-screenshot: $png ($window), DOM in $dom"
