"""Two murojaat nodes on one PostgreSQL database, each a Server on its own
port with the same MUROJAAT_DB_URL: started at the same moment on an empty
database (migrated and seeded once); a webhook re-delivered to the other
node (Kannel's id, Telegram's update_id; one after the other and both at
once) stored once and answered alike; N status changes sent exactly N times
with both outbox senders running; one node killed with SIGKILL under load
(the other finishes its leased sends); PostgreSQL restarted under load
(503 and not ready while it is down, then recovery without restarting the
nodes, nothing acknowledged lost); deploy/nginx-two-nodes.conf in front,
balancing over both and passing a stopped one by.

The database is a new one per test on MUROJAAT_E2E_PG's cluster, or on a
cluster the test starts in a temporary folder (and stops); the restart test
always starts its own, since it stops PostgreSQL.  run.py runs this module
only on PostgreSQL or when it is named:
    python3 tests/e2e/run.py tests/e2e/test_pg_nodes.py"""
import glob
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse

import harness
from harness import ROOT, Server
from mocks import MockSendsms, MockTelegram

PG_ONLY = True
CLUSTER_SH = os.path.join(ROOT, "tests", "pg", "cluster.sh")
FIX = os.path.join(ROOT, "tests", "fixtures", "telegram")
SECRET = "pg-nodes-webhook-secret-41"
REG_TOKEN = "pg-nodes-registry-token-9"
LEASE_S = 5
MIGRATIONS = len(glob.glob(os.path.join(ROOT, "store", "migrations-pg", "*.sql")))


# ---- the cluster and the nodes

def cluster_sh(*args, timeout=120):
    p = subprocess.run(["sh", CLUSTER_SH] + list(args), capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise harness.Failed("cluster.sh %s: %s" % (" ".join(args),
                                                    (p.stdout + p.stderr).decode("utf-8", "replace")))
    return p.stdout.decode().strip()


def own_cluster(t):
    """A throwaway cluster in a temporary folder, stopped when t ends."""
    d = tempfile.mkdtemp(prefix="murojaat-pgnodes-")
    t.defer(lambda: cluster_sh("stop", d))
    cluster_sh("start", d)
    return d


def cluster(t):
    return harness.PG_DIR or own_cluster(t)


def database(t, where):
    url = harness.pg_createdb(where, prefix="nodes")
    t.defer(lambda: harness.pg_dropdb(url))
    return url


def nodes(t, url, env=None, conf=None, demo_apps=200, start=True):
    """Two Servers on url, started at the same moment (a barrier)."""
    e = {"MUROJAAT_DB_URL": url, "MUROJAAT_OUTBOX_LEASE_S": str(LEASE_S),
         "MUROJAAT_SMS_QUIET_HOURS": ""}
    e.update(env or {})
    c = {"outbox.chat_interval_ms": "0"}
    c.update(conf or {})
    ns = [Server(t, env=e, conf=c, demo_apps=demo_apps) for _ in range(2)]
    if not start:
        return ns
    errs = []
    go = threading.Barrier(len(ns))

    def up(s):
        try:
            go.wait(10)
            s.start(wait=120)
        except Exception as ex:  # reported below, in the test's thread
            errs.append(ex)
    th = [threading.Thread(target=up, args=(s,)) for s in ns]
    for x in th:
        x.start()
    for x in th:
        x.join(150)
    if errs:
        raise errs[0]
    return ns


def tg_env(mock):
    return {"MUROJAAT_TELEGRAM_TOKEN": mock.token, "MUROJAAT_TELEGRAM_SECRET": SECRET,
            "MUROJAAT_TELEGRAM_API_BASE": mock.base}


def tg_update(update_id, chat=555000111, text=None):
    with open(os.path.join(FIX, "text_uz_latn.json"), "rb") as f:
        obj = json.loads(f.read())
    obj["update_id"] = update_id
    obj["message"]["chat"]["id"] = obj["message"]["from"]["id"] = chat
    if text is not None:
        obj["message"]["text"] = text
    return json.dumps(obj, ensure_ascii=False).encode()


def tg_post(s, body, timeout=30):
    return s.request("POST", "/telegram/webhook", body=body, timeout=timeout,
                     headers={"Content-Type": "application/json",
                              "X-Telegram-Bot-Api-Secret-Token": SECRET})


def wait(fn, want, timeout):
    """fn() until it equals want or timeout seconds pass; the last value."""
    deadline = time.time() + timeout
    v = fn()
    while v != want and time.time() < deadline:
        time.sleep(0.1)
        v = fn()
    return v


def try_status(fn):
    """fn()'s HTTP status, or None when the node did not answer."""
    try:
        return fn().status
    except OSError:
        return None


def stop_all(t, ns):
    for s in ns:
        if s.proc is not None and s.proc.poll() is None:
            s.check_clean_exit()


# ---- the tests

def test_two_nodes_start_at_once_migrate_and_seed_once(t):
    url = database(t, cluster(t))
    a, b = nodes(t, url, demo_apps=300)
    for s in (a, b):
        t.eq(s.get("/healthz").status, 200, "healthz")
        t.eq(s.get("/readyz").status, 200, "readyz")
    t.eq(a.sql("SELECT count(*) FROM schema_migrations"), [(MIGRATIONS,)], "each migration once")
    t.eq(a.sql("SELECT count(*) FROM applications"), [(300,)], "the demo data seeded once")
    t.eq(a.sql("SELECT count(*) - count(DISTINCT number) FROM applications"), [(0,)])
    migrated = a.log().count("ev=store.migrate ") + b.log().count("ev=store.migrate ")
    t.eq(migrated, MIGRATIONS, "migration lines over both logs")
    # both serve the one store
    r = b.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="start-1")
    t.eq(r.status, 200)
    t.eq(a.sql("SELECT count(*) FROM messages WHERE channel_msg_id = 'start-1'"), [(1,)])
    stop_all(t, (a, b))


def test_redelivery_to_the_other_node_stored_once(t):
    mock = MockTelegram(t)
    url = database(t, cluster(t))
    a, b = nodes(t, url, env=tg_env(mock))
    # Kannel: A then B
    ra = a.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="dup-k1")
    rb = b.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="dup-k1")
    t.eq((ra.status, rb.status), (200, 200))
    t.contains(ra.text, "AR-2025-000001")
    t.eq(rb.text, ra.text, "B answers with A's stored reply")
    t.eq(a.sql("SELECT count(*) FROM messages WHERE direction = 'in' AND channel_msg_id = 'dup-k1'"),
         [(1,)])
    t.eq(a.sql("SELECT count(*) FROM messages WHERE direction = 'out'"), [(1,)])
    # Telegram: A then B, one reply sent
    t.eq(tg_post(a, tg_update(4100)).status, 200)
    t.eq(tg_post(b, tg_update(4100)).status, 200)
    mock.wait_sent(1)
    time.sleep(0.5)
    t.eq(len(mock.sent()), 1, "one reply to a re-delivered update")
    t.eq(a.sql("SELECT count(*) FROM messages WHERE direction = 'in' AND channel = 'telegram'"),
         [(1,)])
    # both at once, ten times over
    n = 10
    got = {}

    def send(s, key, fn):
        try:
            r = fn(s)
            got[key] = (r.status, r.text)
        except OSError as e:
            got[key] = (None, str(e))
    for i in range(n):
        th = []
        for s, who in ((a, "a"), (b, "b")):
            th.append(threading.Thread(target=send, args=(s, ("k", i, who), lambda x, i=i: x.kannel(
                "+99890%07d" % (4200000 + i), "arizam holati AR-2025-000002", msg_id="par-%d" % i))))
            th.append(threading.Thread(target=send, args=(s, ("t", i, who), lambda x, i=i: tg_post(
                x, tg_update(5000 + i, chat=6000 + i)))))
        for x in th:
            x.start()
        for x in th:
            x.join(60)
    for i in range(n):
        ka, kb = got.get(("k", i, "a")), got.get(("k", i, "b"))
        t.eq((ka[0], kb[0]), (200, 200), "Kannel par-%d on both" % i)
        t.eq(ka[1], kb[1], "the same reply to par-%d" % i)
        t.eq((got[("t", i, "a")][0], got[("t", i, "b")][0]), (200, 200), "update %d on both" % i)
    t.eq(a.sql("SELECT count(*), count(DISTINCT channel_msg_id) FROM messages "
               "WHERE direction = 'in' AND channel_msg_id LIKE 'par-%'"), [(n, n)])
    t.eq(a.sql("SELECT count(*) FROM messages WHERE direction = 'in' AND channel = 'telegram' "
               "AND channel_msg_id <> '4100'"), [(n,)])
    mock.wait_sent(1 + n, timeout=30)
    time.sleep(1.0)
    chats = [x["chat_id"] for x in mock.sent()]
    t.eq(sorted(chats[1:]), sorted(str(6000 + i) for i in range(n)), "one reply per update")
    t.ok("murojaat_messages_duplicate_total" in a.get("/metrics").text, "duplicates counted")
    stop_all(t, (a, b))


def test_status_changes_sent_exactly_once_by_two_senders(t):
    sms = MockSendsms(t)
    url = database(t, cluster(t))
    send_url = "http://127.0.0.1:%d/cgi-bin/sendsms?username=u&password=p" % sms.port
    a, b = nodes(t, url, env={"MUROJAAT_REGISTRY_TOKEN": REG_TOKEN,
                              "MUROJAAT_KANNEL_SENDSMS_URL": send_url},
                 conf={"outbox.rate": "100"})
    n = 24
    apps = [x for (x,) in a.sql("SELECT number FROM applications WHERE status IN "
                                "('pending', 'in_review') ORDER BY id LIMIT ?", (n,))]
    t.eq(len(apps), n, "applications to change")
    auth = {"Content-Type": "application/json", "Authorization": "Bearer " + REG_TOKEN}
    body = json.dumps({"status": "approved", "decided_at": "2025-12-01", "payment_at": "2025-12-05"})
    notified = 0
    for i, num in enumerate(apps):
        s = (a, b)[i % 2]
        r = s.request("PUT", "/api/applications/" + num, body=body, headers=auth)
        t.eq(r.status, 200, num)
        notified += 1 if r.status == 200 and json.loads(r.text).get("notified") else 0
    t.eq(notified, n, "each change queued a notice")
    q = "SELECT state, count(*) FROM outbox o JOIN messages m ON m.id = o.message_id " \
        "WHERE m.intent = 'notice' GROUP BY state"
    t.eq(wait(lambda: a.sql(q), [("sent", n)], 60), [("sent", n)], "every notice sent")
    time.sleep(2.0)      # a second send would come within the lease
    texts = [c.get("text", [""])[0] for c in sms.calls]
    t.eq(len(sms.calls), n, "sends at the provider")
    t.eq(len(set(texts)), len(texts), "no notice sent twice")
    for num in apps:
        t.eq(sum(1 for x in texts if num in x), 1, "notices of " + num)
    stop_all(t, (a, b))


def test_node_killed_under_load_the_other_finishes(t):
    mock = MockTelegram(t)
    mock.delay = 0.2       # sends in flight and leased when A dies
    url = database(t, cluster(t))
    a, b = nodes(t, url, env=tg_env(mock), conf={"outbox.rate": "20"})
    m = 60
    acked, refused = [], []
    killed_at = None
    t0 = time.time()
    for i in range(m):
        if time.time() - t0 > 90:
            break
        s = (a, b)[i % 2]
        if i == m // 2:
            mock.wait_sent(3, timeout=20)
            a.kill()                     # SIGKILL: no goodbye, its leases stay
            killed_at = time.time()
        st = try_status(lambda: tg_post(s, tg_update(7000 + i, chat=8000 + i), timeout=15))
        if st is not None and 200 <= st < 300:
            acked.append(i)
        else:
            refused.append((i, st))
    t.ok(killed_at is not None, "A was killed mid-loop")
    t.ok(len(acked) >= m // 2, "most acknowledged: %d of %d" % (len(acked), m))
    t.ok(all(i % 2 == 0 and i >= m // 2 for i, _ in refused),
         "only calls to the dead node went unanswered: %r" % refused[:5])
    stored = {x for (x,) in b.sql("SELECT channel_msg_id FROM messages "
                                  "WHERE direction = 'in' AND channel = 'telegram'")}
    missing = [i for i in acked if str(7000 + i) not in stored]
    t.eq(missing, [], "acknowledged but not stored")
    mock.delay = 0
    left = "SELECT count(*) FROM outbox WHERE state <> 'sent'"
    t.eq(wait(lambda: b.sql(left), [(0,)], LEASE_S + 40), [(0,)], "every outbox row sent by B")
    t.ok(time.time() - killed_at < LEASE_S + 60, "within the lease time and the sending")
    chats = {x["chat_id"] for x in mock.sent()}
    want = {str(8000 + i) for i in acked}
    t.eq(sorted(want - chats), [], "every acknowledged message answered")
    b.check_clean_exit()


def test_postgresql_restart_under_load(t):
    pg = own_cluster(t)          # it stops PostgreSQL: never a shared one
    url = database(t, pg)
    a, b = nodes(t, url)
    results = []                 # (phase, msg_id, status)
    phase = ["before"]
    stop = threading.Event()

    def load():
        i = 0
        deadline = time.time() + 120
        while not stop.is_set() and time.time() < deadline and i < 2000:
            s = (a, b)[i % 2]
            mid = "pgr-%d" % i
            st = try_status(lambda: s.kannel("+99890%07d" % (5100000 + i % 50), "salom", msg_id=mid))
            results.append((phase[0], mid, st))
            i += 1
            time.sleep(0.02)
    th = threading.Thread(target=load)
    th.start()
    try:
        time.sleep(2.0)
        phase[0] = "down"
        cluster_sh("pgstop", pg)
        time.sleep(1.0)
        ready_down = [try_status(lambda s=s: s.get("/readyz", timeout=15)) for s in (a, b)]
        web_down = try_status(lambda: a.kannel("+998905555555", "salom", msg_id="pgr-down"))
        time.sleep(2.0)
        cluster_sh("pgstart", pg)
        phase[0] = "after"
        ready = lambda: [try_status(lambda s=s: s.get("/readyz", timeout=15)) for s in (a, b)]
        ready_up = wait(ready, [200, 200], 60)
        time.sleep(3.0)
    finally:
        stop.set()
        th.join(150)
    t.eq(ready_down, [503, 503], "/readyz while PostgreSQL is down")
    t.eq(web_down, 503, "a webhook while PostgreSQL is down")
    t.eq(ready_up, [200, 200], "/readyz after PostgreSQL is back, nodes not restarted")
    for s in (a, b):
        t.eq(s.proc.poll(), None, "the node kept running")
    by = {}
    for ph, _, st in results:
        by.setdefault(ph, []).append(st)
    t.ok(all(st == 200 for st in by.get("before", [])), "before: %r" % by.get("before", [])[:5])
    t.ok(all(st in (200, 503) for st in by.get("down", [])),
         "while down: only 200 (taken before it went) or 503: %r" % sorted(set(by.get("down", [])), key=str))
    after = by.get("after", [])
    t.ok(after.count(200) >= 10, "served again after the restart: %d" % after.count(200))
    t.ok(after[-5:] == [200] * 5 if len(after) >= 5 else False, "the last ones: %r" % after[-5:])
    acked = {mid for _, mid, st in results if st is not None and 200 <= st < 300}
    stored = {x for (x,) in a.sql("SELECT channel_msg_id FROM messages WHERE direction = 'in' "
                                  "AND channel_msg_id LIKE 'pgr-%'")}
    t.eq(sorted(acked - stored, key=str), [], "acknowledged but not stored")
    t.ok(len(acked) >= 20, "acknowledged: %d" % len(acked))
    stop_all(t, (a, b))


# ---- nginx in front of both (deploy/nginx-two-nodes.conf)

def nginx_two_nodes(t, ports):
    """deploy/nginx-two-nodes.conf rendered for loopback (as test_nginx
    renders nginx-murojaat.conf) and started; its plain-HTTP port is a
    redirect, so requests go by TLS.  None without nginx or openssl."""
    from test_nginx import NGINX, available
    if not available():
        return None
    d = tempfile.mkdtemp(prefix="murojaat-nginx2-")
    os.chmod(d, 0o755)
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    logs = os.path.join(d, "logs")
    os.makedirs(logs)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=bot.example.uz", "-keyout", os.path.join(d, "key.pem"),
                    "-out", os.path.join(d, "cert.pem")], check=True, capture_output=True)
    with open(os.path.join(ROOT, "deploy", "nginx-two-nodes.conf"), encoding="utf-8") as f:
        text = f.read()
    https = harness.free_port()
    subs = [
        ("/etc/letsencrypt/live/bot.example.uz/fullchain.pem", os.path.join(d, "cert.pem")),
        ("/etc/letsencrypt/live/bot.example.uz/privkey.pem", os.path.join(d, "key.pem")),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", "listen 127.0.0.1:%d;" % harness.free_port()),
        ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https),
        ("server 127.0.0.1:8081 ", "server 127.0.0.1:%d " % ports[0]),
        ("server 127.0.0.1:8082 ", "server 127.0.0.1:%d " % ports[1]),
        ("/var/log/nginx/", logs + "/"),
        ("allow 10.0.0.0/8;", "allow 127.0.0.1; allow 10.0.0.0/8;"),
    ]
    for old, new in subs:
        t.ok(old in text, "deploy/nginx-two-nodes.conf no longer has %r" % old)
        text = text.replace(old, new)
    with open(os.path.join(d, "murojaat.conf"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(d, "nginx.conf"), "w", encoding="utf-8") as f:
        f.write("pid {d}/nginx.pid;\nerror_log {d}/logs/main-error.log info;\n"
                "events {{ worker_connections 64; }}\nhttp {{\n"
                "\tclient_body_temp_path {d}/body;\n\tproxy_temp_path {d}/proxy;\n"
                "\tfastcgi_temp_path {d}/fastcgi;\n\tuwsgi_temp_path {d}/uwsgi;\n"
                "\tscgi_temp_path {d}/scgi;\n\tinclude {d}/murojaat.conf;\n}}\n".format(d=d))
    args = [NGINX, "-p", d, "-c", os.path.join(d, "nginx.conf")]
    p = subprocess.run(args + ["-t"], capture_output=True, timeout=30)
    t.eq(p.returncode, 0, "nginx -t: " + (p.stdout + p.stderr).decode("utf-8", "replace"))
    proc = subprocess.Popen(args + ["-g", "daemon off;"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop():
        if proc.poll() is None:
            proc.terminate()      # the nginx this test started, by its PID
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    t.defer(stop)

    def get(path):
        c = http.client.HTTPSConnection("127.0.0.1", https, timeout=15,
                                        context=ssl._create_unverified_context())
        try:
            c.request("GET", path, headers={"Host": "bot.example.uz"})
            r = c.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            c.close()
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            get("/healthz")
            return get
        except OSError:
            time.sleep(0.1)
    raise harness.Failed("nginx did not answer")


def test_nginx_balances_over_both_nodes_and_skips_a_stopped_one(t):
    url = database(t, cluster(t))
    a, b = nodes(t, url)
    get = nginx_two_nodes(t, (a.port, b.port))
    if get is None:
        print("[test_pg_nodes] nginx or openssl is not installed (tools/deps.sh test): "
              "deploy/nginx-two-nodes.conf was not checked", flush=True)
        stop_all(t, (a, b))
        return

    def kannel(i):
        q = urllib.parse.urlencode([("from", "+99890%07d" % (5300000 + i)), ("to", "1234"),
                                    ("text", "arizam holati AR-2025-000001"),
                                    ("id", "ngx-%d" % i)], quote_via=urllib.parse.quote_plus)
        return get("/sms/kannel?" + q)
    n = 20
    st = [kannel(i)[0] for i in range(n)]
    t.eq(st, [200] * n, "through nginx")
    per = [s.log().count("ev=msg.in") for s in (a, b)]
    t.eq(sum(per), n, "each message taken once: %r" % per)
    t.ok(per[0] >= n // 4 and per[1] >= n // 4, "both nodes took a share: %r" % per)
    # one node stopped: nginx goes to the other, nothing is lost
    a.check_clean_exit()
    st = [kannel(n + i)[0] for i in range(n)]
    t.eq(st, [200] * n, "with node A stopped")
    t.eq(b.sql("SELECT count(*) FROM messages WHERE direction = 'in' "
               "AND channel_msg_id LIKE 'ngx-%'"), [(2 * n,)])
    b.check_clean_exit()


class Desk:
    """A help-desk client signed in on one node; its cookie goes anywhere."""

    def __init__(self, t, srv, name, password):
        r = srv.request("POST", "/api/login", body=json.dumps({"username": name, "password": password}),
                        headers={"Content-Type": "application/json"})
        t.eq(r.status, 200, "login of %s" % name)
        self.cookie = (r.header("Set-Cookie") or "").split(";")[0]
        self.csrf = json.loads(r.body)["csrf"] if r.status == 200 else ""

    def get(self, srv, path):
        r = srv.request("GET", path, headers={"Cookie": self.cookie})
        return r, json.loads(r.body or b"null")

    def post(self, srv, path, body=None):
        r = srv.request("POST", path, body=json.dumps(body or {}),
                        headers={"Cookie": self.cookie, "Content-Type": "application/json",
                                 "X-CSRF-Token": self.csrf})
        return r, json.loads(r.body or b"null")


def test_helpdesk_the_same_on_either_node(t):
    """A session opened on A works on B; a takeover on A silences the bot on
    B; a reply sent through B is audited and seen from A; a logout on B ends
    the session on A; login failures counted on both nodes add up."""
    url = database(t, cluster(t))
    a, b = nodes(t, url, conf={"helpdesk.hold": 60, "auth.login_max": 3,
                               "auth.login_window": 60})
    pw = "a long pass phrase 7"
    code, _, err = harness.murojaat(["staff", "add", "agent1", "--role", "agent"], stdin=pw + "\n",
                                    env={"MUROJAAT_DB_URL": url})
    t.eq(code, 0, err)
    t.eq(a.kannel("+998901234567", "operator bilan gaplashmoqchiman", msg_id="hd-1").status, 200)
    d = Desk(t, a, "agent1", pw)
    r, me = d.get(b, "/api/me")
    t.eq(r.status, 200, "the session opened on A, on B")
    t.eq(me.get("username"), "agent1")
    r, inbox = d.get(b, "/api/conversations?needs_human=1")
    t.eq(r.status, 200)
    ids = [c["id"] for c in inbox["items"]]
    t.eq(len(ids), 1, "the conversation A stored, listed by B: %r" % inbox)
    cid = ids[0]
    r, body = d.post(a, "/api/conversations/%d/take" % cid)
    t.eq(r.status, 200, "take on A: %r" % body)
    r, v = d.get(b, "/api/conversations/%d" % cid)
    t.eq(v["contact"]["held_by_me"], True, "B sees A's hold")
    outs = a.sql("SELECT count(*) FROM messages WHERE direction = 'out'")[0][0]
    r = b.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="hd-2")
    t.eq(r.status, 200)
    t.lacks(r.text, "AR-2025-000001", "B's bot answered a conversation A's agent holds")
    t.eq(a.sql("SELECT count(*) FROM messages WHERE direction = 'out'")[0][0], outs,
         "no bot reply while held")
    r, body = d.post(b, "/api/conversations/%d/reply" % cid, {"text": "Salom, tekshiryapman."})
    t.eq(r.status, 200, "reply through B: %r" % body)
    mid = body.get("message_id")
    t.eq(a.sql("SELECT count(*) FROM audit WHERE action = 'reply' AND detail = ?",
               ("message=%s" % mid,)), [(1,)], "the reply audited once")
    r, v = d.get(a, "/api/conversations/%d" % cid)
    t.ok(any(m.get("body") == "Salom, tekshiryapman." for m in v.get("messages", [])),
         "A shows the reply sent through B")
    t.eq(a.sql("SELECT action FROM audit WHERE contact_id = ? AND action IN ('take', 'reply') "
               "ORDER BY id", (cid,)), [("take",), ("reply",)], "take on A and reply on B, audited")
    r, _ = d.post(b, "/api/logout")
    t.eq(r.status, 200)
    t.eq(d.get(a, "/api/me")[0].status, 401, "logged out on B: the session is gone on A")
    # Failed logins of one name on A, B, A: the limit (3) counts them all,
    # so the right password on B is refused too.
    for i, s in enumerate((a, b, a)):
        r = s.request("POST", "/api/login", body=json.dumps({"username": "agent1",
                                                            "password": "wrong guess %d" % i}),
                      headers={"Content-Type": "application/json"})
        t.eq(r.status, 401, "failure %d" % i)
    r = b.request("POST", "/api/login", body=json.dumps({"username": "agent1", "password": pw}),
                  headers={"Content-Type": "application/json"})
    t.eq(r.status, 429, "throttled across nodes")
    t.eq(a.sql("SELECT count(*) FROM audit WHERE action = 'login.fail'"), [(3,)])
    stop_all(t, (a, b))
