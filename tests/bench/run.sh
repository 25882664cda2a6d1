#!/bin/sh
# make bench: every benchmark, each bounded in time, loopback only.
set -eu
cd "$(dirname "$0")/../.."
echo "== intents: normalise + detect + match + extract + model, one core"
make --no-print-directory bench-intents
echo "== HTTP (release build, wrk on loopback)"
python3 tests/bench/http_bench.py
echo "== USSD sessions under load, alone and beside SMS (release build, wrk)"
python3 tests/bench/ussd_bench.py
echo "== help-desk inbox, 1,000,000 messages (release build, HTTP)"
python3 tests/bench/inbox_bench.py
