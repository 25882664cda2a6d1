"""The store's backends side by side, in one run: /sms/kannel under wrk on
SQLite (one node), PostgreSQL with one node, and PostgreSQL with two nodes
sharing one database (two wrk processes, one per node, half the
connections each).  The same load as http_bench.py: every id new, senders
from 200,000 phones, 70% returning.  For each: requests/s, p50/p99, the
inbound rows the database gained (counted there, not by wrk), and where
the CPU went per request: the murojaat nodes and the PostgreSQL server's
processes (from /proc, over the measured run).  A throwaway cluster on a
Unix socket, started and stopped here; loopback only; bounded in time."""
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
import http_bench as hb  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
APPS = int(os.environ.get("BENCH_PG_APPS", "100000"))
CONNS = [int(c) for c in os.environ.get("BENCH_PG_CONNS", "32,64").split(",")]
CLUSTER = os.path.join(harness.ROOT, "tests", "pg", "cluster.sh")
URL = [""]     # the bench database, once started
hb.APPS = APPS


def sh(*args):
    return subprocess.run(["sh", CLUSTER] + list(args), check=True, capture_output=True,
                          text=True).stdout.strip()


def psql(url, q):
    out = subprocess.run(["psql", "-X", "-At", "-d", url, "-c", q], check=True,
                         capture_output=True, text=True).stdout.strip()
    return int(out.splitlines()[-1])


def top_statements(url, total, n=6):
    """Where PostgreSQL's time went in the measured run: the statements of
    most execution time (pg_stat_statements), in us per request."""
    rows = subprocess.run(
        ["psql", "-X", "-At", "-F", "\t", "-d", url, "-c",
         "SELECT round(total_exec_time::numeric * 1000 / %d, 1), calls, "
         "left(regexp_replace(query, '\\s+', ' ', 'g'), 70) FROM pg_stat_statements "
         "WHERE query NOT LIKE '%%pg_stat_statements%%' ORDER BY total_exec_time DESC LIMIT %d"
         % (max(total, 1), n)], capture_output=True, text=True).stdout.strip().splitlines()
    allq = subprocess.run(
        ["psql", "-X", "-At", "-d", url, "-c",
         "SELECT round(sum(total_exec_time)::numeric * 1000 / %d, 1), sum(calls) / %d.0 "
         "FROM pg_stat_statements WHERE query NOT LIKE '%%pg_stat_statements%%'"
         % (max(total, 1), max(total, 1))], capture_output=True, text=True).stdout.strip()
    return rows, allq


def stats_reset(url):
    subprocess.run(["psql", "-X", "-qAt", "-d", url, "-c", "SELECT pg_stat_statements_reset()"],
                   capture_output=True)


def postgres_pids(cdir):
    """The cluster's postmaster and its children (the backends)."""
    with open(os.path.join(cdir, "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    pids = [pm]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pm:
                        pids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return pids


def ticks(pids):
    n = 0
    for p in pids:
        try:
            n += hb.cpu_ticks(p)
        except (OSError, ValueError):
            pass
    return n


def server(t, env):
    e = {"MUROJAAT_LOG_LEVEL": "warn"}
    e.update(env)
    return harness.Server(t, binary=hb.REL, demo_apps=APPS, env=e,
                          conf={"rate.per_minute": "100000", "rate.per_day": "1000000"})


def run(nodes, conns, count, cdir=None):
    """Warm-up, then the measured run against every node at once."""
    per = max(1, conns // len(nodes))
    for s in nodes:
        hb.wrk(s.port, "kannel", "w", per, 1, "/sms/kannel")
    if cdir:
        # What autovacuum does in a running service (its nap is a minute,
        # longer than a run): statistics of the tables the warm-up grew.
        psql(URL[0], "ANALYZE; SELECT 1")
    pg = postgres_pids(cdir) if cdir else []
    if cdir:
        stats_reset(URL[0])
    m0 = count()
    c0 = ticks([s.proc.pid for s in nodes])
    p0 = ticks(pg)
    res = [None] * len(nodes)

    def one(i):
        res[i] = hb.wrk(nodes[i].port, "kannel", "m", per, SECONDS, "/sms/kannel")
    th = [threading.Thread(target=one, args=(i,)) for i in range(len(nodes))]
    for x in th:
        x.start()
    for x in th:
        x.join()
    c1 = ticks([s.proc.pid for s in nodes])
    p1 = ticks(pg)
    m1 = count()
    total = sum(r[4] for r in res)
    hz = os.sysconf("SC_CLK_TCK")
    top = top_statements(URL[0], total) if cdir else None
    return {
        "top": top,
        "rps": sum(r[0] for r in res),
        "p50": "/".join(r[1] for r in res),
        "p99": "/".join(r[2] for r in res),
        "bad": sum(r[3] for r in res),
        "total": total,
        "stored": m1 - m0,
        "node_us": (c1 - c0) * 1e6 / hz / max(total, 1),
        "pg_us": (p1 - p0) * 1e6 / hz / max(total, 1) if cdir else 0.0,
    }


def show(name, conns, r):
    print("%s, %d connections: %.0f requests/s, p50 %s, p99 %s, non-2xx %d, %d requests, "
          "%d inbound rows stored" % (name, conns, r["rps"], r["p50"], r["p99"], r["bad"],
                                      r["total"], r["stored"]))
    if r["pg_us"]:
        print("  CPU per request: murojaat %.0f us + PostgreSQL %.0f us = %.0f us"
              % (r["node_us"], r["pg_us"], r["node_us"] + r["pg_us"]))
        rows, allq = r["top"]
        if allq:
            us, calls = allq.split("|")
            print("  PostgreSQL executing statements: %s us a request in %.1f statements "
                  "(pg_stat_statements); the most:" % (us, float(calls)))
        for line in rows:
            us, calls, q = line.split("\t", 2)
            print("    %6s us  %6s calls  %s" % (us, calls, q))
    else:
        print("  CPU per request: murojaat %.0f us" % r["node_us"])


def main():
    t = hb.T("pg-bench")
    cdir = tempfile.mkdtemp(prefix="murojaat-pgbench-")
    q = "SELECT count(*) FROM messages WHERE direction = 'in'"
    try:
        print("load: as http_bench (every id new, 200,000 phones, 70%% returning); %d applications; "
              "%d s a run" % (APPS, SECONDS))
        # SQLite, one node.
        s = server(t, {})
        t0 = time.time()
        s.start(wait=600)
        print("SQLite store ready in %.0fs" % (time.time() - t0))
        for c in CONNS:
            show("SQLite, one node", c, run([s], c, lambda: s.sql(q)[0][0]))
        s.stop()
        # PostgreSQL: a throwaway cluster, one database for both runs.
        sh("stop", cdir)
        url = sh("start", cdir)
        # pg_stat_statements (postgresql-contrib's, in Debian's server
        # package) for where the time goes
        with open(os.path.join(cdir, "data", "postgresql.conf"), "a") as f:
            f.write("shared_preload_libraries = 'pg_stat_statements'\n")
        sh("restart", cdir)
        psql(url, "CREATE EXTENSION pg_stat_statements; SELECT 1")
        URL[0] = url
        a = server(t, {"MUROJAAT_DB_URL": url})
        t0 = time.time()
        a.start(wait=900)
        print("PostgreSQL store ready in %.0fs" % (time.time() - t0))
        for c in CONNS:
            show("PostgreSQL, one node", c, run([a], c, lambda: psql(url, q), cdir))
        b = server(t, {"MUROJAAT_DB_URL": url})
        b.start(wait=300)
        for c in CONNS:
            show("PostgreSQL, two nodes", c, run([a, b], c, lambda: psql(url, q), cdir))
        for n in (a, b):
            n.stop()
    finally:
        for c in reversed(t.cleanups):
            c()
        subprocess.run(["sh", CLUSTER, "stop", cdir], capture_output=True)


if __name__ == "__main__":
    main()
