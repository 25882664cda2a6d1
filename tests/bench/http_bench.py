"""HTTP benchmarks on loopback, bounded in time: /sms/kannel and
/telegram/webhook under wrk against the release build, and the outbox
sender draining to a mock Bot API.  Prints one figure per line."""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402
from mocks import MockTelegram  # noqa: E402

REL = os.environ.get("MUROJAAT_BIN", os.path.join(harness.ROOT, "murojaat"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
APPS = int(os.environ.get("BENCH_APPS", "1000000"))
CEILING = os.path.join(harness.ROOT, "build", "rel", "ceiling")
MOCKBOT = os.path.join(harness.ROOT, "build", "rel", "mockbot")


class MockBot:
    """tests/bench/mockbot.c: the Bot API's sendMessage on loopback, in C
    (the Python mock of the e2e tests took a third of a core the server
    then lacked); stats() is how many sendMessage calls came."""

    def __init__(self, t, token):
        self.token = token
        self.port = harness.free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = subprocess.Popen([MOCKBOT, str(self.port), token], stdout=subprocess.PIPE)
        self.proc.stdout.readline()
        t.defer(self.stop)

    def stats(self):
        c = harness.http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request("GET", "/stats")
            return int(c.getresponse().read())
        finally:
            c.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

# What citizens write: every intent in uz-Latn, uz-Cyrl, ru and en, short
# and long, with application numbers of the demo registry (most of them
# someone else's: the bot then asks the sender to prove it is theirs).
TEXTS = [
    "arizam holati AR-2025-%06d", "аризам ҳолати AR-2025-%06d", "статус заявки AR-2025-%06d",
    "application status AR-2025-%06d", "pensiyam nega kechikyapti", "posobiye nega kelmadi bu oy",
    "nafaqa olsam boladimi", "менга нафақа берилади ми", "могу ли я получить пособие на детей",
    "am I eligible for child allowance", "qanday hujjatlar kerak", "какие документы нужны",
    "which documents do I need", "inson markazi qayerda", "Nukusda filial bormi", "где ближайший центр",
    "operator bilan gaplashmoqchiman", "позовите человека", "operator please", "salom", "assalomu alaykum",
    "здравствуйте", "hello", "rahmat", "спасибо", "thanks", "help", "ёрдам", "русский язык",
    "o'zbekcha", "qwzx blorpt", "5", "2 500 000",
    "assalomu alaykum men buvimning arizasi haqida yozyapman u kishi telefon ishlatolmaydi "
    "ariza raqami AR-2025-%06d qachon pul tushadi deb soʻrayaptilar",
]
PHONES = 200000      # distinct senders
RETURNING = 0.70     # share of messages from a sender who wrote before

# One script for both webhooks.  wrk passes: the run's nonce (never used
# before: the time in ms), the phase ("w" warm-up, "m" measured), the
# webhook ("kannel" or "telegram") and the number of demo applications.
# Each thread seeds its own generator from the nonce and its thread id,
# and every id is phase .. nonce .. thread .. counter: never seen before.
LUA = r"""
local texts = {%s}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
local nonce, phase, hook, apps
local n, used, nused, nextnew = 0, {}, 0, 0
local function urlenc(s)
  return (s:gsub("[^%%w%%-%%._~]", function(c) return string.format("%%%%%%02X", string.byte(c)) end))
end
init = function(args)
  nonce = tonumber(args[1]); phase = args[2]; hook = args[3]; apps = tonumber(args[4])
  math.randomseed(nonce * 131 + tid * 7919 + (phase == "w" and 1 or 0))
  nextnew = math.random(0, %d - 1)
  if hook == "telegram" then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = "bench-secret"
  end
end
local function sender()
  if nused > 0 and math.random() < %f then
    return used[math.random(1, nused)]
  end
  nextnew = (nextnew + 1) %% %d
  nused = nused + 1
  used[nused] = nextnew
  return nextnew
end
request = function()
  n = n + 1
  local who = sender()
  local t = texts[math.random(1, #texts)]
  if t:find("%%%%06d") then t = string.format(t, math.random(1, apps)) end
  local id = phase .. nonce .. "-" .. tid .. "-" .. n
  if hook == "kannel" then
    return wrk.format("GET", "/sms/kannel?from=%%2B99890" .. (1000000 + who) ..
      "&to=1234&id=" .. id .. "&text=" .. urlenc(t))
  end
  local uid = (phase == "w" and 1 or 2) * 1e12 + (nonce %% 100000) * 1e7 + tid * 1e6 + n
  local chat = 5000000 + who
  local body = string.format('{"update_id":%%d,"message":{"message_id":%%d,"from":{"id":%%d,' ..
    '"is_bot":false,"first_name":"A","language_code":"uz"},"chat":{"id":%%d,"type":"private"},' ..
    '"date":1795300000,"text":"%%s"}}', uid, n, chat, chat, t)
  return wrk.format(nil, nil, nil, body)
end
""" % (", ".join('"%s"' % t for t in TEXTS), PHONES, RETURNING, PHONES)


_nonce_lock = threading.Lock()
_last_nonce = [0]


def new_nonce():
    """A run's nonce: the time in ms, never one given before (runs started
    at the same moment from several threads get different ones)."""
    with _nonce_lock:
        n = max(int(time.time() * 1000) % 10 ** 9, _last_nonce[0] + 1)
        _last_nonce[0] = n
        return n


def wrk(port, hook, phase, conns, seconds, path="/"):
    """One wrk run of seconds with its own nonce; (requests/s, p50, p99,
    non-2xx, requests)."""
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(LUA)
    f.close()
    nonce = new_nonce()
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency",
                          "-s", f.name, "http://127.0.0.1:%d%s" % (port, path), "--",
                          str(nonce), phase, hook, str(APPS)],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # the Latency Distribution lines, not the +/- Stdev column
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, p50, p99, int(non2xx.group(1)) if non2xx else 0, total


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])    # utime + stime


def thread_ticks(pid):
    """utime + stime of each of the server's threads, summed by name."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                st = f.read()
        except OSError:
            continue
        name = st[st.index("(") + 1:st.rindex(")")]
        fields = st.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + int(fields[11]) + int(fields[12])
    return out


def drain(s, limit=120):
    """Waits until the outbox has nothing pending, so that one phase's
    sending is not counted in the next phase's CPU."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if s.sql("SELECT count(*) FROM outbox WHERE state='pending'")[0][0] == 0:
            return
        time.sleep(0.2)


def duplicates(s):
    text = s.get("/metrics").text
    return sum(int(v) for v in re.findall(r"^murojaat_messages_duplicate_total\{[^}]*\} (\d+)", text, re.M))


class T(harness.Check):
    pass


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def ceiling(conns):
    """The same load against a server that only reads and answers."""
    port = harness.free_port()
    p = subprocess.Popen([CEILING, str(port)], stdout=subprocess.PIPE)
    try:
        p.stdout.readline()
        wrk(port, "kannel", "w", conns, 1)    # warm-up, its own ids
        c0 = cpu_ticks(p.pid)
        r = wrk(port, "kannel", "m", conns, SECONDS)
        us = (cpu_ticks(p.pid) - c0) * 1e6 / os.sysconf("SC_CLK_TCK") / max(r[4], 1)
        return r + (us,)
    finally:
        p.terminate()
        p.wait()


def measured(s, hook, conns, path, mock=None):
    """Warm-up (1 s, its own ids), then the measured run with fresh ids:
    the wrk figures, the server's count of repeated ids and its CPU."""
    q = "SELECT count(*) FROM messages WHERE direction = 'in'"
    wrk(s.port, hook, "w", conns, 1, path)
    drain(s)
    d0, c0, m0 = duplicates(s), cpu_ticks(s.proc.pid), s.sql(q)[0][0]
    t0 = thread_ticks(s.proc.pid)
    sent0 = mock.stats() if mock else 0
    rps, p50, p99, bad, total = wrk(s.port, hook, "m", conns, SECONDS, path)
    c1, t1 = cpu_ticks(s.proc.pid), thread_ticks(s.proc.pid)
    sent = mock.stats() - sent0 if mock else 0
    d1, m1 = duplicates(s), s.sql(q)[0][0]
    tick = 1e6 / os.sysconf("SC_CLK_TCK") / max(total, 1)
    us = (c1 - c0) * tick
    threads = sorted(((t1[k] - t0.get(k, 0)) * tick, k) for k in t1)
    threads = ", ".join("%s %.0f" % (k, v) for v, k in reversed(threads) if v >= 1)
    drain(s)
    return rps, p50, p99, bad, total, d1 - d0, us, m1 - m0, threads, sent


def main():
    t = T("bench")
    mock = MockBot(t, "42:bench") if os.path.exists(MOCKBOT) else MockTelegram(t, token="42:bench")
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
        print("load: %d texts over every intent in uz-Latn, uz-Cyrl, ru and en; senders from %d "
              "phones, %d%% returning to a conversation, %d%% first-time; every id new (a nonce per run, "
              "a thread id, a counter); warm-up 1 s with its own ids" % (
                  len(TEXTS), PHONES, RETURNING * 100, (1 - RETURNING) * 100))
        ratio = None
        for conns in (32, 64):
            c_rps, c50, c99, _, _, c_us = ceiling(conns)
            print("ceiling (libmicrohttpd, read body, fixed reply), %d connections: %.0f requests/s, "
                  "p50 %s, p99 %s, server CPU per request %.0f us" % (conns, c_rps, c50, c99, c_us))
            for hook, path in (("kannel", "/sms/kannel"), ("telegram", "/telegram/webhook")):
                rps, p50, p99, bad, total, rep, us, stored, threads, sent = measured(
                    s, hook, conns, path, mock if hook == "telegram" and isinstance(mock, MockBot) else None)
                print("%s, %d connections: %.0f requests/s, p50 %s, p99 %s, non-2xx %d, %d requests%s"
                      % (path, conns, rps, p50, p99, bad, total,
                         " (the sender delivering at the same time)" if hook == "telegram" else ""))
                print("  repeated ids in the measured run: %d" % rep)
                print("  inbound messages stored: %d (wrk completed %d; the difference is requests "
                      "in flight when wrk stopped)" % (stored, total))
                print("  server CPU per request: %.0f us" % us)
                print("  per thread (us a request): %s" % threads)
                if hook == "kannel":
                    ratio = rps / c_rps
                    kannel_rps = rps
                    print("  pipeline/ceiling ratio: %.3f" % ratio)
                else:
                    print("  replies delivered to the Bot API during the run: %d (%.0f/s)" % (sent, sent / SECONDS))
                    print("  telegram/kannel ratio (the sender delivering): %.2f" % (rps / kannel_rps))
        drain(s)
        left = s.sql("SELECT count(*) FROM outbox WHERE state='pending'")[0][0]
        if isinstance(mock, MockBot):
            n, refused = mock.stats(), 0
        else:
            with mock.lock:
                n = sum(1 for c in mock.calls if c[0] == "sendMessage")
            refused = len(mock.refused)
        print("outbox to the Bot API stand-in (%s): %d messages in all, %d left, %d refused" % (
            "C, tests/bench/mockbot.c" if isinstance(mock, MockBot) else "Python", n, left, refused))
        print("peak RSS of murojaat: %.0f MB" % peak_rss_mb(s.proc.pid))
        print("pipeline/ceiling ratio (64 connections): %.3f" % ratio)
    finally:
        for c in reversed(t.cleanups):
            c()


if __name__ == "__main__":
    main()
