#!/usr/bin/env bash
# Installs what amfora needs on a fresh Debian machine with the Swift toolchain, and nothing
# that is already there. Safe to run again.
set -euo pipefail

need=()
pkg-config --exists libcurl 2>/dev/null || need+=(libcurl4-openssl-dev)
pkg-config --exists sqlite3 2>/dev/null || need+=(libsqlite3-dev)
pkg-config --exists libcrypto 2>/dev/null || need+=(libssl-dev)
pkg-config --exists libpq 2>/dev/null || need+=(libpq-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
for extra in "$@"; do
    case "$extra" in
        ftp) python3 -c 'import pyftpdlib, OpenSSL' 2>/dev/null || pipneed=1 ;;
        chromium) command -v chromium >/dev/null || browser=1 ;;
        time) [ -x /usr/bin/time ] || need+=(time) ;;
        postgres) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql) ;;
    esac
done

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
if [ ${#need[@]} -gt 0 ] || [ "${browser:-0}" = 1 ]; then
    $SUDO apt-get update -qq
fi
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${browser:-0}" = 1 ]; then
    # The browser only serves the report's rendering test, which says it is skipped without it.
    echo "setup: installing chromium" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
        || echo "setup: chromium could not be installed; the report's browser test will be skipped" >&2
fi
if [ "${pipneed:-0}" = 1 ]; then
    echo "setup: installing pyftpdlib and pyOpenSSL" >&2
    python3 -m pip install -q pyftpdlib pyOpenSSL
fi
