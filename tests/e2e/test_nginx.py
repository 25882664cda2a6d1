"""The shipped nginx configuration (deploy/nginx-murojaat.conf) in front of a
murojaat server: rendered into a temporary prefix (a throw-away certificate,
loopback ports, its logs there, Kannel's network widened to 127.0.0.1),
checked by `nginx -t`, then run: Kannel's GET with the sender and text in the
URL goes through, and no log nginx writes holds the phone, the text or the
token; a call without kannel.token is refused; the security headers come
once each.  nginx comes from tools/deps.sh test; without it the test says so
and checks nothing."""
import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.parse

from harness import ROOT, Failed, Server, free_port, murojaat

CONF = os.path.join(ROOT, "deploy", "nginx-murojaat.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TOKEN = "nginx-e2e-kannel-token-77d1"
PHONE = "+998934445566"
TEXT = "salom maxfiy matn 7731"
SECRETS = ("4445566", "maxfiy", "7731", TOKEN)


def available():
    return os.access(NGINX, os.X_OK) and shutil.which("openssl") is not None


def render(t, d, app_port, http_port, https_port):
    """deploy/nginx-murojaat.conf with the machine's places replaced by d's;
    each replacement must apply, so a changed config fails here, loudly."""
    logs = os.path.join(d, "logs")
    os.makedirs(logs)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=bot.example.uz", "-keyout", os.path.join(d, "key.pem"),
                    "-out", os.path.join(d, "cert.pem")], check=True, capture_output=True)
    with open(CONF, encoding="utf-8") as f:
        text = f.read()
    subs = [
        ("/etc/letsencrypt/live/bot.example.uz/fullchain.pem", os.path.join(d, "cert.pem")),
        ("/etc/letsencrypt/live/bot.example.uz/privkey.pem", os.path.join(d, "key.pem")),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", "listen 127.0.0.1:%d;" % http_port),
        ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https_port),
        ("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % app_port),
        ("/var/log/nginx/", logs + "/"),
        ("allow 10.0.0.0/8;", "allow 127.0.0.1; allow 10.0.0.0/8;"),
    ]
    for old, new in subs:
        t.ok(old in text, "deploy/nginx-murojaat.conf no longer has %r" % old)
        text = text.replace(old, new)
    with open(os.path.join(d, "murojaat.conf"), "w", encoding="utf-8") as f:
        f.write(text)
    # Debian's nginx.conf: the "combined" access log in the http context;
    # the servers of the shipped config must override it.
    with open(os.path.join(d, "nginx.conf"), "w", encoding="utf-8") as f:
        f.write("""pid {d}/nginx.pid;
error_log {logs}/main-error.log info;
events {{ worker_connections 64; }}
http {{
	access_log {logs}/access.log combined;
	client_body_temp_path {d}/body;
	proxy_temp_path {d}/proxy;
	fastcgi_temp_path {d}/fastcgi;
	uwsgi_temp_path {d}/uwsgi;
	scgi_temp_path {d}/scgi;
	include {d}/murojaat.conf;
}}
""".format(d=d, logs=logs))
    return logs


def logs_text(logs):
    out = {}
    for name in sorted(os.listdir(logs)):
        with open(os.path.join(logs, name), "rb") as f:
            out[name] = f.read().decode("utf-8", "replace")
    return out


class Nginx:
    def __init__(self, t, app_port):
        self.t = t
        self.dir = tempfile.mkdtemp(prefix="murojaat-nginx-")
        os.chmod(self.dir, 0o755)     # nginx's workers may run as nobody
        self.http_port, self.https_port = free_port(), free_port()
        self.logs = render(t, self.dir, app_port, self.http_port, self.https_port)
        self.args = [NGINX, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")]
        self.proc = None
        t.defer(self.cleanup)

    def check(self):
        p = subprocess.run(self.args + ["-t"], capture_output=True, timeout=30)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")

    def start(self):
        self.proc = subprocess.Popen(self.args + ["-g", "daemon off;"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Failed("nginx exited: %s" % self.proc.stderr.read().decode("utf-8", "replace"))
            try:
                self.get("/healthz")
                return self
            except OSError:
                time.sleep(0.1)
        raise Failed("nginx did not answer")

    def request(self, method, path, body=None, headers=None, tls=True):
        if tls:
            c = http.client.HTTPSConnection("127.0.0.1", self.https_port, timeout=15,
                                            context=ssl._create_unverified_context())
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=15)
        try:
            h = {"Host": "bot.example.uz"}
            h.update(headers or {})
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            return r.status, r.getheaders(), r.read().decode("utf-8", "replace")
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.environ.get("KEEP_E2E") is None:
            shutil.rmtree(self.dir, ignore_errors=True)


def kannel_query(token=TOKEN, msg_id="ng-1"):
    q = [("from", PHONE), ("to", "1234"), ("text", TEXT), ("id", msg_id),
         ("coding", "0"), ("charset", "UTF-8")]
    if token is not None:
        q.insert(0, ("token", token))
    return "/sms/kannel?" + urllib.parse.urlencode(q, quote_via=urllib.parse.quote_plus)


def test_shipped_nginx_logs_no_sender_text_or_token(t):
    if not available():
        print("[test_nginx] nginx or openssl is not installed (tools/deps.sh test): "
              "the shipped configuration was not checked", flush=True)
        return
    # the documented settings behind TLS: http.public_url is https://
    s = Server(t, env={"MUROJAAT_KANNEL_TOKEN": TOKEN,
                       "MUROJAAT_PUBLIC_URL": "https://bot.example.uz"}).start()
    code, _, err = murojaat(["staff", "add", "agent1", "--role", "agent"],
                            stdin="a long pass phrase 1\n", env={"MUROJAAT_DB": s.db})
    t.eq(code, 0, "staff add: " + err)
    n = Nginx(t, s.port)
    rc, out = n.check()
    t.eq(rc, 0, "nginx -t: " + out)
    t.contains(out, "syntax is ok", "nginx -t")
    n.start()
    status, headers, body = n.get(kannel_query())
    t.eq(status, 200, "Kannel's GET through nginx: " + body)
    t.ok(len(body) > 10, "a reply: %r" % body)
    t.eq(s.sql("SELECT body FROM messages WHERE channel_msg_id = 'ng-1'"), [(TEXT,)],
         "the text reached murojaat")
    names = [k.lower() for k, _ in headers]
    for h in ("x-content-type-options", "x-frame-options", "referrer-policy"):
        t.eq(names.count(h), 1, "%s once through nginx: %r" % (h, headers))
    # a delivery report with the phone in its URL, as Kannel's dlr-url has it
    status, _, _ = n.get("/sms/dlr?token=%s&type=1&phone=%s&reply=%s" % (
        TOKEN, urllib.parse.quote(PHONE), urllib.parse.quote(TEXT)))
    t.eq(status, 200, "DLR through nginx")
    # a help-desk login through nginx: the session cookie is Secure
    status, headers, body = n.request("POST", "/api/login", body=json.dumps(
        {"username": "agent1", "password": "a long pass phrase 1"}),
        headers={"Content-Type": "application/json"})
    t.eq(status, 200, "login through nginx: " + body)
    cookie = dict((k.lower(), v) for k, v in headers).get("set-cookie", "")
    t.contains(cookie, "; Secure", "the session cookie behind TLS")
    t.contains(cookie, "HttpOnly", "the session cookie")
    # without the token: refused by murojaat behind nginx
    status, _, body = n.get(kannel_query(token=None, msg_id="ng-2"))
    t.eq(status, 401, "no token through nginx: " + body)
    status, _, _ = n.get(kannel_query(token="wrong", msg_id="ng-3"))
    t.eq(status, 401, "wrong token through nginx")
    t.eq(s.sql("SELECT count(*) FROM messages WHERE channel_msg_id IN ('ng-2', 'ng-3')"), [(0,)])
    # the plain-HTTP redirect logs too
    status, _, _ = n.get(kannel_query(msg_id="ng-4"), tls=False)
    t.eq(status, 301, "plain HTTP redirects")
    # murojaat gone: nginx's 502 and its error line
    s.check_clean_exit()
    status, _, _ = n.get(kannel_query(msg_id="ng-5"))
    t.eq(status, 502, "upstream down")
    time.sleep(0.3)
    logs = logs_text(n.logs)
    access = logs.get("murojaat.access.log", "")
    t.eq(access.count("/sms/kannel"), 5, "each Kannel call logged (path only):\n" + access)
    t.contains(access, '"GET /sms/dlr HTTP/', "the DLR logged")
    for name, text in logs.items():
        for secret in SECRETS:
            t.lacks(text, secret, "nginx's %s holds %r:" % (name, secret))
    t.lacks(logs.get("access.log", ""), "/sms/", "the http context's combined log is not used")
    # and murojaat's own log neither
    for secret in SECRETS:
        t.lacks("\n".join(l for l in s.log().splitlines() if l.startswith("ts=")), secret,
                "murojaat's log holds %r" % secret)
