"""The help desk teaches the bot: answers inside a dialogue are recorded
with the dialogue's intent (never as not understood, never asking for a
person); what the bot did not understand is listed for agents (the
dashboard's list, the inbox filter review=1); an agent labels a message
with its intent or as off-topic (CSRF, roles, bad input, audited);
`murojaat corpus export` writes the labels in the corpus format with
personal data replaced; the supervisor's model endpoints."""
import json
import os
import time

from harness import Server, murojaat
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
    # understood messages are not up for review; a pattern decided them
    ph = "+998930000306"
    say(s, ph, "salom", 1)
    t.eq(inbound(s, ph), [("salom", "greeting", "pattern", 0)])
    # the dashboard counts none of the answers as not understood
    b = Staff(t, s, "boss")
    r, d = b.get("/api/dashboard")
    t.eq(r.status, 200)
    t.eq(d["unknown"], 2, d)
    t.eq(sorted(x["text"] for x in d["unknown_top"]), ["plmokn", "qwzx"])
    s.check_clean_exit()
