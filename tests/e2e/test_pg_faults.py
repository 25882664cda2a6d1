"""A store that cannot be used is a clear start-up error: a wrong
PostgreSQL URL or credentials name the host and never print the password;
a schema newer than the program (on either backend) refuses to start and
says so.  Each test starts its own throwaway cluster (tests/pg/cluster.sh:
a Unix socket, no TCP) and stops it."""
import os
import shutil
import subprocess
import tempfile

from harness import ROOT, Server, murojaat

CLUSTER = os.path.join(ROOT, "tests", "pg", "cluster.sh")


def cluster(t):
    d = tempfile.mkdtemp(prefix="murojaat-pgf-")
    url = subprocess.run(["sh", CLUSTER, "start", d], check=True, capture_output=True,
                         text=True).stdout.strip()
    t.defer(lambda: subprocess.run(["sh", CLUSTER, "stop", d], capture_output=True))
    return d, url


def psql(url, q):
    return subprocess.run(["psql", "-X", "-At", "-d", url, "-c", q], check=True,
                          capture_output=True, text=True).stdout.strip()


def folder(t):
    d = tempfile.mkdtemp(prefix="murojaat-pgf-")
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def test_wrong_credentials_name_the_host_not_the_password(t):
    d, _ = cluster(t)
    url = "postgresql://nobody:Sekret-Pw-42@/murojaat?host=%s" % d
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB_URL": url})
    t.eq(code, 1, out + err)
    t.contains(err, 'host="%s"' % d)
    t.contains(err, 'user="nobody"')
    t.contains(err, "password=***")
    t.contains(err, "nobody")           # the server's own words: no such role
    t.contains(err, "cannot open the database PostgreSQL (db.url)")
    t.lacks(out + err, "Sekret-Pw-42", "the password printed")
    # The same in a conninfo string, and through db.url_file.
    conninfo = "host=%s dbname=murojaat user=nobody password=Sekret-Pw-42" % d
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB_URL": conninfo})
    t.eq(code, 1)
    t.contains(err, "password=***")
    t.lacks(out + err, "Sekret-Pw-42", "the password printed")
    f = os.path.join(folder(t), "db.url")
    with open(f, "w") as fh:
        fh.write(url + "\n")
    os.chmod(f, 0o600)
    conf = os.path.join(os.path.dirname(f), "murojaat.conf")
    with open(conf, "w") as fh:
        fh.write("db.url_file = %s\n" % f)
    code, out, err = murojaat(["--config", conf, "staff", "list"])
    t.eq(code, 1)
    t.contains(err, 'host="%s"' % d)
    t.lacks(out + err, "Sekret-Pw-42", "the password printed")


def test_unreachable_host_is_named(t):
    # Port 1 on loopback: nothing listens there, the refusal is at once.
    url = "postgresql://u:Other-Secret-7@127.0.0.1:1/murojaat?connect_timeout=3"
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB_URL": url})
    t.eq(code, 1, out + err)
    t.contains(err, 'host="127.0.0.1" port="1"')
    t.contains(err, "ev=store.pg.connect")
    t.lacks(out + err, "Other-Secret-7", "the password printed")
    # serve refuses to start the same way, and says so on its terminal.
    s = Server(t, env={"MUROJAAT_DB_URL": url})
    try:
        s.start(wait=20)
        t.ok(False, "serve started without its database")
    except Exception:
        pass
    t.contains(s.log(), "cannot open the database PostgreSQL (db.url)")
    t.lacks(s.log(), "Other-Secret-7", "the password in the server's log")


def test_newer_schema_refused_on_postgresql(t):
    d, url = cluster(t)
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB_URL": url})
    t.eq(code, 0, err)
    have = int(psql(url, "SELECT max(version) FROM schema_migrations"))
    t.ok(have >= 1)
    # Migrated once: running again applies nothing.
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB_URL": url})
    t.lacks(err, "ev=store.migrate")
    psql(url, "INSERT INTO schema_migrations VALUES (%d, 'from_the_future', 0)" % (have + 50))
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB_URL": url})
    t.eq(code, 1)
    t.contains(err, "the database's schema is version %d, newer than this program's %d"
               % (have + 50, have))


def test_newer_schema_refused_on_sqlite(t):
    import sqlite3
    db = os.path.join(folder(t), "m.db")
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB": db})
    t.eq(code, 0, err)
    con = sqlite3.connect(db)
    have = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 0)", (have + 1,))
    con.commit()
    con.close()
    code, out, err = murojaat(["staff", "list"], env={"MUROJAAT_DB": db})
    t.eq(code, 1)
    t.contains(err, "the database's schema is version %d, newer than this program's %d"
               % (have + 1, have))


def test_multi_host_url_finds_the_writable_server(t):
    """libpq's failover, as db.url uses it: of the hosts a URL names, a dead
    one is passed by, and with target_session_attrs=read-write so is one
    that only reads (here a server whose sessions are read-only, as a
    standby's are); the node works on the writable one."""
    ro, ro_url = cluster(t)
    rw, rw_url = cluster(t)
    psql(ro_url, "ALTER SYSTEM SET default_transaction_read_only = on")
    psql(ro_url, "SELECT pg_reload_conf()")
    dead = folder(t)    # no server listens there
    url = ("postgresql:///murojaat?host=%s,%s,%s&user=postgres&target_session_attrs=read-write"
           % (dead, ro, rw))
    s = Server(t, demo_apps=20, env={"MUROJAAT_DB_URL": url}).start()
    t.eq(s.get("/readyz").status, 200)
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="mh-1")
    t.eq(r.status, 200)
    t.eq(psql(rw_url, "SELECT count(*) FROM messages WHERE channel_msg_id = 'mh-1'"), "1",
         "stored on the writable server")
    t.eq(psql(ro_url, "SELECT count(*) FROM pg_tables WHERE tablename = 'messages'"), "0",
         "nothing written to the read-only one")
    s.check_clean_exit()
