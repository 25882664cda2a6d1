"""The SMS path over real HTTP: Kannel's GET and POST calls to /sms/kannel,
replies in the sender's language and script, the privacy rule, duplicate
delivery, and bad input answered with 4xx while the server keeps serving."""
import os
import urllib.parse

from harness import ROOT, Server, murojaat, store_env

FIX = os.path.join(ROOT, "tests", "fixtures", "e2e")


def gsm7(s):
    basic = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
             "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    return all(ch in basic or ch in "^{}\\[~]|€\f" for ch in s)


def rows(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#") or not line.strip():
                continue
            yield n, line.rstrip("\n").split("\t")


def test_status_in_every_language_and_privacy(t):
    s = Server(t).start()
    for n, (sender, text, coding, want, nowant) in rows("kannel_status.tsv"):
        r = s.kannel(sender, text, msg_id="tsv-%d" % n)
        where = "kannel_status.tsv:%d" % n
        t.eq(r.status, 200, where)
        t.eq(r.header("Content-Type"), "text/plain; charset=utf-8", where)
        t.eq(r.header("X-Kannel-Coding") or "-", coding, where + " X-Kannel-Coding")
        for w in filter(None, want.split("|")):
            t.contains(r.text, w, where)
        for w in filter(None, nowant.split("|")):
            t.lacks(r.text, w, where)
        if coding == "-":
            t.ok(gsm7(r.text), "%s: reply without X-Kannel-Coding is not GSM-7: %r" % (where, r.text))
    s.check_clean_exit()


def test_not_yours_is_same_as_not_found(t):
    s = Server(t).start()
    a = s.kannel("+998900000000", "arizam holati AR-2025-000001", msg_id="a").text
    b = s.kannel("+998900000000", "arizam holati AR-2025-999999", msg_id="b").text
    t.eq(a.replace("AR-2025-000001", "N"), b.replace("AR-2025-999999", "N"),
         "not-yours vs not-found")
    t.lacks(a, "ma'qullandi")
    # the applicant themself is told
    c = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="c").text
    t.contains(c, "ma'qullandi")
    # repeated guessing is limited: after the allowed misses the answer changes
    replies = [s.kannel("+998900000001", "holat AR-2025-%06d" % (500000 + i), msg_id="g%d" % i).text
               for i in range(8)]
    t.ok(replies[-1] != replies[0].replace("AR-2025-500000", "AR-2025-500007"),
         "guessing is not rate-limited: %r" % replies[-1])
    # and even the right number is not looked up while limited
    d = s.kannel("+998900000001", "holat AR-2025-000001", msg_id="g-last").text
    t.lacks(d, "ma'qullandi")
    s.check_clean_exit()


def test_duplicate_delivery_one_row_same_reply(t):
    s = Server(t).start()
    r1 = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="kid-1")
    r2 = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="kid-1")
    t.eq(r1.status, 200)
    t.eq(r2.status, 200)
    t.eq(r2.text, r1.text, "re-delivered id gets the same reply")
    t.eq(r2.header("X-Kannel-Coding"), r1.header("X-Kannel-Coding"))
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction='in' AND channel_msg_id='kid-1'"),
         [(1,)])
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction='out'"), [(1,)])
    # a status question without a number asks for it; the re-delivery must
    # not advance the dialogue a second time
    a = s.kannel("+998907654321", "arizam holati", msg_id="kid-2")
    b = s.kannel("+998907654321", "arizam holati", msg_id="kid-2")
    t.eq(a.text, b.text)
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction='in'"), [(2,)])
    # the number alone then answers the question asked
    c = s.kannel("+998907654321", "AR-2025-000002", msg_id="kid-3")
    t.contains(c.text, "AR-2025-000002")
    t.contains(c.text, "ko'rib chiqilmoqda")
    s.check_clean_exit()


def test_store_rows_and_schema(t):
    s = Server(t).start()
    s.kannel("+998901234567", "статус заявки AR-2025-000001", msg_id="x1")
    if s.db_url is None:
        t.eq(s.sql("PRAGMA journal_mode"), [("wal",)])
    t.ok(s.sql("SELECT count(*) FROM schema_migrations")[0][0] >= 1, "migrations recorded")
    t.eq(s.sql("SELECT count(*) FROM applications")[0][0], 2000)
    t.eq(s.sql("SELECT programme, status, applicant_phone, decided_on, payment_on FROM applications "
               "WHERE number='AR-2025-000001'"),
         [("child_allowance", "approved", "+998901234567", "2025-03-01", "2025-03-04")])
    t.eq(s.sql("SELECT programme, status, applicant_phone FROM applications WHERE number='AR-2025-000002'"),
         [("material_aid", "in_review", "+998907654321")])
    t.eq(s.sql("SELECT h.status FROM application_history h JOIN applications a ON a.id = h.application_id "
               "WHERE a.number='AR-2025-000001' ORDER BY h.id"), [("pending",), ("approved",)])
    t.eq(s.sql("SELECT count(*) FROM programmes WHERE code IN ('child_allowance','material_aid',"
               "'social_registry','disability','youth_register')"), [(5,)])
    t.eq(s.sql("SELECT direction, lang, intent, entities, delivery, encoding FROM messages ORDER BY id"),
         [("in", "ru", "status_check", "app_no=AR-2025-000001", "received", None),
          ("out", "ru", "status_check", None, "sync", "ucs2")])
    t.eq(s.sql("SELECT o.state, o.channel, o.address FROM outbox o"), [("sync", "sms", "+998901234567")])
    t.eq(s.sql("SELECT lang, phone FROM contacts"), [("ru", "+998901234567")])
    seg = s.sql("SELECT segments FROM messages WHERE direction='out'")[0][0]
    t.ok(seg is not None and 1 <= seg <= 2, "segments recorded: %r" % seg)
    log = "\n".join(l for l in s.log().split("\n") if l.startswith("ts="))
    t.ok("ev=msg.in" in log, "msg.in logged")
    t.lacks(log, "+998901234567", "unmasked phone in the log")
    t.lacks(log, "AR-2025-000001", "message text in the log")
    s.check_clean_exit()


def test_post_variant(t):
    s = Server(t).start()
    q = urllib.parse.urlencode({"from": "+998901234567", "to": "1234", "id": "p1",
                                "coding": "0", "charset": "UTF-8"})
    r = s.request("POST", "/sms/kannel?" + q, body="ариза ҳолати AR-2025-000001".encode(),
                  headers={"Content-Type": 'text/plain; charset="UTF-8"'})
    t.eq(r.status, 200)
    t.contains(r.text, "маъқулланди")
    t.eq(r.header("X-Kannel-Coding"), "2")
    # headers only, as post-url sends them without %p in the URL
    r = s.request("POST", "/sms/kannel?id=p2", body=b"arizam holati AR-2025-000001",
                  headers={"Content-Type": 'text/plain; charset="UTF-8"',
                           "X-Kannel-From": "+998901234567", "X-Kannel-To": "1234"})
    t.eq(r.status, 200)
    t.contains(r.text, "ma'qullandi")
    # mo-recode = false: UTF-16BE body
    r = s.request("POST", "/sms/kannel?id=p3&coding=2", body="статус заявки AR-2025-000001".encode("utf-16-be"),
                  headers={"Content-Type": 'text/plain; charset="UTF-16BE"',
                           "X-Kannel-From": "+998901234567"})
    t.eq(r.status, 200)
    t.contains(r.text, "одобрена")
    # GET with UTF-16BE bytes in bin (mo-recode = false)
    q = "from=%2B998901234567&to=1234&id=p4&coding=2&charset=UTF-16BE&bin=" + urllib.parse.quote(
        "статус заявки AR-2025-000001".encode("utf-16-be"))
    r = s.get("/sms/kannel?" + q)
    t.eq(r.status, 200)
    t.contains(r.text, "одобрена")
    s.check_clean_exit()


def test_bad_input_gets_4xx_and_server_keeps_serving(t):
    s = Server(t).start()
    cases = [
        ("missing from", "/sms/kannel?to=1234&text=salom", 400),
        ("missing text", "/sms/kannel?from=%2B998901234567&to=1234", 400),
        ("from not a phone", "/sms/kannel?from=abc&text=salom", 400),
        ("invalid UTF-8", "/sms/kannel?from=%2B998901234567&text=%FF%FEsalom", 400),
        ("overlong UTF-8", "/sms/kannel?from=%2B998901234567&text=%C0%AF", 400),
        ("NUL byte", "/sms/kannel?from=%2B998901234567&text=sa%00lom", 400),
        ("bad UTF-16", "/sms/kannel?from=%2B998901234567&charset=UTF-16BE&coding=2&bin=%D8%00", 400),
        ("unknown path", "/sms/nothing", 404),
    ]
    for what, path, want in cases:
        r = s.get(path)
        t.eq(r.status, want, what)
    r = s.request("DELETE", "/sms/kannel?from=%2B998901234567&text=x")
    t.eq(r.status, 405, "wrong method")
    big = "a" * (1024 * 1024)
    r = s.request("POST", "/sms/kannel?from=%2B998901234567&id=big", body=big.encode(),
                  headers={"Content-Type": "text/plain; charset=utf-8"})
    t.eq(r.status, 413, "1 MB POST body")
    try:
        r = s.get("/sms/kannel?from=%2B998901234567&text=" + big)
        t.ok(400 <= r.status < 500, "1 MB query answered %d" % r.status)
    except OSError:
        t.ok(True)   # the server may close the connection on a 1 MB request line
    r = s.get("/sms/kannel?from=%2B998901234567&text=" + "b" * 5000)
    t.eq(r.status, 413, "text over the limit")
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)])
    # binary SMS: acknowledged, no reply, nothing stored
    r = s.get("/sms/kannel?from=%2B998901234567&coding=1&charset=8-BIT&bin=%01%02%FF")
    t.eq((r.status, r.text), (200, ""))
    # and a good request still works
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="after")
    t.eq(r.status, 200)
    t.contains(r.text, "ma'qullandi")
    t.eq(s.get("/healthz").status, 200)
    s.check_clean_exit()


def test_greeting_help_unknown_each_language(t):
    s = Server(t).start()
    seen = {}
    for i, (text, coding) in enumerate([
            ("salom", None), ("assalomu alaykum", None), ("yordam", None),
            ("привет", "2"), ("помощь", "2"), ("салом", "2"), ("ёрдам", "2"),
            ("hello", None), ("help", None), ("qwzx vbnm", None)]):
        r = s.kannel("+998911112233", text, msg_id="g%d" % i)
        t.eq(r.status, 200, text)
        t.ok(len(r.text) > 10, "%r got a reply" % text)
        t.eq(r.header("X-Kannel-Coding"), coding, text + " coding")
        seen[text] = r.text
    t.ok(seen["salom"] != seen["yordam"], "greeting differs from help")
    t.ok(seen["hello"] != seen["salom"], "English differs from Uzbek")
    t.ok(seen["привет"] != seen["салом"], "Russian differs from Uzbek Cyrillic")
    s.check_clean_exit()


def test_chat_command(t):
    import shutil
    import tempfile
    d = tempfile.mkdtemp(prefix="murojaat-chat-")
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    env = dict(store_env(t, os.path.join(d, "chat.db")), MUROJAAT_DEMO_APPS="100")
    code, out, err = murojaat(["chat", "--as", "+998901234567"],
                              stdin="salom\narizam holati AR-2025-000001\nстатус заявки AR-2025-000001\n",
                              env=env)
    t.eq(code, 0, err)
    lines = out.strip().split("\n")
    t.eq(len(lines), 3, out)
    t.contains(out, "ma'qullandi")
    t.contains(out, "одобрена")
    code, out, err = murojaat(["chat", "--as", "+998900000000"],
                              stdin="arizam holati AR-2025-000001\n", env=env)
    t.eq(code, 0, err)
    t.lacks(out, "ma'qullandi")
    code, out, err = murojaat(["chat"], env=env)
    t.eq(code, 2, "chat without --as")
    t.contains(err, "--as")
