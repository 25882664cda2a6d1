"""A registry import that changes 10,000 applications' status queues 10,000
notices; the outbox sender drains them through a real Kannel (sendsms) to
the fake SMSC, which must receive every one.  Prints the import time and the
delivery rate.  Loopback only; bounded by BENCH_NOTICES_TIMEOUT seconds."""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import harness  # noqa: E402
import kannel  # noqa: E402

N = int(os.environ.get("BENCH_NOTICES", "10000"))
TIMEOUT = int(os.environ.get("BENCH_NOTICES_TIMEOUT", "600"))
RATE = os.environ.get("BENCH_NOTICES_RATE", "1000")


def main():
    t = harness.Check("notices-bench")
    try:
        srv = harness.Server(t, binary=os.path.join(harness.ROOT, "murojaat"), demo_apps=2 * N,
                             env={"MUROJAAT_SMS_QUIET_HOURS": "", "MUROJAAT_LOG_LEVEL": "warn",
                                  "MUROJAAT_OUTBOX_RATE": RATE,
                                  "MUROJAAT_OUTBOX_CHAT_INTERVAL_MS": "0"})
        k = kannel.Kannel(t, srv.port)
        srv.env["MUROJAAT_KANNEL_SENDSMS_URL"] = k.sendsms_url
        srv.start(wait=120)
        k.start()
        rows = srv.sql("SELECT number, status FROM applications WHERE status <> 'paid' "
                       "ORDER BY id LIMIT ?", (N,))
        f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
        f.write("number,status,decided_at,payment_at\n")
        for num, _ in rows:
            f.write("%s,paid,2025-12-01,2025-12-05\n" % num)
        f.close()
        t0 = time.time()
        code, out, err = harness.murojaat(["import", f.name], binary=os.path.join(harness.ROOT, "murojaat"),
                                          env={"MUROJAAT_DB": srv.db, "MUROJAAT_SMS_QUIET_HOURS": "",
                                               "MUROJAAT_LOG_LEVEL": "warn"}, timeout=600)
        t1 = time.time()
        os.unlink(f.name)
        print("import: %s (%.1fs)" % (out.strip() or err.strip(), t1 - t0))
        n = len(rows)
        deadline = t1 + TIMEOUT
        got = 0
        while time.time() < deadline:
            got = k.count()
            if got >= n:
                break
            time.sleep(1)
        t2 = time.time()
        sent = srv.sql("SELECT count(*) FROM outbox WHERE state = 'sent'")[0][0]
        print("fake SMSC received %d of %d notices in %.1fs: %.0f notices/s (outbox rate %s/s); "
              "%d recorded sent" % (got, n, t2 - t1, got / max(t2 - t1, 0.001), RATE, sent))
    finally:
        for c in reversed(t.cleanups):
            c()


if __name__ == "__main__":
    main()
