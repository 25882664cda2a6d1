#!/bin/sh
# run.sh - the whole test suite, as make test runs it (after building):
# unit tests (ASan/UBSan build), then the checks each module registers in
# tests/checks.d/*.sh, then end-to-end tests over real HTTP - on SQLite,
# then again on PostgreSQL:
#   - a throwaway PostgreSQL 15 cluster (tests/pg/cluster.sh: the postgres
#     user, a Unix socket in a mktemp folder, no TCP), stopped on exit by
#     its own pg_ctl; PG_CLUSTER=DIR uses a running one instead (kept);
#   - "unit-pg X": the unit tests that open a store, with MUROJAAT_TEST_PG
#     (tests/unit/pgtest.h gives each store a new database);
#   - "e2e-pg": end-to-end tests with MUROJAAT_E2E_PG (tests/e2e/harness.py
#     gives each Server a new database).  Not the whole suite, to keep make
#     test within 20 minutes on 2 cores: the citizen's path and what the
#     store does for it - E2E_PG_DEFAULT below (SMS by Kannel, Telegram, the
#     SMS channel and notices, the help desk's API, accounts, search, the
#     not-sent view, offices, USSD, the audit range).  E2E_PG_TESTS="..."
#     (file names, e.g. "test_ops test_hostile") or E2E_PG_TESTS=all
#     chooses others;
#   - "e2e-pg test_pg_nodes": two nodes on one database (dedupe, outbox
#     leases, a node killed, PostgreSQL restarted under load).
# PG=0 leaves PostgreSQL out.  Ends with one line "N passed, N failed";
# exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
out=$(mktemp)
pgdir=""
cleanup() {
	rm -f "$out"
	if [ -n "$pgdir" ]; then
		sh tests/pg/cluster.sh stop "$pgdir"
		pgdir=""
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Unit tests that open a store run on PostgreSQL too: these, and any other
# whose source takes its store from tests/unit/pgtest.h or bot_kit.h.
# (store_test checks SQLite's own mechanisms - its statement cache, the
# log's single write, the fold index - and its portable checks of contacts,
# applications and messages run on PostgreSQL as pg_store_test; sms_test,
# outbox_test and bot_test open no store.)  Any test including pgtest.h or
# bot_kit.h is added to these.
UNIT_PG="helpdesk_store_test staff_test dash_test rules_test offices_test
teach_test api_test notices_test pg_store_test"
E2E_PG_DEFAULT="test_sms_kannel test_telegram test_sms_channel test_helpdesk_api
test_accounts test_search test_notsent test_offices test_ussd test_audit_range"

# count FILE: add the last "N passed, N failed" of FILE to the totals
count() {
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	p=$(echo "$line" | awk '{for (i = 2; i <= NF; i++) if ($i == "passed,") print $(i-1)}')
	f=$(echo "$line" | awk '{for (i = 2; i <= NF; i++) if ($i == "passed,") print $(i+1)}')
	[ -n "$line" ] || { p=0; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
}

# run NAME CMD...: run one suite, echo its output, count it; a suite that
# exits non-zero without counting a failure still counts one.
run() {
	name=$1
	shift
	echo "== $name"
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	before=$failed
	count "$out"
	if [ $rc -ne 0 ] && [ $failed -eq $before ]; then
		echo "$name: exited $rc"
		failed=$((failed + 1))
	fi
}

# fail NAME WHY: one failure that is not a suite's
fail() {
	echo "== $1"
	echo "FAIL: $2"
	failed=$((failed + 1))
}

# on_pg_list NAME: whether unit test NAME runs on PostgreSQL too
on_pg_list() {
	case " $(echo $UNIT_PG) " in *" $1 "*) return 0 ;; esac
	grep -qE '"(tests/unit/)?(pgtest|bot_kit)\.h"' "tests/unit/$1.c" 2>/dev/null
}

# takes_pg NAME: whether unit test NAME's store comes from pgtest.h
takes_pg() {
	grep -q 'pgtest\.h' "tests/unit/$1.c" && return 0
	grep -q 'bot_kit\.h' "tests/unit/$1.c" && grep -q 'pgtest\.h' tests/unit/bot_kit.h
}

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1
for t in build/san/tests/*_test; do
	[ -x "$t" ] || continue
	run "unit $(basename "$t")" "$t"
done

# the throwaway cluster
if [ "${PG:-1}" != 0 ]; then
	if [ -n "${PG_CLUSTER:-}" ]; then
		cluster=$PG_CLUSTER
	else
		pgdir=$(mktemp -d /tmp/murojaat-pg.XXXXXX)
		if sh tests/pg/cluster.sh start "$pgdir" >"$out" 2>&1; then
			cluster=$pgdir
		else
			cat "$out"
			fail "pg cluster" "tests/pg/cluster.sh start did not start PostgreSQL"
			rm -rf "$pgdir"
			pgdir=""
			cluster=""
		fi
	fi
else
	cluster=""
fi

if [ -n "$cluster" ]; then
	for t in build/san/tests/*_test; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		on_pg_list "$n" || continue
		if grep -qE 'store_open|bot_kit\.h' "tests/unit/$n.c" && ! takes_pg "$n"; then
			fail "unit-pg $n" "opens a store, but not through tests/unit/pgtest.h (test_store_target)"
			continue
		fi
		run "unit-pg $n" env MUROJAAT_TEST_PG="$cluster" "$t"
	done
fi

for c in tests/checks.d/*.sh; do
	[ -f "$c" ] || continue
	run "check $(basename "$c" .sh)" sh "$c"
done
run "e2e" python3 tests/e2e/run.py

if [ -n "$cluster" ]; then
	sel=${E2E_PG_TESTS:-$E2E_PG_DEFAULT}
	files=""
	if [ "$sel" = all ]; then
		files=$(ls tests/e2e/test_*.py | grep -v '/test_pg_nodes\.py$')
	else
		for n in $sel; do
			n=$(basename "${n%.py}")
			[ -f "tests/e2e/$n.py" ] || { fail "e2e-pg $n" "no tests/e2e/$n.py"; continue; }
			files="$files tests/e2e/$n.py"
		done
	fi
	# shellcheck disable=SC2086
	[ -n "$files" ] && run "e2e-pg" env MUROJAAT_E2E_PG="$cluster" python3 tests/e2e/run.py $files
	run "e2e-pg test_pg_nodes" env MUROJAAT_E2E_PG="$cluster" python3 tests/e2e/run.py tests/e2e/test_pg_nodes.py
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
