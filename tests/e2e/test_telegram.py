"""Telegram over real HTTP: the webhook (secret, Update fixtures shaped like
the Bot API's), the conversation with keyboards and contact sharing, and the
outbox sender against a mock Bot API on loopback that records every call."""
import json
import os
import re
import signal
import time

from harness import ROOT, Server, murojaat
from mocks import MockTelegram

FIX = os.path.join(ROOT, "tests", "fixtures", "telegram")
SECRET = "webhook-secret-Zx81"


def fixture(name, update_id=None):
    with open(os.path.join(FIX, name), "rb") as f:
        raw = f.read()
    if update_id is None:
        return raw
    obj = json.loads(raw)
    obj["update_id"] = update_id
    return json.dumps(obj, ensure_ascii=False).encode()


def post(s, body, secret=SECRET, ctype="application/json"):
    h = {"Content-Type": ctype}
    if secret is not None:
        h["X-Telegram-Bot-Api-Secret-Token"] = secret
    return s.request("POST", "/telegram/webhook", body=body, headers=h)


def wait_sql(s, q, want, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline and s.sql(q) != want:
        time.sleep(0.05)


def tg_server(t, mock, **conf):
    c = {"outbox.chat_interval_ms": "0"}
    c.update(conf)
    return Server(t, env={"MUROJAAT_TELEGRAM_TOKEN": mock.token,
                          "MUROJAAT_TELEGRAM_SECRET": SECRET,
                          "MUROJAAT_TELEGRAM_API_BASE": mock.base}, conf=c).start()


def test_not_configured_answers_503_rest_runs(t):
    s = Server(t).start()
    r = post(s, fixture("text_uz_latn.json"))
    t.eq(r.status, 503)
    t.contains(s.log(), "telegram.token is not set")
    t.eq(s.kannel("+998901234567", "salom", msg_id="1").status, 200)
    s.check_clean_exit()


def test_secret_checked(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    t.eq(post(s, fixture("text_uz_latn.json"), secret=None).status, 401, "missing secret")
    t.eq(post(s, fixture("text_uz_latn.json"), secret="wrong").status, 401, "wrong secret")
    t.eq(post(s, fixture("text_uz_latn.json"), secret=SECRET + "x").status, 401, "longer secret")
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)])
    t.eq(post(s, fixture("text_uz_latn.json")).status, 200)
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction='in'"), [(1,)])
    s.check_clean_exit()


def test_conversation_start_language_contact_status(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    t.eq(post(s, fixture("start_uz.json")).status, 200)
    sent = mock.wait_sent(1)
    t.eq(len(sent), 1)
    t.eq(sent[0]["chat_id"], "555000111")
    t.contains(sent[0]["text"], "Assalomu alaykum")
    kb = sent[0].get("reply_markup", {}).get("inline_keyboard", [])
    labels = [b["text"] for row in kb for b in row]
    t.eq(labels, ["Oʻzbekcha", "Ўзбекча", "Русский", "English"])
    t.eq([b["callback_data"] for row in kb for b in row],
         ["lang:uz-Latn", "lang:uz-Cyrl", "lang:ru", "lang:en"])
    # choose Russian
    t.eq(post(s, fixture("callback_lang_ru.json")).status, 200)
    sent = mock.wait_sent(2)
    t.contains(sent[1]["text"], "русский")
    share = sent[1].get("reply_markup", {}).get("keyboard", [[{}]])[0][0]
    t.eq(share.get("request_contact"), True)
    t.eq(share.get("text"), "Отправить мой номер")
    # share the contact: the sender's own
    t.eq(post(s, fixture("contact_own.json")).status, 200)
    sent = mock.wait_sent(3)
    t.contains(sent[2]["text"], "подтверждён")
    t.eq(sent[2].get("reply_markup"), {"remove_keyboard": True})
    t.eq(s.sql("SELECT phone, lang, lang_chosen FROM contacts WHERE channel='telegram'"),
         [("+998901234567", "ru", 1)])
    # ask in Uzbek: the answer is in the chosen language, Russian
    t.eq(post(s, fixture("text_uz_latn.json")).status, 200)
    sent = mock.wait_sent(4)
    t.contains(sent[3]["text"], "AR-2025-000001")
    t.contains(sent[3]["text"], "одобрена")
    t.contains(sent[3]["text"], "марта 2025")
    wait_sql(s, "SELECT state, count(*) FROM outbox GROUP BY state", [("sent", 4)])
    t.eq(s.sql("SELECT state, count(*) FROM outbox GROUP BY state"), [("sent", 4)])
    t.eq(s.sql("SELECT delivery, count(*) FROM messages WHERE direction='out' GROUP BY delivery"),
         [("sent", 4)])
    s.check_clean_exit()


def test_start_in_users_language_and_status_waits_for_contact(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    post(s, fixture("start_ru.json"))
    t.contains(mock.wait_sent(1)[0]["text"], "Здравствуйте")
    # a status question before the phone is known: asked to share it
    post(s, fixture("text_en.json"))
    sent = mock.wait_sent(2)
    t.lacks(sent[1]["text"], "approved")
    t.eq(sent[1]["reply_markup"]["keyboard"][0][0].get("request_contact"), True)
    # someone else's contact is refused
    post(s, fixture("contact_of_other_user.json"))
    sent = mock.wait_sent(3)
    t.contains(sent[2]["text"], "someone else")
    t.eq(s.sql("SELECT phone FROM contacts WHERE channel='telegram'"), [(None,)])
    # the own contact answers the waiting question at once
    post(s, fixture("contact_own.json"))
    sent = mock.wait_sent(4)
    t.contains(sent[3]["text"], "AR-2025-000001")
    t.contains(sent[3]["text"], "approved")
    s.check_clean_exit()


def test_languages_edits_and_ignored_updates(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    post(s, fixture("contact_own.json", 1))
    mock.wait_sent(1)
    want = [("text_ru.json", "одобрена"), ("text_uz_cyrl.json", "маъқулланди"),
            ("text_uz_latn.json", "maʼqullandi"), ("text_en.json", "approved")]
    for i, (name, word) in enumerate(want):
        t.eq(post(s, fixture(name, 100 + i)).status, 200, name)
        sent = mock.wait_sent(2 + i)
        t.contains(sent[-1]["text"], word, name)
    # an edited message is answered like a new one
    t.eq(post(s, fixture("edited_message.json")).status, 200)
    sent = mock.wait_sent(6)
    t.contains(sent[-1]["text"], "AR-2025-000002")
    n = len(s.sql("SELECT id FROM messages"))
    for name in ("sticker.json", "channel_post.json", "group_message.json"):
        t.eq(post(s, fixture(name)).status, 200, name)
    t.eq(len(s.sql("SELECT id FROM messages")), n, "ignored updates store nothing")
    # /help and /lang
    post(s, fixture("help.json"))
    post(s, fixture("lang.json"))
    sent = mock.wait_sent(8)
    t.ok("inline_keyboard" in sent[-1].get("reply_markup", {}), "/lang offers the keyboard")
    time.sleep(0.3)
    t.eq(len(mock.sent()), 8, "nothing for the ignored updates")
    s.check_clean_exit()


def test_duplicate_update_one_reply(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    for _ in range(3):
        t.eq(post(s, fixture("text_uz_latn.json")).status, 200)
    mock.wait_sent(1)
    time.sleep(0.5)
    t.eq(len(mock.sent()), 1, "re-delivered update_id")
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction='in'"), [(1,)])
    # the two re-deliveries are counted (make bench reads this counter)
    t.contains(s.get("/metrics").text, 'murojaat_messages_duplicate_total{channel="telegram"} 2\n')
    s.check_clean_exit()


def test_bad_updates_get_4xx_and_server_keeps_serving(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    t.eq(post(s, fixture("malformed_truncated.json")).status, 400, "truncated JSON")
    t.eq(post(s, fixture("invalid_utf8.json")).status, 400, "invalid UTF-8")
    t.eq(post(s, fixture("no_update_id.json")).status, 400, "no update_id")
    t.eq(post(s, b"[1,2,3]").status, 400, "not an object")
    t.eq(post(s, b"[" * 5000 + b"]" * 5000).status, 400, "deeply nested")
    t.eq(post(s, fixture("text_ru.json"), ctype="text/plain").status, 415, "content type")
    t.eq(post(s, b'{"update_id": 1, "update_id": 2}').status, 400, "duplicate keys")
    t.eq(post(s, b'{"update_id": 5, "message": {"chat": {"id": 1}, "from": {"id": 1}, '
                 b'"text": "a\\u0000b"}}').status, 400, "NUL in text")
    t.eq(post(s, b"x" * 200000).status, 413, "oversize body")
    t.eq(s.request("GET", "/telegram/webhook").status, 405)
    t.eq(s.sql("SELECT count(*) FROM messages"), [(0,)])
    t.eq(post(s, fixture("text_uz_latn.json")).status, 200)
    t.eq(len(mock.wait_sent(1)), 1)
    s.check_clean_exit()


def test_outbox_retries_500_then_delivers_once(t):
    mock = MockTelegram(t)
    mock.plan = [500, 502]
    s = tg_server(t, mock, **{"outbox.backoff_cap": "1"})
    post(s, fixture("text_uz_latn.json"))
    sent = mock.wait_sent(1, timeout=20)
    t.eq(len(sent), 1)
    t.eq(len(mock.refused), 2, "two refusals before success")
    time.sleep(0.5)
    t.eq(len(mock.sent()), 1, "delivered once")
    wait_sql(s, "SELECT state, attempts FROM outbox", [("sent", 2)])
    t.eq(s.sql("SELECT state, attempts FROM outbox"), [("sent", 2)])
    # every line of the reply's journey carries the request that caused it
    log = s.log()
    req_in = re.search(r"ev=msg\.in req=(\S+)", log)
    t.ok(req_in is not None, "msg.in line with req=")
    if req_in:
        rid = req_in.group(1)
        t.ok(rid != "-", "an inbound request id")
        t.eq(len(re.findall(r"ev=outbox\.retry req=%s " % re.escape(rid), log)), 2,
             "both retries name the request")
        t.eq(len(re.findall(r"ev=msg\.out req=%s " % re.escape(rid), log)), 1,
             "the send names the request")
    s.check_clean_exit()


def test_outbox_honours_retry_after(t):
    mock = MockTelegram(t)
    mock.plan = [(429, 2)]
    s = tg_server(t, mock)
    t0 = time.time()
    post(s, fixture("text_uz_latn.json"))
    sent = mock.wait_sent(1, timeout=20)
    t.eq(len(sent), 1)
    t.ok(time.time() - t0 >= 1.5, "retried before retry_after (%.2fs)" % (time.time() - t0))
    wait_sql(s, "SELECT state, attempts FROM outbox", [("sent", 0)])
    t.eq(s.sql("SELECT state, attempts FROM outbox"), [("sent", 0)])
    s.check_clean_exit()


def test_outbox_permanent_errors_recorded_not_retried(t):
    mock = MockTelegram(t)
    mock.plan = [403]
    s = tg_server(t, mock)
    post(s, fixture("text_uz_latn.json"))
    deadline = time.time() + 10
    while time.time() < deadline and s.sql("SELECT state FROM outbox") != [("failed",)]:
        time.sleep(0.05)
    t.eq(s.sql("SELECT state FROM outbox"), [("failed",)])
    t.contains(s.sql("SELECT last_error FROM outbox")[0][0], "blocked")
    t.eq(s.sql("SELECT delivery FROM messages WHERE direction='out'"), [("failed",)])
    time.sleep(1.0)
    t.eq(len(mock.refused), 1, "not retried")
    s.check_clean_exit()


def test_outbox_per_chat_rate(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock, **{"outbox.chat_interval_ms": "400"})
    for i, name in enumerate(["text_uz_latn.json", "text_ru.json", "text_en.json"]):
        post(s, fixture(name, 500 + i))
    mock.wait_sent(3)
    with mock.lock:
        times = [c[2] for c in mock.calls if c[0] == "sendMessage"]
    t.eq(len(times), 3)
    gaps = [b - a for a, b in zip(times, times[1:])]
    t.ok(all(g >= 0.35 for g in gaps), "one chat gets at most one message per interval: %r" % gaps)
    texts = [b["text"] for b in mock.sent()]
    t.ok("maʼqul" in texts[0] or "Ariza" in texts[0], "in order: %r" % texts[0])
    s.check_clean_exit()


def test_kill9_while_provider_down_then_everything_once(t):
    mock = MockTelegram(t)
    mock.down()
    s = tg_server(t, mock, **{"outbox.backoff_cap": "1"})
    for i in range(5):
        body = json.loads(fixture("text_uz_latn.json"))
        body["update_id"] = 700 + i
        body["message"]["chat"]["id"] = body["message"]["from"]["id"] = 1000 + i
        t.eq(post(s, json.dumps(body).encode()).status, 200)
    time.sleep(1.0)
    s.kill()
    t.eq(s.sql("SELECT count(*) FROM outbox WHERE state='pending'"), [(5,)])
    mock.up()
    s.start()
    sent = mock.wait_sent(5, timeout=20)
    time.sleep(1.0)
    t.eq(sorted(b["chat_id"] for b in mock.sent()), ["1000", "1001", "1002", "1003", "1004"])
    wait_sql(s, "SELECT count(*) FROM outbox WHERE state='sent'", [(5,)])
    t.eq(s.sql("SELECT count(*) FROM outbox WHERE state='sent'"), [(5,)])
    # a second restart sends nothing again
    s.stop()
    s.start()
    time.sleep(1.0)
    t.eq(len(mock.sent()), 5, "nothing sent twice after restart")
    t.eq(s.integrity(), [("ok",)])
    s.check_clean_exit()


def test_split_long_text_is_unit_tested_and_cli(t):
    mock = MockTelegram(t)
    env = {"MUROJAAT_TELEGRAM_TOKEN": mock.token, "MUROJAAT_TELEGRAM_SECRET": SECRET,
           "MUROJAAT_TELEGRAM_API_BASE": mock.base}
    code, out, err = murojaat(["telegram", "set-webhook", "https://bot.example.uz/telegram/webhook"], env=env)
    t.eq(code, 0, err)
    t.eq(mock.webhook, "https://bot.example.uz/telegram/webhook")
    t.eq(mock.webhook_secret, SECRET)
    t.eq(mock.allowed, ["message", "edited_message", "callback_query"])
    code, out, err = murojaat(["telegram", "info"], env=env)
    t.eq(code, 0, err)
    t.contains(out, "bot.example.uz")
    t.lacks(out + err, mock.token, "token printed")
    code, out, err = murojaat(["telegram", "info"], env={"MUROJAAT_TELEGRAM_TOKEN": ""})
    t.eq(code, 1)
    t.contains(err, "no token")


def test_kill9_mid_send_then_restart(t):
    """kill -9 while replies are going out: what was recorded as sent is
    not sent again; everything else is sent after the restart.  A request
    that was in flight at the kill may reach Telegram twice (it has no
    idempotency key): at least once, recorded once."""
    mock = MockTelegram(t)
    mock.delay = 0.15
    # 5 a second: the sends end one after another, so a kill after the
    # third lands while later ones are in flight or waiting
    s = tg_server(t, mock, **{"outbox.rate": "5"})
    n = 12
    for i in range(n):
        body = json.loads(fixture("text_uz_latn.json"))
        body["update_id"] = 800 + i
        body["message"]["chat"]["id"] = body["message"]["from"]["id"] = 2000 + i
        t.eq(post(s, json.dumps(body).encode()).status, 200)
    mock.wait_sent(3, timeout=20)
    s.kill()
    sent_before = {a for (a,) in s.sql("SELECT address FROM outbox WHERE state='sent'")}
    t.ok(0 < len(sent_before) < n, "killed mid-send (%d of %d recorded)" % (len(sent_before), n))
    mock.delay = 0
    s.start()
    mock.wait_sent(n, timeout=30)
    wait_sql(s, "SELECT count(*) FROM outbox WHERE state='sent'", [(n,)])
    time.sleep(0.5)
    got = [b["chat_id"] for b in mock.sent()]
    t.eq(sorted(set(got)), sorted(str(2000 + i) for i in range(n)), "every reply delivered")
    for a in sent_before:
        t.eq(got.count(a), 1, "recorded as sent before the kill, sent again: " + a)
    dups = len(got) - len(set(got))
    t.ok(dups <= n - len(sent_before), "duplicates only among rows not yet recorded: %d" % dups)
    t.eq(s.sql("SELECT count(*) FROM outbox WHERE state='sent'"), [(n,)])
    t.eq(s.integrity(), [("ok",)])
    s.check_clean_exit()
