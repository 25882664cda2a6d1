"""USSD under load on loopback, bounded in time: POST /ussd/africastalking
under wrk against the release build, alone at 32 and 64 connections and
then beside SMS traffic (/sms/kannel) at the same time.  Prints the
latency percentiles a gateway cares about (it drops a session after about
10-15 s; the aim is 2 s at p99), requests/s, non-2xx answers, and what the
store holds afterwards.

Each wrk thread walks many USSD sessions at once, as gateways do: a request
advances one session by one key, the text carrying every key so far ("",
"1", "1*2"...), round-robin over more sessions than connections, so each
session's previous request has been answered before its next one is sent.
A session is a citizen's walk (status by number, an eligibility check with
its questions, documents, the Inson centres paged, a call-back, the
language, wrong keys), preceded by a language digit for a phone the run has
not seen before; phones are drawn from 100,000 per run."""
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

REL = os.path.join(harness.ROOT, "murojaat")
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
APPS = int(os.environ.get("BENCH_APPS", "1000000"))

LUA = r"""
local walks = {
  {"1", "APP", "0", "APP", "00"},
  {"2", "1", "4", "2", "3000000", "98", "98", "0", "00"},
  {"2", "3", "5", "0", "4500000", "98", "00"},
  {"3", "2", "98", "98", "0", "00"},
  {"4", "98", "98", "11", "98", "0", "0", "00"},
  {"5", "1"},
  {"6", "3", "1", "1", "0"},
  {"9", "abc", "1", "12", "APP"},
}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
local nonce, phase, apps, pool
local known, nsess, next = {}, 0, 1
local function urlenc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
local function new_session()
  nsess = nsess + 1
  local phone = math.random(0, 99999)
  local keys = {}
  if not known[phone] then
    keys[1] = tostring(math.random(1, 4))
    known[phone] = true
  end
  for _, k in ipairs(walks[math.random(1, #walks)]) do
    if k == "APP" then k = string.format("2025%06d", math.random(1, apps)) end
    keys[#keys + 1] = k
  end
  return { id = phase .. nonce .. "-" .. tid .. "-" .. nsess,
           phone = string.format("+99893%07d", (nonce % 90) * 100000 + phone),
           keys = keys, sent = 0 }
end
init = function(args)
  nonce = tonumber(args[1]); phase = args[2]; apps = tonumber(args[3])
  local size = tonumber(args[4])
  math.randomseed(nonce * 131 + tid * 7919)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  pool = {}
  for i = 1, size do pool[i] = new_session() end
end
request = function()
  local s = pool[next]
  if s.sent > #s.keys then
    s = new_session()
    pool[next] = s
  end
  next = next % #pool + 1
  local text = table.concat(s.keys, "*", 1, s.sent)
  s.sent = s.sent + 1
  local body = "sessionId=" .. s.id .. "&serviceCode=%2A384%2A1%23&networkCode=63902" ..
    "&phoneNumber=" .. urlenc(s.phone) .. "&text=" .. urlenc(text)
  return wrk.format(nil, nil, nil, body)
end
"""

SMS_LUA = r"""
local n, nonce = 0, 0
init = function(args) nonce = tonumber(args[1]) end
request = function()
  n = n + 1
  return wrk.format("GET", "/sms/kannel?from=%2B99890" .. (1000000 + math.random(0, 199999)) ..
    "&to=1234&id=s" .. nonce .. "-" .. n .. "&text=arizam%20holati%20AR-2025-" ..
    string.format("%06d", math.random(1, 999999)))
end
"""


def wrk(port, script, args, conns, seconds, path):
    """One wrk run; (requests/s, {percentile: latency}, non-2xx, requests)."""
    f = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    f.write(script)
    f.close()
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency",
                          "--timeout", "15s", "-s", f.name,
                          "http://127.0.0.1:%d%s" % (port, path), "--"] + [str(a) for a in args],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    os.unlink(f.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {p: re.search(r"^\s+%s%%\s+(\S+)" % p, out, re.M).group(1) for p in ("50", "75", "90", "99")}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, pct, (int(non2xx.group(1)) if non2xx else 0), total, \
        int(timeouts.group(1)) if timeouts else 0


def ussd(port, phase, conns, seconds):
    nonce = int(time.time() * 1000) % 10 ** 9
    time.sleep(0.002)
    return wrk(port, LUA, [nonce, phase, APPS, conns * 4], conns, seconds, "/ussd/africastalking")


def line(what, r):
    rps, pct, bad, total, tmo = r
    return "%s: %.0f requests/s, p50 %s, p90 %s, p99 %s, non-2xx %d, timeouts %d, %d requests" % (
        what, rps, pct["50"], pct["90"], pct["99"], bad, tmo, total)


def main():
    t = harness.Check("bench")
    s = harness.Server(t, binary=REL, demo_apps=APPS, env={"MUROJAAT_LOG_LEVEL": "warn"},
                       conf={"rate.per_minute": "100000", "rate.per_day": "1000000"})
    try:
        t0 = time.time()
        s.start(wait=600)
        print("store: %d applications, created in %.0fs" % (
            s.sql("SELECT count(*) FROM applications")[0][0], time.time() - t0))
        ussd(s.port, "w", 32, 1)        # warm-up, sessions of its own
        for conns in (32, 64):
            print(line("/ussd/africastalking alone, %d connections" % conns,
                       ussd(s.port, "m%d" % conns, conns, SECONDS)))
        # beside SMS: two wrk at once, each with 32 connections
        sms = {}
        th = threading.Thread(target=lambda: sms.setdefault("r", wrk(
            s.port, SMS_LUA, [int(time.time())], 32, SECONDS, "/sms/kannel")))
        th.start()
        r = ussd(s.port, "x", 32, SECONDS)
        th.join()
        print(line("/ussd/africastalking beside SMS, 32 + 32 connections", r))
        print(line("/sms/kannel beside USSD, 32 connections", sms["r"]))
        time.sleep(1)       # what wrk left in flight is answered and stored
        q = lambda sql: s.sql(sql)[0][0]
        print("stored: %d USSD requests in %d sessions, %d screens; %d call-backs asked for" % (
            q("SELECT count(*) FROM messages WHERE channel = 'ussd' AND direction = 'in'"),
            q("SELECT count(DISTINCT substr(channel_msg_id, 1, length(channel_msg_id) - 17)) "
              "FROM messages WHERE channel = 'ussd' AND direction = 'in'"),
            q("SELECT count(*) FROM messages WHERE channel = 'ussd' AND direction = 'out'"),
            q("SELECT count(*) FROM messages WHERE channel = 'ussd' AND direction = 'in' "
              "AND intent = 'human_operator'")))
        m = s.get("/metrics").text
        print("murojaat_ussd_sessions_total %s" % re.search(
            r"^murojaat_ussd_sessions_total (\d+)", m, re.M).group(1))
        print("screens over one USSD page in the server's log: %d" % s.log().count("ussd.too_long"))
    finally:
        for c in reversed(t.cleanups):
            c()


if __name__ == "__main__":
    main()
