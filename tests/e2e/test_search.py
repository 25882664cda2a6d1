"""The inbox's search over real HTTP: a query that is one phone number, in
every usual writing, finds the contact whose own number it is (an SMS
sender, a Telegram contact that shared it) and never a contact that wrote
that number in a message; the result shows the phone masked; each such
search is audited on the contacts it found with the number masked, and
counts against the search rate.  Words search the citizens' messages: the
bot's example in its replies (masalan: AR-2025-000001) is found only with
replies=1."""
import re
import urllib.parse

from harness import Server
from mocks import MockTelegram
from test_helpdesk_api import Staff, add_staff
from test_telegram import SECRET, fixture, post

NUMBER = "+998901234567"
FORMS = ("998901234567", "+998901234567", "90 123 45 67", "901234567",
         "+998 90 123-45-67", "(90) 123-45-67", "+998 (90) 123 45 67")
EXAMPLE = "AR-2025-000001"       # in the bot's replies (locales/*.po)


def server(t, **conf):
    mock = MockTelegram(t)
    c = {"outbox.chat_interval_ms": "0"}
    c.update(conf)
    s = Server(t, env={"MUROJAAT_TELEGRAM_TOKEN": mock.token,
                       "MUROJAAT_TELEGRAM_SECRET": SECRET,
                       "MUROJAAT_TELEGRAM_API_BASE": mock.base}, conf=c).start()
    add_staff(t, s, "agent1", "agent")
    add_staff(t, s, "boss", "supervisor")
    return s, mock


def search(who, q, **args):
    p = {"q": q}
    p.update(args)
    return who.get("/api/conversations?" + urllib.parse.urlencode(p))


def found(who, q, **args):
    r, out = search(who, q, **args)
    who.t.eq(r.status, 200, "search %r: %s" % (q, out))
    return sorted(x["id"] for x in (out or {}).get("items", []))


def contact(s, channel, address=None):
    q = "SELECT id FROM contacts WHERE channel = ?" + (" AND address = ?" if address else "")
    rows = s.sql(q, (channel, address) if address else (channel,))
    return rows[0][0] if rows else None


def test_search_by_phone_and_direction(t):
    s, mock = server(t, **{"helpdesk.search_per_minute": "1000"})
    # the citizen writes by SMS; another writes the citizen's number in a text
    t.eq(s.kannel(NUMBER, "arizam qayerda", msg_id="s1").status, 200)
    t.eq(s.kannel("+998907777777", "akamning raqami +998 90 123 45 67, 901234567",
                  msg_id="s2").status, 200)
    # and shares the same number on Telegram
    t.eq(post(s, fixture("start_uz.json")).status, 200)
    t.eq(post(s, fixture("contact_own.json")).status, 200)
    t.eq(len(mock.wait_sent(2)), 2)
    a, b, tg = contact(s, "sms", NUMBER), contact(s, "sms", "+998907777777"), contact(s, "telegram")
    t.eq(s.sql("SELECT phone FROM contacts WHERE id = ?", (tg,)), [(NUMBER,)])
    agent, boss = Staff(t, s, "agent1"), Staff(t, s, "boss")

    # every usual writing finds the contacts whose own number it is, for any role
    for q in FORMS:
        t.eq(found(agent, q), sorted([a, tg]), "agent, own phone %r" % q)
    t.eq(found(boss, "90 123 45 67"), sorted([a, tg]))
    t.eq(found(agent, "90 777 77 77"), [b])
    t.eq(found(agent, "93 000 00 00"), [])
    # never the one that wrote it inside a text (nor by its digits as words)
    for who in (agent, boss):
        for q in FORMS:
            t.lacks(found(who, q), b, "%r finds the number inside a text" % q)
    t.eq(found(agent, "akamning"), [b], "the text is there")
    # the phone masked, as everywhere; no match text for a phone search
    r, out = search(agent, "90 123 45 67")
    items = {x["id"]: x for x in out["items"]}
    t.eq(items[a]["address"], "+998 90 *** ** 67")
    t.eq(items[a]["match"], None)
    t.lacks(r.text, "1234567")
    # the other filters still apply
    t.eq(found(agent, "90 123 45 67", channel="sms"), [a])
    t.eq(found(agent, "90 123 45 67", channel="telegram"), [tg])

    # audited: who, on which contact, the number masked; the log masked too
    rows = s.sql("SELECT contact_id, username, detail FROM audit WHERE action = 'inbox' "
                 "AND detail LIKE '%by=phone%' ORDER BY id")
    agent_rows = [x for x in rows if x[1] == "agent1"]
    mine = [x for x in agent_rows if x[2].endswith("by=phone q=+998 90 *** ** 67 found=2")
            and "channel=-" in x[2]]
    t.eq(len(mine), 2 * (len(FORMS) + len(FORMS) + 1), "one row a contact found: %r" % rows[:4])
    t.eq(sorted(set(x[0] for x in mine)), sorted([a, tg]))
    t.ok(any(x[0] is None and x[2].endswith("found=0") for x in agent_rows), "a search that found nobody")
    t.ok(any(x[1] == "boss" and x[0] == a for x in rows), "the supervisor's search")
    t.ok(all(not re.search(r"\d{5}", x[2].split("q=")[1]) for x in rows), "masked: %r" % rows)
    r, audit = boss.get("/api/audit?conversation=%d" % b)
    t.eq([x["detail"][-17:] for x in audit["items"] if x["action"] == "inbox"],
         ["*** ** 77 found=1"], "b: only its own number's search")
    r, audit = boss.get("/api/audit?conversation=%d" % a)
    t.ok(any(x["action"] == "inbox" and x["username"] == "agent1" and
             "by=phone q=+998 90 *** ** 67" in x["detail"] for x in audit["items"]),
         "the search in a's audit: %r" % audit["items"][:2])
    t.ok(re.search(r"ev=helpdesk\.search req=\S+ staff=agent1 by=phone "
                   r"q=\"\+998 90 \*\*\* \*\* 67\" found=2", s.log()), "logged masked")
    events = "\n".join(x for x in s.log().splitlines() if " ev=" in x)
    t.lacks(events, "901234567")
    t.lacks(events, "90 123 45 67")

    # words: the citizens' messages by default, the replies with replies=1
    t.ok(s.sql("SELECT count(*) FROM messages WHERE contact_id = ? AND direction = 'out' "
               "AND body LIKE ?", (a, "%" + EXAMPLE + "%"))[0][0] >= 1, "the bot's example")
    t.eq(found(agent, EXAMPLE), [], "the bot's example is not a citizen's")
    t.eq(found(agent, "masalan"), [])
    t.eq(found(agent, "arizam"), [a])
    t.eq(found(agent, "arizam", replies="1"), [a])
    with_replies = found(agent, EXAMPLE, replies="1")
    t.ok(a in with_replies and tg in with_replies, "with the replies: %r" % with_replies)
    t.lacks(with_replies, b)
    t.ok(a in found(agent, "masalan", replies="1"))
    r, out = search(agent, EXAMPLE, replies="1")
    t.contains([x["match"] for x in out["items"] if x["id"] == a][0], EXAMPLE)
    t.eq(found(agent, EXAMPLE, replies="0"), [])
    # a supervisor's identifier search: the citizens' too by default
    t.eq(found(boss, "998901234567"), sorted([a, tg]), "a whole number is a phone search")
    t.eq(found(boss, "99890123456"), [b], "a prefix of 11 digits searches identifiers")
    details = [d for (d,) in s.sql("SELECT detail FROM audit WHERE action = 'inbox' "
                                   "AND detail LIKE '%search=1 replies=1%'")]
    t.eq(len(details), 4, "replies audited: %r" % details[:2])
    s.check_clean_exit()


def test_phone_search_counts_against_the_rate(t):
    s, _ = server(t, **{"helpdesk.search_per_minute": "3"})
    t.eq(s.kannel(NUMBER, "salom", msg_id="r1").status, 200)
    agent = Staff(t, s, "agent1")
    for q in ("90 123 45 67", "901234567", "salom"):
        t.eq(search(agent, q)[0].status, 200, q)
    r, out = search(agent, "+998 90 123-45-67")
    t.eq(r.status, 429)
    t.eq(out["error"], "rate_limited")
    t.ok(1 <= int(r.header("Retry-After") or "0") <= 60)
    t.eq(agent.get("/api/conversations")[0].status, 200, "the list goes on")
    # a query that cannot be searched is refused before it counts
    t.eq(search(agent, "   ")[0].status, 400)
    s.check_clean_exit()
