"""murojaat store copy: a SQLite store with real content (SMS through
/sms/kannel, Telegram through its webhook, a help-desk account) copied into
an empty PostgreSQL database on a throwaway cluster of the test's own; every
table's rows compared value by value, odd texts and NULLs exact, sequences
past the copied ids, a second copy into the same database refused, a bad
URL named by its host, a failing copy leaving the target empty, and never a
password nor a row's value on the terminal."""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time

from harness import BIN, ROOT, SAN_MARKERS, Server
from mocks import MockTelegram

# It copies a SQLite store into a cluster it starts itself: the SQLite
# pass runs it; on PostgreSQL its source would not be SQLite.
PG_SKIP = "copies a SQLite store (the SQLite pass runs it, with its own cluster)"

CLUSTER = os.path.join(ROOT, "tests", "pg", "cluster.sh")
PSQL = "/usr/lib/postgresql/15/bin/psql"
PW = "Copy-Pw-7Qx2"          # never on the terminal
SECRET = "webhook-secret-copy"

# In the order the copy writes them (foreign keys first).
TABLES = ["programmes", "programme_texts", "programme_rules", "settings", "offices",
          "office_texts", "office_aliases", "applications", "application_history",
          "contacts", "messages", "outbox", "delivery_reports", "staff", "sessions",
          "login_failures", "audit", "notes", "labels", "message_labels"]
IDENTITY = ["applications", "application_history", "contacts", "messages", "outbox",
            "delivery_reports", "staff", "sessions", "audit", "notes"]

# Every byte COPY's text format escapes, and what else is easy to break.
ODD = ("tab\there, new\nline, back\\slash, \\N and \\. and \"double\" 'single' "
       "quotes, Кириллица ва ўзбекча, emoji 🙂🇺🇿, cr\rend")


def cluster(t):
    """A cluster of this test's own; returns (dir, URL of its murojaat db)."""
    d = tempfile.mkdtemp(prefix="pgc-", dir="/tmp")
    t.defer(lambda: subprocess.run(["sh", CLUSTER, "stop", d], capture_output=True))
    p = subprocess.run(["sh", CLUSTER, "start", d], capture_output=True, text=True, timeout=180)
    if p.returncode != 0:
        raise AssertionError("cluster.sh start: %s" % p.stderr)
    return d, p.stdout.strip()


def createdb(d, name):
    p = subprocess.run(["sh", CLUSTER, "createdb", d, name], capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError("cluster.sh createdb: %s" % p.stderr)
    return p.stdout.strip()


def with_password(url):
    """postgresql:///db?host=D&user=postgres -> with a password (trust ignores it)."""
    return url.replace("postgresql:///", "postgresql://postgres:%s@/" % PW, 1)


def psql(url, sql):
    p = subprocess.run([PSQL, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError("psql %r: %s" % (sql, p.stderr.decode("utf-8", "replace")))
    return p.stdout.decode("utf-8").rstrip("\n")


def copy(t, db, args, url_env=""):
    """murojaat store copy ARGS on the SQLite store db: (code, out, err),
    with no sanitizer report."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUROJAAT_")}
    env.update({"MUROJAAT_DB": db, "MUROJAAT_DB_URL": url_env,
                "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0"})
    p = subprocess.run([BIN, "store", "copy"] + args, env=env, capture_output=True,
                       timeout=300, cwd=os.path.dirname(db), stdin=subprocess.DEVNULL)
    err = p.stderr.decode("utf-8", "replace")
    for m in SAN_MARKERS:
        t.lacks(err, m, "sanitizer report from store copy:")
    return p.returncode, p.stdout.decode("utf-8", "replace"), err


def staff_add(t, db, name, role):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUROJAAT_")}
    env["MUROJAAT_DB"] = db
    p = subprocess.run([BIN, "staff", "add", name, "--role", role], env=env,
                       input=b"a-long-enough-password-1\n", capture_output=True, timeout=120)
    t.eq(p.returncode, 0, "staff add: %s" % p.stderr.decode("utf-8", "replace"))


def sqlite_rows(db, table):
    con = sqlite3.connect(db)
    try:
        cur = con.execute('SELECT * FROM "%s"' % table)
        cols = [c[0] for c in cur.description]
        return cols, [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


def sqlite_one(db, sql, args=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def canon(row, cols):
    """One row as comparable text: the SQLite columns, 3.0 and 3 alike."""
    out = {}
    for c in cols:
        v = row.get(c)
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out[c] = v
    return json.dumps(out, sort_keys=True, ensure_ascii=False)


def pg_counts(url):
    sql = " UNION ALL ".join("SELECT '%s', count(*) FROM %s" % (tb, tb) for tb in TABLES)
    return {ln.split("|")[0]: int(ln.split("|")[1]) for ln in psql(url, sql).splitlines()}


def tg_post(s, update_id, text):
    body = {"update_id": update_id,
            "message": {"message_id": update_id, "date": 1795300000, "text": text,
                        "from": {"id": 555000777, "is_bot": False, "first_name": "Copy",
                                 "language_code": "uz"},
                        "chat": {"id": 555000777, "first_name": "Copy", "type": "private"}}}
    return s.request("POST", "/telegram/webhook",
                     body=json.dumps(body, ensure_ascii=False).encode(),
                     headers={"Content-Type": "application/json",
                              "X-Telegram-Bot-Api-Secret-Token": SECRET})


def filled_store(t):
    """A SQLite store as a node leaves it: demo data, SMS and Telegram
    conversations, a staff account.  Returns the Server (stopped)."""
    mock = MockTelegram(t)
    s = Server(t, demo_apps=60, conf={"outbox.chat_interval_ms": "0"},
               env={"MUROJAAT_TELEGRAM_TOKEN": mock.token,
                    "MUROJAAT_TELEGRAM_SECRET": SECRET,
                    "MUROJAAT_TELEGRAM_API_BASE": mock.base}).start()
    t.eq(s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="k1").status, 200)
    t.eq(s.kannel("+998907654321", "статус заявки AR-2025-000002", msg_id="k2").status, 200)
    t.eq(s.kannel("+998901234567", ODD, msg_id="k3").status, 200)
    t.eq(tg_post(s, 910001, "arizam holati AR-2025-000001").status, 200)
    t.eq(tg_post(s, 910002, ODD).status, 200)
    mock.wait_sent(2)
    staff_add(t, s.db, "copyadmin", "admin")
    staff_add(t, s.db, "copyagent", "agent")
    deadline = time.time() + 10
    while time.time() < deadline and s.sql(
            "SELECT count(*) FROM outbox WHERE state = 'pending'") != [(0,)]:
        time.sleep(0.05)
    s.check_clean_exit()
    return s


def test_copy_keeps_every_row_and_value(t):
    d, url = cluster(t)
    s = filled_store(t)
    db = s.db
    # a big table: progress lines every 100,000 rows
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO login_failures (key, failures, window_start) VALUES (?, 1, 0)",
                    (("ip:10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255),)
                     for i in range(100005)))
    con.commit()
    con.close()
    odd_sqlite = sqlite_one(db, "SELECT count(*) FROM messages WHERE body = ?", (ODD,))
    t.eq(odd_sqlite, [(2,)], "the odd text stored as sent, by SMS and Telegram")

    target = with_password(url)
    code, out, err = copy(t, db, ["--to", target])
    t.eq(code, 0, "store copy: %s %s" % (out[-2000:], err[-2000:]))
    t.lacks(out + err, PW, "the password on the terminal")
    t.lacks(out + err, "Кириллица", "a message's text on the terminal")
    t.lacks(out + err, "+998901234567", "a phone on the terminal")
    t.contains(out, "host=%s" % d)
    t.contains(out, "  login_failures: 100000 rows\n", "a progress line")
    t.contains(out, "index_queue: ")
    t.ok(re.search(r"\ncopied \d+ rows of 20 tables: every count matches\n$", out), out[-300:])
    # one line per table, the counts of both sides
    for tb in TABLES:
        n = sqlite_one(db, 'SELECT count(*) FROM "%s"' % tb)[0][0]
        t.contains(out, "\n%s %d -> %d\n" % (tb, n, n), "the line of " + tb)
    for tb in ("applications", "contacts", "messages", "outbox", "staff", "login_failures"):
        t.ok(sqlite_one(db, 'SELECT count(*) FROM "%s"' % tb)[0][0] > 0, "no rows in " + tb)
    # the counts, by psql
    counts = pg_counts(url)
    for tb in TABLES:
        t.eq(counts.get(tb), sqlite_one(db, 'SELECT count(*) FROM "%s"' % tb)[0][0], tb)
    # every row, value by value (the SQLite columns; PostgreSQL's own take defaults)
    for tb in TABLES:
        if tb == "login_failures":
            continue
        cols, rows = sqlite_rows(db, tb)
        got = json.loads(psql(url, "SELECT coalesce(json_agg(x), '[]') FROM %s x" % tb))
        t.eq(sorted(canon(r, cols) for r in got), sorted(canon(r, cols) for r in rows),
             "the rows of %s" % tb)
    # the odd text exactly, byte for byte
    hexes = psql(url, "SELECT encode(convert_to(body, 'UTF8'), 'hex') FROM messages "
                 "WHERE body LIKE '%%🙂%%' ORDER BY id").splitlines()
    t.eq(hexes, [ODD.encode().hex()] * 2, "the odd text in PostgreSQL")
    # NULLs stay NULL, not "" nor "\N"
    t.eq(int(psql(url, "SELECT count(*) FROM messages WHERE reply_to IS NULL")),
         sqlite_one(db, "SELECT count(*) FROM messages WHERE reply_to IS NULL")[0][0])
    t.eq(psql(url, "SELECT count(*) FROM contacts WHERE channel = 'telegram' AND phone IS NULL"),
         "1", "the Telegram contact has no phone")
    t.eq(psql(url, "SELECT count(*) FROM messages WHERE body IN ('', '\\N') OR "
              "channel_msg_id = '\\N'"), "0")
    # every message queued for the indexer; derived tables not copied
    t.eq(int(psql(url, "SELECT count(*) FROM index_queue")), counts["messages"])
    t.eq(psql(url, "SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM "
              "index_queue q WHERE q.message_id = m.id)"), "0")
    # each identity goes on past the copied ids
    for tb in IDENTITY:
        t.eq(psql(url, "SELECT nextval(pg_get_serial_sequence('%s', 'id')) > "
                  "coalesce(max(id), 0) FROM %s" % (tb, tb)), "t", "the sequence of " + tb)
    # the schema's migrations were applied by the copy
    t.eq(psql(url, "SELECT min(version) FROM schema_migrations"), "1")

    # a second copy into the same database is refused, and says why; the
    # URL from MUROJAAT_DB_URL when --to is not given
    before = pg_counts(url)
    code, out, err = copy(t, db, [], url_env=target)
    t.eq(code, 1, "a second copy: %s %s" % (out, err))
    t.contains(err, "murojaat store copy: the database at host=%s" % d)
    t.contains(err, "is not empty")
    t.contains(err, "copy only into a new database")
    t.lacks(out + err, PW, "the password on the terminal")
    t.eq(pg_counts(url), before, "a refused copy changed the target")


def test_a_node_on_the_copy_continues_the_ids(t):
    d, url = cluster(t)
    s = filled_store(t)
    code, out, err = copy(t, s.db, ["--to", url])
    t.eq(code, 0, "store copy: %s %s" % (out[-1000:], err[-1000:]))
    old = int(psql(url, "SELECT max(id) FROM messages"))
    old_n = int(psql(url, "SELECT count(*) FROM messages"))
    node = Server(t, demo_apps=60, env={"MUROJAAT_DB_URL": url}).start()
    r = node.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="after-copy")
    t.eq(r.status, 200, r.text)
    t.contains(r.text, "AR-2025-000001")
    node.check_clean_exit()
    t.eq(int(psql(url, "SELECT count(*) FROM messages")), old_n + 2, "message and reply")
    t.eq(psql(url, "SELECT min(id) > %d FROM messages WHERE channel_msg_id = 'after-copy'"
              % old), "t", "the new message's id follows the copied ones")


def test_bad_url_names_the_host(t):
    d = tempfile.mkdtemp(prefix="murojaat-copy-")
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    db = os.path.join(d, "murojaat.db")
    sqlite3.connect(db).close()
    nowhere = os.path.join(d, "no-cluster-here")
    code, out, err = copy(t, db, ["--to", "postgresql://postgres:%s@/murojaat?host=%s" %
                               (PW, nowhere)])
    t.eq(code, 1, err)
    t.contains(err, "murojaat store copy: cannot connect to the PostgreSQL database at "
               "host=%s" % nowhere)
    t.lacks(out + err, PW, "the password on the terminal")
    # not a URL at all; nothing to copy into; no store to copy from
    code, out, err = copy(t, db, ["--to", "postgresql://postgres:%s@[::1/db" % PW])
    t.eq(code, 1, err)
    t.contains(err, "does not read as a PostgreSQL URL")
    t.lacks(out + err, PW, "the password of an unreadable URL")
    code, out, err = copy(t, db, [])
    t.eq(code, 2, err)
    t.contains(err, "give --to URL, or set db.url")
    code, out, err = copy(t, os.path.join(d, "none.db"), ["--to", "postgresql:///x?host=" + d])
    t.eq(code, 1, err)
    t.contains(err, "no SQLite store at")
    t.ok(not os.path.exists(os.path.join(d, "none.db")), "a store was created to copy from")


def test_a_failed_copy_leaves_the_target_empty(t):
    d, url = cluster(t)
    s = filled_store(t)
    # a value PostgreSQL refuses, late in the order: the rows before it go back
    con = sqlite3.connect(s.db)
    con.execute("UPDATE staff SET created_at = 'Secret-Value-91' WHERE username = 'copyagent'")
    con.commit()
    con.close()
    code, out, err = copy(t, s.db, ["--to", url])
    t.eq(code, 1, out + err)
    t.contains(err, "COPY staff")
    t.contains(err, "22P02")
    t.lacks(out + err, "Secret-Value-91", "a row's value on the terminal")
    t.eq(set(pg_counts(url).values()), {0}, "rows left in the target")
    t.eq(psql(url, "SELECT count(*) FROM index_queue"), "0")
    # a SQLite column PostgreSQL's schema has no place for stops the copy
    con = sqlite3.connect(s.db)
    con.execute("UPDATE staff SET created_at = 1 WHERE username = 'copyagent'")
    con.execute("ALTER TABLE messages ADD COLUMN mood TEXT")
    con.commit()
    con.close()
    url2 = createdb(d, "second")
    code, out, err = copy(t, s.db, ["--to", url2])
    t.eq(code, 1, out + err)
    t.contains(err, "column messages.mood of the SQLite store has no place in PostgreSQL's "
               "schema")
    t.eq(set(pg_counts(url2).values()), {0}, "rows left in the target")
    # without it, the same store copies; reference rows already there (no
    # application, contact, message nor staff) give way to the store's
    con = sqlite3.connect(s.db)
    con.execute("ALTER TABLE messages DROP COLUMN mood")
    con.commit()
    con.close()
    psql(url2, "INSERT INTO settings (key, value) VALUES ('stale', 1); "
         "INSERT INTO login_failures VALUES ('ip:1.2.3.4', 3, 0)")
    code, out, err = copy(t, s.db, ["--to", url2])
    t.eq(code, 0, out + err)
    t.contains(out, "2 rows already in the target")
    t.contains(out, "every count matches")
    t.eq(psql(url2, "SELECT count(*) FROM settings WHERE key = 'stale'"), "0")
    t.eq(int(psql(url2, "SELECT count(*) FROM settings")),
         sqlite_one(s.db, "SELECT count(*) FROM settings")[0][0])
