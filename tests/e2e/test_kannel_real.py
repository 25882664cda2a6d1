"""SMS through a real Kannel 1.4.5: fakesmsc (the phones) -> bearerbox (fake
SMSC) -> smsbox -> GET /sms/kannel on the murojaat server under test, and the
reply back the same way to the phone.  Each test starts its own server and
its own Kannel on free loopback ports (tests/e2e/kannel.py, tests/kannel/).

Demo data: AR-2025-000001 (approved) belongs to +998901234567.  Assertions
compare replies with each other rather than with the catalogue's wording.
"""
import re

import harness
import kannel

OWNER = "+998901234567"
STRANGER = "+998900000000"
APP = "AR-2025-000001"
NOAPP = "AR-2025-999999"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CYRILLIC = re.compile("[\u0400-\u04ff]")
UZ_CYRL_ONLY = set("ўқғҳЎҚҒҲ")
SETTLE = 1.5    # fakesmsc fetches MT about once a second: let duplicates show
# Each test has its own Kannel (own ports, own state directory): they may run
# alongside each other and the other e2e tests.
SERIAL = False


# murojaat's kannel.token: every call of Kannel's here carries it
TOKEN = "kannel-e2e-token-8f3a2c"


def setup(t):
    srv = harness.Server(t, env={"MUROJAAT_KANNEL_TOKEN": TOKEN})
    k = kannel.Kannel(t, srv.port, token=TOKEN)
    srv.env["MUROJAAT_KANNEL_SENDSMS_URL"] = k.sendsms_url
    srv.start()
    k.start()
    return srv, k


def ask(t, srv, k, phone, text, timeout=20):
    """Inject one MO; return the first MT that came back to phone, or
    None (after reporting why)."""
    n = k.count()
    k.send(phone, text)
    mts = k.wait_for(1, timeout=timeout, after=n)
    if not mts:
        t.ok(False, "no reply to %r from %s within %ds\n%s\n--- server log (end)\n%s"
             % (text, phone, timeout, k.log_tail(), srv.log()[-3000:]))
        return None
    r = mts[0]
    t.eq(r["to"], phone, "reply receiver")
    t.eq(r["from"], kannel.SHORTCODE, "reply sender")
    t.lacks(r["text"], kannel.COULD_NOT_FETCH, "Kannel could not fetch a reply:")
    return r


def exactly(t, k, n):
    """After all questions: exactly n MT in all (no duplicates, no extras)."""
    mts = k.wait_for(n + 1, timeout=SETTLE)
    t.eq(len(mts), n, "MT count at the fake SMSC %r:" % [m["text"] for m in mts])


def rows(srv, direction):
    return srv.sql("SELECT body, channel_msg_id, encoding, lang FROM messages "
                   "WHERE direction = ? AND channel = 'sms' ORDER BY id", (direction,))


def words(text):
    return set(re.findall(r"\w+", text.lower()))


def test_latin_status_reply_gsm7(t):
    srv, k = setup(t)
    mo = "arizam holati " + APP
    r = ask(t, srv, k, OWNER, mo)
    if r is None:
        return
    t.eq(r["coding"], "text", "GSM 7-bit reply, got %r:" % r["text"])
    t.ok(kannel.fsms.is_gsm(r["text"]), "reply is not pure GSM 03.38: %r" % r["text"])
    t.contains(r["text"], APP)
    t.eq(r["parts"], 1, "one SMS for %r:" % r["text"])

    count = "SELECT count(*) FROM messages WHERE direction = '%s' AND channel = 'sms'"
    t.eq(srv.sql(count % "in"), [(1,)], "inbound rows")
    t.eq(srv.sql(count % "out"), [(1,)], "outbound rows")
    ins, outs = rows(srv, "in"), rows(srv, "out")
    if ins:
        t.eq(ins[0][0], mo, "stored inbound text")
        t.ok(UUID.fullmatch(ins[0][1] or ""), "inbound channel_msg_id is Kannel's id: %r" % (ins[0][1],))
    if outs:
        t.eq(outs[0][0], r["text"], "stored reply vs what the phone got")
        t.eq(outs[0][2], "gsm7", "stored reply encoding")

    # the owner is told the status: not the answer for a number that does not exist
    r2 = ask(t, srv, k, OWNER, "arizam holati " + NOAPP)
    if r2 is not None:
        t.contains(r2["text"], NOAPP)
        t.ok(r2["text"].replace(NOAPP, APP) != r["text"],
             "the owner got the not-found answer for own application: %r" % r["text"])
    exactly(t, k, 2)


def test_cyrillic_replies_ucs2(t):
    srv, k = setup(t)
    got = {}
    for mo, lang in (("ариза ҳолати " + APP, "uz-Cyrl"), ("статус заявки " + APP, "ru")):
        r = ask(t, srv, k, OWNER, mo)
        if r is None:
            continue
        text = got[lang] = r["text"]
        t.eq(r["coding"], "ucs-2", "%s reply coding for %r:" % (lang, text))
        t.ok(CYRILLIC.search(text), "%s reply has no Cyrillic: %r" % (lang, text))
        t.contains(text, APP, "%s reply:" % lang)
        t.lacks(text, "?", "%s reply has a '?' substitution:" % lang)
        t.lacks(text, "\ufffd", "%s reply has U+FFFD:" % lang)
        ins, outs = rows(srv, "in"), rows(srv, "out")
        if ins and outs:
            t.eq(ins[-1][0], mo, "stored inbound text (UCS-2 MO decoded)")
            t.eq(outs[-1][0], text, "stored %s reply vs what the phone got" % lang)
            t.eq(outs[-1][2], "ucs2", "stored %s reply encoding" % lang)
            t.eq(outs[-1][3], lang, "stored reply language for %r" % mo)
    uz, ru = got.get("uz-Cyrl"), got.get("ru")
    if uz is not None and ru is not None:
        t.ok(uz != ru, "uz-Cyrl and ru replies are the same: %r" % uz)
        t.ok(UZ_CYRL_ONLY & set(uz) or "ы" not in uz,
             "uz-Cyrl reply looks Russian (no ў қ ғ ҳ, has ы): %r" % uz)
        t.ok(not UZ_CYRL_ONLY & set(ru), "ru reply has Uzbek letters: %r" % ru)
    exactly(t, k, 2)


def test_status_hidden_from_other_phone(t):
    srv, k = setup(t)
    own = ask(t, srv, k, OWNER, "arizam holati " + APP)
    other = ask(t, srv, k, STRANGER, "arizam holati " + APP)
    none = ask(t, srv, k, STRANGER, "arizam holati " + NOAPP)
    if own is None or other is None or none is None:
        return
    own, other, none = own["text"], other["text"], none["text"]
    t.contains(other, APP, "stranger's reply names the number asked:")
    t.eq(other, none.replace(NOAPP, APP),
         "a stranger must get the same answer as for a non-existent number:")
    t.ok(other != own, "a stranger got the owner's answer: %r" % other)
    # what the owner's answer says beyond "not found": status, programme, dates
    revealing = words(own) - words(none.replace(NOAPP, APP))
    t.ok(revealing, "owner's answer %r says nothing the not-found answer %r does not"
         % (own, none))
    m = re.search(re.escape(APP) + r"\W*(\w+)", own)
    if m and m.group(1).lower() not in words(none):
        revealing.add(m.group(1).lower())
    leaked = sorted(revealing & words(other))
    t.eq(leaked, [], "the stranger's reply %r shares the owner's status words:" % other)
    exactly(t, k, 3)


def test_kannel_without_the_token_is_refused(t):
    """kannel.token set: a Kannel whose get-url carries a wrong token gets
    401 for each MO (the phone gets Kannel's could-not-fetch text), nothing
    is stored, and the refusal is logged without the sender or the text."""
    srv = harness.Server(t, env={"MUROJAAT_KANNEL_TOKEN": TOKEN})
    k = kannel.Kannel(t, srv.port, token="not-the-token")
    srv.start()
    k.start()
    n = k.count()
    phone, text = "+998934445566", "salom maxfiy matn 7731"
    k.send(phone, text)
    mts = k.wait_for(1, timeout=20, after=n)
    t.eq(len(mts), 1, "Kannel's own answer to the phone")
    if mts:
        t.ok(kannel.COULD_NOT_FETCH in mts[0]["text"] or "KANNEL-REQUEST-FAILED" in mts[0]["text"],
             "the phone is told the service failed: %r" % mts[0]["text"])
    t.eq(srv.sql("SELECT count(*) FROM messages"), [(0,)], "nothing stored")
    log = srv.log()
    t.ok("ev=sms.kannel_auth" in log and "result=refused" in log, "refusal logged")
    t.lacks(log, "maxfiy", "the text in the log")
    t.lacks(log, "4445566", "the sender in the log")
