"""The first help-desk account.  A production start creates no account and
prints no password; `serve --demo` (make run) shows the demo's password on
the terminal, never in a log."""
import json
import os
import pty
import subprocess
import threading
import time

from harness import SAN_MARKERS, Failed, Server


def login(s, name, pw, real_ip=None, xff=None):
    h = {"Content-Type": "application/json"}
    if real_ip is not None:
        h["X-Real-IP"] = real_ip
    if xff is not None:
        h["X-Forwarded-For"] = xff
    return s.request("POST", "/api/login", body=json.dumps({"username": name, "password": pw}),
                     headers=h)


def test_production_start_creates_no_account(t):
    s = Server(t, demo_apps=0).start()
    s.stop()
    s.start()
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
