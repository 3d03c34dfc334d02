#!/usr/bin/env bash
# Fetch benchmark: 98 deliveries (~1 GB) from a real FTP server on 127.0.0.1, plaintext and
# explicit TLS, with the release build. Prints MB/s per mode; the target is >= 200 MB/s.
#
#   scripts/bench-fetch.sh              # uses .build (or SCRATCH=… for another scratch path)
#   BENCH_DIR=/tmp/b scripts/bench-fetch.sh
#
# Needs pyftpdlib, pyOpenSSL, cryptography (scripts/setup.sh ftp). Writes ~2 GB under BENCH_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build}
BENCH_DIR=${BENCH_DIR:-bench-data/fetch}
BATCH=2024-11-08
scripts/setup.sh ftp

swift build -c release --scratch-path "$SCRATCH" --product amfora >&2
AMFORA="$SCRATCH/release/amfora"

# 98 files of ~10.2 MB, one per municipality, written once and reused.
mkdir -p "$BENCH_DIR/root"
python3 - "$BENCH_DIR/root" "$BATCH" <<'PY'
import os, random, sys
root, batch = sys.argv[1], sys.argv[2].replace("-", "")
codes = [line.split("\t")[0] for line in open("Sources/AmforaCore/Resources/kommuner.tsv", encoding="utf-8")
         if line[:3].isdigit()]
assert len(codes) == 98, len(codes)
block = os.urandom(1 << 20)
size = 10_200_000
for code in codes:
    path = os.path.join(root, f"AMFORA_{code}_{batch}.txt")
    if os.path.exists(path) and os.path.getsize(path) == size:
        continue
    rnd = random.Random(code)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, len(block))
            start = rnd.randrange(0, len(block) - n + 1) if n < len(block) else 0
            f.write(block[start:start + n])
            left -= n
    os.utime(path, (0, 1_700_000_000))  # old enough: no waiting on --min-age
PY
TOTAL=$(du -cb "$BENCH_DIR"/root/AMFORA_* | tail -1 | cut -f1)
echo "bench: $(ls "$BENCH_DIR"/root | wc -l) files, $((TOTAL / 1000000)) MB" >&2

server_pid=""
cleanup() {
    exec 3>&- 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    rm -f "$BENCH_DIR/hold"
}
trap cleanup EXIT

run() {  # $1 = none|explicit
    local tls=$1 out="$BENCH_DIR/server-$1.json"
    rm -f "$out"
    # The server exits when its stdin closes: fd 3 holds the FIFO open for the run.
    rm -f "$BENCH_DIR/hold"
    mkfifo "$BENCH_DIR/hold"
    python3 scripts/ftp_test_server.py --root "$BENCH_DIR/root" --tls "$tls" --certdir "$BENCH_DIR" \
        --user bench --password bench-pw --buffer 1048576 <"$BENCH_DIR/hold" >"$out" 2>"$BENCH_DIR/server-$tls.log" &
    server_pid=$!
    exec 3>"$BENCH_DIR/hold"
    for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
    local port; port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['port'])" "$out")
    local extra=(--allow-plaintext)
    [ "$tls" = explicit ] && extra=(--ca-file "$BENCH_DIR/ca.pem")
    rm -rf "$BENCH_DIR/inbox"
    local start end
    start=$(date +%s.%N)
    AMFORA_FTP_USER=bench AMFORA_FTP_PASSWORD=bench-pw "$AMFORA" fetch --source "ftp://127.0.0.1:$port/" \
        --inbox "$BENCH_DIR/inbox" --batch-date "$BATCH" --min-age 0 --listing-interval 0 "${extra[@]}" \
        | head -1 >&2
    end=$(date +%s.%N)
    exec 3>&-
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    local got; got=$(du -cb "$BENCH_DIR"/inbox/AMFORA_* | tail -1 | cut -f1)
    [ "$got" = "$TOTAL" ] || { echo "bench: fetched $got bytes of $TOTAL" >&2; exit 1; }
    python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=int(sys.argv[3]); print(f'{sys.argv[4]:>9}: {b/1e6:.0f} MB in {t:.2f} s = {b/1e6/t:.0f} MB/s')" \
        "$start" "$end" "$TOTAL" "$([ "$tls" = explicit ] && echo TLS || echo plaintext)"
}

run none
run explicit
rm -rf "$BENCH_DIR/inbox"
