#!/bin/sh
# The help desk in Debian's Chromium (headless), driven by playwright-core
# (tests/browser/): every *.test.js there, one after another, each against
# its own server.  Installs the pinned package with npm ci when missing
# (node_modules is not in git); screenshots go to build/screenshots/.
# Ends "browser: N passed, N failed" (the sum over the files).
cd "$(dirname "$0")/../browser" || exit 2
fail() { echo "browser: $1"; echo "browser: 0 passed, 1 failed"; exit 1; }
command -v node >/dev/null 2>&1 || fail "node is missing (tools/deps.sh test)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "chromium is missing (tools/deps.sh test)"
stamp=node_modules/.installed-lock
if [ ! -f node_modules/playwright-core/package.json ] || ! cmp -s package-lock.json "$stamp"; then
	npm ci --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null ||
	    fail "npm ci failed"
	cp package-lock.json "$stamp"
fi
pass=0 failn=0 rc=0
out=$(mktemp) || exit 2
for t in *.test.js; do
	echo "browser: $t"
	node "$t" >"$out" 2>&1 || rc=1
	grep -v '^browser: [0-9]* passed, [0-9]* failed$' "$out"
	line=$(grep '^browser: [0-9]* passed, [0-9]* failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "browser: $t ended without its tally"
		failn=$((failn + 1)); rc=1; continue
	fi
	set -- $line
	pass=$((pass + $2)) failn=$((failn + $4))
done
rm -f "$out"
echo "browser: $pass passed, $failn failed"
[ "$failn" -eq 0 ] && exit "$rc"
exit 1
