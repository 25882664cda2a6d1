"""Help-desk inbox benchmark: a store with 1,000,000 messages (200,000
conversations over 90 days; SMS, Telegram and the aggregator; four
languages; a realistic share not understood or asking for an operator),
then filtered inbox queries over real HTTP against the release build,
each timed end to end (session check, query, JSON, audit row): p50 and p99
per filter.  Exits non-zero when a filtered query's p50 is 50 ms or more.

    python3 tests/bench/inbox_bench.py [--messages N] [--runs N] [--keep]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import free_port  # noqa: E402

BIN = os.environ.get("MUROJAAT_BIN", os.path.join(ROOT, "murojaat"))
LIMIT_MS = 50.0

PHRASES = {
    "uz-Latn": ["arizam holati", "nafaqa qachon tushadi", "hujjatlar kerakmi", "operator bilan gaplashmoqchiman",
                "salom", "rahmat", "inson markazi qayerda", "bolalar nafaqasi"],
    "uz-Cyrl": ["аризам ҳолати", "нафақа қачон тушади", "ҳужжатлар керакми", "салом", "раҳмат"],
    "ru": ["статус заявки", "когда придет пособие", "какие документы нужны", "позовите оператора",
           "здравствуйте", "спасибо"],
    "en": ["application status", "when is the payment", "which documents", "talk to a human", "hello", "thanks"],
}
INTENTS = ["status_check", "eligibility", "documents", "office_location", "greeting", "thanks", "help"]


def fill(db, n_msgs, n_contacts, days=90):
    rnd = random.Random(7)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous = OFF")
    now = int(time.time())
    start = now - days * 86400
    t0 = time.time()
    con.execute("BEGIN")
    contacts = []
    for i in range(n_contacts):
        r = rnd.random()
        ch = "sms" if r < 0.6 else ("telegram" if r < 0.95 else "aggregator")
        addr = "+99890%07d" % i if ch != "telegram" else str(100000000 + i)
        lang = rnd.choices(["uz-Latn", "ru", "uz-Cyrl", "en"], [50, 25, 15, 10])[0]
        contacts.append((ch, addr, lang))
    con.executemany("INSERT INTO contacts (channel, address, lang, created_at, updated_at) "
                    "VALUES (?, ?, ?, 0, 0)", contacts)
    base = con.execute("SELECT min(id) FROM contacts WHERE created_at = 0").fetchone()[0]

    def rows():
        step = days * 86400 / n_msgs
        for k in range(n_msgs):
            ci = rnd.randrange(n_contacts)
            ch, _, lang = contacts[ci]
            at = int(start + k * step)
            inbound = k % 2 == 0
            r = rnd.random()
            intent = "unknown" if r < 0.12 else ("human_operator" if r < 0.15 else rnd.choice(INTENTS))
            body = "%s %d" % (rnd.choice(PHRASES[lang]), rnd.randrange(1000))
            if not inbound:
                body = "javob: " + body
            delivery = "received" if inbound else rnd.choices(["sent", "delivered", "failed"], [20, 75, 5])[0]
            seg = 0 if ch == "telegram" or inbound else rnd.choice([1, 1, 1, 2])
            yield (base + ci, "in" if inbound else "out", ch, "b%d" % k, body, lang, intent, delivery,
                   None if ch == "telegram" or inbound else "gsm7", seg or None, at)

    con.executemany("INSERT INTO messages (contact_id, direction, channel, req, body, lang, intent, "
                    "delivery, encoding, segments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows())
    # the help desk's summaries and search index, as murojaat's indexer
    # builds them (store/index.c), in one pass
    con.execute("INSERT INTO message_feed SELECT id, contact_id, direction, channel, lang, intent, "
                "body, created_at, review FROM messages WHERE id > (SELECT last_id FROM index_state "
                "WHERE name = 'messages') ORDER BY id")
    con.execute("UPDATE index_state SET last_id = (SELECT max(id) FROM messages) WHERE name = 'messages'")
    con.execute("COMMIT")
    fill_s = time.time() - t0
    n = con.execute("SELECT count(*) FROM messages").fetchone()[0]
    nc = con.execute("SELECT count(*) FROM conversations").fetchone()[0]
    con.close()
    return fill_s, n, nc


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = ""

    def req(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        h = {"Cookie": self.cookie}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data


SMS_TEXTS = ["arizam holati AR-2025-%06d", "nafaqa olsam boladimi", "статус заявки AR-2025-%06d",
             "hujjatlar qanday", "inson markazi qayerda", "rahmat"]


def webhook_while_searching(port, cookie, tag, n=300, seconds=60):
    """p50/p99 of the SMS webhook (fresh ids and senders) with an agent
    running wide date-bounded searches and the dashboard in a loop; the
    number of searches finished alongside.  Bounded by n and seconds."""
    import threading
    stop = threading.Event()
    searches = [0]
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600))
    far = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600 - 89 * 86400))
    agent = Client(port)
    agent.cookie = cookie

    def search():
        qs = ["from=%s&to=%s&q=nafaqa&limit=50" % (far, today),
              "from=%s&to=%s&q=%%D0%%B7%%D0%%B0%%D1%%8F%%D0%%B2%%D0%%BA%%D0%%B8&limit=50" % (far, today),
              "from=%s&to=%s&unknown=1&limit=50" % (far, today)]
        i = 0
        while not stop.is_set():
            try:
                if i % 4 == 3:
                    agent.req("GET", "/api/dashboard?days=90")
                else:
                    agent.req("GET", "/api/conversations?" + qs[i % 3])
                searches[0] += 1
            except OSError:
                pass
            i += 1

    th = threading.Thread(target=search, daemon=True)
    th.start()
    time.sleep(0.2)
    sms = Client(port)
    rnd = random.Random(tag)
    times, bad = [], 0
    deadline = time.time() + seconds
    for i in range(n):
        if time.time() > deadline:
            break
        t = rnd.choice(SMS_TEXTS)
        text = t % rnd.randrange(1, 999999) if "%" in t else t
        path = "/sms/kannel?from=%%2B99893%07d&to=1234&id=%s-%d&text=%s" % (
            rnd.randrange(10 ** 7), tag, i, urllib.parse.quote(text))
        t0 = time.perf_counter()
        r, _ = sms.req("GET", path)
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            bad += 1
    stop.set()
    th.join(30)
    return times, searches[0], bad


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000000)
    ap.add_argument("--contacts", type=int, default=200000)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="murojaat-inbox-bench-")
    db = os.path.join(d, "murojaat.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUROJAAT_")}
    env.update({"MUROJAAT_DB": db, "MUROJAAT_PORT": str(port), "MUROJAAT_DEMO_APPS": "1000",
                "MUROJAAT_LOG_LEVEL": "warn", "MUROJAAT_AUTH_LOGIN_MAX": "1000",
                # the bench is one agent searching in a loop: no search limit
                "MUROJAAT_HELPDESK_SEARCH_PER_MINUTE": "100000"})
    open(os.path.join(d, "murojaat.conf"), "w").close()
    proc = None
    failed = 0
    try:
        # the schema, made by the program itself
        p = subprocess.run([BIN, "--config", os.path.join(d, "murojaat.conf"), "staff", "add", "bench",
                            "--role", "agent"], input=b"bench password 1\n", env=env, cwd=d,
                           capture_output=True)
        if p.returncode != 0:
            print(p.stderr.decode())
            return 2
        fill_s, n, nc = fill(db, a.messages, a.contacts)
        print("filled %d messages, %d conversations in %.1f s (one transaction, triggers and FTS5 on)"
              % (n, nc, fill_s), flush=True)
        log = open(os.path.join(d, "server.log"), "ab")
        proc = subprocess.Popen([BIN, "--config", os.path.join(d, "murojaat.conf"), "serve"], env=env, cwd=d,
                                stdout=log, stderr=log)
        c = Client(port)
        for _ in range(600):
            try:
                if c.req("GET", "/healthz")[0].status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        r, body = c.req("POST", "/api/login", json.dumps({"username": "bench", "password": "bench password 1"}),
                        {"Content-Type": "application/json"})
        assert r.status == 200, body
        c.cookie = r.getheader("Set-Cookie").split(";")[0]
        day = 86400
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600))
        week = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600 - 7 * day))
        month = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600 - 60 * day))
        month2 = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600 - 53 * day))
        queries = [
            ("newest, no filter", "limit=50", False),
            ("needs a human", "needs_human=1&limit=50", True),
            ("not understood", "unknown=1&limit=50", True),
            ("channel telegram", "channel=telegram&limit=50", True),
            ("language en", "lang=en&limit=50", True),
            ("status open", "status=open&limit=50", True),
            ("status taken", "status=held&limit=50", True),
            ("aggregator + en + not understood", "channel=aggregator&lang=en&unknown=1&limit=50", True),
            ("last 7 days", "from=%s&to=%s&limit=50" % (week, today), True),
            ("a week 2 months ago", "from=%s&to=%s&limit=50" % (month, month2), True),
            ("search 'пособие'", "q=%D0%BF%D0%BE%D1%81%D0%BE%D0%B1%D0%B8%D0%B5&limit=50", True),
            ("search 'documents' + en", "q=documents&lang=en&limit=50", True),
        ]
        print("%-36s %8s %8s %6s" % ("inbox query (HTTP, end to end)", "p50 ms", "p99 ms", "rows"))
        for name, q, filtered in queries:
            times = []
            rows = 0
            for i in range(a.runs):
                t0 = time.perf_counter()
                r, body = c.req("GET", "/api/conversations?" + q)
                times.append((time.perf_counter() - t0) * 1000)
                if r.status != 200:
                    print("  %s: HTTP %d %s" % (name, r.status, body[:200]))
                    failed += 1
                    break
                rows = len(json.loads(body)["items"])
            if not times:
                continue
            p50, p99 = percentile(times, 50), percentile(times, 99)
            flag = ""
            if filtered and p50 >= LIMIT_MS:
                flag = "  OVER %d ms" % LIMIT_MS
                failed += 1
            print("%-36s %8.1f %8.1f %6d%s" % (name, p50, p99, rows, flag), flush=True)
        # deep paging: keyset, page 40 with the cursor
        cur, times = None, []
        for i in range(40):
            t0 = time.perf_counter()
            r, body = c.req("GET", "/api/conversations?limit=50&channel=sms" + ("&cursor=" + cur if cur else ""))
            times.append((time.perf_counter() - t0) * 1000)
            cur = json.loads(body)["next"]
        print("%-36s %8.1f %8.1f %6s" % ("sms, pages 1-40 by cursor", percentile(times, 50),
                                         percentile(times, 99), "50"))
        t0 = time.perf_counter()
        r, body = c.req("GET", "/api/dashboard?days=30")
        print("%-36s %8.1f %8s %6s" % ("dashboard, 30 days", (time.perf_counter() - t0) * 1000, "-", "-"))
        # the SMS webhook while an agent searches: on the help desk's own
        # read connections (as shipped), then sharing the writer's (the
        # comparison, helpdesk.readers = 0), in the same run
        print("%-36s %8s %8s %6s %9s" % ("SMS webhook while an agent searches", "p50 ms", "p99 ms", "sms",
                                          "searches"))
        for label, readers in (("readers 2 (default)", "2"), ("readers 0 (shared lock)", "0")):
            if readers != "2":
                proc.send_signal(signal.SIGTERM)
                proc.wait(30)
                env2 = dict(env, MUROJAAT_HELPDESK_READERS=readers)
                proc = subprocess.Popen([BIN, "--config", os.path.join(d, "murojaat.conf"), "serve"], env=env2,
                                        cwd=d, stdout=log, stderr=log)
                for _ in range(600):
                    try:
                        if c.req("GET", "/healthz")[0].status == 200:
                            break
                    except OSError:
                        time.sleep(0.1)
                r, body = c.req("POST", "/api/login", json.dumps({"username": "bench",
                                                                  "password": "bench password 1"}),
                                {"Content-Type": "application/json"})
                c.cookie = r.getheader("Set-Cookie").split(";")[0]
            times, nsearch, bad = webhook_while_searching(port, c.cookie, "w" + readers)
            if bad or not times:
                failed += 1
            print("%-36s %8.1f %8.1f %6d %9d%s" % (label, percentile(times, 50), percentile(times, 99),
                                                    len(times), nsearch, "  %d not 200" % bad if bad else ""),
                  flush=True)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        if a.keep:
            print("kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    print("inbox-bench: %d passed, %d failed" % (len(queries) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
