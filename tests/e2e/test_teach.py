"""The help desk teaches the bot: answers inside a dialogue are recorded
with the dialogue's intent (never as not understood, never asking for a
person); what the bot did not understand is listed for agents (the
dashboard's list, the inbox filter review=1); an agent labels a message
with its intent or as off-topic (CSRF, roles, bad input, audited);
`murojaat corpus export` writes the labels in the corpus format with
personal data replaced; the supervisor's model endpoints."""
import json
import os
import shutil
import tempfile
import time

from harness import ROOT, Server, murojaat
from test_helpdesk_api import Staff, add_staff

CONF = {"rate.per_minute": "1000", "rate.per_day": "100000"}


def say(s, phone, text, n):
    return s.kannel(phone, text, msg_id="%s-%d" % (phone, n)).text


def server(t, **conf):
    c = dict(CONF)
    c.update(conf)
    s = Server(t, conf=c).start()
    add_staff(t, s, "agent1", "agent")
    add_staff(t, s, "boss", "supervisor")
    return s


def conv(s, phone):
    """unknown_streak, needs_human, review of phone's summary, once indexed."""
    q = ("SELECT c.unknown_streak, c.needs_human, c.review FROM conversations c "
         "JOIN contacts k ON k.id = c.contact_id WHERE k.address = ? AND "
         "c.last_msg_id = (SELECT max(id) FROM messages WHERE contact_id = k.id)")
    deadline = time.time() + 10     # the indexer follows within a second
    while time.time() < deadline and not s.sql(q, (phone,)):
        time.sleep(0.1)
    return s.sql(q, (phone,))


def inbound(s, phone):
    return s.sql("SELECT m.body, m.intent, m.nlu_source, m.review FROM messages m "
                 "JOIN contacts k ON k.id = m.contact_id WHERE k.address = ? AND "
                 "m.direction = 'in' ORDER BY m.id", (phone,))


def test_dialogue_answers_are_not_misses(t):
    s = server(t)
    ph = "+998930000301"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    for n, a in enumerate(["besh", "3", "3 mln"]):
        say(s, ph, a, n + 2)
    rows = inbound(s, ph)
    t.eq([r[1] for r in rows], ["eligibility"] * 4, rows)
    t.eq([r[2] for r in rows[1:]], ["dialogue"] * 3, rows)
    t.eq([r[3] for r in rows], [0] * 4, rows)
    # a finished eligibility check does not ask for a person
    t.eq(conv(s, ph), [(0, 0, 0)])
    # "0" ends the dialogue: an answer too; the disability group's 0 likewise
    ph = "+998930000302"
    say(s, ph, "bolalar nafaqasiga haqqim bormi", 1)
    say(s, ph, "0", 2)
    t.eq(inbound(s, ph)[1][1:], ("eligibility", "dialogue", 0))
    # a digit from the language menu answers the menu
    ph = "+998930000303"
    say(s, ph, "tilni o'zgartirish", 1)
    say(s, ph, "3", 2)
    t.eq(inbound(s, ph)[1][1:], ("language_change", "dialogue", 0))
    # the district asked for answers the office question
    ph = "+998930000304"
    say(s, ph, "inson markazi qayerda", 1)
    say(s, ph, "Xiva", 2)
    t.eq(inbound(s, ph)[1][1], "office_location")
    t.eq(conv(s, ph)[0][:2], (0, 0))
    # what is not understood still is, is up for review, and twice asks
    # for a person
    ph = "+998930000305"
    say(s, ph, "qwzx", 1)
    say(s, ph, "plmokn", 2)
    t.eq([r[1:] for r in inbound(s, ph)], [("unknown", "none", 1)] * 2)
    t.eq(conv(s, ph), [(2, 1, 2)])
    # understood messages are not up for review: the model decided this
    # one surely, a pattern the other
    ph = "+998930000306"
    say(s, ph, "salom", 1)
    say(s, ph, "STOP", 2)
    t.eq(inbound(s, ph), [("salom", "greeting", "model", 0), ("STOP", "opt_out", "pattern", 0)])
    # the dashboard counts none of the answers as not understood
    b = Staff(t, s, "boss")
    r, d = b.get("/api/dashboard")
    t.eq(r.status, 200)
    t.eq(d["unknown"], 2, d)
    t.eq(sorted(x["text"] for x in d["unknown_top"]), ["plmokn", "qwzx"])
    s.check_clean_exit()


def inbound_id(s, phone, body):
    return s.sql("SELECT m.id FROM messages m JOIN contacts k ON k.id = m.contact_id "
                 "WHERE k.address = ? AND m.body = ? AND m.direction = 'in'", (phone, body))[0][0]


def test_label_a_message(t):
    s = server(t)
    ph = "+998930000311"
    say(s, ph, "qwzx", 1)
    say(s, ph, "plmokn", 2)
    say(s, "+998930000312", "salom", 1)
    a = Staff(t, s, "agent1")
    mid = inbound_id(s, ph, "qwzx")
    # the list of labels to choose from
    r, d = a.get("/api/intents")
    t.eq(r.status, 200)
    t.eq(d["labels"][0], "greeting")
    t.eq(d["labels"][-1], "off_topic")
    t.ok("unknown" not in d["labels"], d)
    # the not-understood filter: only the conversation with messages to label
    r, d = a.get("/api/conversations?review=1")
    t.eq(r.status, 200)
    t.eq([c["address"][-2:] for c in d["items"]], ["11"], d)
    t.eq(d["items"][0]["review"], 2)
    cid = d["items"][0]["id"]
    # the conversation shows what understood each message and its label
    r, v = a.get("/api/conversations/%d" % cid)
    m = [x for x in v["messages"] if x["id"] == mid][0]
    t.eq((m["source"], m["review"], m["label"]), ("none", 1, None))
    out = [x for x in v["messages"] if x["direction"] == "out"][0]
    t.eq((out["source"], out["prob"], out["label"]), (None, None, None))
    # one click: the right intent
    r, d = a.post("/api/messages/%d/label" % mid, {"intent": "status_check"})
    t.eq(r.status, 200, d)
    t.eq((d["label"], d["by"], d["previous"], d["conversation"]),
         ("status_check", "agent1", None, cid))
    t.eq(s.sql("SELECT l.intent, s.username FROM message_labels l JOIN staff s "
               "ON s.id = l.staff_id WHERE l.message_id = ?", (mid,)),
         [("status_check", "agent1")])
    au = s.sql("SELECT username, action, contact_id, detail FROM audit "
               "WHERE action = 'message.label'")
    t.eq(au, [("agent1", "message.label", cid, "message=%d intent=status_check was=-" % mid)])
    r, d = a.get("/api/conversations?review=1")
    t.eq(d["items"][0]["review"], 1)
    # a change of mind replaces it, audited too
    r, d = a.post("/api/messages/%d/label" % mid, {"intent": "off_topic"})
    t.eq((r.status, d["previous"]), (200, "status_check"))
    t.eq(s.sql("SELECT intent FROM message_labels WHERE message_id = ?", (mid,)), [("off_topic",)])
    t.eq(len(s.sql("SELECT 1 FROM audit WHERE action = 'message.label'")), 2)
    r, v = a.get("/api/conversations/%d" % cid)
    m = [x for x in v["messages"] if x["id"] == mid][0]
    t.eq((m["label"]["intent"], m["label"]["by"]), ("off_topic", "agent1"))
    # the other one labelled: the filter lets the conversation go
    a.post("/api/messages/%d/label" % inbound_id(s, ph, "plmokn"), {"intent": "greeting"})
    r, d = a.get("/api/conversations?review=1")
    t.eq(d["items"], [])
    # bad input: a clear 400, nothing stored
    n = len(s.sql("SELECT 1 FROM audit"))
    for body in ({"intent": "bogus"}, {"intent": "unknown"}, {"intent": 5}, {}):
        r, d = a.post("/api/messages/%d/label" % mid, body)
        t.eq(r.status, 400, body)
        t.eq(d["error"], "bad_intent", body)
        t.contains(d["message"], "status_check")
        t.contains(d["message"], "off_topic")
    r, d = a.post("/api/messages/99999999/label", {"intent": "greeting"})
    t.eq((r.status, d["error"]), (404, "not_found"))
    r, d = a.post("/api/messages/%d/label" % out["id"], {"intent": "greeting"})
    t.eq(r.status, 400)
    t.eq(a.get("/api/messages/%d/label" % mid)[0].status, 405)
    t.eq(a.post("/api/messages/abc/label", {"intent": "greeting"})[0].status, 404)
    # no CSRF token, no session: refused, nothing labelled
    r, d = a.post("/api/messages/%d/label" % mid, {"intent": "help"}, csrf=False)
    t.eq((r.status, d["error"]), (403, "csrf"))
    r = s.request("POST", "/api/messages/%d/label" % mid, body=json.dumps({"intent": "help"}),
                  headers={"Content-Type": "application/json"})
    t.eq(r.status, 401)
    r, d = a.post("/api/messages/%d/label" % mid, {"intent": "help"},
                  headers={"Origin": "http://evil.example"})
    t.eq(r.status, 403)
    t.eq(s.sql("SELECT intent FROM message_labels WHERE message_id = ?", (mid,)), [("off_topic",)])
    t.eq(len(s.sql("SELECT 1 FROM audit WHERE action = 'message.label'")), 3)
    # the good request still works
    r, d = a.post("/api/messages/%d/label" % mid, {"intent": "help"})
    t.eq(r.status, 200)
    s.check_clean_exit()


def test_dashboard_lists_what_to_label(t):
    s = server(t)
    for n, ph in enumerate(("+998930000321", "+998930000322", "+998930000323")):
        say(s, ph, "qwzx", 1)
    say(s, "+998930000324", "mening raqamim 901234567 plmokn", 1)
    b = Staff(t, s, "boss")
    r, d = b.get("/api/dashboard")
    t.eq(r.status, 200)
    t.eq(d["review"], 4)
    top = d["unknown_top"]
    t.eq([(x["text"], x["n"]) for x in top][0], ("qwzx", 3))
    t.eq(top[0]["message_id"], inbound_id(s, "+998930000323", "qwzx"), "the latest one")
    t.eq(top[0]["intent"], "unknown")
    # personal data is masked in the list
    t.lacks(json.dumps(top, ensure_ascii=False), "901234567")
    # labelled once, a text leaves the list
    r, _ = b.post("/api/messages/%d/label" % top[0]["message_id"], {"intent": "off_topic"})
    t.eq(r.status, 200)
    r, d = b.get("/api/dashboard")
    t.eq([x["n"] for x in d["unknown_top"]], [1])
    t.eq(d["review"], 3)
    s.check_clean_exit()


def test_corpus_export_masks_personal_data(t):
    s = server(t)
    ph = "+998930000331"
    say(s, ph, "mening raqamim +998 91 765 43 21 pinfl 31234567890123 qwzx", 1)
    say(s, ph, "AR-2025-004512 nima bo'ldi plmokn", 2)
    say(s, ph, "qwzx", 3)
    a = Staff(t, s, "agent1")
    for body, intent in (("mening raqamim +998 91 765 43 21 pinfl 31234567890123 qwzx", "status_check"),
                         ("AR-2025-004512 nima bo'ldi plmokn", "status_check"),
                         ("qwzx", "off_topic")):
        r, _ = a.post("/api/messages/%d/label" % inbound_id(s, ph, body), {"intent": intent})
        t.eq(r.status, 200)
    env = {"MUROJAAT_DB": s.db, "MUROJAAT_DEMO_APPS": "0"}
    out = os.path.join(s.dir, "labels.tsv")
    code, so, err = murojaat(["corpus", "export", "--out", out], env=env)
    t.eq(code, 0, err)
    t.contains(err, "3 labelled messages written")
    with open(out, encoding="utf-8") as f:
        text = f.read()
    rows = [x.split("\t") for x in text.splitlines() if x and not x.startswith("#")]
    t.eq([len(r) for r in rows], [4, 4, 4])
    t.eq(rows[0], ["mening raqamim +998 90 000 00 00 pinfl 30000000000000 qwzx", "uz-Latn",
                   "status_check", "pinfl=30000000000000;phone=+998900000000"])
    t.eq(rows[1][0], "AR-2000-000001 nima bo'ldi plmokn")
    t.eq(rows[1][2:], ["status_check", "app_no=AR-2000-000001"])
    t.eq(rows[2][2], "off_topic")
    for secret in ("765 43 21", "31234567890123", "004512"):
        t.lacks(text, secret)
    # to stdout as well; bad usage is 2
    code, so, err = murojaat(["corpus", "export"], env=env)
    t.eq(code, 0, err)
    t.eq(so, text)
    t.eq(murojaat(["corpus", "import"], env=env)[0], 2)
    t.eq(murojaat(["corpus", "export", "--out"], env=env)[0], 2)
    # murojaat train --labels learns from the corpus and these labels
    model = os.path.join(s.dir, "labelled.bin")
    small = os.path.join(ROOT, "data", "corpus", "project.tsv")
    code, so, err = murojaat(["train", "--corpus", small, "--labels", "--out", model], env=env)
    t.eq(code, 0, err)
    t.contains(err, "3 help-desk labels")
    t.contains(err, "from 622 messages")
    t.ok(os.path.getsize(model) > 1000000)
    t.eq([f for f in os.listdir(s.dir) if f.startswith("labels-")], [], "the labels file is gone")
    s.check_clean_exit()


def test_model_endpoints_for_supervisors(t):
    # a small corpus keeps the retraining quick under the sanitizers
    corpus = tempfile.mkdtemp(prefix="murojaat-corpus-")
    shutil.copy(os.path.join(ROOT, "data", "corpus", "project.tsv"), corpus)
    t.defer(lambda: shutil.rmtree(corpus, ignore_errors=True))
    s = server(t, **{"nlu.corpus_dir": corpus})
    a = Staff(t, s, "agent1")
    b = Staff(t, s, "boss")
    # agents may not; the refusal is audited
    for verb in ("retrain", "activate", "rollback"):
        r, d = a.post("/api/model/" + verb)
        t.eq((r.status, d["error"]), (403, "forbidden"), verb)
    t.eq(a.get("/api/model")[0].status, 403)
    t.eq(len(s.sql("SELECT 1 FROM audit WHERE action = 'model.refused' AND username = 'agent1'")), 4)
    # no CSRF token: refused before anything runs
    r, d = b.post("/api/model/activate", csrf=False)
    t.eq(r.status, 403)
    # the service runs on the model built beside the program
    r, d = b.get("/api/model")
    t.eq(r.status, 200)
    t.eq((d["trainer"], d["active"], d["new"], d["previous"]), (True, False, False, False))
    t.ok(0.85 <= d["current_cv"] <= 1.0, d)
    # nothing to activate or roll back to yet
    r, d = b.post("/api/model/activate")
    t.eq((r.status, d["error"]), (409, "no_model"))
    r, d = b.post("/api/model/rollback")
    t.eq((r.status, d["error"]), (409, "no_model"))
    # an agent's label goes into the retraining
    phone = "+998901119901"
    say(s, phone, "qwerty asdf zxcv", 1)
    mid = s.sql("SELECT m.id FROM messages m JOIN contacts k ON k.id = m.contact_id "
                "WHERE k.address = ? AND m.direction = 'in'", (phone,))[0][0]
    r, d = a.post("/api/messages/%d/label" % mid, {"intent": "help"})
    t.eq(r.status, 200, d)
    r, d = b.post("/api/model/retrain", timeout=300)
    t.eq(r.status, 200, d)
    t.ok(0.5 <= d["new_cv"] <= 1.0, d)
    t.ok(0.85 <= d["current_cv"] <= 1.0, d)
    t.eq(d["labels"], 1, d)
    d0 = os.path.dirname(s.db)
    t.ok(os.path.exists(os.path.join(d0, "model.new.bin")))
    # swapped in without a restart
    loads = s.log().count("intents.model_loaded")
    r, d = b.post("/api/model/activate")
    t.eq(r.status, 200, d)
    t.eq(s.log().count("intents.model_loaded"), loads + 1, s.log())
    t.contains(s.log(), "by=helpdesk")
    r, d = b.get("/api/model")
    t.eq((d["active"], d["new"], d["previous"]), (True, False, False))
    # a second model: the first is kept for the roll-back
    r, d = b.post("/api/model/retrain", timeout=300)
    t.eq(r.status, 200, d)
    r, d = b.post("/api/model/activate")
    t.eq(r.status, 200, d)
    r, d = b.get("/api/model")
    t.eq((d["active"], d["new"], d["previous"]), (True, False, True))
    r, d = b.post("/api/model/rollback")
    t.eq(r.status, 200, d)
    t.ok(os.path.exists(os.path.join(d0, "model.rolledback.bin")))
    # rolled back past the first: the service is on the built model again
    r, d = b.post("/api/model/rollback")
    t.eq(r.status, 200, d)
    t.ok(not os.path.exists(os.path.join(d0, "model.bin")))
    last = [x for x in s.log().splitlines() if "intents.model_loaded" in x][-1]
    t.lacks(last, d0, "the built model, not one beside the database")
    r, d = b.post("/api/model/rollback")
    t.eq((r.status, d["error"]), (409, "no_model"))
    t.eq(b.post("/api/model/bogus")[0].status, 404)
    t.eq(b.get("/api/model/activate")[0].status, 405)
    acts = s.sql("SELECT action FROM audit WHERE action LIKE 'model.%' AND username = 'boss' "
                 "ORDER BY id")
    t.eq([x[0] for x in acts], ["model.activate", "model.rollback", "model.retrain",
                                "model.activate", "model.retrain", "model.activate",
                                "model.rollback", "model.rollback", "model.rollback"])
    s.check_clean_exit()
