"""USSD for push-button phones over real HTTP, the way Africa's Talking calls
POST /ussd/africastalking: every menu walked in the four languages with every
screen measured (182 GSM-7 or 80 UCS-2 characters), the privacy rule and the
miss limit shared with SMS, replays, bad input (400 for a malformed request,
a note for a wrong key), expiry, a restart mid-session, the help desk's
conversation, call-back and dashboard, /metrics, `murojaat chat --ussd`."""
import csv
import json
import os
import time
import urllib.parse

import po
from harness import ROOT, Server, murojaat
from mocks import MockSendsms
from test_helpdesk_api import Staff, add_staff

LANGS = ["uz-Latn", "uz-Cyrl", "ru", "en"]
OWNER1, APP1 = "+998901234567", "AR-2025-000001"     # approved, paid 4 March
OWNER2, APP2 = "+998907654321", "AR-2025-000002"     # in review
STRANGER = "+998935550011"

GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
           "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = set("\f^{}\\[~]|€")


def page_cost(text):
    """(coding, units) of one USSD page, as GSM 03.38 counts it."""
    if all(c in GSM7 or c in GSM7_EXT for c in text):
        return "gsm7", sum(2 if c in GSM7_EXT else 1 for c in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def fits(text):
    coding, units = page_cost(text)
    return units <= (182 if coding == "gsm7" else 80)


def cat(lang, msgid, **args):
    return po.sms(po.text(lang, msgid, **args))


def nav(lang, more=False, back=True, home=True):
    parts = ([cat(lang, "ussd.nav.more")] if more else []) + \
        ([cat(lang, "ussd.nav.back")] if back else []) + \
        ([cat(lang, "ussd.nav.home")] if home else [])
    return " ".join(parts)


def main_menu(lang):
    ids = ["status", "elig", "docs", "office", "operator", "lang"]
    return "\n".join("%d %s" % (i + 1, cat(lang, "ussd.menu." + k)) for i, k in enumerate(ids))


def lang_menu():
    return "\n".join("%d %s" % (i + 1, cat(l, "language.name")) for i, l in enumerate(LANGS))


class Ussd:
    """One USSD session as a gateway runs it: text is every input so far."""

    def __init__(self, t, srv, phone, session, screens=None, token=None):
        self.t, self.srv, self.phone, self.session = t, srv, phone, session
        self.inputs = []
        self.screens = screens if screens is not None else []
        self.token = token

    @property
    def text(self):
        return "*".join(self.inputs)

    def post(self, path_text, **over):
        f = {"sessionId": self.session, "serviceCode": "*384*1#",
             "phoneNumber": self.phone, "networkCode": "63902", "text": path_text}
        f.update(over)
        f = {k: v for k, v in f.items() if v is not None}
        path = "/ussd/africastalking" + ("?token=" + self.token if self.token else "")
        r = self.srv.request("POST", path, body=urllib.parse.urlencode(f),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        return r

    def start(self):
        self.inputs = []
        return self._screen(self.post(""))

    def send(self, *keys):
        """Type each key; the screen after the last."""
        body = None
        for k in keys:
            self.inputs.append(k)
            body = self._screen(self.post(self.text))
        return body

    def _screen(self, r):
        self.t.eq(r.status, 200, "USSD answer (%s): %s" % (self.text, r.text[:200]))
        self.t.eq(r.header("Content-Type"), "text/plain; charset=utf-8")
        body = r.text
        self.t.ok(body[:4] in ("CON ", "END "), "CON/END: %r" % body[:40])
        screen = body[4:]
        self.screens.append(screen)
        self.t.ok(fits(screen), "over one USSD page %s: %r" % (page_cost(screen), screen))
        self.last = body
        return body

    def pages(self):
        """This screen and the ones "98" brings, until there is no more."""
        lang_more = [cat(l, "ussd.nav.more") for l in LANGS]
        out = [self.last[4:]]
        while any(out[-1].endswith(m) or (m + " ") in out[-1] for m in lang_more) and len(out) < 40:
            self.send("98")
            out.append(self.last[4:])
        return out


def body_lines(screens):
    """The list items or text of pages, without their head and navigation."""
    items = []
    for s in screens:
        lines = s.split("\n")
        items += [l for l in lines[:-1] if l and l[0].isdigit() and " " in l]
    return items


def offices():
    rows = []
    with open(os.path.join(ROOT, "data", "offices.tsv"), encoding="utf-8") as f:
        lines = [l for l in f if not l.startswith("#")]
    for r in csv.DictReader(lines, delimiter="\t"):
        rows.append(r)
    return sorted(rows, key=lambda r: r["district"])


def programmes():
    with open(os.path.join(ROOT, "data", "programmes.json"), encoding="utf-8") as f:
        return json.load(f)["programmes"]


def test_every_menu_in_four_languages(t):
    s = Server(t).start()
    screens = []
    offs = offices()
    for i, lang in enumerate(LANGS):
        n = str(i + 1)
        u = Ussd(t, s, "+99893000000%d" % i, "walk-%s" % lang, screens)
        # a phone the service does not know: the language first
        t.eq(u.start(), "CON " + lang_menu())
        t.eq(u.send(n), "CON " + main_menu(lang), lang)
        # status: a number in digits; not this phone's: as if none
        t.eq(u.send("1"), "CON %s\n%s" % (cat(lang, "ussd.status.ask"), nav(lang)))
        t.eq(u.send("2025000002"), "CON %s\n%s" % (
            cat(lang, "ussd.status.not_found", app_no=APP2), nav(lang)))
        t.eq(u.send("0"), "CON %s\n%s" % (cat(lang, "ussd.status.ask"), nav(lang)))
        t.eq(u.send("00"), "CON " + main_menu(lang))
        # eligibility: the programmes (paged), the general check's questions
        u.send("2")
        first = u.last[4:].split("\n")
        t.eq(first[0], cat(lang, "ussd.elig.title"))
        t.eq(first[1], "1 " + cat(lang, "ussd.elig.any"))
        items = body_lines(u.pages())
        names = [po.sms(p["texts"][lang]["name"]) for p in programmes()]
        t.eq(sorted(x.split(" ", 1)[1] for x in items[1:]), sorted(names), "programmes in " + lang)
        t.eq([int(x.split(" ")[0]) for x in items], list(range(1, len(names) + 2)))
        u.send("1")
        t.eq(u.last, "CON %s\n%s" % (cat(lang, "ussd.q.members"), nav(lang)))
        t.eq(u.send("41"), "CON %s\n%s\n%s" % (cat(lang, "ussd.note.number"),
                                               cat(lang, "ussd.q.members"), nav(lang)))
        u.send("4")
        t.eq(u.last, "CON %s\n%s" % (cat(lang, "ussd.q.children"), nav(lang, back=False)))
        u.send("2")
        t.eq(u.last, "CON %s\n%s" % (cat(lang, "ussd.q.income3m"), nav(lang, back=False)))
        u.send("3000000")
        # 250 000 a person a month: the child allowance, likely
        verdict = " ".join(p.split("\n")[0] for p in u.pages())
        t.ok(verdict.startswith(cat(lang, "elig.head.yes", programme=programmes()[0]["texts"][lang]["name"])),
             "verdict in %s: %r" % (lang, verdict))
        # documents of the first programme: its own text, whole, over pages
        t.eq(u.send("00"), "CON " + main_menu(lang))
        u.send("3")
        t.eq(u.last[4:].split("\n")[0], cat(lang, "ussd.docs.title"))
        u.send("1")
        pages = u.pages()
        words = " ".join(p.split("\n")[0] for p in pages)
        docs = po.sms(programmes()[0]["texts"][lang]["documents"])
        t.contains(words, docs, "documents in " + lang)
        # the Inson centres: every district, paged, numbered on
        t.eq(u.send("00"), "CON " + main_menu(lang))
        u.send("4")
        t.eq(u.last[4:].split("\n")[0], cat(lang, "ussd.office.title"))
        items = body_lines(u.pages())
        t.eq(items, ["%d %s" % (k + 1, po.sms(o["name." + lang])) for k, o in enumerate(offs)],
             "districts in " + lang)
        k = [o["district"] for o in offs].index("xiva")
        u.send(str(k + 1))
        office = " ".join(p.split("\n")[0] for p in u.pages())
        t.contains(office, po.sms(offs[k]["address." + lang]), "office in " + lang)
        # the call-back screen, left without asking
        t.eq(u.send("00"), "CON " + main_menu(lang))
        t.eq(u.send("5"), "CON %s\n1 %s\n%s" % (cat(lang, "ussd.operator.ask"),
                                                cat(lang, "ussd.operator.confirm"), nav(lang)))
        t.eq(u.send("0"), "CON " + main_menu(lang))
        # the language again, from the menu: back, or chosen
        t.eq(u.send("6"), "CON %s\n%s" % (lang_menu(), nav(lang)))
        t.eq(u.send("0"), "CON " + main_menu(lang))
        u.send("6")
        t.eq(u.send(n), "CON " + main_menu(lang))
        # the next session of this phone skips the language
        t.eq(Ussd(t, s, u.phone, "again-%s" % lang).start(), "CON " + main_menu(lang))
        # the applicant is told, in this language, on the menu's language
        o = Ussd(t, s, OWNER1, "owner-%s" % lang, screens)
        if o.start()[4:] == lang_menu():
            o.send(n)
        else:
            o.send("6", n)
        t.eq(o.last, "CON " + main_menu(lang))
        t.eq(o.send("1", "2025000001"), "CON %s\n%s" % (cat(
            lang, "ussd.status.approved", app_no=APP1, decided="01.03.2025",
            payment="04.03.2025"), nav(lang)))
    # and every screen of them fits one page
    t.ok(len(screens) > 150, "screens walked: %d" % len(screens))
    t.eq([x for x in screens if not fits(x)], [])
    # the call-back asked for: the session closes
    u = Ussd(t, s, "+998930000000", "walk-callback")
    u.start()
    t.eq(u.send("5", "1"), "END " + cat("uz-Latn", "ussd.operator.done"))
    s.check_clean_exit()


def test_every_screen_measured_by_ussd_cost(t):
    """make test runs ussd-cost too; here its output is read line by line."""
    d = Server(t)     # only for its folder and database path
    code, out, err = murojaat(["ussd-cost"], env={"MUROJAAT_DB": d.db, "MUROJAAT_DEMO_APPS": "0"})
    t.eq(code, 0, err[-500:])
    rows = [l.split() for l in out.splitlines() if l.strip()]
    t.ok(len(rows) > 1000, "screens measured: %d" % len(rows))
    t.eq(sorted({r[0] for r in rows}), sorted(LANGS))
    for r in rows:
        coding, units = r[4], int(r[5])
        t.ok(units <= (182 if coding == "gsm7" else 80) and "OVER" not in r, " ".join(r))
    t.contains(err, "0 over one USSD page")


def test_privacy_and_the_miss_limit_shared_with_sms(t):
    s = Server(t).start()
    u = Ussd(t, s, STRANGER, "probe")
    u.start()
    u.send("4")
    # someone else's application and one that does not exist: one answer
    theirs = u.send("1", "2025000001")
    none = u.send("2025999999")
    t.eq(theirs, "CON %s\n%s" % (cat("en", "ussd.status.not_found", app_no=APP1), nav("en")))
    t.eq(theirs.replace(APP1, "X"), none.replace("AR-2025-999999", "X"))
    t.lacks(theirs, "approved")
    # misses count with SMS: 2 by USSD, 3 by SMS, then not even the truth
    for i in range(3):
        r = s.kannel(STRANGER, "arizam holati AR-2025-00000%d" % (i + 3), msg_id="p%d" % i)
        t.eq(r.status, 200)
    t.eq(u.send("2025000002"), "CON %s\n%s" % (cat("en", "ussd.status.too_many"), nav("en")))
    r = s.kannel(STRANGER, "arizam holati AR-2025-000002", msg_id="p9")
    t.eq(r.text, po.sms(po.text("uz-Latn", "status.too_many")))
    t.eq(s.sql("SELECT misses FROM contacts WHERE channel = 'sms' AND address = ?", (STRANGER,)),
         [(5,)])
    # the applicant's own phone is told, in its own session
    o = Ussd(t, s, OWNER2, "own")
    o.start()
    t.eq(o.send("4", "1", "2025000002"), "CON %s\n%s" % (
        cat("en", "ussd.status.in_review", app_no=APP2), nav("en")))
    # the applicant's session id and text from another phone: not theirs
    r = Ussd(t, s, "+998935550022", "own").post("4*1*2025000002")
    t.eq((r.status, r.text), (200, "CON " + lang_menu()))
    s.check_clean_exit()


def test_a_phone_known_by_sms_skips_the_language(t):
    s = Server(t).start()
    # wrote by SMS in Russian: the first USSD screen is the Russian menu
    r = s.kannel("+998935550031", "здравствуйте, какие документы нужны", msg_id="k1")
    t.eq(r.status, 200)
    t.eq(Ussd(t, s, "+998935550031", "known-ru").start(), "CON " + main_menu("ru"))
    # in Uzbek Cyrillic: that menu
    r = s.kannel("+998935550032", "ассалому алайкум, ҳужжатлар керак", msg_id="k2")
    t.eq(r.status, 200)
    t.eq(Ussd(t, s, "+998935550032", "known-cy").start(), "CON " + main_menu("uz-Cyrl"))
    # a phone only counted for misses, never written from: the choice first
    u = Ussd(t, s, "+998935550033", "unknown")
    t.eq(u.start(), "CON " + lang_menu())
    u.send("4", "1", "2025000001")
    t.eq(Ussd(t, s, "+998935550033", "unknown-2").start(), "CON " + main_menu("en"))
    t.eq(Ussd(t, s, "+998935550034", "never").start(), "CON " + lang_menu())
    s.check_clean_exit()


def test_replay_gives_the_same_screen(t):
    s = Server(t).start()
    u = Ussd(t, s, OWNER1, "replay")
    first = u.start()
    u.send("3")
    status = u.send("1", "2025000001")
    # the gateway sends a request again: the same screen, stored once
    for text, want in (("3*1*2025000001", status), ("", first)):
        r = u.post(text)
        t.eq((r.status, r.text), (200, want), "replay of %r" % text)
    t.eq(s.sql("SELECT count(*) FROM messages WHERE channel = 'ussd' AND direction = 'in'"), [(4,)])
    # the session goes on from where it was, not from the replay
    t.eq(u.send("0"), "CON %s\n%s" % (cat("ru", "ussd.status.ask"), nav("ru")))
    m = s.get("/metrics").text
    t.contains(m, 'murojaat_messages_duplicate_total{channel="ussd"} 2')
    s.check_clean_exit()


def test_bad_input(t):
    s = Server(t).start()
    u = Ussd(t, s, OWNER1, "bad")
    u.start()
    u.send("4")
    # the menu again with a short note: a wrong option, letters, too long
    for key, note in (("7", "ussd.note.option"), ("abc", "ussd.note.digits"),
                      ("1" * 21, "ussd.note.long"), ("", "ussd.note.option"),
                      ("0", "ussd.note.option")):
        t.eq(u.send(key), "CON %s\n%s" % (cat("en", note), main_menu("en")), repr(key))
    t.eq(u.send("1"), "CON %s\n%s" % (cat("en", "ussd.status.ask"), nav("en")))
    t.eq(u.send("12"), "CON %s\n%s\n%s" % (cat("en", "ussd.note.appno"),
                                          cat("en", "ussd.status.ask"), nav("en")))
    # a text that does not follow the session's path: where it was, noted
    r = u.post("9*9*9")
    t.eq((r.status, r.text), (200, "CON %s\n%s\n%s" % (
        cat("en", "ussd.note.path"), cat("en", "ussd.status.ask"), nav("en"))))
    u.inputs = ["9", "9", "9"]
    t.eq(u.send("00"), "CON " + main_menu("en"))
    # malformed requests: 400, nothing stored
    before = s.sql("SELECT count(*) FROM messages")
    for over, why in (({"sessionId": None}, "missing field sessionId"),
                      ({"phoneNumber": None}, "missing field phoneNumber"),
                      ({"sessionId": ""}, "sessionId"),
                      ({"sessionId": "a b"}, "sessionId"),
                      ({"sessionId": "x" * 101}, "sessionId"),
                      ({"phoneNumber": "abc"}, "phoneNumber"),
                      ({"phoneNumber": "12"}, "phoneNumber"),
                      ({"serviceCode": "*384*<1>#"}, "serviceCode"),
                      ({"text": "1" * 1001}, "text"),
                      ({"text": "1\n2"}, "text")):
        r = u.post("1", **over)
        t.eq(r.status, 400, "%r" % over)
        t.contains(r.text, why)
    path = "/ussd/africastalking"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for body, h in ((b"sessionId=a&phoneNumber=%2B998901234567&text=%ZZ", form),
                    (b"sessionId=a&sessionId=b&phoneNumber=%2B998901234567", form),
                    (b"sessionId=a&phoneNumber=%2B998901234567&text=%C3%28", form),
                    (b"sessionId=a&phoneNumber=%2B998901234567&text=%00", form),
                    (json.dumps({"sessionId": "a", "phoneNumber": OWNER1}).encode(),
                     {"Content-Type": "application/json"}),
                    (b"", form)):
        r = s.request("POST", path, body=body, headers=h)
        t.eq(r.status, 400, "%r" % body[:60])
    t.eq(s.sql("SELECT count(*) FROM messages"), before, "nothing stored")
    t.eq(s.get(path).status, 405)
    t.eq(s.request("POST", path, body=b"x" * 70000, headers=form).status, 413)
    # and the server still serves
    v = Ussd(t, s, OWNER2, "after")
    t.eq(v.start()[:4], "CON ")
    s.check_clean_exit()


def test_token(t):
    s = Server(t, env={"MUROJAAT_USSD_TOKEN": "s3cret-token"}).start()
    t.eq(Ussd(t, s, OWNER1, "tok").post("").status, 401)
    t.eq(Ussd(t, s, OWNER1, "tok", token="wrong").post("").status, 401)
    t.eq(Ussd(t, s, OWNER1, "tok", token="s3cret-token").start()[:4], "CON ")
    s.check_clean_exit()


def test_session_forgotten_after_its_time(t):
    s = Server(t, conf={"ussd.session_ttl": "2"}).start()
    u = Ussd(t, s, OWNER1, "slow")
    u.start()
    t.eq(u.send("1"), "CON " + main_menu("uz-Latn"))
    t.eq(u.send("1"), "CON %s\n%s" % (cat("uz-Latn", "ussd.status.ask"), nav("uz-Latn")))
    time.sleep(3.2)
    # forgotten: the next request starts the session at the first screen
    t.eq(u.send("2025000001"), "CON " + main_menu("uz-Latn"))
    t.eq(u.send("1"), "CON %s\n%s" % (cat("uz-Latn", "ussd.status.ask"), nav("uz-Latn")))
    s.check_clean_exit()


def test_restart_mid_session_resumes(t):
    s = Server(t).start()
    u = Ussd(t, s, OWNER2, "restart")
    u.start()
    u.send("3", "2")
    t.eq(u.last[4:].split("\n")[0], cat("ru", "ussd.elig.title"))
    t.eq(s.stop(), 0)
    s.start()
    t.eq(u.send("1"), "CON %s\n%s" % (cat("ru", "ussd.q.members"), nav("ru")))
    s.kill()
    s.start()
    t.eq(u.send("3"), "CON %s\n%s" % (cat("ru", "ussd.q.children"), nav("ru", back=False)))
    s.check_clean_exit()


def test_helpdesk_conversation_callback_dashboard_metrics(t):
    sms = MockSendsms(t)
    s = Server(t, env={"MUROJAAT_KANNEL_SENDSMS_URL": "http://127.0.0.1:%d/cgi-bin/sendsms?u=x" % sms.port,
                       "MUROJAAT_SMS_QUIET_HOURS": ""}).start()
    add_staff(t, s, "agent1", "agent")
    u = Ussd(t, s, OWNER1, "hd-1")
    u.start()
    u.send("2", "1", "2025000001")
    v = Ussd(t, s, OWNER1, "hd-2")
    t.eq(v.start(), "CON " + main_menu("uz-Cyrl"))
    t.eq(v.send("5", "1"), "END " + cat("uz-Cyrl", "ussd.operator.done"))
    # one conversation of channel ussd, flagged for a person to call back
    a = Staff(t, s, "agent1")
    r, inbox = a.get("/api/conversations?channel=ussd")
    t.eq(r.status, 200)
    t.eq(len(inbox["items"]), 1)
    c = inbox["items"][0]
    t.eq((c["channel"], c["needs_human"], c["last_intent"]), ("ussd", 1, "human_operator"))
    r, inbox = a.get("/api/conversations?needs_human=1")
    t.eq([x["id"] for x in inbox["items"]], [c["id"]])
    r, conv = a.get("/api/conversations/%d" % c["id"])
    msgs = conv["messages"]
    t.eq(len(msgs), 14)
    t.eq([m["direction"] for m in msgs], ["in", "out"] * 7)
    t.eq({m["channel"] for m in msgs}, {"ussd"})
    t.eq(msgs[0]["body"], "*384*1#")
    t.eq(msgs[1]["body"], "CON " + lang_menu())
    t.eq(msgs[-1]["body"], "END " + cat("uz-Cyrl", "ussd.operator.done"))
    t.ok(all(m["body"][:4] in ("CON ", "END ") for m in msgs[1::2]), "the screens")
    t.eq([a["number"] for a in conv["applications"]], [APP1])
    # an agent's reply (the call-back's follow-up) goes to the phone by SMS
    r, _ = a.post("/api/conversations/%d/take" % c["id"])
    t.eq(r.status, 200)
    r, rep = a.post("/api/conversations/%d/reply" % c["id"], {"text": "Ertaga soat 10 da qo'ng'iroq qilamiz."})
    t.eq(r.status, 200)
    deadline = time.time() + 10
    while not sms.calls and time.time() < deadline:
        time.sleep(0.05)
    t.eq([(q.get("to"), q.get("text")) for q in sms.calls],
         [([OWNER1], ["Ertaga soat 10 da qo'ng'iroq qilamiz."])])
    t.eq(s.sql("SELECT o.channel, m.encoding FROM outbox o JOIN messages m ON m.id = o.message_id "
               "WHERE m.intent = 'manual'"), [("ussd", "gsm7")])
    # the dashboard and /metrics count the sessions
    r, d = a.get("/api/dashboard?days=1")
    t.eq(d["ussd_sessions"], 2)
    t.eq(sum(x["in"] for x in d["days"] if x["channel"] == "ussd"), 7)
    m = s.get("/metrics").text
    t.contains(m, "murojaat_ussd_sessions_total 2")
    t.contains(m, 'murojaat_messages_in_total{channel="ussd",intent="human_operator",lang="uz-Cyrl"} 1')
    t.contains(m, 'murojaat_messages_in_total{channel="ussd",intent="status_check",lang="uz-Cyrl"} 2')
    s.check_clean_exit()


def test_chat_ussd_walks_the_menus(t):
    d = Server(t)
    keys = "1\n1\n2025000001\n0\n00\n5\n1\n"
    code, out, err = murojaat(["chat", "--ussd", "--as", OWNER1], stdin=keys,
                              env={"MUROJAAT_DB": d.db, "MUROJAAT_DEMO_APPS": "10",
                                   "MUROJAAT_LOG_LEVEL": "error"})
    t.eq(code, 0, err[-400:])
    screens = out.rstrip("\n").split("\n\n")
    t.eq(screens, [lang_menu(), main_menu("uz-Latn"),
                   "%s\n%s" % (cat("uz-Latn", "ussd.status.ask"), nav("uz-Latn")),
                   "%s\n%s" % (cat("uz-Latn", "ussd.status.approved", app_no=APP1,
                                   decided="01.03.2025", payment="04.03.2025"), nav("uz-Latn")),
                   "%s\n%s" % (cat("uz-Latn", "ussd.status.ask"), nav("uz-Latn")),
                   main_menu("uz-Latn"),
                   "%s\n1 %s\n%s" % (cat("uz-Latn", "ussd.operator.ask"),
                                     cat("uz-Latn", "ussd.operator.confirm"), nav("uz-Latn")),
                   cat("uz-Latn", "ussd.operator.done")])
