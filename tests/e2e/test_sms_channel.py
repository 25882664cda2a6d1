"""The SMS channel made complete: delivery reports, opt-out, per-sender rate
limits, registry imports and the notices they cause (quiet hours included),
the registry's upsert API, and the generic HTTP aggregator (signed inbound
calls, bearer-token sends, delivery callbacks) against a loopback mock."""
import hashlib
import hmac
import json
import os
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import po
from harness import Server, free_port, murojaat


def wait(fn, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    return fn()


def csv_file(rows, header="number,status,decided_at,payment_at"):
    f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    f.write(header + "\n")
    for r in rows:
        f.write(r + "\n")
    f.close()
    return f.name


def test_sync_reply_carries_dlr_url_and_reports_update_delivery(t):
    s = Server(t).start()
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="d1")
    t.eq(r.header("X-Kannel-DLR-Mask"), "31")
    url = r.header("X-Kannel-DLR-URL") or ""
    t.contains(url, "http://127.0.0.1:%d/sms/dlr?" % s.port)
    q = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    t.eq(q.get("type"), ["%d"])
    mid = q["msgid"][0]
    t.eq(s.sql("SELECT direction, delivery FROM messages WHERE id = ?", (mid,)), [("out", "sync")])

    def dlr(typ, m=mid):
        return s.get("/sms/dlr?via=sync&msgid=%s&type=%s&reply=%%A" % (m, typ))
    t.eq(dlr("1").status, 200)       # delivered can come before the SMSC's ACK
    t.eq(dlr("8").status, 200)
    t.eq(s.sql("SELECT delivery FROM messages WHERE id = ?", (mid,)), [("delivered",)])
    t.eq(s.sql("SELECT type FROM delivery_reports WHERE message_id = ? ORDER BY id", (mid,)),
         [("1",), ("8",)])
    # buffered, then delivered
    r = s.kannel("+998907654321", "salom", msg_id="d2")
    m2 = urllib.parse.parse_qs(urllib.parse.urlparse(r.header("X-Kannel-DLR-URL")).query)["msgid"][0]
    dlr("4", m2)
    t.eq(s.sql("SELECT delivery FROM messages WHERE id = ?", (m2,)), [("buffered",)])
    dlr("2", m2)
    t.eq(s.sql("SELECT delivery FROM messages WHERE id = ?", (m2,)), [("failed",)])
    # SMSC rejected: the reply goes out again through the outbox
    r = s.kannel("+998907654321", "help", msg_id="d3")
    m3 = urllib.parse.parse_qs(urllib.parse.urlparse(r.header("X-Kannel-DLR-URL")).query)["msgid"][0]
    dlr("16", m3)
    t.eq(s.sql("SELECT state, attempts FROM outbox WHERE message_id = ?", (m3,)), [("pending", 1)])
    t.eq(s.sql("SELECT delivery FROM messages WHERE id = ?", (m3,)), [("queued",)])
    # bad and unknown reports
    t.eq(s.get("/sms/dlr?msgid=1").status, 400, "no type")
    t.eq(s.get("/sms/dlr?msgid=%s&type=99" % mid).status, 400, "not a DLR type")
    t.eq(s.get("/sms/dlr?msgid=999999&type=1").status, 200, "unknown id: acknowledged")
    t.eq(s.get("/sms/dlr?msgid=abc&type=1").status, 200, "unlabelled: acknowledged")
    t.eq(s.get("/sms/dlr?via=sms-service&type=8&kid=x").status, 200)
    t.eq(s.integrity(), [("ok",)])
    s.check_clean_exit()


def test_opt_out_and_rate_limits(t):
    s = Server(t, env={"MUROJAAT_RATE_PER_MINUTE": "3", "MUROJAAT_SMS_QUIET_HOURS": ""}).start()
    ph = "+998901234567"
    r = s.kannel(ph, "STOP", msg_id="o1")
    t.eq(r.text, po.sms(po.text("uz-Latn", "optout.done")))
    t.eq(s.sql("SELECT opted_out, opted_out_at IS NOT NULL FROM contacts WHERE address = ?", (ph,)),
         [(1, 1)])
    # a notice for an opted-out applicant is not queued
    f = csv_file(["AR-2025-000001,paid,2025-03-01,2025-03-10"])
    code, out, err = murojaat(["import", f], env={"MUROJAAT_DB": s.db})
    t.eq(code, 0, err)
    t.contains(out, "1 status changes, 0 notices queued, 1 opted out")
    # START resumes
    r = s.kannel(ph, "START", msg_id="o2")
    t.eq(r.text, po.sms(po.text("uz-Latn", "optin.done")))
    # per-sender rate: the 3 allowed, then one polite answer, then silence
    replies = [s.kannel("+998935550000", "salom", msg_id="r%d" % i) for i in range(6)]
    t.eq([r.status for r in replies], [200] * 6)
    t.ok(all(r.text for r in replies[:3]), "first three answered")
    t.eq(replies[3].text, po.sms(po.text("uz-Latn", "rate.limited")))
    t.eq([r.text for r in replies[4:]], ["", ""], "then silent (Kannel sends nothing)")
    t.eq(s.sql("SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
               "WHERE c.address = '+998935550000' AND direction = 'in'"), [(6,)], "all stored")
    s.check_clean_exit()


def test_import_notifies_exactly_the_changed_applicants_once(t):
    s = Server(t, env={"MUROJAAT_SMS_QUIET_HOURS": ""}).start()
    # the applicant of AR-2025-000002 writes in Russian first: notices follow
    s.kannel("+998907654321", "здравствуйте", msg_id="h1")
    apps = s.sql("SELECT number, applicant_phone, status FROM applications "
                 "WHERE number NOT IN ('AR-2025-000001', 'AR-2025-000002') "
                 "AND status = 'in_review' ORDER BY id LIMIT 3")
    rows = ["AR-2025-000002,approved,2025-12-01,2025-12-04",
            "AR-2025-000001,approved,2025-03-01,2025-03-04"]       # unchanged
    rows += ["%s,rejected,2025-12-01," % a[0] for a in apps]
    f = csv_file(rows)
    code, out, err = murojaat(["import", f], env={"MUROJAAT_DB": s.db})
    t.eq(code, 0, err)
    t.contains(out, "%d rows: %d status changes, %d notices queued" % (len(rows), 1 + len(apps), 1 + len(apps)))
    notices = s.sql("SELECT o.address, m.body, m.lang, m.encoding, o.state FROM outbox o "
                    "JOIN messages m ON m.id = o.message_id WHERE m.intent = 'notice' ORDER BY o.id")
    t.eq(len(notices), 1 + len(apps))
    t.eq(notices[0][0], "+998907654321")
    t.eq(notices[0][1], po.text("ru", "notice.approved", app_no="AR-2025-000002",
                                programme=po.text("ru", "programme.material_aid"),
                                decided="1 декабря 2025", payment="4 декабря 2025"))
    t.eq(notices[0][3], "ucs2")
    t.eq(sorted(n[0] for n in notices[1:]), sorted(a[1] for a in apps))
    t.ok(all(n[3] == "gsm7" for n in notices[1:]), "Uzbek Latin notices are GSM-7")
    t.eq(s.sql("SELECT h.status FROM application_history h JOIN applications a ON a.id = h.application_id "
               "WHERE a.number = 'AR-2025-000002' ORDER BY h.id DESC LIMIT 1"), [("approved",)])
    # the same file again notifies nobody
    code, out, err = murojaat(["import", f], env={"MUROJAAT_DB": s.db})
    t.eq(code, 0, err)
    t.contains(out, "0 status changes, 0 notices queued")
    t.eq(s.sql("SELECT count(*) FROM messages WHERE intent = 'notice'"), [(1 + len(apps),)])
    # a bad file changes nothing and says where
    bad = csv_file(["AR-2025-000002,paid,2025-12-05,2025-12-06",
                    "AR-2025-000003,approvd,2025-12-01,",
                    "AR-25-1,paid,,",
                    '"AR-2025-000004,paid'])
    code, out, err = murojaat(["import", bad], env={"MUROJAAT_DB": s.db})
    t.eq(code, 1)
    t.contains(err, bad + ":3: status \"approvd\"")
    t.contains(err, bad + ":4: number \"AR-25-1\"")
    t.contains(err, bad + ":5: malformed CSV")
    t.eq(s.sql("SELECT status FROM applications WHERE number = 'AR-2025-000002'"), [("approved",)])
    code, out, err = murojaat(["import", csv_file([], header="number,status")],
                              env={"MUROJAAT_DB": s.db})
    t.eq(code, 1)
    t.contains(err, "needs number, status and decided_at")
    s.check_clean_exit()


def test_quiet_hours_hold_sms_notices(t):
    # a quiet window around the current Tashkent time, whatever it is
    now = time.gmtime(time.time() + 5 * 3600)
    a = "%02d:%02d" % (now.tm_hour, 0)
    b = "%02d:%02d" % ((now.tm_hour + 2) % 24, 0)
    s = Server(t, env={"MUROJAAT_SMS_QUIET_HOURS": "%s-%s" % (a, b)}).start()
    f = csv_file(["AR-2025-000002,approved,2025-12-01,2025-12-04"])
    code, out, err = murojaat(["import", f], env={"MUROJAAT_DB": s.db,
                                                  "MUROJAAT_SMS_QUIET_HOURS": "%s-%s" % (a, b)})
    t.eq(code, 0, err)
    nt = s.sql("SELECT next_try_at FROM outbox o JOIN messages m ON m.id = o.message_id "
               "WHERE m.intent = 'notice'")[0][0]
    local = time.gmtime(nt + 5 * 3600)
    t.eq((local.tm_hour, local.tm_min), ((now.tm_hour + 2) % 24, 0), "held until the window ends")
    t.ok(nt > time.time() + 3000, "in the future")
    s.check_clean_exit()


def test_registry_put_api(t):
    s = Server(t, env={"MUROJAAT_REGISTRY_TOKEN": "reg-token-123", "MUROJAAT_SMS_QUIET_HOURS": ""}).start()
    path = "/api/applications/AR-2025-000002"
    body = json.dumps({"status": "paid", "decided_at": "2025-12-01", "payment_at": "2025-12-05"})
    h = {"Content-Type": "application/json"}
    t.eq(s.request("PUT", path, body=body, headers=h).status, 401, "no token")
    t.eq(s.request("PUT", path, body=body, headers=dict(h, Authorization="Bearer nope")).status, 401)
    auth = dict(h, Authorization="Bearer reg-token-123")
    r = s.request("PUT", path, body=body, headers=auth)
    t.eq(r.status, 200)
    t.eq(json.loads(r.text), {"number": "AR-2025-000002", "status": "paid", "created": False,
                              "changed": True, "notified": True})
    r = s.request("PUT", path, body=body, headers=auth)
    t.eq(json.loads(r.text)["changed"], False, "same status again")
    t.eq(s.sql("SELECT count(*) FROM messages WHERE intent = 'notice'"), [(1,)])
    r = s.request("PUT", path, body=json.dumps({"status": "done"}), headers=auth)
    t.eq(r.status, 400)
    t.contains(r.text, "status")
    t.eq(s.request("PUT", path, body="{bad", headers=auth).status, 400)
    t.eq(s.request("PUT", "/api/applications/AR-2025-999999", body=body, headers=auth).status, 404)
    t.eq(s.request("PUT", "/api/applications/../../etc", body=body, headers=auth).status, 400)
    new = json.dumps({"status": "pending", "decided_at": "", "programme": "child_allowance",
                      "phone": "+998911234567", "region": "xorazm", "district": "xiva",
                      "submitted_at": "2025-12-10"})
    r = s.request("PUT", "/api/applications/AR-2025-777777", body=new, headers=auth)
    t.eq(r.status, 201)
    t.eq(s.sql("SELECT status, applicant_phone FROM applications WHERE number = 'AR-2025-777777'"),
         [("pending", "+998911234567")])
    t.eq(s.request("GET", path).status, 405)
    s2 = Server(t).start()
    t.eq(s2.request("PUT", path, body=body, headers=auth).status, 503, "no token configured")
    s.check_clean_exit()


class MockAggregator:
    def __init__(self, t):
        self.sent = []
        mock = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                mock.sent.append((self.path, dict(self.headers), json.loads(raw)))
                data = b'{"status":"waiting"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.port = free_port()
        self.srv = ThreadingHTTPServer(("127.0.0.1", self.port), H)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        t.defer(self.srv.shutdown)


def sign(secret, body):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_http_aggregator_in_and_out(t):
    agg = MockAggregator(t)
    secret = "a-shared-secret-longer-than-32-bytes-0123456789"
    s = Server(t, env={"MUROJAAT_AGGREGATOR_SECRET": secret,
                       "MUROJAAT_AGGREGATOR_SEND_URL": "http://127.0.0.1:%d/send" % agg.port,
                       "MUROJAAT_AGGREGATOR_TOKEN": "agg-token",
                       "MUROJAAT_AGGREGATOR_FROM_FIELD": "message.from",
                       "MUROJAAT_AGGREGATOR_TEXT_FIELD": "message.text",
                       "MUROJAAT_AGGREGATOR_ID_FIELD": "message.id"}).start()
    body = json.dumps({"message": {"from": "998901234567", "text": "статус заявки AR-2025-000001",
                                   "id": "agg-1"}}).encode()
    h = {"Content-Type": "application/json", "X-Signature": "sha256=" + sign(secret, body)}
    t.eq(s.request("POST", "/sms/inbound", body=body, headers=h).status, 200)
    t.eq(s.request("POST", "/sms/inbound", body=body, headers=h).status, 200, "re-delivery")
    sent = wait(lambda: agg.sent, 10)
    t.eq(len(sent), 1, "one reply for a re-delivered message")
    path, headers, js = sent[0]
    t.eq(path, "/send")
    t.eq(headers.get("Authorization"), "Bearer agg-token")
    t.eq(js["to"], "+998901234567")
    t.contains(js["text"], "одобрена")
    t.eq(js["callback_url"], "http://127.0.0.1:%d/sms/aggregator/dlr" % s.port)
    mid = js["id"]
    wait(lambda: s.sql("SELECT delivery FROM messages WHERE id = ?", (mid,)) == [("sent",)])
    t.eq(s.sql("SELECT delivery, encoding FROM messages WHERE id = ?", (mid,)), [("sent", "ucs2")])
    d = json.dumps({"id": mid, "status": "DELIVRD"}).encode()
    r = s.request("POST", "/sms/aggregator/dlr", body=d,
                  headers={"Content-Type": "application/json", "X-Signature": sign(secret, d)})
    t.eq(r.status, 200)
    t.eq(s.sql("SELECT delivery FROM messages WHERE id = ?", (mid,)), [("delivered",)])
    # refused: bad or missing signature, bad JSON, missing fields
    t.eq(s.request("POST", "/sms/inbound", body=body, headers={"X-Signature": "00" * 32}).status, 401)
    t.eq(s.request("POST", "/sms/inbound", body=body).status, 401)
    bad = b'{"message": {"text": "x"}}'
    t.eq(s.request("POST", "/sms/inbound", body=bad, headers={"X-Signature": sign(secret, bad)}).status, 400)
    t.eq(s.request("POST", "/sms/inbound", body=b"{", headers={"X-Signature": sign(secret, b"{")}).status, 400)
    d = b'{"id": "1", "status": "weird"}'
    t.eq(s.request("POST", "/sms/aggregator/dlr", body=d, headers={"X-Signature": sign(secret, d)}).status, 400)
    s2 = Server(t).start()
    t.eq(s2.request("POST", "/sms/inbound", body=body, headers=h).status, 503, "not configured")
    s.check_clean_exit()


def agg_server(t, agg, secret, **env):
    e = {"MUROJAAT_AGGREGATOR_SECRET": secret,
         "MUROJAAT_AGGREGATOR_SEND_URL": "http://127.0.0.1:%d/send" % agg.port,
         "MUROJAAT_AGGREGATOR_TOKEN": "agg-token"}
    e.update(env)
    return Server(t, env=e).start()


def test_aggregator_replay_without_id_deduplicated(t):
    """An aggregator call without a message id, replayed within
    aggregator.dedupe_window: answered 200 each time, stored once and
    answered by one paid SMS; another text, or the same after the window,
    is a new message."""
    agg = MockAggregator(t)
    secret = "replay-secret-0123456789abcdef"
    s = agg_server(t, agg, secret)
    body = json.dumps({"from": "998901234567", "text": "arizam holati AR-2025-000001"}).encode()
    h = {"Content-Type": "application/json", "X-Signature": sign(secret, body)}
    for i in range(3):
        r = s.request("POST", "/sms/inbound", body=body, headers=h)
        t.eq((r.status, r.text), (200, '{"ok":true}'), "delivery %d" % (i + 1))
    wait(lambda: agg.sent, 10)
    time.sleep(1.5)     # let any second send show
    t.eq(len(agg.sent), 1, "one SMS for a replayed body: %r" % [x[2] for x in agg.sent])
    rows = s.sql("SELECT channel_msg_id FROM messages WHERE direction = 'in'")
    t.eq(len(rows), 1, "stored once")
    t.ok(rows and (rows[0][0] or "").startswith("h:"), "a content-made id: %r" % rows)
    t.eq(s.sql("SELECT count(*) FROM outbox"), [(1,)], "one outbox row")
    t.ok(s.log().count("ev=msg.dup") == 2, "the replays logged as duplicates")
    other = json.dumps({"from": "998901234567", "text": "salom"}).encode()
    t.eq(s.request("POST", "/sms/inbound", body=other,
                   headers={"Content-Type": "application/json",
                            "X-Signature": sign(secret, other)}).status, 200)
    wait(lambda: len(agg.sent) >= 2, 10)
    t.eq(len(agg.sent), 2, "another text is a new message")
    s.check_clean_exit()
    # past the window the same text is a new message
    agg2 = MockAggregator(t)
    s2 = agg_server(t, agg2, secret, MUROJAAT_AGGREGATOR_DEDUPE_WINDOW="1")
    t.eq(s2.request("POST", "/sms/inbound", body=body, headers=h).status, 200)
    wait(lambda: agg2.sent, 10)
    time.sleep(2.2)
    t.eq(s2.request("POST", "/sms/inbound", body=body, headers=h).status, 200)
    wait(lambda: len(agg2.sent) >= 2, 10)
    t.eq(len(agg2.sent), 2, "the same text after the window is answered again")
    t.eq(s2.sql("SELECT count(*) FROM messages WHERE direction = 'in'"), [(2,)])
    s2.check_clean_exit()


def test_kannel_token(t):
    """kannel.token: /sms/kannel and /sms/dlr refuse a call without it (401,
    logged without the sender or text, nothing stored); it is taken as the
    query argument token (get-url) or a basic-auth password, and the DLR URLs
    murojaat hands Kannel carry it."""
    import base64
    token = "kannel-token-3b9f0e"
    s = Server(t, env={"MUROJAAT_KANNEL_TOKEN": token}).start()
    r = s.kannel("+998934445566", "salom maxfiy matn", msg_id="tok-1")
    t.eq((r.status, r.text), (401, "unauthorized\n"), "no token")
    r = s.kannel("+998934445566", "salom maxfiy matn", msg_id="tok-2", extra={"token": "wrong"})
    t.eq(r.status, 401, "wrong token")
    r = s.request("POST", "/sms/kannel?id=tok-3", body=b"salom maxfiy matn",
                  headers={"Content-Type": "text/plain; charset=utf-8",
                           "X-Kannel-From": "+998934445566"})
    t.eq(r.status, 401, "POST without token")
    t.eq(s.get("/sms/dlr?type=1&msgid=1").status, 401, "DLR without token")
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)], "nothing stored")
    log = s.log()
    t.eq(log.count("ev=sms.kannel_auth"), 4, "each refusal logged")
    t.lacks(log, "maxfiy", "text in the log")
    t.lacks(log, "4445566", "sender in the log")
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="tok-4",
                 extra={"token": token})
    t.eq(r.status, 200, "token in the query")
    t.contains(r.text, "ma'qullandi")
    dlr = r.header("X-Kannel-DLR-URL") or ""
    t.contains(dlr, "&token=" + token, "the sync reply's DLR URL carries the token")
    path = dlr[len("http://127.0.0.1:%d" % s.port):].replace("%d", "1").replace("%A", "ok")
    t.eq(s.get(path).status, 200, "the DLR through that URL")
    mid = s.sql("SELECT id FROM messages WHERE direction = 'out'")[0][0]
    t.eq(s.sql("SELECT delivery FROM messages WHERE id = ?", (mid,)), [("delivered",)])
    auth = "Basic " + base64.b64encode(("kannel:" + token).encode()).decode()
    r = s.request("POST", "/sms/kannel?id=tok-5", body=b"salom",
                  headers={"Content-Type": "text/plain; charset=utf-8",
                           "X-Kannel-From": "+998907654321", "Authorization": auth})
    t.eq(r.status, 200, "basic auth")
    bad = "Basic " + base64.b64encode(b"kannel:nope").decode()
    t.eq(s.request("POST", "/sms/kannel?id=tok-6", body=b"salom",
                   headers={"Content-Type": "text/plain; charset=utf-8",
                            "X-Kannel-From": "+998907654321", "Authorization": bad}).status, 401)
    s.check_clean_exit()
