#!/usr/bin/env bash
# Inject ONE mobile-originated SMS through the running fakesmsc.
#
#   send.sh [-m auto|text|ucs2|utf8|ucs2-parts] [-t SHORTCODE] [-w SECONDS] PHONE TEXT
#
#   PHONE   sender (the citizen), e.g. +998901234567
#   TEXT    message text (UTF-8)
#   -t      receiver / short code (default $KANNEL_SHORTCODE or 1234)
#   -m      how fakesmsc hands it to bearerbox (see fsms.py encode):
#             auto  (default) 7-bit 'text' if TEXT is GSM 03.38, else one
#                   'ucs2' line (like a phone), else (too long) 'utf8'
#   -w N    wait N seconds, then print the MT messages fakesmsc received since
#
# KANNEL_STATE_DIR names the running Kannel (default: this folder), as for
# start.sh.  One line per read by fakesmsc; the script waits until fakesmsc
# logs "sent message" for each line.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
: "${KANNEL_STATE_DIR:=$HERE}"
RUN="$KANNEL_STATE_DIR/run"
LOGS="$KANNEL_STATE_DIR/logs"
MODE=auto
TO="${KANNEL_SHORTCODE:-1234}"
WAIT=0
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
while getopts "m:t:w:h" o; do
    case "$o" in
        m) MODE=$OPTARG ;;
        t) TO=$OPTARG ;;
        w) WAIT=$OPTARG ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { usage >&2; exit 2; }
FROM=$1
TEXT=$2

die() { echo "send.sh: $*" >&2; exit 1; }
if ! { [ -f "$RUN/fakesmsc.pid" ] && kill -0 "$(cat "$RUN/fakesmsc.pid")" 2>/dev/null; }; then
    die "fakesmsc is not running in $KANNEL_STATE_DIR; start.sh first"
fi
[ -p "$RUN/fakesmsc.in" ] || die "FIFO $RUN/fakesmsc.in missing; start.sh first"

exec 9>"$RUN/send.lock"
flock -w 60 9 || die "another send.sh is still running"

MT_BEFORE=$(python3 "$HERE/fsms.py" count "$LOGS/fakesmsc.log")
python3 "$HERE/fsms.py" inject --mode "$MODE" "$RUN/fakesmsc.in" "$LOGS/fakesmsc.log" "$FROM" "$TO" "$TEXT"
echo "injected MO from $FROM to $TO"

if [ "$WAIT" != 0 ]; then
    sleep "$WAIT"
    echo "--- MT received by fakesmsc in the last ${WAIT}s:"
    python3 "$HERE/fsms.py" decode --after "$MT_BEFORE" "$LOGS/fakesmsc.log"
fi
