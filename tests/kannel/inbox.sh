#!/usr/bin/env bash
# Show the mobile-terminated SMS that fakesmsc received (= what the phones got).
#
#   inbox.sh             decoded, concatenated parts joined, one per line
#   inbox.sh --json      same as JSON objects
#   inbox.sh --raw       every fakesmsc line separately (no joining)
#   inbox.sh --after N   only lines after the first N "Got message" lines
#   inbox.sh --count     number of MT lines received so far
#   inbox.sh --log       the raw "Got message" lines of logs/fakesmsc.log
#
# KANNEL_STATE_DIR names the running Kannel (default: this folder).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
: "${KANNEL_STATE_DIR:=$HERE}"
LOG="$KANNEL_STATE_DIR/logs/fakesmsc.log"
case "${1:-}" in
    --count) exec python3 "$HERE/fsms.py" count "$LOG" ;;
    --log)   [ -f "$LOG" ] || exit 0; exec grep -a 'Got message' "$LOG" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
esac
exec python3 "$HERE/fsms.py" decode "$@" "$LOG"
