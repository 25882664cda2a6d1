"""A real Kannel (bearerbox + smsbox + fakesmsc) in front of a murojaat server
under test, for end-to-end SMS tests.

    srv = harness.Server(t, env={"MUROJAAT_KANNEL_TOKEN": TOKEN})
    k = kannel.Kannel(t, srv.port, token=TOKEN)   # picks free loopback ports
    srv.env["MUROJAAT_KANNEL_SENDSMS_URL"] = k.sendsms_url
    srv.start()
    k.start()                               # stopped again by t.defer
    n = k.count()
    k.send("+998901234567", "arizam holati AR-2025-000001")
    mts = k.wait_for(1, after=n)            # [{"to", "coding", "text", ...}]

Kannel runs from tests/kannel/ (start.sh, stop.sh, fsms.py) with its state
(rendered config, pid files, FIFO, logs) in its own temporary directory, so
several can run at once.  If Kannel is not installed, start() raises
harness.Failed: the test fails; tools/deps.sh test installs it.
"""
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import harness

KANNEL_DIR = os.path.join(harness.ROOT, "tests", "kannel")
SHORTCODE = "1234"
SENDSMS_USER = "murojaat"
SENDSMS_PASSWORD = "murojaat-test-secret"
STATUS_PASSWORD = "murojaat-test-status"
COULD_NOT_FETCH = "KANNEL-COULD-NOT-FETCH"   # reply-couldnotfetch in kannel.conf
# the same defaults and overrides as start.sh
BINARIES = {"BEARERBOX": "/usr/sbin/bearerbox", "SMSBOX": "/usr/sbin/smsbox",
            "FAKESMSC": "/usr/lib/kannel/test/fakesmsc"}


def _load_fsms():
    spec = importlib.util.spec_from_file_location("murojaat_fsms", os.path.join(KANNEL_DIR, "fsms.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


fsms = _load_fsms()


def free_ports(n):
    """n distinct free loopback ports (all held open while choosing)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _coding(rec):
    """fsms's "text (0)", "ucs-2 (guessed)", ... -> "text", "ucs-2", "data"."""
    c = rec.get("coding") or rec.get("type") or ""
    return c.split(" ")[0]


class Kannel:
    def __init__(self, t, app_port, shortcode=SHORTCODE, token=""):
        self.t = t
        self.token = token          # murojaat's kannel.token, in get-url
        self.app_port = int(app_port)
        self.shortcode = shortcode
        self.state = tempfile.mkdtemp(prefix="murojaat-kannel-")
        self.logs = os.path.join(self.state, "logs")
        self.fifo = os.path.join(self.state, "run", "fakesmsc.in")
        self.fakelog = os.path.join(self.logs, "fakesmsc.log")
        self.started = False
        self._pick_ports()

    def _pick_ports(self):
        while True:
            ports = free_ports(4)
            if self.app_port not in ports:
                break
        self.admin_port, self.smsbox_port, self.fake_port, self.sendsms_port = ports

    @property
    def sendsms_url(self):
        return "http://127.0.0.1:%d/cgi-bin/sendsms?username=%s&password=%s" % (
            self.sendsms_port, SENDSMS_USER, SENDSMS_PASSWORD)

    @property
    def status_url(self):
        return "http://127.0.0.1:%d/status.txt?password=%s" % (self.admin_port, STATUS_PASSWORD)

    def _env(self):
        e = dict(os.environ)
        e.update({
            "KANNEL_STATE_DIR": self.state,
            "KANNEL_APP_PORT": str(self.app_port),
            "KANNEL_ADMIN_PORT": str(self.admin_port),
            "KANNEL_SMSBOX_PORT": str(self.smsbox_port),
            "KANNEL_FAKE_PORT": str(self.fake_port),
            "KANNEL_SENDSMS_PORT": str(self.sendsms_port),
            "KANNEL_SHORTCODE": self.shortcode,
            "KANNEL_APP_TOKEN": self.token,
        })
        return e

    def start(self, attempts=3):
        self.t.defer(self.stop)
        missing = [p for p in (os.environ.get(k, v) for k, v in BINARIES.items())
                   if not os.access(p, os.X_OK)]
        if missing:
            raise harness.Failed("Kannel is not installed (%s missing); run tools/deps.sh test "
                                 "(apt-get install -y kannel kannel-extras)" % ", ".join(missing))
        out = ""
        for i in range(attempts):
            p = subprocess.run([os.path.join(KANNEL_DIR, "start.sh")], env=self._env(),
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
            out = (p.stdout + p.stderr).decode("utf-8", "replace")
            self.started = True         # logs worth keeping either way
            if p.returncode == 0:
                return self
            if p.returncode != 3:       # 3: a port was taken meanwhile
                break
            self._pick_ports()
        raise harness.Failed("Kannel did not start (state in %s):\n%s\n%s" % (self.state, out, self.log_tail()))

    def stop(self):
        subprocess.run([os.path.join(KANNEL_DIR, "stop.sh")], env=self._env(),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        started, self.started = self.started, False
        if started and (self.t.failed or os.environ.get("KEEP_E2E") is not None):
            print("[%s] Kannel logs kept in %s" % (self.t.name, self.logs), flush=True)
        else:
            shutil.rmtree(self.state, ignore_errors=True)

    # ---------------------------------------------------------------- MO
    def send(self, phone, text, mode="auto", to=None):
        """Inject one MO SMS from phone through fakesmsc (7-bit if GSM,
        else UCS-2, like a phone).  Returns how it was encoded."""
        lines, desc = fsms.encode(phone, to or self.shortcode, text, mode)
        try:
            fsms.inject(self.fifo, self.fakelog, lines)
        except fsms.FsmsError as e:
            raise harness.Failed("%s\n%s" % (e, self.log_tail()))
        return desc

    # ---------------------------------------------------------------- MT
    def inbox(self, after=0, incomplete=False):
        """MT messages fakesmsc received (what the phones got), oldest first,
        concatenated parts joined: [{"to", "from", "coding", "text", "parts"}].
        after=N skips the first N of them (see count()); a message whose
        parts have not all arrived is left out unless incomplete=True."""
        if not os.path.exists(self.fakelog):
            return []
        out = []
        for r in fsms.decode(self.fakelog):
            if r.get("incomplete") and not incomplete:
                continue
            if r.get("kind") == "continuation":      # a line nobody could join
                out.append({"to": None, "from": None, "coding": "?", "text": r["text"], "parts": 1})
                continue
            out.append({"to": r.get("receiver"), "from": r.get("sender"), "coding": _coding(r),
                        "text": r.get("text", ""), "parts": r.get("parts", 1),
                        "incomplete": bool(r.get("incomplete"))})
        return out[after:]

    def count(self):
        return len(self.inbox())

    def wait_for(self, n, timeout=15.0, after=0, settle=0.0):
        """Poll until at least n MT messages arrived after the first `after`,
        or timeout; then wait `settle` seconds more (fakesmsc polls bearerbox
        about once a second, so stragglers need that).  Returns them all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.inbox(after)) >= n:
                break
            time.sleep(0.1)
        if settle > 0:
            time.sleep(settle)
        return self.inbox(after)

    # ---------------------------------------------------------------- debug
    def status(self):
        try:
            with urllib.request.urlopen(self.status_url, timeout=5) as r:
                return r.read().decode("utf-8", "replace")
        except OSError as e:
            return "status: %s" % e

    def log_tail(self, lines=15):
        parts = []
        for name in ("smsbox.log", "bearerbox.log", "fakesmsc.log", "smsbox.out", "bearerbox.out"):
            p = os.path.join(self.logs, name)
            try:
                with open(p, "rb") as f:
                    tail = f.read().decode("utf-8", "replace").splitlines()[-lines:]
            except OSError:
                continue
            parts.append("--- %s\n%s" % (p, "\n".join(tail)))
        return "\n".join(parts)

    def app_requests(self):
        """smsbox's log lines about calling the app (for failure messages)."""
        p = os.path.join(self.logs, "smsbox.log")
        try:
            with open(p, "rb") as f:
                return [ln for ln in f.read().decode("utf-8", "replace").splitlines()
                        if "sms/kannel" in ln or "Couldn't fetch" in ln or "ERROR" in ln]
        except OSError:
            return []
