"""End-to-end test harness: starts the real murojaat binary on 127.0.0.1 with
a free port and its own directory, config and database; talks HTTP to it;
checks the rows in the store.  Tests share nothing, so they can run in
parallel.

A test file tests/e2e/test_*.py defines functions test_*(t); t is a Check
whose failures print file:line and both values.  run.py discovers and runs
them and ends with "N passed, N failed".

PostgreSQL mode: when MUROJAAT_E2E_PG names the folder of a running
throwaway cluster (sh tests/pg/cluster.sh start DIR), every Server gets a
new empty database on it (dropped again when the test ends) and runs with
MUROJAAT_DB_URL; Server.sql() asks PostgreSQL, with sqlite3's `?`
placeholders and its kinds of values (ints, not Decimal or bool); murojaat()
given a Server's db path passes that Server's URL too.  A test of something
only SQLite has (its file, PRAGMA, sqlite_master) calls t.sqlite_only(why),
or its module sets PG_SKIP = "why": run.py then skips it on PostgreSQL.
"""
import decimal
import http.client
import inspect
import itertools
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("MUROJAAT_BIN", os.path.join(ROOT, "build", "san", "murojaat"))
SAN_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
               "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer")
# The throwaway cluster's folder in PostgreSQL mode, else "".
PG_DIR = os.environ.get("MUROJAAT_E2E_PG", "")


class Failed(Exception):
    pass


class Skipped(Exception):
    """Raised by Check.sqlite_only() on PostgreSQL; run.py counts nothing."""


def on_pg():
    """Whether this run's Servers use PostgreSQL (MUROJAAT_E2E_PG)."""
    return PG_DIR != ""


# ---- PostgreSQL (psycopg2, Debian's python3-psycopg2: tools/deps.sh test)
_psycopg2 = None


def _pg():
    global _psycopg2
    if _psycopg2 is None:
        try:
            import psycopg2
        except ImportError:
            # a python3 other than Debian's (pyenv, venv): Debian's module
            # is built for the same 3.x
            sys.path.append("/usr/lib/python3/dist-packages")
            import psycopg2
        import psycopg2.extensions as ext

        def num(v, cur):
            if v is None:
                return None
            d = decimal.Decimal(v)
            return int(d) if d == d.to_integral_value() else float(d)
        # sqlite3's kinds: sum()/avg() of bigint are numeric, booleans 0/1
        ext.register_type(ext.new_type((1700,), "MJ_NUMERIC", num))
        ext.register_type(ext.new_type((16,), "MJ_BOOL",
                                       lambda v, cur: None if v is None else int(v == "t")))
        _psycopg2 = psycopg2
    return _psycopg2


def pg_url(cluster, dbname):
    """The libpq URL of database dbname on the cluster in folder cluster."""
    return "postgresql:///%s?host=%s&user=postgres" % (dbname, cluster)


_pg_seq = itertools.count(1)
_pg_lock = threading.Lock()


def pg_createdb(cluster=None, prefix="e2e"):
    """A new empty database on the cluster (default: MUROJAAT_E2E_PG's);
    returns its URL."""
    cluster = cluster or PG_DIR
    with _pg_lock:
        name = "%s_%d_%d" % (prefix, os.getpid(), next(_pg_seq))
    con = _pg().connect(pg_url(cluster, "postgres"))
    try:
        con.autocommit = True
        con.cursor().execute('CREATE DATABASE "%s"' % name)
    finally:
        con.close()
    return pg_url(cluster, name)


def pg_dropdb(url):
    """Drop the database of url (one pg_createdb made), connections and all."""
    name = urllib.parse.urlparse(url).path.lstrip("/")
    q = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    con = _pg().connect(pg_url(q["host"][0], "postgres"))
    try:
        con.autocommit = True
        con.cursor().execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
    finally:
        con.close()


def pg_placeholders(query):
    """sqlite3's `?` placeholders as psycopg2's %s (and a literal % as %%),
    outside quoted strings and names."""
    out, quote = [], None
    for ch in query:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        if ch == "%":
            out.append("%%")
            continue
        out.append(ch)
    return "".join(out)


def pg_sql(url, query, args=()):
    """Run query on PostgreSQL (autocommit); rows as a list of tuples."""
    con = _pg().connect(url, connect_timeout=10)
    try:
        con.autocommit = True
        cur = con.cursor()
        cur.execute(pg_placeholders(query), tuple(args))
        return cur.fetchall() if cur.description is not None else []
    finally:
        con.close()


# db path -> URL of each PostgreSQL Server, for murojaat()
_db_urls = {}


def store_env(t, path):
    """The environment of a command with a store of its own: MUROJAAT_DB
    path and, on PostgreSQL, MUROJAAT_DB_URL of a new database that is
    dropped when the test ends."""
    env = {"MUROJAAT_DB": path}
    if on_pg():
        url = pg_createdb()
        env["MUROJAAT_DB_URL"] = url
        t.defer(lambda: pg_dropdb(url))
    return env


class Check:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.cleanups = []

    def _where(self):
        for fr in inspect.stack()[2:]:
            if os.path.basename(fr.filename).startswith("test_"):
                return "%s:%d" % (os.path.relpath(fr.filename, ROOT), fr.lineno)
        fr = inspect.stack()[2]
        return "%s:%d" % (os.path.relpath(fr.filename, ROOT), fr.lineno)

    def _fail(self, msg):
        self.failed += 1
        print("%s: FAIL [%s] %s" % (self._where(), self.name, msg), flush=True)

    def ok(self, cond, msg="condition is false"):
        if cond:
            self.passed += 1
        else:
            self._fail(msg)
        return bool(cond)

    def eq(self, got, want, msg=""):
        if got == want:
            self.passed += 1
            return True
        self._fail("%s got %r, want %r" % (msg, got, want))
        return False

    def contains(self, hay, needle, msg=""):
        if hay is not None and needle in hay:
            self.passed += 1
            return True
        self._fail("%s %r does not contain %r" % (msg, hay, needle))
        return False

    def lacks(self, hay, needle, msg=""):
        if hay is None or needle not in hay:
            self.passed += 1
            return True
        self._fail("%s %r contains %r" % (msg, hay, needle))
        return False

    def defer(self, fn):
        self.cleanups.append(fn)

    def sqlite_only(self, why):
        """End the test here, uncounted, on PostgreSQL: it checks something
        only SQLite has (why says what)."""
        if on_pg():
            raise Skipped(why)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Server:
    """One murojaat process with its own folder, config and database."""

    def __init__(self, t, env=None, conf=None, demo_apps=2000, binary=None, serve_args=()):
        self.t = t
        self.dir = tempfile.mkdtemp(prefix="murojaat-e2e-")
        self.port = free_port()
        self.db = os.path.join(self.dir, "murojaat.db")
        self.log_path = os.path.join(self.dir, "server.log")
        self.binary = binary or BIN
        self.serve_args = list(serve_args)  # e.g. ["--demo"], as make run
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("MUROJAAT_") and k != "MUROJAAT_BIN":
                del self.env[k]
        self.env.update({
            "MUROJAAT_PORT": str(self.port),
            "MUROJAAT_DB": self.db,
            "MUROJAAT_DEMO_APPS": str(demo_apps),
            # tests talk fast from one phone; test_sms_channel sets its own
            "MUROJAAT_RATE_PER_MINUTE": "1000",
            "MUROJAAT_RATE_PER_DAY": "100000",
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
            "UBSAN_OPTIONS": "print_stacktrace=1",
        })
        self.env.update(env or {})
        # PostgreSQL: the URL given, or a new database on MUROJAAT_E2E_PG's
        # cluster (dropped by cleanup)
        self.db_url = self.env.get("MUROJAAT_DB_URL") or None
        self.own_db = False
        if self.db_url is None and on_pg():
            self.db_url = pg_createdb()
            self.own_db = True
            self.env["MUROJAAT_DB_URL"] = self.db_url
        if self.db_url is not None:
            _db_urls[self.db] = self.db_url
        self.conf_path = os.path.join(self.dir, "murojaat.conf")
        with open(self.conf_path, "w") as f:
            f.write("# e2e test config\n")
            for k, v in (conf or {}).items():
                f.write("%s = %s\n" % (k, v))
        self.proc = None
        self._port_retries = 0
        t.defer(self.cleanup)

    def start(self, wait=60):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--config", self.conf_path, "serve"] + self.serve_args,
            cwd=self.dir, env=self.env, stdout=self.logf, stderr=self.logf,
            stdin=subprocess.DEVNULL)
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.proc.poll() is not None:
                log = self.log()
                # free_port() closes its socket before the server binds: a
                # mock started in between may take the port.  Pick another.
                if ("already in use" in log and self._port_retries < 3
                        and self.env.get("MUROJAAT_PORT") == str(self.port)):
                    self._port_retries += 1
                    self.logf.close()
                    self.port = free_port()
                    self.env["MUROJAAT_PORT"] = str(self.port)
                    return self.start(wait)
                raise Failed("server exited with %d:\n%s" % (self.proc.returncode, log))
            try:
                r = self.get("/healthz", timeout=2)
                if r.status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise Failed("server did not answer /healthz in %ds:\n%s" % (wait, self.log()))

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
        return self.proc.returncode

    def kill(self):
        return self.stop(signal.SIGKILL)

    def check_clean_exit(self):
        """Stop with SIGTERM; the process exits 0 with no sanitizer report."""
        rc = self.stop()
        log = self.log()
        self.t.eq(rc, 0, "server exit code")
        if rc != 0:
            print("server log of %s (exit %s), last lines:\n%s" % (
                self.t.name, rc, "\n".join(log.splitlines()[-30:])), flush=True)
        for m in SAN_MARKERS:
            self.t.lacks(log, m, "sanitizer report in server log:")

    def cleanup(self):
        self.stop()
        if self.proc is not None:
            log = self.log()
            for m in SAN_MARKERS:
                if m in log:
                    print("sanitizer report from %s:\n%s" % (self.t.name, log), flush=True)
                    self.t.failed += 1
                    break
        if os.environ.get("KEEP_E2E") is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            if self.own_db:
                self.own_db = False
                try:
                    pg_dropdb(self.db_url)
                except Exception as e:  # the cluster may be gone already
                    print("[%s] drop database: %s" % (self.t.name, e), flush=True)
        _db_urls.pop(self.db, None)

    # ---- HTTP
    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def kannel(self, sender, text, msg_id=None, to="1234", extra=None):
        """GET /sms/kannel the way Kannel's get-url calls it (%b as text)."""
        q = [("from", sender), ("to", to), ("text", text)]
        if msg_id is not None:
            q.append(("id", msg_id))
        q += [("smsc", "fake"), ("coding", "0"), ("charset", "UTF-8")]
        q += list((extra or {}).items())
        return self.get("/sms/kannel?" + urllib.parse.urlencode(q, quote_via=urllib.parse.quote_plus))

    # ---- store
    def sql(self, query, args=()):
        """Rows of query (sqlite3's `?` placeholders) on this server's store,
        SQLite or PostgreSQL; a write is committed."""
        if self.db_url is not None:
            return pg_sql(self.db_url, query, args)
        con = sqlite3.connect(self.db, timeout=10)
        try:
            rows = con.execute(query, args).fetchall()
            con.commit()
            return rows
        finally:
            con.close()

    def integrity(self):
        """SQLite's PRAGMA integrity_check; [("ok",)] on PostgreSQL, which
        has no such check to ask (its pages are checked as they are read)."""
        if self.db_url is not None:
            return [("ok",)]
        return self.sql("PRAGMA integrity_check")

    def schema_names(self):
        """The names of the store's tables, indexes and the like, sorted, as
        [(name,)]: what a schema-unchanged check compares."""
        if self.db_url is not None:
            return self.sql("SELECT c.relname::text FROM pg_class c JOIN pg_namespace n "
                            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1")
        return self.sql("SELECT name FROM sqlite_master ORDER BY name")


def murojaat(args, stdin="", env=None, binary=None, timeout=120, cwd=ROOT, server=None):
    """Run a murojaat command in cwd; returns (code, stdout, stderr).  The
    store is server's (its path and, on PostgreSQL, its URL) when given;
    env's MUROJAAT_DB naming a PostgreSQL Server's path brings its URL."""
    e = dict(os.environ)
    if server is not None:
        e["MUROJAAT_DB"] = server.db
        if server.db_url is not None:
            e["MUROJAAT_DB_URL"] = server.db_url
    e.update(env or {})
    if "MUROJAAT_DB_URL" not in e and e.get("MUROJAAT_DB") in _db_urls:
        e["MUROJAAT_DB_URL"] = _db_urls[e["MUROJAAT_DB"]]
    data = stdin if isinstance(stdin, bytes) else stdin.encode()
    p = subprocess.run([binary or BIN] + args, input=data, env=e,
                       capture_output=True, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
