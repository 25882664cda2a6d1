"""Personal data stays masked against a signed-in agent: search is no oracle
for a masked identifier (a PINFL rebuilt digit by digit, a full phone or
card confirmed), a supervisor's search by an identifier is audited with its
query, searches are rate-limited per account, the contact's own phone finds
the citizen (audited with the number masked); the inbox snippet and the search match are masked whole and
cut after; every written form of an identifier is masked in the inbox, the
conversation and search results."""
import json
import re
import urllib.parse

from harness import Server
from test_helpdesk_api import Staff, add_staff

PINFL = "31205678901234"
# never written anywhere: what a search for digits that appear nowhere gives
NOWHERE = "39887766554433"


def digit_runs(text):
    """Runs of digits as base/mask.h defines them (up to three of
    space, tab, . - ( ) / + between two digits), application numbers out."""
    text = re.sub(r"(?i)(?<![0-9A-Za-z\u0080-\uffff])(?:AR|АР)[ \t.\-()/+#№]{0,3}20\d\d"
                  r"(?:\d{6}|[ \t.\-()/+]{1,3}\d{1,6})(?!\d)", " ", text)
    return [re.sub(r"\D", "", m) for m in re.findall(r"\d(?:[ \t.\-()/+]{0,3}\d)*", text)]


def longest_run(text):
    return max([len(r) for r in digit_runs(text)] + [0])


def texts(obj):
    """Every text an agent reads in an answer: bodies, snippets, matches."""
    if isinstance(obj, dict):
        return [v for k, v in obj.items() if k in ("body", "snippet", "match", "text")
                and isinstance(v, str)] + [x for v in obj.values() for x in texts(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in texts(v)]
    return []


def shown_run(obj):
    return max([longest_run(x) for x in texts(obj)] + [0])


def server(t, **conf):
    s = Server(t, conf=conf).start()
    add_staff(t, s, "agent1", "agent")
    add_staff(t, s, "boss", "supervisor")
    return s


def search(who, q):
    r, out = who.get("/api/conversations?q=" + urllib.parse.quote(q))
    return r, out


def found(who, q):
    r, out = search(who, q)
    who.t.eq(r.status, 200, "search %r: %s" % (q, out))
    return sorted(x["id"] for x in (out or {}).get("items", []))


def test_search_is_no_oracle(t):
    s = server(t, **{"helpdesk.search_per_minute": "1000"})
    # contact 1 writes identifiers; contact 2 writes nothing personal
    s.kannel("+998901111111", "pinfl %s tel +998 90 765 43 21 karta 8600 1234 5678 9012 "
             "pasport AB7654321 qidiruv" % PINFL, msg_id="o1")
    s.kannel("+998902222222", "salom qidiruv", msg_id="o2")
    agent, boss = Staff(t, s, "agent1"), Staff(t, s, "boss")
    t.eq(found(agent, "qidiruv"), [1, 2], "words are found")
    # a PINFL digit by digit: every prefix answers as digits that appear nowhere
    for k in range(1, len(PINFL) + 1):
        t.eq(found(agent, PINFL[:k]), found(agent, NOWHERE[:k]), "prefix %r" % PINFL[:k])
        t.lacks(found(agent, PINFL[:k]), 1, "prefix %r finds the PINFL" % PINFL[:k])
    # full numbers, any writing: nothing, as for a number nobody wrote
    for q in ("998907654321", "+998 90 765 43 21", "765 43 21", "907654321",
              "8600123456789012", "8600 1234 5678 9012", "AB7654321", "7654321"):
        t.eq(found(agent, q), [], "agent search %r" % q)
    # a supervisor finds the identifier (prefix of 7 digits or more too)...
    t.eq(found(boss, PINFL), [1])
    t.eq(found(boss, PINFL[:7]), [1])
    t.eq(found(boss, NOWHERE), [])
    t.eq(found(boss, "8600 1234 5678 9012"), [1])
    # ... and the audit row keeps the query; the log only its mask
    rows = [d for (d,) in s.sql("SELECT detail FROM audit WHERE action = 'inbox' AND "
                                "username = 'boss'")]
    t.ok(any("by=id q=%s" % PINFL in d for d in rows), "supervisor's query audited: %r" % rows)
    t.lacks(s.log(), PINFL)
    t.contains(s.log(), "************34")
    # the contact's own phone, in every usual writing, finds the citizen
    for q in ("998901111111", "+998901111111", "90 111 11 11", "+998 90 111-11-11",
              "(90) 111-11-11"):
        t.eq(found(agent, q), [1], "own phone %r" % q)
    t.eq(found(agent, "90 222 22 22"), [2])
    # ... but not a number written inside a text
    t.eq(found(agent, "90 765 43 21"), [])
    t.eq(found(boss, "90 765 43 21"), [], "a phone query is the contact's own phone")
    # audited with the number masked, on the contact found
    rows = s.sql("SELECT contact_id, detail FROM audit WHERE action = 'inbox' AND "
                 "username = 'agent1' AND detail LIKE '%by=phone%'")
    t.eq(sum(1 for c, d in rows if c == 1 and d.endswith("by=phone q=+998 90 *** ** 11 found=1")), 5)
    t.eq(sum(1 for c, d in rows if c == 2 and d.endswith("by=phone q=+998 90 *** ** 22 found=1")), 1)
    t.ok(all(re.search(r" by=phone q=\+998 \d\d \*\*\* \*\* \d\d found=\d+$", d) for c, d in rows),
         "masked: %r" % rows)
    t.ok(all("1111111" not in d and "7654321" not in d for c, d in rows), "no number in %r" % rows)
    t.lacks(s.log(), "901111111")
    # what an agent sees of the matches carries no identifier
    r, out = search(agent, "qidiruv")
    t.ok(len(texts(out)) >= 4)
    t.ok(shown_run(out) < 7, "7 digits in %s" % out)
    s.check_clean_exit()


def test_search_rate_limit(t):
    s = server(t, **{"helpdesk.search_per_minute": "5"})
    s.kannel("+998901111111", "salom", msg_id="r1")
    agent, boss = Staff(t, s, "agent1"), Staff(t, s, "boss")
    for i in range(5):
        t.eq(search(agent, "salom%d" % i)[0].status, 200)
    r, out = search(agent, "salom")
    t.eq(r.status, 429)
    t.eq(out["error"], "rate_limited")
    ra = int(r.header("Retry-After") or "0")
    t.ok(1 <= ra <= 60, "Retry-After %d" % ra)
    t.eq(out["retry_after"], ra)
    # the list without a search, and another account, go on
    t.eq(agent.get("/api/conversations")[0].status, 200)
    t.eq(search(boss, "salom")[0].status, 200)
    t.contains(s.log(), "ev=helpdesk.search_limited")


def test_mask_then_cut(t):
    s = server(t)
    agent = Staff(t, s, "agent1")
    s.kannel("+998901111111", "salom", msg_id="c0")
    r, _ = agent.post("/api/conversations/1/take")       # the bot stays silent
    t.eq(r.status, 200)
    # 13 of the PINFL's 14 digits before character 160 (Cyrillic: two bytes
    # a character, so a byte cut would land elsewhere)
    text = "х" * 146 + " " + PINFL + " qoldiq"
    s.kannel("+998901111111", text, msg_id="c1")
    r, inbox = agent.get("/api/conversations")
    snip = inbox["items"][0]["snippet"]
    t.eq(len(snip), 160)
    t.eq(snip, "х" * 146 + " " + "*" * 12 + "3")
    t.ok(longest_run(snip) < 7, "snippet %r" % snip)
    # 11 of a phone's 12 digits before character 200
    text = "qidiruv " + "b" * 175 + " +998 90 765 43 21 oxiri"
    s.kannel("+998901111111", text, msg_id="c2")
    r, out = search(agent, "qidiruv")
    m = out["items"][0]["match"]
    t.eq(len(m), 200)
    t.eq(m[-17:], " +998 90 *** ** 2")
    t.ok(longest_run(m) < 7, "match %r" % m)
    t.ok(shown_run(out) < 7)


# what a citizen writes, what an agent sees
FORMS = [
    ("+998 (90) 765-43-21", "+998 (90) ***-**-21"),
    ("+998  90  765  43  21", "+998  90  ***  **  21"),
    ("90.765.43.21", "**.***.**.21"),
    ("998907654321", "99890*****21"),
    ("907654321", "*******21"),
    ("pinfl31205678901234", "pinfl************34"),
    ("AA1234567", "AA*****67"),
    ("4111 1111 1111 1111", "**** **** **** 1111"),
    ("8600-1234-5678-9012", "****-****-****-9012"),
    ("h/r 20208000900123456001", "h/r ******************01"),
    ("AR-2025-000001", "AR-2025-000001"),
]


def test_every_form_masked(t):
    s = server(t, **{"helpdesk.search_per_minute": "1000"})
    agent = Staff(t, s, "agent1")
    for i, (form, want) in enumerate(FORMS):
        word = "shakl" + "abcdefghijklmnop"[i]
        sender = "+9989030000%02d" % i
        s.kannel(sender, "salom", msg_id="f%da" % i)
        r, inbox = agent.get("/api/conversations")
        cid = [x["id"] for x in inbox["items"] if x["address"].endswith("%02d" % i)][0]
        t.eq(agent.post("/api/conversations/%d/take" % cid)[0].status, 200)
        s.kannel(sender, "%s %s" % (word, form), msg_id="f%db" % i)
        # the conversation
        r, v = agent.get("/api/conversations/%d" % cid)
        bodies = [m["body"] for m in v["messages"]]
        t.eq(bodies[-1], "%s %s" % (word, want), "conversation, form %r" % form)
        t.ok(shown_run(v) < 7, "conversation of %r" % form)
        # the inbox
        r, inbox = agent.get("/api/conversations")
        item = [x for x in inbox["items"] if x["id"] == cid][0]
        t.eq(item["snippet"], "%s %s" % (word, want), "inbox, form %r" % form)
        # search results
        r, out = search(agent, word)
        t.eq([x["match"] for x in out["items"]], ["%s %s" % (word, want)], "search, form %r" % form)
    r, inbox = agent.get("/api/conversations")
    t.ok(shown_run(inbox) < 7, "inbox: %s" % inbox)
    r, d = agent.get("/api/dashboard?days=7")
    t.eq(r.status, 200)
    t.ok(len(d["unknown_top"]) >= 5)
    t.ok(shown_run(d) < 7, "dashboard: %s" % d)
    log = s.log()
    for form, _ in FORMS[:-1]:
        t.ok(longest_run(form) >= 7)
    t.lacks(log, "765-43-21")
    t.lacks(log, "31205678901234")
