#!/usr/bin/env bash
# Stop what start.sh started from $KANNEL_STATE_DIR (default: this folder),
# using ONLY the PIDs recorded in run/*.pid.  A PID is signalled only if
# /proc/PID/cmdline still names the program that was started there
# (protection against PID reuse).  Never kills anything by name.
set -uo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
: "${KANNEL_STATE_DIR:=$HERE}"
[ -d "$KANNEL_STATE_DIR" ] || exit 0
STATE="$(cd "$KANNEL_STATE_DIR" && pwd)"
RUN="$STATE/run"

alive() {  # running and not a zombie
    [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

ours() {  # ours NAME PID PROGRAM: still the process start.sh started here?
    local cmd
    cmd=$(tr '\0' ' ' < "/proc/$2/cmdline" 2>/dev/null || true)
    case "$1" in
        # fakesmsc's stdin is this run's FIFO
        fakesmsc) case "$cmd" in "$3 "*) ;; *) return 1 ;; esac
                  [ "$(readlink "/proc/$2/fd/0" 2>/dev/null)" = "$RUN/fakesmsc.in" ] ;;
        # the boxes name this run's config
        *) case "$cmd" in "$3 "*" $RUN/kannel.conf"*) return 0 ;; *) return 1 ;; esac ;;
    esac
}

stop_one() {  # stop_one NAME PROGRAM_PATH
    local name=$1 expect=$2 pidfile="$RUN/$1.pid" pid cmd i
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    if ! [[ "$pid" =~ ^[0-9]+$ ]]; then rm -f "$pidfile"; return 0; fi
    if alive "$pid"; then
        if ! ours "$name" "$pid" "$expect"; then
            cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)
            echo "stop.sh: pid $pid is no longer our $name ($cmd); not touching it" >&2
            rm -f "$pidfile"; return 0
        fi
        kill -TERM "$pid" 2>/dev/null
        for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.1; done
        if alive "$pid"; then
            echo "stop.sh: $name (pid $pid) ignored SIGTERM for 10 s, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null
            for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
        fi
        echo "stopped $name (pid $pid)"
    fi
    rm -f "$pidfile"
}

stop_one smsbox    "${SMSBOX:-/usr/sbin/smsbox}"
stop_one bearerbox "${BEARERBOX:-/usr/sbin/bearerbox}"
# normally gone already: fakesmsc exits when bearerbox closes the link
stop_one fakesmsc  "${FAKESMSC:-/usr/lib/kannel/test/fakesmsc}"
rm -f "$RUN/fakesmsc.in" "$RUN/send.lock"
exit 0
