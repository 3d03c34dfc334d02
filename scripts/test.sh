#!/usr/bin/env bash
# Sets up what is missing, builds, and runs every test: the Swift suites (Swift Testing), then a
# bounded crash-point suite (kill -9 and a full disk at fault points, compared with a clean run)
# and a bounded fuzz run (mutated deliveries through validate and run). Longer runs of both:
# README, "Faults".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh ftp chromium  # a real FTP server (pyftpdlib, pyOpenSSL) and a headless browser for the report
swift build --build-tests
swift test --skip-build --disable-xctest
python3 scripts/crash_points.py --points 12 --disk-full 2
python3 scripts/test_generate_year.py
python3 scripts/fuzz.py --files 1000 --seconds 600
