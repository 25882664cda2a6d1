#!/bin/sh
# run.sh - the whole test suite, as make test runs it (after building):
# unit tests (ASan/UBSan build), then the checks each module registers in
# tests/checks.d/*.sh, then end-to-end tests over real HTTP.
# Ends with one line "N passed, N failed"; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

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

export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1
for t in build/san/tests/*_test; do
	[ -x "$t" ] || continue
	run "unit $(basename "$t")" "$t"
done
for c in tests/checks.d/*.sh; do
	[ -f "$c" ] || continue
	run "check $(basename "$c" .sh)" sh "$c"
done
run "e2e" python3 tests/e2e/run.py
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
