"""The reply's script follows the citizen's (issue 12, item 8), over
/sms/kannel and the Telegram webhook: a Cyrillic message is answered in
Cyrillic (Uzbek or Russian as its words say; when they say neither, the
contact's last Cyrillic language, else lang.cyrillic_default), a Latin one
in Latin (the contact's last Latin language, else Uzbek Latin), and a
language the citizen chose still wins."""
import json
import re

import po
import test_eligibility as elig
from harness import Server, murojaat
from mocks import MockTelegram
from test_telegram import fixture, post, tg_server


def say(s, phone, text, n):
    return s.kannel(phone, text, msg_id="%s-%d" % (phone, n))


def literal_parts(lang, msgid):
    """The catalogue text between its {placeholders}: what a reply made
    from it must contain whatever the values."""
    return [p.strip() for p in re.split(r"\{[a-z_0-9]+\}", po.text(lang, msgid))
            if len(p.strip()) > 3]


def test_first_message_in_cyrillic_is_answered_in_cyrillic(t):
    s = Server(t).start()
    o = elig.offices()
    # a new contact each: nothing remembered, the words name no language
    cases = [
        ("СТОП", po.text("uz-Cyrl", "optout.done")),
        ("ОПЕРАТОР", po.text("uz-Cyrl", "operator.queued")),
        ("Хива", elig.office_text("uz-Cyrl", o["xiva_sh"]["name.uz-Cyrl"],
                                  o["xiva_sh"]["address.uz-Cyrl"])),
        ("Ургенч", elig.office_text("uz-Cyrl", o["urganch_sh"]["name.uz-Cyrl"],
                                    o["urganch_sh"]["address.uz-Cyrl"])),
    ]
    for n, (text, want) in enumerate(cases):
        ph = "+99893100000%d" % n
        r = say(s, ph, text, 1)
        t.eq(r.status, 200, text)
        t.eq(r.text, want, text)
        t.eq(r.header("X-Kannel-Coding"), "2", text)
        # the row says what the reply assumed, and the contact remembers it
        t.eq(s.sql("SELECT lang FROM messages WHERE channel_msg_id = ?", (ph + "-1",)),
             [("uz-Cyrl",)], text)
        t.eq(s.sql("SELECT lang, lang_cyrl, lang_latn FROM contacts WHERE address = ?",
                   (ph,)), [("uz-Cyrl", "uz-Cyrl", "")], text)
    s.check_clean_exit()


def test_status_in_cyrillic_after_uzbek_latin(t):
    s = Server(t).start()
    # the applicant of AR-2025-000002 (in review) wrote Uzbek Latin before
    ph = "+998907654321"
    r = say(s, ph, "salom", 1)
    t.eq(r.text, po.sms(po.text("uz-Latn", "greeting")))
    r = say(s, ph, "статус AR-2025-000002", 2)
    t.eq(r.header("X-Kannel-Coding"), "2")
    t.contains(r.text, "AR-2025-000002")
    for part in literal_parts("uz-Cyrl", "status.in_review"):
        t.contains(r.text, part)
    t.lacks(r.text, "ko'rib")
    # a number that is not theirs: the same reply as an unknown one, in Cyrillic
    r = say(s, "+998931000011", "salom", 1)
    r = say(s, "+998931000011", "статус AR-2025-000002", 2)
    t.eq(r.text, po.text("uz-Cyrl", "status.not_found", app_no="AR-2025-000002"))
    # and back in Latin letters, Latin again
    r = say(s, "+998931000011", "Xiva", 3)
    o = elig.offices()["xiva_sh"]
    t.eq(r.text, elig.office_text("uz-Latn", o["name.uz-Latn"], o["address.uz-Latn"]))
    t.eq(s.sql("SELECT lang, lang_cyrl, lang_latn FROM contacts WHERE address = ?",
               ("+998931000011",)), [("uz-Latn", "uz-Cyrl", "uz-Latn")])
    s.check_clean_exit()


def test_cyrillic_keeps_the_contacts_cyrillic_language(t):
    s = Server(t).start()
    o = elig.offices()["xiva_sh"]
    # Russian first, then a Latin message, then a bare Cyrillic name: Russian
    ph = "+998931000021"
    t.eq(say(s, ph, "здравствуйте", 1).text, po.text("ru", "greeting"))
    t.eq(say(s, ph, "salom", 2).text, po.sms(po.text("uz-Latn", "greeting")))
    t.eq(say(s, ph, "Хива", 3).text, elig.office_text("ru", o["name.ru"], o["address.ru"]))
    t.eq(say(s, ph, "СТОП", 4).text, po.text("ru", "optout.done"))
    # English first: a bare Latin name is answered in English
    ph = "+998931000022"
    t.eq(say(s, ph, "hello", 1).text, po.text("en", "greeting"))
    t.eq(say(s, ph, "Xiva", 2).text, elig.office_text("en", o["name.en"], o["address.en"]))
    # a language chosen from the menu wins over the script
    ph = "+998931000023"
    say(s, ph, "tilni o'zgartirish", 1)
    t.eq(say(s, ph, "4", 2).text, po.text("en", "language.set"))
    t.eq(say(s, ph, "ОПЕРАТОР", 3).text, po.text("en", "operator.queued"))
    t.eq(say(s, ph, "здравствуйте", 4).text, po.text("en", "greeting"))
    s.check_clean_exit()


def test_cyrillic_default_is_configured(t):
    s = Server(t, conf={"lang.cyrillic_default": "ru"}).start()
    t.eq(say(s, "+998931000031", "СТОП", 1).text, po.text("ru", "optout.done"))
    # Uzbek words still say Uzbek
    t.eq(say(s, "+998931000032", "салом", 1).text, po.text("uz-Cyrl", "greeting"))
    # and a contact's own Uzbek Cyrillic beats the default
    t.eq(say(s, "+998931000032", "ОПЕРАТОР", 2).text, po.text("uz-Cyrl", "operator.queued"))
    s.check_clean_exit()
    # a value that is not a Cyrillic language stops start-up with a pointer
    bad = Server(t, conf={"lang.cyrillic_default": "uz-Latn"})
    rc, _, err = murojaat(["--config", bad.conf_path, "serve"], env=bad.env, timeout=30)
    t.ok(rc != 0, "uz-Latn refused")
    t.contains(err, "murojaat.conf:2: lang.cyrillic_default: \"uz-Latn\" is not one of "
               "uz-Cyrl, ru")


def test_telegram_text_in_cyrillic(t):
    mock = MockTelegram(t)
    s = tg_server(t, mock)
    body = json.loads(fixture("text_uz_latn.json"))
    body["message"]["text"] = "СТОП"
    t.eq(post(s, json.dumps(body, ensure_ascii=False).encode()).status, 200)
    sent = mock.wait_sent(1)
    t.eq(len(sent), 1)
    t.eq(sent[0]["text"], po.text("uz-Cyrl", "optout.done"))
    t.eq(s.sql("SELECT lang, lang_cyrl FROM contacts WHERE channel = 'telegram'"),
         [("uz-Cyrl", "uz-Cyrl")])
    s.check_clean_exit()
