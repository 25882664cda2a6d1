"""The help-desk API over real HTTP: accounts and login, sessions in an
HttpOnly SameSite=Strict cookie, CSRF and cross-site refusal, roles and
masking, the audited reveal, login throttling, the audit log, and a takeover:
the bot stays silent, the agent's reply goes through the outbox on the
citizen's channel with its SMS segments, and release gives the bot back."""
import json
import time

from harness import Server, murojaat

PW = "correct horse battery"


class Staff:
    """A signed-in client: the cookie and the CSRF token it was given."""

    def __init__(self, t, srv, name, password=PW):
        self.t, self.srv = t, srv
        r = srv.request("POST", "/api/login", body=json.dumps({"username": name, "password": password}),
                        headers={"Content-Type": "application/json"})
        t.eq(r.status, 200, "login of %s" % name)
        self.login = r
        cookie = r.header("Set-Cookie") or ""
        self.cookie = cookie.split(";")[0]
        self.csrf = json.loads(r.body)["csrf"] if r.status == 200 else ""

    def get(self, path):
        r = self.srv.request("GET", path, headers={"Cookie": self.cookie})
        return r, json.loads(r.body or b"null")

    def post(self, path, body=None, csrf=True, headers=None, timeout=30):
        h = {"Cookie": self.cookie, "Content-Type": "application/json"}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        r = self.srv.request("POST", path, body=json.dumps(body or {}), headers=h,
                             timeout=timeout)
        return r, json.loads(r.body or b"null")


def add_staff(t, srv, name, role, password=PW):
    code, out, err = murojaat(["staff", "add", name, "--role", role], stdin=password + "\n",
                              env={"MUROJAAT_DB": srv.db})
    t.eq(code, 0, "staff add %s: %s" % (name, err))


def server(t, **conf):
    s = Server(t, conf=conf).start()
    add_staff(t, s, "agent1", "agent")
    add_staff(t, s, "boss", "supervisor")
    return s


def test_login_cookie_and_password_hash(t):
    s = server(t)
    a = Staff(t, s, "agent1")
    cookie = a.login.header("Set-Cookie")
    t.contains(cookie, "HttpOnly")
    t.contains(cookie, "SameSite=Strict")
    t.contains(cookie, "Path=/")
    t.eq(a.login.header("Cache-Control"), "no-store")
    # only argon2id hashes are stored, and only hashed session tokens
    rows = s.sql("SELECT pw_hash FROM staff")
    t.eq(len(rows), 2, "agent1 and boss: serve creates no account")
    for (h,) in rows:
        t.ok(h.startswith("$argon2id$"), "password stored as %r" % h[:12])
        t.lacks(h, PW)
    token = a.cookie.split("=", 1)[1]
    t.eq(s.sql("SELECT count(*) FROM sessions WHERE token_hash = ?", (token,)), [(0,)],
         "raw token stored")
    t.eq(s.sql("SELECT count(*) FROM sessions"), [(1,)])
    r, me = a.get("/api/me")
    t.eq(r.status, 200)
    t.eq(me["username"], "agent1")
    t.eq(me["role"], "agent")
    # wrong password, unknown user: the same 401
    for user, pw in (("agent1", "wrong password!"), ("nobody", PW)):
        r = s.request("POST", "/api/login", body=json.dumps({"username": user, "password": pw}),
                      headers={"Content-Type": "application/json"})
        t.eq(r.status, 401, "login %s" % user)
        t.eq(json.loads(r.body)["error"], "bad_login")
        t.eq(r.header("Set-Cookie"), None)
    # no cookie, a forged cookie: 401
    t.eq(s.get("/api/conversations").status, 401)
    t.eq(s.request("GET", "/api/conversations", headers={"Cookie": "mj_session=" + "a" * 64}).status, 401)
    # bad input gets a clear 4xx JSON error
    for body, ctype, want in (("{", "application/json", 400), ("[1]", "application/json", 400),
                              ('{"username": 1}', "application/json", 400),
                              ('{"username":"a","password":"b"}', "text/plain", 415),
                              ('{"username":"a\\u0000","password":"b"}', "application/json", 400)):
        r = s.request("POST", "/api/login", body=body, headers={"Content-Type": ctype})
        t.eq(r.status, want, "login body %r" % body)
        t.ok("error" in json.loads(r.body), "JSON error for %r" % body)
    # logout ends the session
    r, _ = a.post("/api/logout")
    t.eq(r.status, 200)
    t.contains(r.header("Set-Cookie"), "Max-Age=0")
    t.eq(a.get("/api/me")[0].status, 401)
    acts = [x[0] for x in s.sql("SELECT action FROM audit ORDER BY id")]
    for want in ("login", "login.fail", "logout"):
        t.ok(want in acts, "audit lacks %s: %r" % (want, acts))
    s.check_clean_exit()


def test_accounts_disable_password_role(t):
    s = server(t)
    db = {"MUROJAAT_DB": s.db}

    def cli(*args, stdin=""):
        return murojaat(["staff"] + list(args), stdin=stdin, env=db)

    def login(name, pw=PW):
        return s.request("POST", "/api/login", body=json.dumps({"username": name, "password": pw}),
                         headers={"Content-Type": "application/json"}).status

    a = Staff(t, s, "agent1")
    b = Staff(t, s, "boss")
    t.eq(a.get("/api/me")[0].status, 200)
    t.lacks(a.login.header("Set-Cookie"), "Secure", "plain http: no Secure flag")
    # disabled: the open session ends at once, no login, the others go on
    code, out, err = cli("disable", "agent1")
    t.eq(code, 0, err)
    t.contains(out, "agent1: disabled, sessions ended")
    t.eq(a.get("/api/me")[0].status, 401)
    t.eq(login("agent1"), 401)
    t.eq(b.get("/api/me")[0].status, 200, "other accounts keep their sessions")
    code, out, _ = cli("list")
    t.eq(code, 0)
    line = [x for x in out.splitlines() if x.startswith("agent1 ")]
    t.eq(len(line), 1, out)
    t.contains(line[0], "disabled")
    t.contains(line[0], "sessions 0")
    t.eq(cli("enable", "agent1")[0], 0)
    t.eq(login("agent1"), 200)
    # a new password: the old one and the sessions opened with it end
    a = Staff(t, s, "agent1")
    code, out, err = cli("password", "agent1", stdin="another long secret\n")
    t.eq(code, 0, err)
    t.eq(a.get("/api/me")[0].status, 401)
    t.eq(login("agent1"), 401)
    t.eq(login("agent1", "another long secret"), 200)
    # another role: takes effect at the next login
    a = Staff(t, s, "agent1", password="another long secret")
    t.eq(cli("role", "agent1", "supervisor")[0], 0)
    t.eq(a.get("/api/me")[0].status, 401)
    a = Staff(t, s, "agent1", password="another long secret")
    t.eq(a.get("/api/me")[1]["role"], "supervisor")
    # clear errors, nothing changed
    for args, stdin, want in ((("disable", "nobody"), "", "no account is called nobody"),
                              (("role", "agent1", "boss"), "", "the role must be"),
                              (("password", "agent1"), "short\n", "10 to 1024 bytes"),
                              (("disable",), "", "usage:")):
        code, out, err = cli(*args, stdin=stdin)
        t.eq(code, 2, "staff %r" % (args,))
        t.contains(err, want)
    t.eq(a.get("/api/me")[0].status, 200)
    t.eq(s.sql("SELECT action, detail, username FROM audit WHERE action LIKE 'staff.%' "
               "AND action <> 'staff.add' ORDER BY id"),
         [("staff.disable", "agent1", "cli"), ("staff.enable", "agent1", "cli"),
          ("staff.password", "agent1", "cli"), ("staff.role", "agent1 supervisor", "cli")])
    t.lacks(s.log(), "another long secret")
    s.check_clean_exit()


def test_secure_cookie_behind_tls(t):
    for conf, env, secure in (({"helpdesk.secure_cookie": "1"}, {}, True),
                              ({}, {"MUROJAAT_PUBLIC_URL": "https://bot.example.uz"}, True),
                              ({"helpdesk.secure_cookie": "0"},
                               {"MUROJAAT_PUBLIC_URL": "https://bot.example.uz"}, False)):
        s = Server(t, conf=conf, env=env).start()
        add_staff(t, s, "agent1", "agent")
        a = Staff(t, s, "agent1")
        (t.contains if secure else t.lacks)(a.login.header("Set-Cookie"), "; Secure")
        r, _ = a.post("/api/logout")
        (t.contains if secure else t.lacks)(r.header("Set-Cookie"), "; Secure")
        s.check_clean_exit()


def test_csrf_and_cross_site(t):
    s = server(t)
    s.kannel("+998901234567", "salom", msg_id="c1")
    a = Staff(t, s, "agent1")
    r, body = a.post("/api/conversations/1/take", csrf=False)
    t.eq(r.status, 403, "take without CSRF")
    t.eq(body["error"], "csrf")
    r, body = a.post("/api/conversations/1/take", headers={"X-CSRF-Token": "0" * 64})
    t.eq(r.status, 403, "take with a wrong CSRF token")
    r, body = a.post("/api/conversations/1/take", headers={"Origin": "http://evil.example"})
    t.eq(r.status, 403, "take from another site")
    t.eq(body["error"], "cross_site")
    r, body = a.post("/api/conversations/1/take", headers={"Sec-Fetch-Site": "cross-site"})
    t.eq(r.status, 403, "Sec-Fetch-Site cross-site")
    t.eq(s.sql("SELECT held_until FROM contacts WHERE id = 1"), [(0,)], "a refused take changed nothing")
    # a login from another site is refused too
    r = s.request("POST", "/api/login", body=json.dumps({"username": "agent1", "password": PW}),
                  headers={"Content-Type": "application/json", "Origin": "http://evil.example"})
    t.eq(r.status, 403)
    # same origin with the token: accepted
    r, body = a.post("/api/conversations/1/take", headers={"Origin": "http://127.0.0.1:%d" % s.port})
    t.eq(r.status, 200, "same-origin take")
    t.ok(s.sql("SELECT count(*) FROM audit WHERE action = 'csrf.refused'")[0][0] >= 2, "CSRF refusals audited")
    s.check_clean_exit()


def test_roles_masking_and_audited_reveal(t):
    s = server(t)
    s.kannel("+998901234567", "mening pinflim 31234567890123 telefon +998 90 765 43 21 AR-2025-000001",
             msg_id="m1")
    agent, boss = Staff(t, s, "agent1"), Staff(t, s, "boss")
    r, inbox = agent.get("/api/conversations")
    t.eq(r.status, 200)
    t.eq(len(inbox["items"]), 1)
    t.eq(inbox["items"][0]["address"], "+998 90 *** ** 67")
    r, v = agent.get("/api/conversations/1")
    t.eq(r.status, 200)
    t.eq(v["contact"]["address"], "+998 90 *** ** 67")
    t.eq(v["contact"]["phone"], "+998 90 *** ** 67")
    body = v["messages"][0]["body"]
    t.lacks(body, "31234567890123", "PINFL shown to an agent")
    t.contains(body, "************23")
    t.lacks(body, "765 43 21")
    t.contains(body, "+998 90 *** ** 21")
    t.contains(body, "AR-2025-000001", "application number masked")
    t.eq(v["can_reveal"], False)
    # the applicant's applications, PINFL masked
    t.ok(len(v["applications"]) >= 1, "applications listed")
    t.eq(v["applications"][0]["number"], "AR-2025-000001")
    t.ok(v["applications"][0]["pinfl"].startswith("************"), "PINFL in applications masked")
    # the whole JSON carries no unmasked phone
    t.lacks(json.dumps(v), "901234567")
    # agents may not reveal; supervisors may, and it is audited
    r, _ = agent.post("/api/conversations/1/reveal")
    t.eq(r.status, 403)
    r, v2 = boss.get("/api/conversations/1")
    t.eq(v2["contact"]["address"], "+998 90 *** ** 67", "supervisors see masks too")
    t.eq(v2["can_reveal"], True)
    r, rev = boss.post("/api/conversations/1/reveal")
    t.eq(r.status, 200)
    t.eq(rev["address"], "+998901234567")
    t.contains(rev["messages"][0]["body"], "31234567890123")
    t.eq(s.sql("SELECT username, contact_id FROM audit WHERE action = 'reveal'"), [("boss", 1)])
    t.eq(s.sql("SELECT username FROM audit WHERE action = 'reveal.refused'"), [("agent1",)])
    # the audit log: supervisors only; who, what, when, which conversation
    t.eq(agent.get("/api/audit")[0].status, 403)
    r, log = boss.get("/api/audit?conversation=1")
    t.eq(r.status, 200)
    acts = {(x["username"], x["action"]) for x in log["items"]}
    for want in (("agent1", "view"), ("boss", "view"), ("boss", "reveal")):
        t.ok(want in acts, "audit lacks %r" % (want,))
    t.ok(all(x["at"] > 0 and x["conversation"] == 1 for x in log["items"]), "audit rows complete")
    # the log never holds the phone or a body
    for row in s.sql("SELECT detail FROM audit"):
        t.lacks(row[0], "901234567")
    t.lacks(s.log(), "765 43 21")
    t.lacks(s.log(), "31234567890123")
    # a supervisor may take over from an agent only with force
    r, _ = agent.post("/api/conversations/1/take")
    t.eq(r.status, 200)
    r, body = boss.post("/api/conversations/1/take")
    t.eq(r.status, 409)
    t.eq(body["held_by"], "agent1")
    r, _ = agent.post("/api/conversations/2/take", {"force": True})
    t.eq(r.status, 404)
    r, _ = boss.post("/api/conversations/1/take", {"force": True})
    t.eq(r.status, 200)
    s.check_clean_exit()


def test_login_rate_limited(t):
    s = server(t, **{"auth.login_max": 3, "auth.login_window": 60})
    for i in range(3):
        r = s.request("POST", "/api/login", body=json.dumps({"username": "agent1", "password": "nope nope %d" % i}),
                      headers={"Content-Type": "application/json"})
        t.eq(r.status, 401)
    # now even the right password is refused, with Retry-After
    r = s.request("POST", "/api/login", body=json.dumps({"username": "agent1", "password": PW}),
                  headers={"Content-Type": "application/json"})
    t.eq(r.status, 429)
    t.ok(0 < int(r.header("Retry-After") or 0) <= 60, "Retry-After %r" % r.header("Retry-After"))
    t.eq(json.loads(r.body)["error"], "rate_limited")
    # another account from the same address still works
    Staff(t, s, "boss")
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action = 'login.limited'"), [(1,)])
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action = 'login.fail'"), [(3,)])
    s.check_clean_exit()


def test_takeover_silences_bot_reply_goes_through_outbox(t):
    s = server(t, **{"helpdesk.hold": 3})
    r = s.kannel("+998901234567", "operator bilan gaplashmoqchiman", msg_id="t1")
    t.eq(r.status, 200)
    a = Staff(t, s, "agent1")
    r, inbox = a.get("/api/conversations?needs_human=1")
    t.eq([c["id"] for c in inbox["items"]], [1], "asked for an operator: needs a human")
    # a reply needs the conversation taken
    r, body = a.post("/api/conversations/1/reply", {"text": "Salom"})
    t.eq(r.status, 409)
    t.eq(body["error"], "not_taken")
    r, body = a.post("/api/conversations/1/take")
    t.eq(r.status, 200)
    t.eq(body["held_by"], "agent1")
    r, inbox = a.get("/api/conversations?status=held")
    t.eq([c["id"] for c in inbox["items"]], [1])
    # the bot stores the citizen's message but does not answer
    outs = s.sql("SELECT count(*) FROM messages WHERE direction = 'out'")[0][0]
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="t2")
    t.eq(r.status, 200)
    t.lacks(r.text, "AR-2025-000001", "the bot answered while held")
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction = 'out'")[0][0], outs, "bot reply stored")
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction = 'in'"), [(2,)])
    # the agent's reply: an outbound row on the citizen's channel, in the outbox, measured
    text = "Assalomu alaykum! Arizangiz ko'rib chiqilmoqda, ertaga javob beramiz."
    r, body = a.post("/api/conversations/1/reply", {"text": text})
    t.eq(r.status, 200, "reply: %r" % body)
    mid = body["message_id"]
    t.eq(body["message"]["segments"], 1)
    t.eq(body["message"]["encoding"], "gsm7")
    t.eq(s.sql("SELECT direction, channel, intent, segments, encoding, body FROM messages WHERE id = ?", (mid,)),
         [("out", "sms", "manual", 1, "gsm7", text)])
    t.eq(s.sql("SELECT channel, address FROM outbox WHERE message_id = ?", (mid,)),
         [("sms", "+998901234567")])
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action = 'reply' AND contact_id = 1 AND detail = ?",
               ("message=%d" % mid,)), [(1,)])
    # measure, notes, labels, resolve
    r, m = a.get("/api/sms/measure?text=" + "%D0%B0" * 71)
    t.eq((m["segments"], m["encoding"]), (2, "ucs2"))
    r, _ = a.post("/api/conversations/1/notes", {"text": "called back <b>tomorrow</b>"})
    t.eq(r.status, 200)
    r, _ = a.post("/api/conversations/1/labels", {"labels": ["callback", "status"]})
    t.eq(r.status, 200)
    r, _ = a.post("/api/conversations/1/labels", {"labels": ["x" * 40]})
    t.eq(r.status, 400)
    r, _ = a.post("/api/conversations/1/reply", {"text": ""})
    t.eq(r.status, 400)
    r, _ = a.post("/api/conversations/1/reply", {"text": "x" * 2000})
    t.eq(r.status, 400)
    r, v = a.get("/api/conversations/1")
    t.eq(v["labels"], ["callback", "status"])
    t.eq(v["notes"][0]["body"], "called back <b>tomorrow</b>")
    t.eq(v["contact"]["held_by_me"], True)
    # release: the bot answers again
    r, _ = a.post("/api/conversations/1/release")
    t.eq(r.status, 200)
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="t3")
    t.contains(r.text, "AR-2025-000001", "bot silent after release")
    # take again, and let the hold run out (helpdesk.hold = 3 s)
    a.post("/api/conversations/1/take")
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="t4")
    t.lacks(r.text, "AR-2025-000001")
    time.sleep(3.5)
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="t5")
    t.contains(r.text, "AR-2025-000001", "bot silent after the hold ran out")
    r, _ = a.post("/api/conversations/1/resolve")
    t.eq(r.status, 200)
    t.eq(s.sql("SELECT status, needs_human FROM conversations WHERE contact_id = 1"), [("resolved", 0)])
    r, inbox = a.get("/api/conversations?status=resolved")
    t.eq([c["id"] for c in inbox["items"]], [1])
    acts = {x[0] for x in s.sql("SELECT action FROM audit WHERE contact_id = 1")}
    for want in ("take", "reply", "note", "labels", "release", "resolve"):
        t.ok(want in acts, "audit lacks %s" % want)
    s.check_clean_exit()


def test_hold_is_respected(t):
    s = server(t)
    add_staff(t, s, "agent2", "agent")
    t.eq(s.kannel("+998901234567", "operator bilan gaplashmoqchiman", msg_id="h1").status, 200)
    a1, a2, boss = Staff(t, s, "agent1"), Staff(t, s, "agent2"), Staff(t, s, "boss")
    r, _ = a1.post("/api/conversations/1/take")
    t.eq(r.status, 200)
    r, body = a2.post("/api/conversations/1/take")
    t.eq((r.status, body["error"], body["held_by"]), (409, "held", "agent1"))
    outs = s.sql("SELECT count(*) FROM messages WHERE direction = 'out'")[0][0]
    actions = (("resolve", {}), ("release", {}), ("reply", {"text": "Salom"}),
               ("notes", {"text": "mine now"}), ("labels", {"labels": ["mine"]}))
    # the other agent, and a supervisor who does not force: refused, nothing changes
    for who in (a2, boss):
        for verb, body in actions:
            r, b = who.post("/api/conversations/1/" + verb, body)
            t.eq((r.status, b.get("error"), b.get("held_by")), (409, "held", "agent1"),
                 "%s by %s" % (verb, who.login and json.loads(who.login.body)["username"]))
    t.eq(s.sql("SELECT held_by, held_until > ? FROM contacts WHERE id = 1", (int(time.time()),)),
         [("agent1", 1)], "the hold")
    t.eq(s.sql("SELECT status FROM conversations WHERE contact_id = 1"), [("open",)])
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction = 'out'")[0][0], outs, "a reply was sent")
    t.eq(s.sql("SELECT count(*) FROM notes"), [(0,)])
    t.eq(a1.get("/api/conversations/1")[1]["labels"], [])
    t.eq(s.sql("SELECT count(*) FROM audit WHERE contact_id = 1 AND username <> 'agent1'"), [(0,)])
    # an agent may not force
    for verb, body in actions:
        r, b = a2.post("/api/conversations/1/" + verb, dict(body, force=True))
        t.eq((r.status, b.get("error")), (403, "forbidden"), verb)
    # the holder goes on as before
    r, _ = a1.post("/api/conversations/1/notes", {"text": "called back"})
    t.eq(r.status, 200)
    # a supervisor forces: done, and audited as forced from agent1
    for verb, body in (("notes", {"text": "checked"}), ("labels", {"labels": ["checked"]}),
                       ("reply", {"text": "Salom"})):
        r, b = boss.post("/api/conversations/1/" + verb, dict(body, force=True))
        t.eq(r.status, 200, "forced %s: %r" % (verb, b))
    # a forced reply leaves the hold with the agent
    t.eq(s.sql("SELECT held_by FROM contacts WHERE id = 1"), [("agent1",)])
    r, b = boss.post("/api/conversations/1/resolve", {"force": True})
    t.eq(r.status, 200)
    t.eq(s.sql("SELECT held_by, held_until FROM contacts WHERE id = 1"), [(None, 0)])
    t.eq(s.sql("SELECT status FROM conversations WHERE contact_id = 1"), [("resolved",)])
    rows = s.sql("SELECT action, detail FROM audit WHERE contact_id = 1 AND username = 'boss' "
                 "ORDER BY id")
    t.eq([(a, d.split(" message=")[0]) for a, d in rows],
         [("note", "force from=agent1"), ("labels", "force from=agent1 checked"),
          ("reply", "force from=agent1"), ("resolve", "force from=agent1")])
    t.contains(rows[2][1], " message=")
    # once free, anyone acts without force
    r, _ = a2.post("/api/conversations/1/notes", {"text": "free now"})
    t.eq(r.status, 200)
    s.check_clean_exit()


def test_inbox_filters_search_paging(t):
    s = server(t)
    senders = ["+9989012345%02d" % i for i in range(12)]
    for i, p in enumerate(senders):
        s.kannel(p, "salom" if i % 2 else "qwzx blorpt", msg_id="f%d" % i)
    s.kannel(senders[0], "qwzx blorpt plmokn", msg_id="f-again")  # two misses: needs a human
    a = Staff(t, s, "agent1")
    r, page1 = a.get("/api/conversations?limit=5")
    t.eq(r.status, 200)
    t.eq(len(page1["items"]), 5)
    t.ok(page1["next"], "a next cursor")
    ids = [c["id"] for c in page1["items"]]
    got = list(ids)
    cur = page1["next"]
    while cur:
        r, p = a.get("/api/conversations?limit=5&cursor=" + cur)
        got += [c["id"] for c in p["items"]]
        cur = p["next"]
    t.eq(len(got), 12, "every conversation once")
    t.eq(len(set(got)), 12)
    # last_at is in seconds: the 13 messages may straddle a second boundary
    want = [r[0] for r in s.sql("SELECT contact_id FROM conversations "
                                "ORDER BY last_at DESC, contact_id DESC")]
    t.eq(got, want, "newest first (ties: newer contact first)")
    # the inbox shows what the citizen wrote, not the bot's reply, and who
    # wrote last (the bot answered each: out)
    first = {c["id"]: c for c in page1["items"]}
    r, f = a.get("/api/conversations?limit=50")
    byid = {c["id"]: c for c in f["items"]}
    t.eq(byid[1]["snippet"], "qwzx blorpt plmokn")
    t.eq((byid[1]["snippet_dir"], byid[1]["last_dir"]), ("in", "out"))
    t.eq(s.sql("SELECT direction FROM messages WHERE contact_id = 1 ORDER BY id DESC LIMIT 1"),
         [("out",)])
    t.ok(all(c["snippet"] in ("salom", "qwzx blorpt", "qwzx blorpt plmokn") for c in f["items"]),
         "citizens' texts: %r" % [c["snippet"] for c in f["items"]])
    t.ok(first, "first page")
    r, f = a.get("/api/conversations?unknown=1")
    t.eq(len(f["items"]), 6)
    r, f = a.get("/api/conversations?needs_human=1")
    t.eq([c["id"] for c in f["items"]], [1])
    r, f = a.get("/api/conversations?channel=sms&lang=uz-Latn&status=open")
    t.eq(len(f["items"]), 12)
    r, f = a.get("/api/conversations?channel=telegram")
    t.eq(len(f["items"]), 0)
    r, f = a.get("/api/conversations?q=blorp")
    t.eq(len(f["items"]), 6, "search by prefix")
    t.ok(all("blorp" in c["match"] for c in f["items"]), "match shown")
    r, f = a.get("/api/conversations?q=%22%29%28*%3A")  # FTS5 syntax is only text
    t.eq(r.status, 400)
    r, f = a.get("/api/conversations?q=NEAR%28a%20b%29%20OR")
    t.eq(r.status, 200)
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 5 * 3600))
    r, f = a.get("/api/conversations?from=%s&to=%s" % (today, today))
    t.eq(len(f["items"]), 12)
    r, f = a.get("/api/conversations?to=2001-01-01")
    t.eq(len(f["items"]), 0)
    for bad in ("channel=%3Cx%3E", "lang=xx", "status=zzz", "from=2025-13-01", "limit=0",
                "limit=1000", "cursor=abc"):
        r, body = a.get("/api/conversations?" + bad)
        t.eq(r.status, 400, bad)
        t.ok("error" in body, bad)
    t.eq(a.get("/api/conversations/999999")[0].status, 404)
    t.eq(a.get("/api/conversations/abc")[0].status, 404)
    t.eq(a.get("/api/nothing")[0].status, 404)
    r, d = a.get("/api/dashboard?days=7")
    t.eq(r.status, 200)
    t.eq(d["inbound"], 13)
    t.eq(d["unknown"], 7)
    t.ok(any(u["text"] == "qwzx blorpt" and u["n"] == 6 for u in d["unknown_top"]), "top unknown")
    t.eq(sum(x["in"] for x in d["days"]), 13)
    t.eq(a.get("/api/dashboard?days=0")[0].status, 400)
    # taken by an agent, the citizen writes again: no reply, the citizen waits
    r, _ = a.post("/api/conversations/2/take")
    t.eq(r.status, 200)
    s.kannel(senders[1], "javob bering iltimos", msg_id="f-held")
    deadline = time.time() + 5
    while time.time() < deadline:
        r, f = a.get("/api/conversations?limit=50")
        c2 = [c for c in f["items"] if c["id"] == 2][0]
        if c2["snippet"] == "javob bering iltimos":
            break
        time.sleep(0.05)
    t.eq((c2["snippet"], c2["snippet_dir"], c2["last_dir"]), ("javob bering iltimos", "in", "in"))
    r, _ = a.post("/api/conversations/2/release")
    s.check_clean_exit()


def test_static_pages_headers_and_traversal(t):
    s = Server(t).start()
    r = s.get("/")
    t.eq(r.status, 200)
    t.eq(r.header("Content-Type"), "text/html; charset=utf-8")
    csp = r.header("Content-Security-Policy") or ""
    t.contains(csp, "default-src 'self'")
    t.eq(r.header("X-Frame-Options"), "DENY")
    t.eq(r.header("X-Content-Type-Options"), "nosniff")
    t.eq(r.header("Cache-Control"), "no-cache")
    etag = r.header("ETag")
    t.ok(etag, "ETag")
    t.eq(s.request("GET", "/", headers={"If-None-Match": etag}).status, 304)
    for path, ctype in (("/app.js", "text/javascript; charset=utf-8"), ("/app.css", "text/css; charset=utf-8"),
                        ("/i18n/ru.json", "application/json; charset=utf-8")):
        r = s.get(path)
        t.eq(r.status, 200, path)
        t.eq(r.header("Content-Type"), ctype, path)
    for path in ("/../bot/main.c", "/%2e%2e/bot/main.c", "/i18n/../../../store/store.c", "/.git/config",
                 "//etc/passwd", "/nothing.html", "/i18n", "/web.c"):
        t.eq(s.get(path).status, 404, path)
    t.eq(s.request("HEAD", "/app.js").status, 200)
    t.eq(s.request("DELETE", "/app.js").status, 405)
    s.check_clean_exit()
