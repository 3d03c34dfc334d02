#!/usr/bin/env bash
# Sets up what is missing, builds, and runs every test (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh ftp chromium  # a real FTP server (pyftpdlib, pyOpenSSL) and a headless browser for the report
swift build --build-tests
swift test --skip-build --disable-xctest
