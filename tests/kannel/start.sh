#!/usr/bin/env bash
# Start Kannel for an end-to-end SMS test of murojaat: bearerbox with a fake
# SMSC, one interactive fakesmsc client fed through a FIFO (the phones), and
# smsbox calling the murojaat server under test on 127.0.0.1.
#
#   KANNEL_APP_PORT=8080 KANNEL_ADMIN_PORT=24130 KANNEL_SMSBOX_PORT=24131 \
#   KANNEL_FAKE_PORT=24132 KANNEL_SENDSMS_PORT=24133 tests/kannel/start.sh
#
# Environment:
#   KANNEL_APP_PORT      port of the murojaat server (required): MO go to
#                        http://127.0.0.1:PORT/sms/kannel, DLRs to /sms/dlr
#   KANNEL_ADMIN_PORT    bearerbox admin/status HTTP (required)
#   KANNEL_SMSBOX_PORT   bearerbox <-> smsbox (required)
#   KANNEL_FAKE_PORT     fake SMSC; bearerbox listens, fakesmsc connects (required)
#   KANNEL_SENDSMS_PORT  smsbox sendsms HTTP interface (required)
#   KANNEL_STATE_DIR     where run/ (config, pid files, FIFO, store) and logs/
#                        go (default: this folder); the previous logs/ moves
#                        to logs.prev/.  One directory per running Kannel.
#   KANNEL_SHORTCODE     default sender of replies (default 1234)
#   KANNEL_APP_TOKEN     murojaat's kannel.token, carried as token=... by
#                        get-url and dlr-url (default: none, an empty token=)
#   BEARERBOX, SMSBOX, FAKESMSC   binaries (Debian's kannel, kannel-extras)
#
# Exit status: 0 up; 1 failed (whatever was started is stopped again);
# 2 usage; 3 a port is already in use (pick others and retry); 4 Kannel is
# not installed (tools/deps.sh test installs it).  Stop with stop.sh and the
# same KANNEL_STATE_DIR.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
: "${KANNEL_STATE_DIR:=$HERE}"
mkdir -p "$KANNEL_STATE_DIR"
STATE="$(cd "$KANNEL_STATE_DIR" && pwd)"
RUN="$STATE/run"
LOGS="$STATE/logs"
: "${KANNEL_SHORTCODE:=1234}"
: "${KANNEL_APP_TOKEN:=}"
: "${BEARERBOX:=/usr/sbin/bearerbox}"
: "${SMSBOX:=/usr/sbin/smsbox}"
: "${FAKESMSC:=/usr/lib/kannel/test/fakesmsc}"
STATUS_PASSWORD=murojaat-test-status

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; exit 2 ;;
esac

STARTED=0
die() {  # die CODE MESSAGE: stop what this run started, then exit
    echo "start.sh: $2" >&2
    if [ "$STARTED" = 1 ]; then
        KANNEL_STATE_DIR="$STATE" "$HERE/stop.sh" >&2 || true
    fi
    exit "$1"
}
alive() {  # running and not a zombie
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
port_busy() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
wait_port() {  # wait_port PORT SECONDS PID
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        alive "$3" || return 1
        sleep 0.1
    done
    return 1
}

for v in KANNEL_APP_PORT KANNEL_ADMIN_PORT KANNEL_SMSBOX_PORT KANNEL_FAKE_PORT KANNEL_SENDSMS_PORT; do
    p="${!v:-}"
    if ! [[ "$p" =~ ^[0-9]{1,5}$ ]] || [ "$p" -lt 1 ] || [ "$p" -gt 65535 ]; then
        die 2 "$v must be set to a port number (got '${p}')"
    fi
done
[[ "$KANNEL_SHORTCODE" =~ ^[0-9A-Za-z+]+$ ]] || die 2 "KANNEL_SHORTCODE must be digits/letters"
[[ "$KANNEL_APP_TOKEN" =~ ^[0-9A-Za-z._~-]*$ ]] || die 2 "KANNEL_APP_TOKEN must be URL-safe (letters, digits, . _ ~ -)"
ports="$KANNEL_ADMIN_PORT $KANNEL_SMSBOX_PORT $KANNEL_FAKE_PORT $KANNEL_SENDSMS_PORT"
# shellcheck disable=SC2086  # $ports is a list of numbers
[ "$(printf '%s\n' $ports "$KANNEL_APP_PORT" | sort -u | wc -l)" = 5 ] ||
    die 2 "the five ports must differ: $ports $KANNEL_APP_PORT"
for b in "$BEARERBOX" "$SMSBOX" "$FAKESMSC"; do
    [ -x "$b" ] || die 4 "$b not found: Kannel is not installed (tools/deps.sh test, or apt-get install -y kannel kannel-extras)"
done
command -v python3 >/dev/null || die 4 "python3 is needed"
command -v curl >/dev/null || die 4 "curl is needed"

mkdir -p "$RUN"
for n in bearerbox smsbox fakesmsc; do
    if [ -f "$RUN/$n.pid" ] && alive "$(cat "$RUN/$n.pid")"; then
        die 1 "$n already running from $STATE (pid $(cat "$RUN/$n.pid")); stop.sh first"
    fi
    rm -f "$RUN/$n.pid"
done
for p in $ports; do
    port_busy "$p" && die 3 "port 127.0.0.1:$p is already in use"
done
if [ -d "$LOGS" ]; then rm -rf "$STATE/logs.prev"; mv "$LOGS" "$STATE/logs.prev"; fi
mkdir -p "$LOGS"

# ---------------------------------------------------------------- config
esc() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }
sed -e "s|@STATE_DIR@|$(esc "$STATE")|g" \
    -e "s|@ADMIN_PORT@|$KANNEL_ADMIN_PORT|g" \
    -e "s|@SMSBOX_PORT@|$KANNEL_SMSBOX_PORT|g" \
    -e "s|@FAKE_PORT@|$KANNEL_FAKE_PORT|g" \
    -e "s|@SENDSMS_PORT@|$KANNEL_SENDSMS_PORT|g" \
    -e "s|@APP_PORT@|$KANNEL_APP_PORT|g" \
    -e "s|@SHORTCODE@|$KANNEL_SHORTCODE|g" \
    -e "s|@APP_TOKEN@|$KANNEL_APP_TOKEN|g" \
    "$HERE/kannel.conf" > "$RUN/kannel.conf"
if grep -v '^#' "$RUN/kannel.conf" | grep -q '@[A-Z_]*@'; then
    die 1 "unrendered placeholder in $RUN/kannel.conf"
fi
# an empty store avoids "fopen failed ... kannel.store" on the first start
[ -e "$RUN/kannel.store" ] || : > "$RUN/kannel.store"

cd "$RUN"   # core files land here
STARTED=1

# ---------------------------------------------------------------- bearerbox
"$BEARERBOX" -v 3 "$RUN/kannel.conf" </dev/null >>"$LOGS/bearerbox.out" 2>&1 &
BB=$!
echo "$BB" > "$RUN/bearerbox.pid"
wait_port "$KANNEL_ADMIN_PORT" 15 "$BB" || die 1 "bearerbox did not come up; see $LOGS/bearerbox.out and bearerbox.log"
wait_port "$KANNEL_FAKE_PORT" 15 "$BB" || die 1 "fake SMSC port $KANNEL_FAKE_PORT not listening; see $LOGS/bearerbox.log"

# ---------------------------------------------------------------- fakesmsc
# Interactive: one MO line at a time from stdin, every MT logged at debug
# level ("Got message N: <...>", hence -v 0).  stdin is the FIFO opened
# read-write, so it never sees EOF between injections.
rm -f "$RUN/fakesmsc.in"
mkfifo "$RUN/fakesmsc.in"
"$FAKESMSC" -H 127.0.0.1 -r "$KANNEL_FAKE_PORT" -i 0 -v 0 <>"$RUN/fakesmsc.in" >>"$LOGS/fakesmsc.log" 2>&1 &
FS=$!
echo "$FS" > "$RUN/fakesmsc.pid"

# ---------------------------------------------------------------- smsbox
"$SMSBOX" -v 3 "$RUN/kannel.conf" </dev/null >>"$LOGS/smsbox.out" 2>&1 &
SB=$!
echo "$SB" > "$RUN/smsbox.pid"
wait_port "$KANNEL_SENDSMS_PORT" 15 "$SB" || die 1 "smsbox did not come up; see $LOGS/smsbox.out and smsbox.log"

# ---------------------------------------------------------------- ready?
STATUS_URL="http://127.0.0.1:$KANNEL_ADMIN_PORT/status.txt?password=$STATUS_PASSWORD"
ok=0
for ((i = 0; i < 150; i++)); do
    st=$(curl -s --max-time 2 "$STATUS_URL" || true)
    if printf '%s' "$st" | grep -q 'fake.*online' && printf '%s' "$st" | grep -q 'smsbox:'; then ok=1; break; fi
    alive "$FS" || die 1 "fakesmsc exited; see $LOGS/fakesmsc.log"
    alive "$SB" || die 1 "smsbox exited; see $LOGS/smsbox.log"
    sleep 0.1
done
[ "$ok" = 1 ] || die 1 "fake SMSC not online or smsbox not connected; see $LOGS/"

cat <<EOF
Kannel is up (all on 127.0.0.1), state in $STATE:
  bearerbox pid $BB   status   $STATUS_URL
  smsbox    pid $SB   sendsms  http://127.0.0.1:$KANNEL_SENDSMS_PORT/cgi-bin/sendsms?username=murojaat&password=murojaat-test-secret
  fakesmsc  pid $FS   MO in: send.sh PHONE TEXT   MT out: inbox.sh ($LOGS/fakesmsc.log)
  MO webhook: http://127.0.0.1:$KANNEL_APP_PORT/sms/kannel   DLR: http://127.0.0.1:$KANNEL_APP_PORT/sms/dlr
EOF
