#!/bin/sh
# run.sh NAME... - run each libFuzzer target build/fuzz/NAME_fuzz for
# FUZZ_SECONDS (default 20) on its corpus build/fuzz/corpus/NAME (seeded
# from the fixtures by seed.py) and the regression inputs in
# tests/fuzz/seeds/NAME.  Prints executions and executions/s per target and
# ends "fuzz: N passed, N failed"; a crash leaves its input in
# build/fuzz/crash/.
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${FUZZ_SECONDS:-20}
passed=0
failed=0
mkdir -p build/fuzz/crash build/fuzz/log
python3 tests/fuzz/seed.py build/fuzz/corpus || exit 2
export MUROJAAT_ROOT="$PWD"
for name in "$@"; do
	bin=build/fuzz/${name}_fuzz
	log=build/fuzz/log/$name.log
	corpus=build/fuzz/corpus/$name
	seeds=tests/fuzz/seeds/$name
	mkdir -p "$corpus"
	[ -d "$seeds" ] || seeds=
	if [ ! -x "$bin" ]; then
		echo "fuzz $name: $bin missing (make fuzz-build)"
		failed=$((failed + 1))
		continue
	fi
	# -timeout: one input that takes 10 s is a bug; leaks are crashes.
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1 \
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix="build/fuzz/crash/$name-" \
	    "$corpus" $seeds >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	units=$(ls "$corpus" | wc -l)
	if [ $rc -eq 0 ] && ! grep -q -e '^==[0-9]*==ERROR' -e 'runtime error:' \
	    -e 'fuzz invariant' "$log"; then
		echo "fuzz $name: ok, ${runs:-?} runs in ${secs}s," \
		    "${rate:-?}/s, corpus $units"
		passed=$((passed + 1))
	else
		echo "fuzz $name: FAIL (exit $rc), log $log:"
		grep -E -A 30 '^==[0-9]*==ERROR|runtime error:|fuzz invariant|^INFO: Seed|Test unit written' \
		    "$log" | head -n 60
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
