"""Every intent reaches the bot in every language: the reply over
/sms/kannel is exactly the catalogue's text for that intent, in the
language and script of the message.  And the classify and translit
commands."""
import os

import po
from harness import ROOT, Server, murojaat

FIX = os.path.join(ROOT, "tests", "fixtures", "e2e", "intent_replies.tsv")


def test_every_intent_has_its_reply(t):
    s = Server(t).start()
    with open(FIX, encoding="utf-8") as f:
        rows = [(n, l.rstrip("\n").split("\t")) for n, l in enumerate(f, 1)
                if l.strip() and not l.startswith("#")]
    seen = set()
    for n, row in rows:
        text, lang, msgid = row[:3]
        args = {}
        for kv in (row[3].split(";") if len(row) > 3 and row[3] else []):
            k, v = kv.split("=", 1)
            args[k] = po.text(lang, v[1:]) if v.startswith("@") else v
        # a fresh sender each time: no state, no remembered language
        r = s.kannel("+9989%08d" % n, text, msg_id="i%d" % n)
        want = po.sms(po.text(lang, msgid, **args))
        t.eq(r.text, want, "intent_replies.tsv:%d %r" % (n, text))
        seen.add((msgid.split(".")[0], lang))
    t.ok(len(seen) >= 40, "coverage: %d intent/language pairs" % len(seen))
    # opt-out is remembered; START resumes
    t.eq(s.sql("SELECT opted_out FROM contacts WHERE address = '+998900000011'"), [(1,)])
    t.eq(s.sql("SELECT opted_out FROM contacts WHERE address = '+998900000012'"), [(0,)])
    s.check_clean_exit()


def test_language_follows_message_then_memory_then_choice(t):
    s = Server(t).start()
    ph = "+998935551122"
    r = s.kannel(ph, "статус заявки", msg_id="1")
    t.eq(r.text, po.text("ru", "status.ask_number"))
    # a bare number has no language of its own: the remembered one is used
    r = s.kannel(ph, "AR-2025-999999", msg_id="2")
    t.eq(r.text, po.text("ru", "status.not_found", app_no="AR-2025-999999"))
    # a clear Uzbek message is answered in Uzbek
    r = s.kannel(ph, "salom", msg_id="3")
    t.eq(r.text, po.sms(po.text("uz-Latn", "greeting")))
    # the citizen chooses English from the offer
    r = s.kannel(ph, "tilni o'zgartirish", msg_id="4")
    t.eq(r.text, po.sms(po.text("uz-Latn", "language.ask")))
    r = s.kannel(ph, "4", msg_id="5")
    t.eq(r.text, po.text("en", "language.set"))
    # and then even Uzbek messages are answered in the chosen language
    r = s.kannel(ph, "yordam", msg_id="6")
    t.eq(r.text, po.text("en", "help"))
    t.eq(s.sql("SELECT lang, lang_chosen FROM contacts WHERE address = ?", (ph,)), [("en", 1)])
    s.check_clean_exit()


def test_classify_and_translit_commands(t):
    code, out, err = murojaat(["classify"], stdin="arizam qayerda? AR-2025-004512\n"
                              "статус заявки ar 2025 4512\nхужжатлар\n".encode() + b"\xff\xfe\n")
    t.eq(code, 0, err)
    t.eq(out.split("\n")[:4], ["uz-Latn\tstatus_check\tapp_no=AR-2025-004512",
                               "ru\tstatus_check\tapp_no=AR-2025-004512",
                               "uz-Cyrl\tdocuments\t",
                               "-\tunknown\t"])
    code, out, err = murojaat(["translit", "--to", "latn"],
                              stdin="Ариза ҳолати: кўриб чиқилмоқда\nЦирк, лицей, маъно, ЧИҚИШ\n")
    t.eq(code, 0, err)
    t.eq(out, "Ariza holati: koʻrib chiqilmoqda\nSirk, litsey, maʼno, CHIQISH\n")
    code, out, err = murojaat(["translit", "--to", "cyrl"],
                              stdin="Ariza holati AR-2025-000001: koʻrib chiqilmoqda\n")
    t.eq(code, 0, err)
    t.eq(out, "Ариза ҳолати AR-2025-000001: кўриб чиқилмоқда\n")
    code, out, err = murojaat(["translit", "--to", "xx"])
    t.ok(code != 0, "bad --to refused")
