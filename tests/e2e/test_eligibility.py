"""Eligibility over /sms/kannel and `murojaat chat`: the child-allowance
dialogue in four exchanges in every language (verdict, reason, amount,
where to apply, compared with the catalogue and data/ texts), answers
written as people write them, one re-ask (saying what was wrong with an
implausible answer) then a graceful stop, leaving by
"menu", "0" or another question, idle expiry, documents per programme, the
Inson centre by district in any script and by the applicant's region, and a
threshold changed by `rules export` / `rules import` while the service runs.
"""
import json
import os
import time

import po
from harness import ROOT, Server, murojaat

DATA = os.path.join(ROOT, "data", "programmes.json")
CONF = {"rate.per_minute": "1000", "rate.per_day": "100000"}


def programmes():
    with open(DATA, encoding="utf-8") as f:
        return {p["code"]: p for p in json.load(f)["programmes"]}


def money(lang, v):
    s = "{:,}".format(v)
    return s if lang == "en" else s.replace(",", " ")


def ptext(code, lang, field):
    return programmes()[code]["texts"][lang][field]


def verdict(lang, code, head, why, why_args, amount=None, exact=False, nxt=None):
    """The verdict as elig_text.c joins it: head, why, amount, next step."""
    parts = [po.text(lang, "elig.head." + head, programme=ptext(code, lang, "name")),
             po.text(lang, why, **why_args)]
    if amount is not None:
        parts.append(po.text(lang, "elig.amount.exact" if exact else "elig.amount.from",
                             amount=money(lang, amount)))
    nxt = nxt or head
    parts.append(po.text(lang, "elig.next." + nxt, apply=ptext(code, lang, "apply")))
    return po.sms(" ".join(parts))


def say(s, phone, text, n):
    return s.kannel(phone, text, msg_id="%s-%d" % (phone, n)).text


# The first message of each language, and answers as people write them.
DIALOGUES = [
    ("uz-Latn", "+998930000101", "bolalar nafaqasiga haqqim bormi", ["besh", "uch", "3 mln"]),
    ("uz-Cyrl", "+998930000102", "болалар нафақасига ҳаққим борми", ["беш", "3", "3 000 000"]),
    ("ru", "+998930000103", "имею ли я право на пособие на детей", ["пять", "3", "3 млн"]),
    ("en", "+998930000104", "am i eligible for child allowance", ["five", "3", "3 million"]),
]


def test_child_allowance_in_four_exchanges_every_language(t):
    s = Server(t, conf=CONF).start()
    for lang, phone, first, answers in DIALOGUES:
        name = ptext("child_allowance", lang, "name")
        r = say(s, phone, first, 1)
        t.eq(r, po.sms(po.text(lang, "elig.start.members", programme=name)), lang)
        r = say(s, phone, answers[0], 2)
        t.eq(r, po.sms(po.text(lang, "elig.q.children")), lang)
        r = say(s, phone, answers[1], 3)
        t.eq(r, po.sms(po.text(lang, "elig.q.income3m")), lang)
        # exchange 4: 3 000 000 / 5 people / 3 months = 200 000 a person;
        # 3 children: 275 000 + 165 000 + 110 000 = 550 000 (more if one
        # is under 3)
        r = say(s, phone, answers[2], 4)
        want = verdict(lang, "child_allowance", "yes", "elig.why.income.pass",
                       {"value": money(lang, 200000), "limit": money(lang, 715000)},
                       amount=550000)
        t.eq(r, want, lang)
        t.contains(r, "my.gov.uz", lang)
        # the dialogue is over
        t.eq(s.sql("SELECT state FROM contacts WHERE address = ?", (phone,)), [("",)])
        # every reply fitted 2 segments
        segs = s.sql("SELECT max(segments) FROM messages m JOIN contacts c ON "
                     "c.id = m.contact_id WHERE c.address = ? AND direction = 'out'",
                     (phone,))[0][0]
        t.ok(segs is not None and segs <= 2, "%s: %r segments" % (lang, segs))
    s.check_clean_exit()


def test_not_eligible_and_cannot_tell_and_general_check(t):
    s = Server(t, conf=CONF).start()
    ph = "+998930000111"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    say(s, ph, "4", 2)
    # no children under 18: the verdict comes at once, without the income
    r = say(s, ph, "0", 3)
    t.eq(r, verdict("uz-Latn", "child_allowance", "no", "elig.why.children.fail", {}))
    # just above the line: 9 000 000 / 4 / 3 = 750 000 > 715 000
    ph = "+998930000112"
    say(s, ph, "имею ли я право на пособие на детей", 1)
    say(s, ph, "4", 2)
    say(s, ph, "2", 3)
    r = say(s, ph, "9 000 000", 4)
    t.eq(r, verdict("ru", "child_allowance", "unsure", "elig.why.income.unsure",
                    {"value": money("ru", 750000), "limit": money("ru", 715000)}))
    # far above: not eligible
    ph = "+998930000113"
    say(s, ph, "am i eligible for child allowance", 1)
    say(s, ph, "2", 2)
    say(s, ph, "1", 3)
    r = say(s, ph, "30 mln", 4)
    t.eq(r, verdict("en", "child_allowance", "no", "elig.why.income.fail",
                    {"value": money("en", 5000000), "limit": money("en", 715000)}))
    # no programme named: the general check finds material assistance for
    # a family without children
    ph = "+998930000114"
    r = say(s, ph, "nafaqa olsam boladimi", 1)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.general.members")))
    say(s, ph, "2", 2)
    say(s, ph, "0", 3)
    r = say(s, ph, "2 mln", 4)
    t.eq(r, verdict("uz-Latn", "material_aid", "yes", "elig.why.income.pass",
                    {"value": money("uz-Latn", 333333), "limit": money("uz-Latn", 715000)},
                    amount=420000, exact=True))
    s.check_clean_exit()


def test_reask_once_then_stop(t):
    s = Server(t, conf=CONF).start()
    ph = "+998930000121"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    r = say(s, ph, "bilmadim", 2)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.again.members")))
    # a readable answer after the re-ask goes on
    r = say(s, ph, "5", 3)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.q.children")))
    r = say(s, ph, "5", 4)  # 5 children in a family of 5: not an answer
    t.eq(r, po.sms(po.text("uz-Latn", "elig.bad.children.other", limit="5", value="5")))
    r = say(s, ph, "ko'p", 5)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.giveup")))
    t.eq(s.sql("SELECT state FROM contacts WHERE address = ?", (ph,)), [("",)])
    # income of "6" (not "6 mln") is asked again
    ph = "+998930000122"
    say(s, ph, "am i eligible for child allowance", 1)
    say(s, ph, "3", 2)
    say(s, ph, "1", 3)
    r = say(s, ph, "6", 4)
    t.eq(r, po.text("en", "elig.bad.income3m.low", value="6"))
    s.check_clean_exit()


def test_implausible_answers_are_asked_again_saying_why(t):
    s = Server(t, conf=CONF).start()
    # uz-Latn: too many people, more children than people, no income at all
    ph = "+998930000141"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    r = say(s, ph, "41", 2)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.bad.members.high")))
    t.eq(say(s, ph, "4", 3), po.sms(po.text("uz-Latn", "elig.q.children")))
    r = say(s, ph, "5 ta", 4)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.bad.children.other", limit="4", value="5")))
    t.eq(say(s, ph, "2", 5), po.sms(po.text("uz-Latn", "elig.q.income3m")))
    r = say(s, ph, "0", 6)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.bad.income3m.zero")))
    # 0 again: believed; no income at all is likely eligible
    r = say(s, ph, "0", 7)
    t.ok(r.startswith(po.sms(po.text("uz-Latn", "elig.head.yes",
                                     programme=ptext("child_allowance", "uz-Latn", "name")))), r)
    t.eq(s.sql("SELECT state FROM contacts WHERE address = ?", (ph,)), [("",)])
    # ru: half a person, as many children as people, a tiny income, then
    # an unreadable answer after the re-ask stops the check
    ph = "+998930000142"
    say(s, ph, "имею ли я право на пособие на детей", 1)
    t.eq(say(s, ph, "2.5", 2), po.text("ru", "elig.bad.members.whole"))
    say(s, ph, "3", 3)
    r = say(s, ph, "3", 4)
    t.eq(r, po.text("ru", "elig.bad.children.other", limit="3", value="3"))
    t.eq(say(s, ph, "1", 5), po.text("ru", "elig.q.income3m"))
    t.eq(say(s, ph, "500", 6), po.text("ru", "elig.bad.income3m.low", value="500"))
    t.eq(say(s, ph, "не знаю", 7), po.text("ru", "elig.giveup"))
    # uz-Cyrl: an age over 120
    ph = "+998930000143"
    say(s, ph, "ёшлар дафтарига кира оламанми", 1)
    t.eq(say(s, ph, "150", 2), po.text("uz-Cyrl", "elig.bad.age.high"))
    # en: no disability group 4; a fractional age
    ph = "+998930000144"
    say(s, ph, "am i eligible for disability allowance", 1)
    t.eq(say(s, ph, "4", 2), po.text("en", "elig.bad.disability_group"))
    ph = "+998930000145"
    say(s, ph, "am i eligible for the youth register", 1)
    t.eq(say(s, ph, "25.5", 2), po.text("en", "elig.bad.age.whole"))
    # something that is not a number still gets the plain re-ask
    t.eq(say(s, "+998930000146", "am i eligible for the youth register", 1),
         po.text("en", "elig.start.age", programme=ptext("youth_register", "en", "name")))
    t.eq(say(s, "+998930000146", "no idea", 2), po.text("en", "elig.again.age"))
    s.check_clean_exit()


def test_menu_zero_and_new_question_leave(t):
    s = Server(t, conf=CONF).start()
    ph = "+998930000131"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    r = say(s, ph, "menu", 2)
    t.eq(r, po.sms(po.text("uz-Latn", "help")))
    t.eq(s.sql("SELECT state FROM contacts WHERE address = ?", (ph,)), [("",)])
    # "0" where 0 is no answer (family size) leaves too
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 3)
    r = say(s, ph, "0", 4)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.cancelled")))
    # a new question mid-dialogue is answered, and the dialogue is gone
    ph = "+998930000132"
    say(s, ph, "имею ли я право на пособие на детей", 1)
    say(s, ph, "4", 2)
    r = say(s, ph, "статус заявки", 3)
    t.eq(r, po.text("ru", "status.ask_number"))
    # asking again restarts from the first question
    r = say(s, ph, "имею ли я право на пособие на детей", 4)
    t.eq(r, po.text("ru", "elig.start.members",
                    programme=ptext("child_allowance", "ru", "name")))
    s.check_clean_exit()


def test_idle_dialogue_expires(t):
    s = Server(t, conf=dict(CONF, **{"eligibility.idle_timeout": "1"})).start()
    ph = "+998930000141"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    time.sleep(2.2)
    r = say(s, ph, "5", 2)
    t.eq(r, po.sms(po.text("uz-Latn", "elig.expired")))
    t.eq(s.sql("SELECT state FROM contacts WHERE address = ?", (ph,)), [("",)])
    s.check_clean_exit()


def test_documents_per_programme(t):
    s = Server(t, conf=CONF).start()
    cases = [
        ("+998930000151", "bolalar nafaqasi uchun qanday hujjatlar kerak", "uz-Latn", "child_allowance"),
        ("+998930000152", "moddiy yordam uchun qanday hujjatlar kerak", "uz-Latn", "material_aid"),
        ("+998930000153", "какие документы нужны для пособия на детей", "ru", "child_allowance"),
        ("+998930000154", "моддий ёрдам учун қандай ҳужжатлар керак", "uz-Cyrl", "material_aid"),
        ("+998930000155", "what documents do i need for material assistance", "en", "material_aid"),
    ]
    for ph, text, lang, code in cases:
        r = say(s, ph, text, 1)
        want = po.text(lang, "elig.documents", programme=ptext(code, lang, "name"),
                       documents=ptext(code, lang, "documents"),
                       apply=ptext(code, lang, "apply"),
                       timeline=ptext(code, lang, "timeline"))
        t.eq(r, po.sms(want), text)
    # no programme named: the general answer
    r = say(s, "+998930000156", "qanday hujjatlar kerak", 1)
    t.eq(r, po.sms(po.text("uz-Latn", "documents.general")))
    # mid-dialogue, "documents" means the programme being checked
    ph = "+998930000157"
    say(s, ph, "am i eligible for child allowance", 1)
    r = say(s, ph, "what documents do i need", 2)
    t.contains(r, ptext("child_allowance", "en", "documents"))
    s.check_clean_exit()


def office_text(lang, name, address, landmark="", phone="", days="1-5", opens="09:00",
                closes="18:00"):
    """The office reply as bot/elig_text.c puts it together from the catalogue."""
    parts = [po.text(lang, "elig.office", district=name, address=address)]
    if landmark:
        parts.append(po.text(lang, "elig.office.landmark", landmark=landmark))
    parts.append(po.text(lang, "elig.office.hours", days=po.text(lang, "elig.days." + days),
                         open=opens, close=closes))
    if phone:
        parts.append(po.text(lang, "elig.office.phone", phone=phone))
    return po.sms(" ".join(parts))


def offices():
    rows = {}
    with open(os.path.join(ROOT, "data", "offices.tsv"), encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if not l.startswith("#")]
    head = lines[0].split("\t")
    for l in lines[1:]:
        d = dict(zip(head, l.split("\t")))
        rows[d["district"]] = d
    return rows


def test_office_by_district_in_any_script_and_by_region(t):
    s = Server(t, conf=CONF).start()
    o = offices()
    t.eq(len(o), 13, "every Khorezm district and city")
    cases = [
        ("Gurlan tumanidagi inson markazi qayerda", "uz-Latn", "gurlan"),
        ("инсон маркази қаерда Хонқа", "uz-Cyrl", "xonqa"),
        ("где центр инсон в Хиве", "ru", "xiva_sh"),
        ("где центр инсон в Хазараспе", "ru", "hazorasp"),
        ("где центр инсон Янгиарык", "ru", "yangiariq"),
        ("где центр инсон в Ургенчском районе", "ru", "urganch"),
        ("Qo'shko'pir inson markazi qayerda", "uz-Latn", "qoshkopir"),
        ("where is the inson centre in Khiva district", "en", "xiva"),
    ]
    for n, (text, lang, district) in enumerate(cases):
        d = o[district]
        r = say(s, "+99893000016%d" % n, text, 1)
        t.eq(r, office_text(lang, d["name." + lang], d["address." + lang]), text)
    # no district named: asked for one, then the answer names it
    ph = "+998930000171"
    r = say(s, ph, "inson markazi qayerda", 1)
    t.eq(r, po.sms(po.text("uz-Latn", "office.ask")))
    r = say(s, ph, "Bog'ot", 2)
    t.eq(r, office_text("uz-Latn", o["bogot"]["name.uz-Latn"], o["bogot"]["address.uz-Latn"]))
    ph = "+998930000172"
    say(s, ph, "где находится центр инсон", 1)
    r = say(s, ph, "Тупраккала", 2)
    t.eq(r, office_text("ru", o["tuproqqala"]["name.ru"], o["tuproqqala"]["address.ru"]))
    # an applicant's own district (AR-2025-000002: Xorazm, Urganch district)
    r = say(s, "+998907654321", "inson markazi qayerda", 1)
    t.eq(r, office_text("uz-Latn", o["urganch"]["name.uz-Latn"], o["urganch"]["address.uz-Latn"]))
    # a district with no centre in the data, asked twice: the general advice
    ph = "+998930000173"
    say(s, ph, "inson markazi qayerda", 1)
    r = say(s, ph, "Chilonzor", 2)
    t.eq(r, po.sms(po.text("uz-Latn", "office.general")))
    s.check_clean_exit()


def test_a_district_name_alone_is_an_office_question(t):
    s = Server(t, conf=CONF).start()
    o = offices()
    cases = [   # (text, reply language: a new sender's, by the name's script)
        ("Xiva", "uz-Latn", "xiva_sh"),
        ("Гурлан", "uz-Cyrl", "gurlan"),
        ("Urganch tumani", "uz-Latn", "urganch"),
        ("Xonqada", "uz-Latn", "xonqa"),
        ("Хазарасп?", "uz-Cyrl", "hazorasp"),
    ]
    for n, (text, lang, district) in enumerate(cases):
        d = o[district]
        r = say(s, "+99893000019%d" % n, text, 1)
        t.eq(r, office_text(lang, d["name." + lang], d["address." + lang]), text)
    # stored, counted and summarised as the office question it is
    t.eq(s.sql("SELECT intent FROM messages WHERE channel_msg_id = '+998930000190-1'"),
         [("office_location",)])
    say(s, "+998930000190", "Xiva", 2)
    q = ("SELECT c.unknown_streak, c.needs_human FROM conversations c JOIN contacts k "
         "ON k.id = c.contact_id WHERE k.address = '+998930000190'")
    deadline = time.time() + 10     # the indexer follows within a second
    while time.time() < deadline and not s.sql(q):
        time.sleep(0.1)
    t.eq(s.sql(q), [(0, 0)])
    # not a district, or more than its name: not taken for one
    t.eq(say(s, "+998930000198", "qwzx", 1), po.sms(po.text("uz-Latn", "unknown")))
    # a list of districts is not one district's name: what it means is
    # the model's to say (it reads an office question), not the rule's
    say(s, "+998930000199", "Xiva Gurlan Xonqa Bog'ot Urganch", 1)
    t.eq(s.sql("SELECT intent, nlu_source FROM messages WHERE channel_msg_id = "
               "'+998930000199-1'"), [("office_location", "model")])
    # in the middle of an eligibility dialogue a name is an answer, not a question
    ph = "+998930000200"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    t.ok(say(s, ph, "Xiva", 2) != office_text("uz-Latn", o["xiva_sh"]["name.uz-Latn"],
                                              o["xiva_sh"]["address.uz-Latn"]), "dialogue kept")
    # a spelling added by `rules import` is known at once, without a restart
    env = {"MUROJAAT_DB": s.db, "MUROJAAT_DEMO_APPS": "0"}
    code, out, err = murojaat(["rules", "export", "--offices"], env=env)
    t.eq(code, 0, err)
    rows = out.rstrip("\n").split("\n")
    head = rows[0].split("\t")
    k = head.index("aliases")
    for j, row in enumerate(rows):
        f = row.split("\t")
        if f[0] == "gurlan":
            f[k] += "|Anqaqala"
            rows[j] = "\t".join(f)
    tsv = os.path.join(s.dir, "offices.tsv")
    with open(tsv, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    t.eq(murojaat(["rules", "import", tsv], env=env)[0], 0)
    d = o["gurlan"]
    t.eq(say(s, "+998930000201", "Anqaqala", 1),
         office_text("uz-Latn", d["name.uz-Latn"], d["address.uz-Latn"]))
    s.check_clean_exit()


def test_changed_threshold_changes_verdict_without_restart(t):
    s = Server(t, conf=CONF).start()
    env = {"MUROJAAT_DB": s.db, "MUROJAAT_DEMO_APPS": "0"}
    code, out, err = murojaat(["rules", "export"], env=env)
    t.eq(code, 0, err)
    data = json.loads(out)
    t.eq([x["value"] for x in data["settings"] if x["key"] == "mce"], [715000])
    codes = [p["code"] for p in data["programmes"]]
    t.ok("child_allowance" in codes and "youth_register" in codes, codes)

    def check(ph):
        say(s, ph, "am i eligible for child allowance", 1)
        say(s, ph, "4", 2)
        say(s, ph, "2", 3)
        return say(s, ph, "9 000 000", 4)   # 750 000 a person

    before = check("+998930000181")
    t.eq(before, verdict("en", "child_allowance", "unsure", "elig.why.income.unsure",
                         {"value": money("en", 750000), "limit": money("en", 715000)}))
    for x in data["settings"]:
        if x["key"] == "mce":
            x["value"] = 800000
    path = os.path.join(s.dir, "rules.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    code, out, err = murojaat(["rules", "import", path], env=env)
    t.eq(code, 0, err)
    after = check("+998930000182")
    t.eq(after, verdict("en", "child_allowance", "yes", "elig.why.income.pass",
                        {"value": money("en", 750000), "limit": money("en", 800000)},
                        amount=440000))
    # a bad file is refused whole, saying where
    with open(path, "w") as f:
        f.write('{"format": "murojaat-rules/1", "programmes": [{"code": "x"}]}')
    code, out, err = murojaat(["rules", "import", path], env=env)
    t.ok(code != 0, "bad file accepted")
    t.contains(err, "texts")
    t.eq(s.sql("SELECT value FROM settings WHERE key = 'mce'"), [(800000.0,)])
    # offices export as TSV, and import back
    code, out, err = murojaat(["rules", "export", "--offices"], env=env)
    t.eq(code, 0, err)
    t.eq(len(out.strip().split("\n")), 14)
    tsv = os.path.join(s.dir, "offices.tsv")
    with open(tsv, "w", encoding="utf-8") as f:
        f.write(out)
    code, out, err = murojaat(["rules", "import", tsv], env=env)
    t.eq(code, 0, err)
    s.check_clean_exit()


def test_chat_drives_one_dialogue(t):
    s = Server(t, conf=CONF)   # only for its folder and database
    env = {"MUROJAAT_DB": s.db, "MUROJAAT_DEMO_APPS": "2",
           "MUROJAAT_RATE_PER_MINUTE": "1000"}
    code, out, err = murojaat(["chat", "--as", "+998930000191"], env=env,
                              stdin="имею ли я право на пособие на детей\nпять\n3\n3 млн\n")
    t.eq(code, 0, err)
    lines = out.strip().split("\n")
    t.eq(len(lines), 4, out)
    t.eq(lines[-1], verdict("ru", "child_allowance", "yes", "elig.why.income.pass",
                            {"value": money("ru", 200000), "limit": money("ru", 715000)},
                            amount=550000))
