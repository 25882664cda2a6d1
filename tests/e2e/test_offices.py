"""Inson centres a citizen can reach: the office answer carries the
address, the landmark, the days and hours and the phone in every language,
over SMS and Telegram; an admin's correction in the help desk
(POST /api/offices/{district}) changes the very next answer and is in the
audit log; a bad phone, bad hours or days, a reply over the SMS budget and
an unknown district are refused and change nothing; agents and
supervisors get 403."""
import json
import os

import po
import test_eligibility as elig
from harness import ROOT, Server, murojaat
from mocks import MockTelegram
from test_helpdesk_api import Staff, add_staff
from test_telegram import SECRET, fixture, post

CONF = elig.CONF

# xiva_sh as the fixture sets it (tests/fixtures/offices/xiva_sh.tsv).
FIX = os.path.join(ROOT, "tests", "fixtures", "offices", "xiva_sh.tsv")

# What each language's citizen writes to ask for the centre of Khiva city.
ASK = [("uz-Latn", "Xiva shahridagi inson markazi qayerda"),
       ("uz-Cyrl", "Хива шаҳридаги инсон маркази қаерда"),
       ("ru", "где центр инсон в Хиве"),
       ("en", "where is the inson centre in Khiva city")]

EDIT = {
    "phone": "+998 62 375 11 22",
    "days": "1-6",
    "opens": "08:00",
    "closes": "17:00",
    "address": {"uz-Latn": "Pahlavon Mahmud koʻchasi 5", "uz-Cyrl": "Паҳлавон Маҳмуд кўчаси 5",
                "ru": "ул. Пахлавана Махмуда, 5", "en": "5 Pahlavon Mahmud street"},
    "landmark": {"uz-Latn": "Ota darvoza roʻparasida", "uz-Cyrl": "Ота дарвоза рўпарасида",
                 "ru": "напротив ворот Ата-дарваза", "en": "opposite the Ota gate"},
}


def fixture_rows():
    rows = {}
    with open(FIX, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if not l.startswith("#")]
    head = lines[0].split("\t")
    for l in lines[1:]:
        d = dict(zip(head, l.split("\t")))
        rows[d["district"]] = d
    return rows


def want(lang, name, e):
    days = e.get("days", "1-5")
    return elig.office_text(lang, name, e["address"][lang], e["landmark"][lang],
                            e["phone"].replace(" ", ""), days, e["opens"], e["closes"])


def ask_all(t, s, prefix, n):
    """Each language's question from a new phone: the answers by language."""
    out = {}
    for i, (lang, text) in enumerate(ASK):
        ph = "+9989300%02d%03d" % (prefix, i)
        out[lang] = s.kannel(ph, text, msg_id="%s-%d" % (ph, n)).text
    return out


def test_imported_office_answer_carries_landmark_phone_and_hours(t):
    mock = MockTelegram(t)
    s = Server(t, conf=dict(CONF, **{"outbox.chat_interval_ms": "0"}),
               env={"MUROJAAT_TELEGRAM_TOKEN": mock.token, "MUROJAAT_TELEGRAM_SECRET": SECRET,
                    "MUROJAAT_TELEGRAM_API_BASE": mock.base}).start()
    rc, _, err = murojaat(["rules", "import", FIX], env={"MUROJAAT_DB": s.db})
    t.eq(rc, 0, err)
    d = fixture_rows()["xiva_sh"]
    got = ask_all(t, s, 40, 1)
    for lang, _ in ASK:
        e = {"address": {lang: d["address." + lang]}, "landmark": {lang: d["landmark." + lang]},
             "phone": d["phone"], "days": d["days"], "opens": d["opens"], "closes": d["closes"]}
        t.eq(got[lang], want(lang, d["name." + lang], e), lang)
        t.contains(got[lang], d["phone"], lang)
        t.contains(got[lang], po.sms(d["landmark." + lang]), lang)
    # the same answer over Telegram, as written (no SMS apostrophes)
    body = json.loads(fixture("text_uz_latn.json"))
    body["message"]["text"] = ASK[0][1]
    t.eq(post(s, json.dumps(body, ensure_ascii=False).encode()).status, 200)
    sent = mock.wait_sent(1)
    t.eq(len(sent), 1)
    lang = "uz-Latn"
    e = {"address": {lang: d["address." + lang]}, "landmark": {lang: d["landmark." + lang]},
         "phone": d["phone"], "days": d["days"], "opens": d["opens"], "closes": d["closes"]}
    parts = [po.text(lang, "elig.office", district=d["name." + lang], address=d["address." + lang]),
             po.text(lang, "elig.office.landmark", landmark=d["landmark." + lang]),
             po.text(lang, "elig.office.hours", days=po.text(lang, "elig.days." + d["days"]),
                     open=d["opens"], close=d["closes"]),
             po.text(lang, "elig.office.phone", phone=d["phone"])]
    t.eq(sent[0]["text"], " ".join(parts))
    # export gives the landmark back
    rc, out, err = murojaat(["rules", "export", "--offices"], env={"MUROJAAT_DB": s.db})
    t.eq(rc, 0, err)
    t.contains(out.splitlines()[0], "landmark.uz-Latn\tlandmark.uz-Cyrl\tlandmark.ru\tlandmark.en")
    t.contains(out, d["landmark.ru"])
    s.check_clean_exit()


def test_admin_edit_changes_the_next_answer_and_is_audited(t):
    s = Server(t, conf=CONF).start()
    add_staff(t, s, "admin1", "admin")
    add_staff(t, s, "agent1", "agent")
    add_staff(t, s, "boss", "supervisor")
    o = elig.offices()["xiva_sh"]
    before = ask_all(t, s, 50, 1)
    for lang, _ in ASK:
        t.eq(before[lang], elig.office_text(lang, o["name." + lang], o["address." + lang]), lang)

    adm = Staff(t, s, "admin1")
    r, lst = adm.get("/api/offices")
    t.eq(r.status, 200)
    t.eq(len(lst["offices"]), 13, "every Khorezm district and city")
    t.eq(lst["budget"], 2)
    x = [v for v in lst["offices"] if v["district"] == "xiva_sh"][0]
    t.eq(x["indicative"], True)
    t.eq(x["phone"], "")
    t.eq(x["name"]["ru"], o["name.ru"])
    t.eq(x["reply"]["ru"], before["ru"])
    t.eq(x["segments"]["uz-Latn"], 1)

    # refused: each with its field, nothing stored, nothing audited as an edit
    bad = [({"phone": "62 375 11 22"}, "phone", "invalid"),
           ({"phone": "+998 62 375 11"}, "phone", "invalid"),
           ({"opens": "8:00"}, "opens", "invalid"),
           ({"closes": "24:00"}, "closes", "invalid"),
           ({"opens": "18:00", "closes": "09:00"}, "closes", "invalid"),
           ({"days": "0-5"}, "days", "invalid"),
           ({"days": "1-8"}, "days", "invalid"),
           ({"address": {"xx": "a"}}, "address.xx", "invalid"),
           ({"address": {"ru": ""}}, "address.ru", "invalid"),
           ({"landmark": {"en": "a\tb"}}, "landmark.en", "invalid"),
           ({"landmark": {"ru": "ж" * 79}}, "ru", "over_budget"),
           ({"colour": "red"}, "colour", "invalid"),
           ({"phone": 998}, "phone", "invalid")]
    for body, field, code in bad:
        r, j = adm.post("/api/offices/xiva_sh", body)
        t.eq(r.status, 400, json.dumps(body, ensure_ascii=False))
        t.eq(j.get("error"), code, json.dumps(body, ensure_ascii=False))
        t.eq(j.get("field"), field, json.dumps(body, ensure_ascii=False))
    r, j = adm.post("/api/offices/nowhere", {"phone": "+998623751122"})
    t.eq(r.status, 404)
    r, j = adm.post("/api/offices/xiva_sh", EDIT, csrf=False)
    t.eq(r.status, 403, "no CSRF token")
    t.eq(s.sql("SELECT coalesce(phone, ''), days FROM offices WHERE district = 'xiva_sh'"),
         [("", "1-5")])
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action = 'office.edit'"), [(0,)])

    # agents and supervisors: 403, audited as refused
    for name in ("agent1", "boss"):
        st = Staff(t, s, name)
        r, j = st.get("/api/offices")
        t.eq(r.status, 403, name)
        r, j = st.post("/api/offices/xiva_sh", EDIT)
        t.eq(r.status, 403, name)
    t.eq(s.sql("SELECT username, detail FROM audit WHERE action = 'office.refused' ORDER BY id"),
         [("agent1", "list"), ("agent1", "xiva_sh"), ("boss", "list"), ("boss", "xiva_sh")])

    # the correction
    r, j = adm.post("/api/offices/xiva_sh", EDIT)
    t.eq(r.status, 200, r.body)
    t.eq(j["phone"], "+998623751122", "stored in +998 form")
    t.eq(j["landmark"]["en"], EDIT["landmark"]["en"])
    t.eq(j["days"], "1-6")
    after = ask_all(t, s, 60, 1)
    for lang, _ in ASK:
        t.eq(after[lang], want(lang, o["name." + lang], EDIT), lang)
        t.eq(j["reply"][lang] is not None, True)
        t.eq(po.sms(j["reply"][lang]), after[lang], "the preview is the answer: " + lang)
        t.ok(1 <= j["segments"][lang] <= 2, lang)
    rows = s.sql("SELECT username, detail, contact_id FROM audit WHERE action = 'office.edit'")
    t.eq(len(rows), 1)
    t.eq(rows[0][0], "admin1")
    t.eq(rows[0][2] or 0, 0)
    t.contains(rows[0][1], "district=xiva_sh changed=phone,days,opens,closes,address.uz-Latn,")
    t.contains(rows[0][1], "landmark.en")
    # the names and spellings are the import's still: "Xiva" alone finds it
    t.eq(s.sql("SELECT name FROM office_texts WHERE district = 'xiva_sh' AND lang = 'ru'"),
         [(o["name.ru"],)])
    r = s.kannel("+998930070001", "Xiva", msg_id="x-1").text
    t.eq(r, want("uz-Latn", o["name.uz-Latn"], EDIT))
    # a partial correction keeps the rest; the audit names only what changed
    r, j = adm.post("/api/offices/xiva_sh", {"phone": ""})
    t.eq(r.status, 200)
    t.eq(j["phone"], "")
    t.eq(j["landmark"]["ru"], EDIT["landmark"]["ru"])
    t.eq(s.sql("SELECT detail FROM audit WHERE action = 'office.edit' ORDER BY id DESC LIMIT 1"),
         [("district=xiva_sh changed=phone",)])
    r, au = adm.get("/api/audit?limit=5")
    t.eq(r.status, 200)
    t.ok(any(a["action"] == "office.edit" for a in au["items"]), "in the audit log")
    # the log names the change, never the values
    t.contains(s.log(), "ev=helpdesk.office_edit")
    t.lacks(s.log(), "623751122")
    s.check_clean_exit()
