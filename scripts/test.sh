#!/usr/bin/env bash
# Sets up what is missing, builds, and runs every test: the Swift suites (Swift Testing, the
# PostgreSQL warehouse's against a cluster started here), then a
# bounded crash-point suite (kill -9 and a full disk at fault points, compared with a clean run;
# the kill points against PostgreSQL too)
# and a bounded fuzz run (mutated deliveries through validate and run). Longer runs of both:
# README, "Faults".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh ftp chromium postgres  # a real FTP server (pyftpdlib, pyOpenSSL), a headless browser for the report, a PostgreSQL server
swift build --build-tests
# A throwaway PostgreSQL cluster of the tests' own (scripts/pg-cluster.sh), stopped at the end;
# AMFORA_REQUIRE_POSTGRES makes its tests fail rather than skip if it is not there.
pg=$(mktemp -d /tmp/amfora-pg.XXXXXX)
trap 'scripts/pg-cluster.sh stop "$pg"' EXIT
scripts/pg-cluster.sh start "$pg"
. "$pg/env"
export AMFORA_REQUIRE_POSTGRES=1
swift test --skip-build --disable-xctest
python3 scripts/crash_points.py --points 12 --disk-full 2
python3 scripts/crash_points.py --postgres --points 12 --disk-full 0
python3 scripts/test_generate_year.py
python3 scripts/fuzz.py --files 1000 --seconds 600
