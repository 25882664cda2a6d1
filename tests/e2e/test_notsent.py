"""No reply silently stuck: serve names at start-up what each way out lacks
(never a secret); an agent's reply with no SMS provider waits in the outbox
without counting attempts, the conversation API says not_sent/no_provider,
and after a restart with kannel.sendsms_url set it is sent; a provider's
failures and refusals come back as retrying and refused; the file provider
writes one line per SMS to a mode-600 file (the full number there, never in
the log), and serve --demo (make run) takes it when no SMS provider is set,
for agents' replies and for notices queued by another process."""
import os
import re
import stat
import tempfile
import time

from harness import Server, murojaat
from mocks import MockSendsms
from test_helpdesk_api import Staff, add_staff

PHONE = "+998901234567"
TEXT = "Assalomu alaykum! Arizangiz ko'rib chiqilmoqda."
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\t(\+\d+)\t(\d+)\t(.*)$")


def wait_for(fn, want, timeout=20):
    """fn() until it returns want, at most timeout seconds; the last value."""
    deadline = time.time() + timeout
    got = fn()
    while got != want and time.time() < deadline:
        time.sleep(0.1)
        got = fn()
    return got


def reply(t, s, text=TEXT, phone=PHONE, msg_id="n1"):
    """A citizen asks for a person; agent1 takes over and replies."""
    r = s.kannel(phone, "operator bilan gaplashmoqchiman", msg_id=msg_id)
    t.eq(r.status, 200)
    a = Staff(t, s, "agent1")
    cid = s.sql("SELECT id FROM contacts WHERE address = ?", (phone,))[0][0]
    r, _ = a.post("/api/conversations/%d/take" % cid)
    t.eq(r.status, 200)
    r, body = a.post("/api/conversations/%d/reply" % cid, {"text": text})
    t.eq(r.status, 200, "reply: %r" % body)
    t.ok(body["message"]["send"]["state"] in ("queued", "not_sent", "sent"),
         "send %r" % body["message"]["send"])
    return a, cid, body["message_id"]


def log_lines(s):
    """The structured log (the start-up banner on stdout names demo phones)."""
    return "\n".join(x for x in s.log().splitlines() if x.startswith("ts="))


def send_of(a, cid, mid):
    r, v = a.get("/api/conversations/%d" % cid)
    for m in v.get("messages", []):
        if m["id"] == mid:
            return m
    return None


def server(t, **kw):
    kw.setdefault("env", {})
    kw["env"].setdefault("MUROJAAT_SMS_QUIET_HOURS", "")
    s = Server(t, **kw).start()
    add_staff(t, s, "agent1", "agent")
    return s


def test_startup_names_what_is_missing(t):
    s = Server(t).start()
    log = s.log()
    t.contains(log, "ev=send.off chan=sms via=kannel missing=kannel.sendsms_url ")
    t.contains(log, "replies and notices to SMS citizens will wait in the outbox and are not sent")
    t.contains(log, "ev=send.off chan=telegram via=telegram missing=telegram.token ")
    t.contains(log, "replies and notices to Telegram citizens will wait in the outbox")
    t.eq(len(re.findall(r"ev=send\.off chan=sms ", log)), 1, "one line for SMS")
    s.check_clean_exit()
    # configured: no such line, and no secret in the log
    secret_pw, secret_tok = "sendsms-pw-9f3a", "123456:TOKEN-b7c1"
    s2 = Server(t, env={"MUROJAAT_KANNEL_SENDSMS_URL":
                        "http://127.0.0.1:9/cgi-bin/sendsms?username=u&password=" + secret_pw,
                        "MUROJAAT_TELEGRAM_TOKEN": secret_tok,
                        "MUROJAAT_TELEGRAM_SECRET": "webhook-secret-e2e"}).start()
    log = s2.log()
    t.lacks(log, "ev=send.off")
    t.contains(log, "ev=send.ready chan=sms via=kannel")
    t.contains(log, "ev=send.ready chan=telegram via=telegram")
    t.lacks(log, secret_pw)
    t.lacks(log, secret_tok)
    s2.check_clean_exit()


def test_not_sent_waits_for_provider_then_is_sent(t):
    s = server(t)
    a, cid, mid = reply(t, s)
    q = "SELECT state, reason, attempts FROM outbox WHERE message_id = %d" % mid
    t.eq(wait_for(lambda: s.sql(q), [("pending", "no_provider", 0)]),
         [("pending", "no_provider", 0)], "waits, no attempt counted")
    m = send_of(a, cid, mid)
    t.eq(m["send"], {"state": "not_sent", "reason": "no_provider", "final": False,
                     "attempts": 0})
    t.eq(m["delivery"], "queued")
    time.sleep(1.5)  # the sender looked again in between: still one line
    log = s.log()
    t.eq(len(re.findall(r"ev=outbox\.waiting .*chan=sms via=kannel missing=kannel.sendsms_url", log)),
         1, "said once")
    t.lacks(log, "cannot build the request")
    t.lacks(log_lines(s), PHONE, "full number in the log")
    t.eq(s.sql(q), [("pending", "no_provider", 0)])
    t.eq(s.stop(), 0)
    # restart with a provider: the waiting reply goes out at once
    mock = MockSendsms(t)
    s.env["MUROJAAT_KANNEL_SENDSMS_URL"] = \
        "http://127.0.0.1:%d/cgi-bin/sendsms?username=u&password=p" % mock.port
    s.start()
    t.eq(wait_for(lambda: s.sql(q), [("sent", None, 0)], timeout=15), [("sent", None, 0)],
         "sent after the restart")
    t.eq(mock.got, [PHONE])
    t.eq(mock.calls[0].get("text"), [TEXT])
    a = Staff(t, s, "agent1")
    m = send_of(a, cid, mid)
    t.eq(m["send"]["state"], "sent")
    t.eq(m["send"]["reason"], None)
    s.check_clean_exit()


def test_provider_failures_and_refusals(t):
    mock = MockSendsms(t)
    mock.mode = "error"
    s = server(t, env={"MUROJAAT_KANNEL_SENDSMS_URL":
                       "http://127.0.0.1:%d/cgi-bin/sendsms?u=1" % mock.port},
               conf={"outbox.backoff_cap": 1})
    a, cid, mid = reply(t, s)
    q = "SELECT state, reason FROM outbox WHERE message_id = %d" % mid
    t.eq(wait_for(lambda: s.sql(q), [("pending", "retrying")]), [("pending", "retrying")])
    m = send_of(a, cid, mid)
    t.eq(m["send"]["state"], "not_sent")
    t.eq(m["send"]["reason"], "retrying")
    t.eq(m["send"]["final"], False)
    t.ok(m["send"]["attempts"] >= 1, "attempts %r" % m["send"]["attempts"])
    t.eq(m["error"], "HTTP 503")
    # the provider now refuses it for good
    mock.mode = "refuse"
    t.eq(wait_for(lambda: s.sql(q), [("failed", "refused")]), [("failed", "refused")])
    m = send_of(a, cid, mid)
    t.eq((m["send"]["state"], m["send"]["reason"], m["send"]["final"]),
         ("not_sent", "refused", True))
    t.eq(m["error"], "HTTP 400")
    t.eq(m["delivery"], "failed")
    s.check_clean_exit()


def test_file_provider(t):
    d = tempfile.mkdtemp(prefix="murojaat-smsfile-")
    path = os.path.join(d, "sms.log")
    t.defer(lambda: (os.path.exists(path) and os.unlink(path), os.rmdir(d)))
    s = server(t, conf={"sms.provider": "file", "sms.file": path})
    t.contains(s.log(), 'ev=send.file chan=sms via=file path="%s"' % path)
    a, cid, mid = reply(t, s, text="Salom!\nErtaga javob beramiz.")
    q = "SELECT state, reason FROM outbox WHERE message_id = %d" % mid
    t.eq(wait_for(lambda: s.sql(q), [("sent", None)]), [("sent", None)])
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    t.eq(len(lines), 1, "one line per message")
    g = LINE.match(lines[0] if lines else "")
    t.ok(g is not None, "line %r" % lines)
    if g:
        t.eq(g.group(2, 3, 4), (PHONE, "1", "Salom!\\nErtaga javob beramiz."))
    t.eq(stat.S_IMODE(os.stat(path).st_mode), 0o600)
    t.eq(send_of(a, cid, mid)["send"]["state"], "sent")
    t.lacks(log_lines(s), PHONE, "full number in the log")
    s.check_clean_exit()


def test_demo_takes_the_file_provider(t):
    s = server(t, serve_args=["--demo"])
    path = os.path.join(s.dir, "outbox-sms.log")
    log = s.log()
    t.contains(log, 'ev=send.file chan=sms via=file path="%s"' % path)
    t.contains(log, "SMS replies and notices are written to %s" % path)
    t.lacks(log, "ev=send.off chan=sms")
    a, cid, mid = reply(t, s)
    # a notice queued by another process (sms.provider kannel there) goes
    # by the provider this service has
    f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    f.write("number,status,decided_at,payment_at\nAR-2025-000002,approved,2025-12-01,2025-12-04\n")
    f.close()
    code, out, err = murojaat(["import", f.name], env={"MUROJAAT_DB": s.db,
                                                      "MUROJAAT_SMS_QUIET_HOURS": ""})
    os.unlink(f.name)
    t.eq(code, 0, err)
    t.contains(out, "1 notices queued")
    q = "SELECT count(*) FROM outbox WHERE state = 'sent' AND channel = 'sms'"
    t.eq(wait_for(lambda: s.sql(q), [(2,)]), [(2,)], "reply and notice sent")
    with open(path, encoding="utf-8") as fh:
        got = [LINE.match(x) for x in fh.read().splitlines()]
    t.eq(sorted(g.group(2) for g in got if g), [PHONE, "+998907654321"])
    t.ok(any(g and g.group(4) == TEXT for g in got), "the reply's text")
    s.check_clean_exit()
