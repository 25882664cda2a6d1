"""Help-desk logins behind the reverse proxy, and the first account.

The client is the TCP peer unless the peer is one of http.trusted_proxies;
then X-Real-IP (or the right-most untrusted X-Forwarded-For) names it, for
the login throttle and the audit rows.  Failures are throttled per account
and client, and per account only softly, so a stranger elsewhere cannot lock
the owner out; an attempt is counted in the transaction that checks it, so
parallel tries get no more verifications than the limit.  A production
start creates no account and prints no password; the demo's password goes
to the terminal, never to a log."""
import json
import os
import pty
import subprocess
import threading
import time

from harness import SAN_MARKERS, Failed, Server
from test_helpdesk_api import PW, add_staff


def login(s, name, pw, real_ip=None, xff=None):
    h = {"Content-Type": "application/json"}
    if real_ip is not None:
        h["X-Real-IP"] = real_ip
    if xff is not None:
        h["X-Forwarded-For"] = xff
    return s.request("POST", "/api/login", body=json.dumps({"username": name, "password": pw}),
                     headers=h)


def audit_logins(s):
    return s.sql("SELECT action, ip, detail FROM audit WHERE action LIKE 'login%' ORDER BY id")


def test_client_named_by_trusted_proxy(t):
    s = Server(t, conf={"http.trusted_proxies": "10.0.0.0/8, 127.0.0.1 ::1"}).start()
    add_staff(t, s, "agent1", "agent")
    # a stranger at A: 5 failures, then 429 for A only
    codes = [login(s, "agent1", "wrong password %d" % i, real_ip="203.0.113.7").status
             for i in range(20)]
    t.eq(codes, [401] * 5 + [429] * 15, "A's tries")
    # the owner at B signs in
    r = login(s, "agent1", PW, real_ip="198.51.100.23")
    t.eq(r.status, 200, "the owner from another address: %s" % r.text)
    # A is still refused, even with the right password
    t.eq(login(s, "agent1", PW, real_ip="203.0.113.7").status, 429)
    # X-Forwarded-For as nginx writes it: what the client claimed, then its address
    t.eq(login(s, "agent1", "wrong once more", xff="203.0.113.99, 192.0.2.44").status, 401)
    rows = audit_logins(s)
    t.eq(rows[0][:2], ("login.fail", "203.0.113.7"))
    t.eq(rows[5], ("login.limited", "203.0.113.7", "client"))
    t.ok(("login", "198.51.100.23", "") in rows, "the owner's login and address: %r" % rows)
    t.eq(rows[-1][:2], ("login.fail", "192.0.2.44"))
    t.eq([x for x in rows if x[1] not in ("203.0.113.7", "198.51.100.23", "192.0.2.44")], [],
         "every row names the real client")
    s.check_clean_exit()


def test_headers_ignored_without_trusted_proxy(t):
    for conf in ({}, {"http.trusted_proxies": "10.0.0.0/8"}):
        s = Server(t, conf=conf).start()
        add_staff(t, s, "agent1", "agent")
        for i in range(5):
            r = login(s, "agent1", "wrong password %d" % i, real_ip="203.0.113.%d" % i,
                      xff="203.0.113.%d" % i)
            t.eq(r.status, 401)
        # the peer (127.0.0.1) is the client: the sixth address is the same one
        r = login(s, "agent1", PW, real_ip="198.51.100.23", xff="198.51.100.23")
        t.eq(r.status, 429, "conf %r" % conf)
        t.eq({x[1] for x in audit_logins(s)}, {"127.0.0.1"})
        s.check_clean_exit()


def test_bad_trusted_proxies_stop_startup(t):
    s = Server(t, conf={"http.trusted_proxies": "127.0.0.1, 10.0.0.0/40"})
    try:
        s.start(wait=30)
        t.ok(False, "started with a bad http.trusted_proxies")
    except Failed as e:
        t.contains(str(e), "10.0.0.0/40")


def test_account_soft_limit(t):
    s = Server(t, conf={"http.trusted_proxies": "127.0.0.1", "auth.login_max": 3,
                        "auth.login_account_max": 6}).start()
    add_staff(t, s, "agent1", "agent")
    for ip in ("203.0.113.1", "203.0.113.2"):
        for i in range(3):
            t.eq(login(s, "agent1", "wrong password %d" % i, real_ip=ip).status, 401)
        t.eq(login(s, "agent1", "wrong password 4", real_ip=ip).status, 429)
    # six failures on the account: everyone waits a little, nobody for the window
    r = login(s, "agent1", PW, real_ip="198.51.100.23")
    t.eq(r.status, 429)
    ra = int(r.header("Retry-After") or 0)
    t.ok(1 <= ra <= 2, "first delay %d s" % ra)
    t.eq(audit_logins(s)[-1], ("login.limited", "198.51.100.23", "account"))
    time.sleep(ra)
    # a seventh failure doubles the delay
    t.eq(login(s, "agent1", "wrong password 7", real_ip="203.0.113.3").status, 401)
    r = login(s, "agent1", PW, real_ip="198.51.100.23")
    t.eq(r.status, 429)
    ra = int(r.header("Retry-After") or 0)
    t.ok(3 <= ra <= 4, "second delay %d s" % ra)
    time.sleep(ra)
    t.eq(login(s, "agent1", PW, real_ip="198.51.100.23").status, 200, "the owner, after the delay")
    # the strangers' own limits still hold
    r = login(s, "agent1", PW, real_ip="203.0.113.1")
    t.eq(r.status, 429)
    t.ok(int(r.header("Retry-After") or 0) > 800, "A waits out the window")
    s.check_clean_exit()


def test_parallel_tries_counted_before_hashing(t):
    s = Server(t, conf={"http.threads": 8}).start()
    add_staff(t, s, "agent1", "agent")
    codes, lock = [], threading.Lock()
    go = threading.Barrier(30)

    def one(i):
        go.wait()
        st = login(s, "agent1", "wrong password %d" % i).status
        with lock:
            codes.append(st)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    t.eq((codes.count(401), codes.count(429)), (5, 25), "30 at once against a limit of 5")
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action = 'login.fail'"), [(5,)])
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action = 'login.limited'"), [(25,)])
    s.check_clean_exit()


def test_production_start_creates_no_account(t):
    s = Server(t, demo_apps=0).start()
    s.stop()
    s.start()
    deadline = time.time() + 20
    while s.log().count("ev=staff.none") < 2 and time.time() < deadline:
        time.sleep(0.05)
    t.eq(s.log().count("ev=staff.none"), 2, "said at each start")
    t.eq(s.sql("SELECT count(*) FROM staff"), [(0,)], "accounts after two starts")
    log = s.log()
    t.contains(log, "murojaat staff add NAME --role admin")
    t.contains(log, "ev=staff.none")
    t.lacks(log, "Demo login")
    t.lacks(log, "demo /")
    s.check_clean_exit()


def test_demo_without_terminal_shows_no_password(t):
    """serve --demo with stderr in a file (a journal): nothing to show a
    password on, so no account."""
    s = Server(t)
    s.logf = open(s.log_path, "ab")
    s.proc = subprocess.Popen([s.binary, "--config", s.conf_path, "serve", "--demo"], cwd=s.dir,
                              env=s.env, stdout=s.logf, stderr=s.logf, stdin=subprocess.DEVNULL)
    wait_healthy(t, s)
    # said just after the server answers: wait for the line
    deadline = time.time() + 20
    while "ev=staff.none" not in s.log() and time.time() < deadline:
        time.sleep(0.05)
    t.eq(s.sql("SELECT count(*) FROM staff"), [(0,)])
    t.contains(s.log(), "murojaat staff add NAME --role admin")
    t.lacks(s.log(), "Demo login")
    s.check_clean_exit()


def wait_healthy(t, s, wait=60):
    deadline = time.time() + wait
    while time.time() < deadline:
        if s.proc.poll() is not None:
            raise Failed("server exited: %s" % s.log())
        try:
            if s.get("/healthz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise Failed("no /healthz")


def test_demo_password_on_terminal_only(t):
    """make run's demo: the password is written to the terminal (stderr, a
    tty here) and to nothing else; it signs in."""
    s = Server(t)
    master, slave = pty.openpty()
    s.logf = open(s.log_path, "ab")
    s.proc = subprocess.Popen([s.binary, "--config", s.conf_path, "serve", "--demo"], cwd=s.dir,
                              env=s.env, stdout=s.logf, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    tty = []

    def drain():
        while True:
            try:
                b = os.read(master, 4096)
            except OSError:
                return
            if not b:
                return
            tty.append(b)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    wait_healthy(t, s)
    pw = None
    deadline = time.time() + 30
    while pw is None and time.time() < deadline:
        text = b"".join(tty).decode("utf-8", "replace")
        for line in text.splitlines():
            if line.startswith("Demo login") and "demo / " in line:
                pw = line.split("demo / ", 1)[1].strip()
        time.sleep(0.05)
    t.ok(pw is not None and len(pw) == 16, "a demo password on the terminal: %r" % pw)
    pw = pw or "-"
    t.eq(s.sql("SELECT username, role FROM staff"), [("demo", "supervisor")])
    t.eq(login(s, "demo", pw).status, 200)
    t.lacks(s.log(), pw, "the password in stdout's file")
    for (d,) in s.sql("SELECT detail FROM audit"):
        t.lacks(d, pw)
    # a second start: the account exists, nothing new is shown
    rc = s.stop()
    t.eq(rc, 0)
    reader.join(5)
    text = b"".join(tty).decode("utf-8", "replace")
    for m in SAN_MARKERS:
        t.lacks(text, m)
    t.eq(text.count("Demo login"), 1)
    os.close(master)
