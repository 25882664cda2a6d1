"""Hostile HTTP input over real sockets: a table of malformed, oversize and
tricky requests (tests/fixtures/hostile/raw.tsv), each answered as it
should be while the server keeps serving (a good request after every case);
SQL and HTML in every field of /sms/kannel and the Telegram Update, stored
exactly and the database intact; slow clients cut by http.request_timeout
while others are served; the connection limit; the per-address rate limit
(429 with Retry-After) and connection cap (http.conn_per_ip); two body
lengths refused and nothing smuggled behind them served; the security
headers on every answer."""
import json
import os
import re
import socket
import time
import urllib.parse

from harness import ROOT, Server
from mocks import MockTelegram

FIX = os.path.join(ROOT, "tests", "fixtures")
SECRET = "hostile-secret"
PAYLOADS = ["' OR 1=1 --", "'); DROP TABLE messages; --", "<script>alert(1)</script>",
            "\" onmouseover=\"alert(1)", "Robert'); DELETE FROM contacts WHERE ('1'='1"]


def expand(s):
    """{N*text} repeats text N times (nested allowed); then bytes escapes."""
    while True:
        m = re.search(r"\{(\d+)\*((?:[^{}])*)\}", s)
        if not m:
            break
        s = s[:m.start()] + m.group(2) * int(m.group(1)) + s[m.end():]
    b = s.encode("latin-1").decode("unicode_escape").encode("latin-1")
    if b"{LEN}" in b:
        head, body = b.split(b"\r\n\r\n", 1)
        b = head.replace(b"{LEN}", str(len(body)).encode()) + b"\r\n\r\n" + body
    return b


def raw_cases():
    with open(os.path.join(FIX, "hostile", "raw.tsv"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            name, req, want, nowant = (line.rstrip("\n").split("\t") + [""])[:4]
            yield n, name, expand(req), want, nowant


def raw(port, data, timeout=10):
    """Send data, read until the server closes or answers; (status, text)."""
    c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            c.sendall(data)
        except OSError:
            pass   # the server may answer and close before reading it all
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                b = c.recv(65536)
            except OSError:
                break
            if not b:
                break
            out += b
            m = re.search(rb"\r\nContent-Length: (\d+)\r\n", out)
            head_end = out.find(b"\r\n\r\n")
            if m and head_end >= 0 and len(out) >= head_end + 4 + int(m.group(1)):
                break
    finally:
        c.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", out)
    return (int(m.group(1)) if m else None), out.decode("utf-8", "replace")


def good(t, s, what, n=[0]):
    n[0] += 1
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="good-%d" % n[0])
    t.eq(r.status, 200, "good request after %s" % what)
    t.contains(r.text, "ma'qullandi", "good request after %s" % what)


def tg_update(update_id, text="salom", chat=555000111):
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1795300000, "text": text,
        "from": {"id": chat, "is_bot": False, "first_name": "Dilnoza", "language_code": "uz"},
        "chat": {"id": chat, "first_name": "Dilnoza", "type": "private"}}}


def tg_post(s, obj):
    return s.request("POST", "/telegram/webhook", body=json.dumps(obj, ensure_ascii=False).encode(),
                     headers={"Content-Type": "application/json",
                              "X-Telegram-Bot-Api-Secret-Token": SECRET})


def tg_server(t, mock, conf=None):
    return Server(t, env={"MUROJAAT_TELEGRAM_TOKEN": mock.token, "MUROJAAT_TELEGRAM_SECRET": SECRET,
                          "MUROJAAT_TELEGRAM_API_BASE": mock.base}, conf=conf).start()


def test_raw_table_answered_and_server_keeps_serving(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    for n, name, req, want, nowant in raw_cases():
        where = "raw.tsv:%d %s" % (n, name)
        status, text = raw(s.port, req)
        if want == "close":
            t.ok(status is None or 400 <= status < 500, "%s: answered %r" % (where, status))
        else:
            t.eq(status, int(want), where)
        if nowant:
            body = text.split("\r\n\r\n", 1)[-1]
            t.lacks(body, nowant, where)
        good(t, s, where)
    t.eq(s.sql("SELECT count(*) FROM messages WHERE body LIKE '%aaaaaaaa%'"), [(0,)],
         "nothing oversize stored")
    t.eq(s.integrity(), [("ok",)])
    s.check_clean_exit()


def test_sql_and_html_in_every_kannel_field(t):
    s = Server(t).start()
    tables = s.schema_names()
    apps = s.sql("SELECT count(*) FROM applications")
    base = {"from": "+998901234567", "to": "1234", "text": "salom", "id": None,
            "coding": "0", "charset": "UTF-8", "smsc": "fake", "time": "1795300000"}
    k = 0
    for field in base:
        for p in PAYLOADS:
            k += 1
            q = dict(base, id="inj-%d" % k)
            q[field] = p if field != "id" else "inj-%d-%s" % (k, p)
            if field == "text":
                q["text"] = "arizam holati AR-2025-000001 " + p
            r = s.get("/sms/kannel?" + urllib.parse.urlencode(q, quote_via=urllib.parse.quote))
            where = "%s=%r" % (field, p)
            if field == "from":
                t.eq(r.status, 400, where + " (not a phone)")
                t.eq(r.text, "from is not a phone number\n", where)
            elif field == "coding":
                t.ok(r.status in (200, 400), "%s answered %d" % (where, r.status))
            elif field == "charset":
                t.eq(r.status, 400, where + " (not a charset)")
            else:
                t.eq(r.status, 200, where)
                t.ok(len(r.text) > 10, "%s: a normal reply %r" % (where, r.text))
                t.lacks(r.text, "<script>", where + " echoed")
            if field == "text":
                t.eq(s.sql("SELECT body FROM messages WHERE direction='in' AND channel_msg_id=?",
                           (q["id"],)), [(q["text"],)], where + " stored exactly")
                # the status, in Uzbek or (the SQL's words are English) English
                t.ok("ma'qullandi" in r.text or "approved" in r.text, where + ": " + r.text)
            if field == "id":
                t.eq(s.sql("SELECT count(*) FROM messages WHERE direction='in' AND channel_msg_id=?",
                           (q["id"],)), [(1,)], where + " id stored exactly")
    # the same through POST, text as the body
    for i, p in enumerate(PAYLOADS):
        r = s.request("POST", "/sms/kannel?id=post-%d" % i, body=("salom " + p).encode(),
                      headers={"Content-Type": "text/plain; charset=utf-8",
                               "X-Kannel-From": "+998907654321"})
        t.eq(r.status, 200, "POST " + p)
        t.eq(s.sql("SELECT body FROM messages WHERE channel_msg_id=?", ("post-%d" % i,)),
             [("salom " + p,)])
    t.eq(s.integrity(), [("ok",)])
    t.eq(s.schema_names(), tables, "schema unchanged")
    t.eq(s.sql("SELECT count(*) FROM applications"), apps, "applications unchanged")
    t.ok(s.sql("SELECT count(*) FROM contacts")[0][0] >= 1, "contacts still there")
    good(t, s, "injections")
    s.check_clean_exit()


def strings_of(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings_of(v, path + (k,))
    elif isinstance(obj, str):
        yield path


def put(obj, path, v):
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = v


def test_sql_and_html_in_every_telegram_field(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock, conf={"outbox.chat_interval_ms": "0"})
    tables = s.schema_names()
    uid = 7000
    fixtures = ["text_uz_latn.json", "contact_own.json", "callback_lang_ru.json"]
    for name in fixtures:
        with open(os.path.join(FIX, "telegram", name), encoding="utf-8") as f:
            base = json.load(f)
        for path in strings_of(base):
            for p in PAYLOADS[:3]:
                uid += 1
                obj = json.loads(json.dumps(base))
                obj["update_id"] = uid
                put(obj, path, p if path[-1] != "text" else "salom " + p)
                r = tg_post(s, obj)
                where = "%s %s=%r" % (name, ".".join(path), p)
                t.eq(r.status, 200, where)
                t.eq(r.text, "{}", where)
                if path == ("message", "text"):
                    t.eq(s.sql("SELECT body FROM messages WHERE channel='telegram' AND "
                               "direction='in' AND channel_msg_id=?", (str(uid),)),
                         [("salom " + p,)], where + " stored exactly")
    # keys too: an unknown key full of SQL is ignored
    uid += 1
    obj = tg_update(uid)
    obj["message"]["' OR 1=1 --"] = "<script>"
    t.eq(tg_post(s, obj).status, 200)
    t.eq(s.integrity(), [("ok",)])
    t.eq(s.schema_names(), tables, "schema unchanged")
    sent = mock.wait_sent(1)
    t.ok(len(sent) >= 1, "replies went out")
    for b in mock.sent():
        t.lacks(b.get("text", ""), "<script>", "reply echoes markup")
    good(t, s, "telegram injections")
    s.check_clean_exit()


def test_slow_clients_cut_while_others_served(t):
    s = Server(t, conf={"http.request_timeout": "3", "http.timeout": "30"}).start()
    slow = []
    heads = [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40,
             b"POST /sms/kannel?from=%2B998901234567 HTTP/1.1\r\nHost: x\r\n"
             b"Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n" + b"a" * 40]
    for i, h in enumerate(heads):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        c.setblocking(False)
        # the POST sends its head at once and then dribbles the body
        sent = 0 if i == 0 else h.index(b"\r\n\r\n") + 4
        if sent:
            c.sendall(h[:sent])
        slow.append([c, h, sent, None])
    t0 = time.time()
    served = 0
    while time.time() - t0 < 12 and any(x[3] is None for x in slow):
        for x in slow:
            c, h, sent, cut = x
            if cut is not None:
                continue
            try:
                if c.recv(1024) == b"":
                    x[3] = time.time() - t0
                    continue
            except BlockingIOError:
                pass
            except OSError:
                x[3] = time.time() - t0
                continue
            try:
                c.send(h[sent:sent + 1])   # one byte a second
                x[2] += 1
            except OSError:
                x[3] = time.time() - t0
        r = s.get("/healthz", timeout=5)
        served += r.status == 200
        time.sleep(1.0)
    for c, h, sent, cut in slow:
        t.ok(cut is not None and 2.5 <= cut <= 6, "slow client cut after %r s (timeout 3 s)" % cut)
        c.close()
    t.ok(served >= 3, "others served meanwhile: %d" % served)
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)])
    t.ok(s.log().count("ev=http.slow_client") == 2, "each cut logged once")
    good(t, s, "slow clients")
    s.check_clean_exit()


def test_connection_limit(t):
    s = Server(t, conf={"http.max_conns": "8", "http.request_timeout": "20"}).start()
    held = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(8)]
    time.sleep(0.3)
    # a ninth is not served while eight are open...
    ninth = socket.create_connection(("127.0.0.1", s.port), timeout=1.5)
    ninth.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    try:
        early = ninth.recv(1024)
    except socket.timeout:
        early = None
    t.eq(early, None, "ninth connection served over http.max_conns=8")
    # ...and is once one of them goes
    held.pop().close()
    ninth.settimeout(5)
    got = b""
    try:
        while b"\r\n\r\n" not in got:
            b = ninth.recv(1024)
            if not b:
                break
            got += b
    except OSError:
        pass
    t.ok(got.startswith(b"HTTP/1.1 200"), "ninth served after a slot freed: %r" % got[:40])
    ninth.close()
    for c in held:
        c.close()
    time.sleep(0.3)
    good(t, s, "connection limit")
    s.check_clean_exit()


def test_rate_limit_per_address(t):
    s = Server(t, conf={"http.rate_per_ip": "5", "http.rate_burst": "5",
                        "http.rate_exempt_loopback": "0"}).start()
    time.sleep(1.5)   # refill after the start-up health checks
    statuses = [s.get("/healthz").status for _ in range(12)]
    t.eq(statuses[:5], [200] * 5, "the burst goes through")
    t.eq(statuses[-1], 429, "then 429")
    r = s.get("/healthz")
    t.eq(r.status, 429)
    t.eq(r.header("Retry-After"), "1")
    t.eq(r.text, "too many requests\n")
    # over the limit nothing reaches the bot
    r = s.kannel("+998901234567", "salom", msg_id="limited")
    t.eq(r.status, 429)
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)])
    t.eq(s.log().count("ev=http.rate_limited"), 1, "logged once, not per request")
    time.sleep(1.3)
    good(t, s, "rate limit")
    s.check_clean_exit()
    # loopback is exempt by default (a reverse proxy there limits per client)
    s2 = Server(t, conf={"http.rate_per_ip": "5", "http.rate_burst": "5"}).start()
    t.eq([s2.get("/healthz").status for _ in range(30)], [200] * 30, "loopback exempt")
    s2.check_clean_exit()


def read_all(c, timeout=5):
    """Everything the server sends until it closes (or timeout)."""
    c.settimeout(timeout)
    out = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            b = c.recv(65536)
        except socket.timeout:
            break
        except OSError:
            break
        if not b:
            break
        out += b
    return out


def test_smuggled_request_behind_two_lengths_is_not_served(t):
    """Content-Length beside chunked: refused with 400 and the connection
    closed, so the request hidden in the body is never answered."""
    s = Server(t).start()
    for name, head in [("CL+TE", b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n"),
                       ("TE+CL", b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n"),
                       ("CL+CL", b"Content-Length: 5\r\nContent-Length: 5\r\n")]:
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        c.sendall(b"POST /sms/kannel?from=%2B998901234567&id=smuggle HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: text/plain\r\n" + head + b"\r\n0\r\n\r\n"
                  b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        got = read_all(c)
        c.close()
        t.ok(got.startswith(b"HTTP/1.1 400 "), "%s: %r" % (name, got[:40]))
        t.eq(got.count(b"HTTP/1.1 "), 1, "%s: one answer only: %r" % (name, got))
        t.contains(got.decode("latin-1"), "Connection: close", name)
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)], "nothing stored")
    t.ok(s.log().count("ev=http.bad_framing") == 3, "each refusal logged")
    good(t, s, "two body lengths")
    s.check_clean_exit()


def hardened(t, r, where):
    t.eq(r.header("X-Content-Type-Options"), "nosniff", where)
    t.ok(r.header("Referrer-Policy") in ("no-referrer", "same-origin"),
         "%s: Referrer-Policy %r" % (where, r.header("Referrer-Policy")))
    csp = r.header("Content-Security-Policy") or ""
    t.ok("frame-ancestors 'none'" in csp, "%s: CSP %r" % (where, csp))
    t.eq(r.header("X-Frame-Options"), "DENY", where)


def test_security_headers_on_every_answer(t):
    """Webhooks, their errors, the server's own answers (404, 405, 413, 429),
    the operations endpoints, the API and the static pages: every answer
    says nosniff, no referrer and no framing."""
    mock = MockTelegram(t)
    s = Server(t, env={"MUROJAAT_TELEGRAM_TOKEN": mock.token, "MUROJAAT_TELEGRAM_SECRET": SECRET,
                       "MUROJAAT_TELEGRAM_API_BASE": mock.base,
                       "MUROJAAT_AGGREGATOR_SECRET": "agg-secret"},
               conf={"http.max_body": "2048"}).start()
    cases = [
        ("healthz", lambda: s.get("/healthz"), 200),
        ("readyz", lambda: s.get("/readyz"), 200),
        ("metrics", lambda: s.get("/metrics"), 200),
        ("kannel reply", lambda: s.kannel("+998901234567", "salom", msg_id="hdr-1"), 200),
        ("kannel duplicate", lambda: s.kannel("+998901234567", "salom", msg_id="hdr-1"), 200),
        ("kannel POST", lambda: s.request("POST", "/sms/kannel?id=hdr-2", body=b"salom", headers={
            "Content-Type": "text/plain; charset=utf-8", "X-Kannel-From": "+998901234567"}), 200),
        ("kannel 400", lambda: s.get("/sms/kannel?text=salom"), 400),
        ("dlr 400", lambda: s.get("/sms/dlr"), 400),
        ("dlr unlabelled", lambda: s.get("/sms/dlr?type=1"), 200),
        ("telegram 401", lambda: s.request("POST", "/telegram/webhook", body=b"{}",
                                           headers={"Content-Type": "application/json"}), 401),
        ("telegram 200", lambda: tg_post(s, tg_update(424242)), 200),
        ("aggregator 401", lambda: s.request("POST", "/sms/inbound", body=b"{}"), 401),
        ("404", lambda: s.get("/nowhere"), 404),
        ("405", lambda: s.request("DELETE", "/healthz"), 405),
        ("413", lambda: s.request("POST", "/sms/kannel?from=%2B998901234567", body=b"a" * 4096,
                                  headers={"Content-Type": "text/plain"}), 413),
        ("registry 503", lambda: s.request("PUT", "/api/applications/AR-2025-000001", body=b"{}"), 503),
        ("api 401", lambda: s.get("/api/inbox"), 401),
        ("static page", lambda: s.get("/"), 200),
        ("static 404", lambda: s.get("/nothing.js"), 404),
    ]
    for name, fn, status in cases:
        r = fn()
        t.eq(r.status, status, name)
        hardened(t, r, name)
    s.check_clean_exit()
    s2 = Server(t, conf={"http.rate_per_ip": "1", "http.rate_burst": "1",
                         "http.rate_exempt_loopback": "0"}).start()
    time.sleep(1.2)
    codes = []
    for _ in range(4):
        r = s2.get("/healthz")
        codes.append(r.status)
        if r.status == 429:
            hardened(t, r, "429")
    t.ok(429 in codes, "rate limited: %r" % codes)
    s2.check_clean_exit()


def hold(port, n):
    return [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]


def served(c, timeout=5):
    """1 when a request on connection c gets an answer."""
    try:
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        c.settimeout(timeout)
        return c.recv(1024).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def test_connections_per_address_capped(t):
    """http.conn_per_ip: one address cannot hold every slot; past the cap
    its new connections are closed at once, others keep being served, and
    a freed slot is usable again.  Loopback is exempt like the rate limit
    (a proxy there holds connections for every client)."""
    s = Server(t, conf={"http.conn_per_ip": "4", "http.rate_exempt_loopback": "0",
                        "http.request_timeout": "20"}).start()
    time.sleep(0.3)
    held = hold(s.port, 4)
    time.sleep(0.3)
    fifth = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    t.ok(not served(fifth), "a fifth connection from one address is served over http.conn_per_ip=4")
    fifth.close()
    t.ok(all(served(c) for c in held), "the four held are still served")
    held.pop().close()
    ok = False
    for _ in range(50):
        c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        ok = served(c, 2)
        c.close()
        if ok:
            break
        time.sleep(0.1)
    t.ok(ok, "served again once a slot is freed")
    for c in held:
        c.close()
    time.sleep(0.3)
    t.eq(s.log().count("ev=http.conn_limited"), 1, "logged once, not per connection")
    good(t, s, "connection cap")
    s.check_clean_exit()
    s2 = Server(t, conf={"http.conn_per_ip": "4"}).start()
    held = hold(s2.port, 10)
    time.sleep(0.3)
    t.ok(all(served(c) for c in held), "loopback exempt: ten connections served")
    for c in held:
        c.close()
    s2.check_clean_exit()
