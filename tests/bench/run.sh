#!/bin/sh
# make bench: every benchmark, each bounded in time, loopback only.
set -eu
cd "$(dirname "$0")/../.."
echo "== intents: normalise + detect + match + extract + model, one core"
make --no-print-directory bench-intents
echo "== HTTP (release build, wrk on loopback)"
python3 tests/bench/http_bench.py
echo "== the store's backends: SQLite, PostgreSQL with one node and with two (release build, wrk)"
python3 tests/bench/pg_bench.py
echo "== USSD sessions under load, alone and beside SMS (release build, wrk)"
python3 tests/bench/ussd_bench.py
# The help desk's two: a line over its limit fails that bench, and the
# other still runs.
rc=0
echo "== help-desk inbox, 1,000,000 messages (release build, HTTP)"
python3 tests/bench/inbox_bench.py || rc=1
echo "== help-desk dashboard, 1,000,000 messages over 400 days (release build, HTTP)"
python3 tests/bench/dash_bench.py || rc=1
exit "$rc"
