#!/bin/sh
# The help desk in Debian's Chromium (headless), driven by playwright-core
# (tests/browser/).  Installs the pinned package with npm ci when missing
# (node_modules is not in git); screenshots go to build/screenshots/.
# Ends "browser: N passed, N failed".
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
exec node helpdesk.test.js
