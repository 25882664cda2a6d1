"""Help-desk dashboard benchmark: a store with 1,000,000 messages over 400
days (SMS, Telegram, USSD sessions and the aggregator; four languages;
bot replies paired with their questions, agents' replies, delivery
failures, messages not understood and some of them labelled), then
GET /api/dashboard?days=N over real HTTP against the release build for 1,
7, 30, 90 and 365 days, each timed end to end (session check, queries,
JSON, audit row): median and max of several runs.  A line whose median is
50 ms or more says OVER and the bench exits non-zero at the end.

Before the first timed request the server brings its daily roll-up up to
date with the messages written here behind its back (as after an import),
through the same code that keeps it current with each group commit: that
time is printed too.

    python3 tests/bench/dash_bench.py [--messages N] [--runs N] [--keep] [--db FILE]

--keep leaves the store behind; --db FILE starts from a copy of such a
store instead of filling one (a store made by an older build is migrated
by the server as it starts: that time is printed).
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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import free_port  # noqa: E402

BIN = os.environ.get("MUROJAAT_BIN", os.path.join(ROOT, "murojaat"))
LIMIT_MS = 50.0
RANGES = (1, 7, 30, 90, 365)

PHRASES = {
    "uz-Latn": ["arizam holati", "nafaqa qachon tushadi", "hujjatlar kerakmi", "salom", "rahmat",
                "inson markazi qayerda", "bolalar nafaqasi"],
    "uz-Cyrl": ["аризам ҳолати", "нафақа қачон тушади", "ҳужжатлар керакми", "салом", "раҳмат"],
    "ru": ["статус заявки", "когда придет пособие", "какие документы нужны", "здравствуйте", "спасибо"],
    "en": ["application status", "when is the payment", "which documents", "hello", "thanks"],
}
# what citizens write that the bot does not understand: a few hundred
# texts that come back, and a long tail of one-offs
UNKNOWN = ["nima qilay", "ne ponyal", "qachon", "???", "pul", "yordam bering", "алло", "ok"]
INTENTS = ["status_check", "eligibility", "documents", "office_location", "greeting", "thanks", "help"]


def fill(db, n_msgs, n_contacts, days):
    """n_msgs messages in time order (as the writer stores them), half
    inbound, each answered; returns (seconds, messages)."""
    rnd = random.Random(17)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous = OFF")
    now = int(time.time())
    start = now - days * 86400
    t0 = time.time()
    con.execute("BEGIN")
    contacts = []
    for i in range(n_contacts):
        r = rnd.random()
        ch = "sms" if r < 0.5 else "telegram" if r < 0.85 else "ussd" if r < 0.95 else "aggregator"
        addr = "+99890%07d" % i if ch != "telegram" else str(100000000 + i)
        lang = rnd.choices(["uz-Latn", "ru", "uz-Cyrl", "en"], [50, 25, 15, 10])[0]
        contacts.append((ch, addr, lang))
    con.executemany("INSERT INTO contacts (channel, address, lang, created_at, updated_at) "
                    "VALUES (?, ?, ?, 0, 0)", contacts)
    base = con.execute("SELECT min(id) FROM contacts WHERE created_at = 0").fetchone()[0]
    first = (con.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]) + 1
    step = days * 86400 / n_msgs
    session = {}

    def rows():
        mid = first - 1
        for k in range(0, n_msgs, 2):
            ci = rnd.randrange(n_contacts)
            ch, _, lang = contacts[ci]
            at = int(start + k * step)
            r = rnd.random()
            unknown = r < 0.12
            intent = "unknown" if unknown else "human_operator" if r < 0.15 else rnd.choice(INTENTS)
            if unknown:
                body = rnd.choice(UNKNOWN) if rnd.random() < 0.5 else "gap %d" % rnd.randrange(10 ** 6)
            else:
                body = "%s %d" % (rnd.choice(PHRASES[lang]), rnd.randrange(1000))
            cmid = None
            if ch == "ussd":
                # a session of a few inputs; a new one now and then
                s = session.get(ci)
                if s is None or rnd.random() < 0.3:
                    s = session[ci] = "S%d" % rnd.randrange(10 ** 9)
                cmid = "at/%s/%016x" % (s, rnd.getrandbits(64))
            mid += 1
            yield (base + ci, "in", ch, cmid, "b%d" % k, None, body, lang, intent, "received", None, None,
                   at, 1 if unknown else 0)
            manual = rnd.random() < 0.03
            reply_at = at + (rnd.randrange(60, 7200) if manual else rnd.choice([0, 0, 0, 1, 2]))
            seg = None if ch in ("telegram", "ussd") else rnd.choice([1, 1, 1, 2, 3])
            delivery = ("sync" if ch in ("sms", "ussd") else "sent") if rnd.random() < 0.5 else \
                rnd.choices(["sent", "delivered", "failed", "queued"], [20, 70, 7, 3])[0]
            mid += 1
            yield (base + ci, "out", ch, None, "b%d" % k, None if manual else mid - 1, "javob: " + body, lang,
                   "manual" if manual else intent, delivery, "gsm7" if seg else None, seg, reply_at, 0)

    con.executemany("INSERT INTO messages (contact_id, direction, channel, channel_msg_id, req, reply_to, "
                    "body, lang, intent, delivery, encoding, segments, created_at, review) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    # some texts not understood labelled by agents
    staff = con.execute("SELECT min(id) FROM staff").fetchone()[0]
    con.execute("INSERT INTO message_labels (message_id, intent, staff_id, labelled_at) "
                "SELECT id, 'off_topic', ?, 0 FROM messages WHERE review = 1 AND id % 97 = 0", (staff,))
    # the inbox's summaries and the search index are not what is measured
    con.execute("UPDATE index_state SET last_id = (SELECT max(id) FROM messages) "
                "WHERE name IN ('messages', 'search')")
    con.execute("COMMIT")
    n = con.execute("SELECT count(*) FROM messages").fetchone()[0]
    con.close()
    return time.time() - t0, n


class Client:
    def __init__(self, port):
        self.port = port
        self.cookie = ""

    def req(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {"Cookie": self.cookie}
        h.update(headers or {})
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r, data


def wait_rollup(db, deadline):
    """True once the roll-up's cursor ('dash') is at the last message."""
    while time.time() < deadline:
        try:
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
            try:
                last = con.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0]
                cur = con.execute("SELECT last_id FROM index_state WHERE name = 'dash'").fetchone()
            finally:
                con.close()
        except sqlite3.Error:
            return False
        if cur is None:
            return False
        if cur[0] >= last:
            return True
        time.sleep(0.2)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000000)
    ap.add_argument("--contacts", type=int, default=200000)
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--db", help="start from a copy of this store")
    ap.add_argument("--query-ms", type=int, help="helpdesk.query_ms (an older build's dashboard may need more "
                    "than the default 3000 ms)")
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="murojaat-dash-bench-")
    db = os.path.join(d, "murojaat.db")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUROJAAT_")}
    env.update({"MUROJAAT_DB": db, "MUROJAAT_PORT": str(port), "MUROJAAT_DEMO_APPS": "1000",
                "MUROJAAT_LOG_LEVEL": "warn", "MUROJAAT_AUTH_LOGIN_MAX": "1000"})
    if a.query_ms is not None:
        env["MUROJAAT_HELPDESK_QUERY_MS"] = str(a.query_ms)
    open(os.path.join(d, "murojaat.conf"), "w").close()
    proc = None
    failed = 0
    try:
        if a.db:
            shutil.copyfile(a.db, db)
            n = sqlite3.connect(a.db).execute("SELECT count(*) FROM messages").fetchone()[0]
            print("copied a store of %d messages" % n, flush=True)
        else:
            p = subprocess.run([BIN, "--config", os.path.join(d, "murojaat.conf"), "staff", "add", "bench",
                                "--role", "supervisor"], input=b"bench password 1\n", env=env, cwd=d,
                               capture_output=True)
            if p.returncode != 0:
                print(p.stderr.decode())
                return 2
            fill_s, n = fill(db, a.messages, a.contacts, a.days)
            print("filled %d messages over %d days in %.1f s" % (n, a.days, fill_s), flush=True)
        log = open(os.path.join(d, "server.log"), "ab")
        t0 = time.perf_counter()
        proc = subprocess.Popen([BIN, "--config", os.path.join(d, "murojaat.conf"), "serve"], env=env, cwd=d,
                                stdout=log, stderr=log)
        c = Client(port)
        up = False
        for _ in range(3000):
            try:
                if c.req("GET", "/healthz")[0].status == 200:
                    up = True
                    break
            except OSError:
                time.sleep(0.1)
            if proc.poll() is not None:
                break
        if not up:
            log.flush()
            print(open(os.path.join(d, "server.log"), errors="replace").read()[-2000:])
            return 2
        print("%-36s %8.1f s" % ("server up (migrations included)", time.perf_counter() - t0), flush=True)
        r, body = c.req("POST", "/api/login", json.dumps({"username": "bench", "password": "bench password 1"}),
                        {"Content-Type": "application/json"})
        assert r.status == 200, body
        c.cookie = r.getheader("Set-Cookie").split(";")[0]
        # the server's indexer brings the roll-up up to date with the
        # messages written here behind its back: wait for its cursor to
        # reach the last message, so every timing below reads a current
        # roll-up (a store too old to have one is timed as it is)
        t0 = time.perf_counter()
        caught = wait_rollup(db, time.time() + 600)
        print("%-36s %8.1f s%s" % ("roll-up catch-up (background)", time.perf_counter() - t0,
                                   "" if caught else "  (not caught up: timings include the rows after it)"),
              flush=True)
        me = []
        for i in range(a.runs):
            t0 = time.perf_counter()
            c.req("GET", "/api/me")
            me.append((time.perf_counter() - t0) * 1000)
        me.sort()
        print("%-36s %8.1f %8.1f" % ("GET /api/me (HTTP and session alone)", me[len(me) // 2], me[-1]))
        print("%-36s %8s %8s %9s" % ("dashboard (HTTP, end to end)", "median", "max ms", "inbound"))
        for days in RANGES:
            times, inbound = [], 0
            for i in range(a.runs):
                t0 = time.perf_counter()
                try:
                    r, body = c.req("GET", "/api/dashboard?days=%d" % days)
                except OSError:
                    print("  %d days: no answer within 60 s" % days)
                    times = []
                    break
                times.append((time.perf_counter() - t0) * 1000)
                if r.status != 200:
                    print("  %d days: HTTP %d %s" % (days, r.status, body[:200]))
                    times = []
                    break
                inbound = json.loads(body)["inbound"]
            if not times:
                failed += 1
                continue
            times.sort()
            med = times[len(times) // 2]
            flag = ""
            if med >= LIMIT_MS:
                flag = "  OVER %d ms" % LIMIT_MS
                failed += 1
            print("%-36s %8.1f %8.1f %9d%s" % ("%d days" % days, med, times[-1], inbound, flag), flush=True)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
        if a.keep:
            print("kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)
    print("dash-bench: %d passed, %d failed" % (len(RANGES) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
