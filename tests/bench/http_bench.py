"""HTTP benchmarks on loopback, bounded in time: /sms/kannel and
/telegram/webhook under wrk against the release build, and the outbox
sender draining to a mock Bot API.  Prints one figure per line."""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402
from mocks import MockTelegram  # noqa: E402

REL = os.path.join(harness.ROOT, "murojaat")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNS = int(os.environ.get("BENCH_CONNS", "64"))
APPS = int(os.environ.get("BENCH_APPS", "1000000"))
CEILING = os.path.join(harness.ROOT, "build", "rel", "ceiling")

KANNEL_LUA = r'''
local n = 0
local texts = {"arizam+holati+AR-2025-000001", "%D1%81%D1%82%D0%B0%D1%82%D1%83%D1%81+%D0%B7%D0%B0%D1%8F%D0%B2%D0%BA%D0%B8+AR-2025-000001",
  "salom", "hujjatlar+kerak", "help", "%D0%BF%D0%BE%D0%BC%D0%BE%D1%89%D1%8C", "qwzx"}
local tid = math.random(1, 1000000000)
request = function()
  n = n + 1
  return wrk.format("GET", "/sms/kannel?from=%2B99890" .. (1000000 + n % 9000000) ..
    "&to=1234&id=b" .. tid .. "-" .. n .. "&text=" .. texts[n % #texts + 1])
end
'''

TG_LUA = r'''
local n = 0
local tid = math.random(1, 100000)
local texts = {"arizam holati AR-2025-000001", "статус заявки AR-2025-000001", "salom", "help", "hujjatlar"}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = "bench-secret"
request = function()
  n = n + 1
  local id = tid * 100000000 + n
  local chat = 1000 + n % 5000
  local body = '{"update_id":' .. id .. ',"message":{"message_id":' .. n ..
    ',"from":{"id":' .. chat .. ',"is_bot":false,"first_name":"A","language_code":"uz"},' ..
    '"chat":{"id":' .. chat .. ',"type":"private"},"date":1795300000,"text":"' ..
    texts[n % #texts + 1] .. '"}}'
  return wrk.format(nil, nil, nil, body)
end
'''


def wrk(port, lua, path="/", seconds=None):
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(lua)
    f.close()
    out = subprocess.run(["wrk", "-t1", "-c%d" % CONNS, "-d%ds" % SECONDS, "--latency",
                          "-s", f.name, "http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True, timeout=SECONDS + 30).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # the Latency Distribution lines, not the +/- Stdev column
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, int(non2xx.group(1)) if non2xx else 0


class T(harness.Check):
    pass


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def ceiling():
    """The same load against a server that only reads and answers."""
    port = harness.free_port()
    p = subprocess.Popen([CEILING, str(port)], stdout=subprocess.PIPE)
    try:
        p.stdout.readline()
        wrk(port, KANNEL_LUA, seconds=2)    # warm-up
        return wrk(port, KANNEL_LUA)
    finally:
        p.terminate()
        p.wait()


def main():
    t = T("bench")
    mock = MockTelegram(t, token="42:bench")
    s = harness.Server(t, binary=REL, demo_apps=APPS,
                       env={"MUROJAAT_TELEGRAM_TOKEN": mock.token,
                            "MUROJAAT_TELEGRAM_SECRET": "bench-secret",
                            "MUROJAAT_TELEGRAM_API_BASE": mock.base,
                            "MUROJAAT_LOG_LEVEL": "warn"},
                       conf={"outbox.rate": "100000", "outbox.chat_interval_ms": "0",
                             "rate.per_minute": "100000", "rate.per_day": "1000000"})
    try:
        t0 = time.time()
        s.start(wait=600)
        print("store: %d applications, created in %.0fs" % (
            s.sql("SELECT count(*) FROM applications")[0][0], time.time() - t0))
        c_rps, c50, c99, _ = ceiling()
        print("ceiling (libmicrohttpd, read body, fixed reply): %.0f requests/s, p50 %s, p99 %s"
              % (c_rps, c50, c99))
        wrk(s.port, KANNEL_LUA, seconds=2)  # warm-up: contacts exist, pages cached
        rps, p50, p99, bad = wrk(s.port, KANNEL_LUA)
        print("sms/kannel (full pipeline, durable): %.0f requests/s, p50 %s, p99 %s, non-2xx %d "
              "(%d connections, %ds)" % (rps, p50, p99, bad, CONNS, SECONDS))
        pipeline = rps
        rps, p50, p99, bad = wrk(s.port, TG_LUA, "/telegram/webhook")
        print("telegram/webhook: %.0f requests/s, p50 %s, p99 %s, non-2xx %d (sender delivering "
              "at the same time)" % (rps, p50, p99, bad))
        deadline = time.time() + 120
        while time.time() < deadline:
            if s.sql("SELECT count(*) FROM outbox WHERE state='pending'")[0][0] == 0:
                break
            time.sleep(0.2)
        with mock.lock:
            times = sorted(c[2] for c in mock.calls if c[0] == "sendMessage")
        left = s.sql("SELECT count(*) FROM outbox WHERE state='pending'")[0][0]
        if len(times) > 1:
            print("outbox to mock Bot API: %d messages in %.1fs = %.0f messages/s (%d left, "
                  "%d refused)" % (len(times), times[-1] - times[0],
                                   (len(times) - 1) / (times[-1] - times[0]), left, len(mock.refused)))
        print("peak RSS of murojaat: %.0f MB" % peak_rss_mb(s.proc.pid))
        print("pipeline/ceiling ratio: %.3f" % (pipeline / c_rps))
    finally:
        for c in reversed(t.cleanups):
            c()


if __name__ == "__main__":
    main()
