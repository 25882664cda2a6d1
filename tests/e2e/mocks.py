"""Loopback peers that play the providers and record what they are sent.

MockTelegram answers the Bot API at http://127.0.0.1:PORT/bot<TOKEN>/<method>
like Telegram does ({"ok": true, "result": ...}), records every call, and can
be told to misbehave: plan a list of answers ("ok", 500, 429 with
retry_after, 403, a delay), or go down (refuse connections).

MockSendsms answers Kannel's sendsms like Kannel (202 "0: Accepted for
delivery"), records the numbers (got) and queries (calls), and can be slow,
failing (503), refusing (400) or down."""
import json
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harness import free_port


class PeerServer(ThreadingHTTPServer):
    """A mock's HTTP server.  A request that fails is recorded, not printed:
    the peer going away (murojaat killed, or giving up on a slow answer) is
    counted in resets; anything else is the mock's own fault, kept in faults
    and failed by check() when the mock stops."""
    daemon_threads = True
    allow_reuse_address = True
    PEER_GONE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, TimeoutError)

    def __init__(self, addr, handler):
        super().__init__(addr, handler)
        self.resets = 0
        self.faults = []

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, self.PEER_GONE):
            self.resets += 1
        else:
            self.faults.append(traceback.format_exc())

    def check(self, t, name):
        """Fail t once per fault the handler raised (with its traceback)."""
        for f in self.faults:
            t.ok(False, "%s raised while answering:\n%s" % (name, f))
        self.faults = []


class MockTelegram:
    def __init__(self, t, token="123456:TEST-token"):
        self.t = t
        self.token = token
        self.calls = []            # [(method, json body, time)]
        self.lock = threading.Lock()
        self.plan = []             # answers to give before "ok"
        self.default = "ok"
        self.delay = 0.0
        self.port = free_port()
        self.srv = None
        self.start()
        t.defer(self.stop)

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        mock = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # one segment per answer: no 40 ms wait for a delayed ACK

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                prefix = "/bot%s/" % mock.token
                if not self.path.startswith(prefix):
                    return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                method = self.path[len(prefix):]
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else {}
                except ValueError:
                    return self._send(400, {"ok": False, "error_code": 400, "description": "Bad Request: bad JSON"})
                with mock.lock:
                    answer = mock.plan.pop(0) if mock.plan else mock.default
                    delay = mock.delay
                if delay:
                    time.sleep(delay)
                if answer == "ok":
                    with mock.lock:
                        mock.calls.append((method, body, time.time()))
                    if method == "getWebhookInfo":
                        res = {"url": mock.webhook or "", "has_custom_certificate": False,
                               "pending_update_count": 0}
                    elif method == "setWebhook":
                        mock.webhook = body.get("url")
                        mock.webhook_secret = body.get("secret_token")
                        mock.allowed = body.get("allowed_updates")
                        res = True
                    else:
                        res = {"message_id": len(mock.calls), "date": int(time.time()),
                               "chat": {"id": int(body.get("chat_id", 0)), "type": "private"},
                               "text": body.get("text", "")}
                    return self._send(200, {"ok": True, "result": res})
                with mock.lock:
                    mock.refused.append((method, body, answer))
                if isinstance(answer, tuple) and answer[0] == 429:
                    return self._send(429, {"ok": False, "error_code": 429,
                                            "description": "Too Many Requests: retry after %d" % answer[1],
                                            "parameters": {"retry_after": answer[1]}})
                if answer == 403:
                    return self._send(403, {"ok": False, "error_code": 403,
                                            "description": "Forbidden: bot was blocked by the user"})
                if answer == 400:
                    return self._send(400, {"ok": False, "error_code": 400,
                                            "description": "Bad Request: chat not found"})
                return self._send(int(answer), {"ok": False, "error_code": int(answer),
                                                "description": "Internal Server Error"})

            def _send(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.webhook = None
        self.refused = []
        self.srv = PeerServer(("127.0.0.1", self.port), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        if self.srv is not None:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv.check(self.t, "MockTelegram")
            self.srv = None

    def down(self):
        """Refuse connections (the port stays ours)."""
        self.stop()

    def up(self):
        self.start()

    def sent(self, method="sendMessage"):
        with self.lock:
            return [b for m, b, _ in self.calls if m == method]

    def wait_sent(self, n, timeout=20, method="sendMessage"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(self.sent(method)) >= n:
                return self.sent(method)
            time.sleep(0.05)
        return self.sent(method)


class MockSendsms:
    """Kannel's sendsms interface as the outbox sees it: 202 '0: Accepted',
    or down, slow, or failing on demand."""

    def __init__(self, t):
        self.got, self.mode, self.port = [], "ok", free_port()
        self.calls = []            # every accepted request's query
        self.srv = None
        self.t = t
        self.up()
        t.defer(self.down)

    def up(self):
        mock = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # one segment per answer: no 40 ms wait for a delayed ACK

            def log_message(self, *a):
                pass

            def do_GET(self):
                if mock.mode == "slow":
                    time.sleep(2.5)
                if mock.mode == "error":
                    code, body = 503, b"Service Unavailable"
                elif mock.mode == "refuse":
                    code, body = 400, b"Bad Request"
                else:
                    q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                    mock.calls.append(q)
                    mock.got.append(q.get("to", [""])[0])
                    code, body = 202, b"0: Accepted for delivery"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.srv = PeerServer(("127.0.0.1", self.port), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def down(self):
        if self.srv is not None:
            self.srv.shutdown()
            self.srv.server_close()
            self.srv.check(self.t, "MockSendsms")
            self.srv = None
