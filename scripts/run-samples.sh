#!/usr/bin/env bash
# Sets up what is missing, builds amfora, and runs the weekly job on the bundled samples:
# two consecutive Fridays into a fresh warehouse, then prints where the reports are.
#   scripts/run-samples.sh              into an SQLite warehouse file
#   scripts/run-samples.sh --postgres   into a PostgreSQL cluster of its own (scripts/pg-cluster.sh),
#                                       left running for psql; the script says how to stop it
set -euo pipefail
cd "$(dirname "$0")/.."
postgres=false
case "${1:-}" in
    --postgres) postgres=true ;;
    "") ;;
    *) echo "usage: scripts/run-samples.sh [--postgres]" >&2; exit 2 ;;
esac
out=${AMFORA_SAMPLES_OUT:-build-samples}
if $postgres; then
    scripts/setup.sh postgres
    [ -d "$out/postgres" ] && scripts/pg-cluster.sh stop "$out/postgres"
else
    scripts/setup.sh
fi
swift build -c release --product amfora
bin=.build/release/amfora
rm -rf "$out"
mkdir -p "$out"
config=samples/amfora.conf
warehouse=$out/amfora.sqlite
if $postgres; then
    scripts/pg-cluster.sh start "$out/postgres"
    . "$out/postgres/env"
    export PGPASSFILE
    warehouse=${AMFORA_TEST_POSTGRES%/postgres}/amfora
    psql -q "$AMFORA_TEST_POSTGRES" -c "CREATE DATABASE amfora"
    "$bin" init-roles --warehouse "$warehouse" --person-key "$out/person.key"
    # An analyst's login, with the cluster's one password (in its pgpass): reads the analyst views
    # only. The statement on standard input: a password never stands in a process list.
    password=$(cut -d: -f5 "$PGPASSFILE")
    psql -q "$warehouse" <<< "CREATE ROLE analyst LOGIN PASSWORD '$password' IN ROLE amfora_analyst"
    config=$out/amfora.conf
    { cat samples/amfora.conf; echo "person_key_file = $out/person.key"; echo "archive = $out/amfora.archive"; } >"$config"
fi
for friday in 2026-11-20 2026-11-27; do
    echo "== amfora run --batch-date $friday"
    # Exit 1 means "done, but a person should look": the samples carry deliberate faults.
    "$bin" run --config "$config" --source "samples/$friday" --batch-date "$friday" \
        --warehouse "$warehouse" --reports "$out/reports" || [ $? = 1 ]
done
echo
if $postgres; then
    analyst=${warehouse/amfora_admin@/analyst@}
    echo "warehouse: $warehouse (as an analyst: . $out/postgres/env; psql '$analyst' -c 'select * from analyst.v_batch')"
    echo "stop it:   scripts/pg-cluster.sh stop $out/postgres"
else
    echo "warehouse: $warehouse (try: sqlite3 $warehouse 'select * from v_batch')"
fi
echo "report:    $(cd "$out/reports/2026-11-27" && pwd)/index.html (open it in a browser; CSV files for Excel beside it)"
