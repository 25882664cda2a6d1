#!/bin/sh
# deploy.sh - the deployment examples (deploy/check.sh: systemd-analyze
# verify of both units, nginx -t of both proxy configurations), counted.
cd "$(dirname "$0")/../.." || exit 2
out=$(sh deploy/check.sh 2>&1)
rc=$?
printf '%s\n' "$out"
ok=$(printf '%s\n' "$out" | grep -c ': ok$')
bad=$(printf '%s\n' "$out" | grep -c ': FAILED$')
[ $rc -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
echo "deploy: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
