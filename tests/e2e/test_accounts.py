"""Help-desk accounts from the browser's API (/api/staff): an admin lists,
adds, changes the role of, disables, enables and resets the password of an
account (typed, or generated and shown once), each audited like the
command line with the admin, request and address; agents and supervisors
get 403; the last enabled admin cannot disable or demote themself; a
disabled account cannot sign in and its session ends at once; bad input
gets a 400 that says what is wrong, and the service goes on."""
import json

from harness import Server, murojaat

PW = "correct horse battery"


class Staff:
    """A signed-in client: the cookie and the CSRF token it was given."""

    def __init__(self, t, srv, name, password=PW, want=200):
        self.t, self.srv = t, srv
        r = srv.request("POST", "/api/login", body=json.dumps({"username": name, "password": password}),
                        headers={"Content-Type": "application/json"})
        t.eq(r.status, want, "login of %s" % name)
        self.status = r.status
        self.cookie = (r.header("Set-Cookie") or "").split(";")[0]
        self.csrf = json.loads(r.body)["csrf"] if r.status == 200 else ""

    def get(self, path):
        r = self.srv.request("GET", path, headers={"Cookie": self.cookie})
        return r, json.loads(r.body or b"null")

    def post(self, path, body=None, csrf=True, raw=None):
        h = {"Cookie": self.cookie, "Content-Type": "application/json"}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        r = self.srv.request("POST", path, body=raw if raw is not None else json.dumps(body or {}),
                             headers=h)
        return r, json.loads(r.body or b"null")


def add_staff(t, srv, name, role, password=PW):
    code, out, err = murojaat(["staff", "add", name, "--role", role], stdin=password + "\n",
                              env={"MUROJAAT_DB": srv.db})
    t.eq(code, 0, "staff add %s: %s" % (name, err))


def server(t):
    s = Server(t, demo_apps=100).start()
    add_staff(t, s, "root1", "admin")
    add_staff(t, s, "agent1", "agent")
    add_staff(t, s, "boss", "supervisor")
    return s


def no_secrets(t, r):
    """No answer carries a password hash."""
    t.lacks(r.body.decode("utf-8", "replace"), "$argon2")
    t.lacks(r.body.decode("utf-8", "replace"), "pw_hash")


def audit(s, action):
    return s.sql("SELECT username, detail, req != '', ip, staff_id IS NOT NULL FROM audit "
                 "WHERE action = ? ORDER BY id", (action,))


def test_admin_does_each_action(t):
    s = server(t)
    adm = Staff(t, s, "root1")
    r, d = adm.get("/api/staff")
    t.eq(r.status, 200)
    no_secrets(t, r)
    t.eq([(x["username"], x["role"], x["disabled"]) for x in d["items"]],
         [("agent1", "agent", False), ("boss", "supervisor", False), ("root1", "admin", False)])
    me = [x for x in d["items"] if x["username"] == "root1"][0]
    t.eq(me["sessions"], 1)
    t.ok(me["last_login"] is not None and me["created_at"] > 0, "times of %r" % me)
    t.eq([x["last_login"] for x in d["items"] if x["username"] == "boss"], [None])

    # add, with a password the admin types
    r, d = adm.post("/api/staff", {"username": "ops1", "role": "agent", "password": "ops one password"})
    t.eq(r.status, 201, r.body)
    no_secrets(t, r)
    t.eq(d, {"username": "ops1", "role": "agent", "disabled": False})
    ops = Staff(t, s, "ops1", "ops one password")
    t.eq(ops.get("/api/me")[1]["role"], "agent")

    # another role: the session opened before ends
    r, d = adm.post("/api/staff/ops1/role", {"role": "supervisor"})
    t.eq(r.status, 200, r.body)
    t.eq(d["role"], "supervisor")
    t.eq(ops.get("/api/me")[0].status, 401, "the session ends with the role")
    ops = Staff(t, s, "ops1", "ops one password")
    t.eq(ops.get("/api/me")[1]["role"], "supervisor")

    # disable: no session, no login; enable: the login again
    r, d = adm.post("/api/staff/ops1/disable")
    t.eq(r.status, 200, r.body)
    t.eq(d["disabled"], True)
    t.eq(ops.get("/api/me")[0].status, 401, "a disabled account loses its session")
    Staff(t, s, "ops1", "ops one password", want=401)
    t.eq(s.sql("SELECT count(*) FROM sessions WHERE staff_id = (SELECT id FROM staff "
               "WHERE username = 'ops1')"), [(0,)])
    r, d = adm.post("/api/staff/ops1/enable")
    t.eq(r.status, 200, r.body)
    t.eq(d["disabled"], False)
    ops = Staff(t, s, "ops1", "ops one password")

    # a new password typed by the admin: the old one no longer works
    r, d = adm.post("/api/staff/ops1/password", {"password": "a brand new one"})
    t.eq(r.status, 200, r.body)
    t.ok("password" not in d, "a typed password is not sent back")
    t.eq(ops.get("/api/me")[0].status, 401, "the session ends with the password")
    Staff(t, s, "ops1", "ops one password", want=401)
    Staff(t, s, "ops1", "a brand new one")

    # a generated password, shown once
    r, d = adm.post("/api/staff/ops1/password", {"generate": True})
    t.eq(r.status, 200, r.body)
    gen = d.get("password", "")
    t.eq(len(gen), 19, "generated password %r" % gen)
    t.eq([len(g) for g in gen.split("-")], [4, 4, 4, 4])
    Staff(t, s, "ops1", "a brand new one", want=401)
    Staff(t, s, "ops1", gen)
    r, d = adm.get("/api/staff")
    t.lacks(r.body.decode(), gen)

    # a new account with a generated password signs in with it
    r, d = adm.post("/api/staff", {"username": "ops2", "role": "admin", "generate": True})
    t.eq(r.status, 201, r.body)
    t.eq(d["role"], "admin")
    t.eq(Staff(t, s, "ops2", d["password"]).get("/api/me")[1]["role"], "admin")

    # audited as the commands are, with the admin, the request and the address
    rid = s.sql("SELECT id FROM staff WHERE username = 'root1'")[0][0]
    t.eq(audit(s, "staff.add"), [
        ("cli", "root1", 0, "", 0), ("cli", "agent1", 0, "", 0), ("cli", "boss", 0, "", 0),
        ("root1", "ops1", 1, "127.0.0.1", 1), ("root1", "ops2", 1, "127.0.0.1", 1)])
    t.eq(audit(s, "staff.role"), [("root1", "ops1 supervisor", 1, "127.0.0.1", 1)])
    t.eq(audit(s, "staff.disable"), [("root1", "ops1", 1, "127.0.0.1", 1)])
    t.eq(audit(s, "staff.enable"), [("root1", "ops1", 1, "127.0.0.1", 1)])
    t.eq(audit(s, "staff.password"), [("root1", "ops1", 1, "127.0.0.1", 1)] * 2)
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action LIKE 'staff.%' AND username = 'root1' "
               "AND staff_id != ?", (rid,)), [(0,)])
    # the request id of the audit row is the one the log line carries
    req = s.sql("SELECT req FROM audit WHERE action = 'staff.disable'")[0][0]
    t.contains(s.log(), "ev=staff.change action=staff.disable req=%s" % req)
    # neither password is in the log, the audit log or the database
    for secret in (gen, d["password"], "a brand new one"):
        t.lacks(s.log(), secret)
        t.eq(s.sql("SELECT count(*) FROM audit WHERE detail LIKE ?", ("%" + secret + "%",)), [(0,)])
        t.eq(s.sql("SELECT count(*) FROM staff WHERE pw_hash LIKE ?", ("%" + secret + "%",)), [(0,)])
    s.check_clean_exit()


def test_others_get_403(t):
    s = server(t)
    before = s.sql("SELECT username, role, disabled, pw_hash FROM staff ORDER BY id")
    for name in ("agent1", "boss"):
        who = Staff(t, s, name)
        r, d = who.get("/api/staff")
        t.eq((r.status, d["error"]), (403, "forbidden"), "%s lists" % name)
        r, d = who.post("/api/staff", {"username": "mine", "role": "admin", "password": PW})
        t.eq((r.status, d["error"]), (403, "forbidden"), "%s adds" % name)
        for verb, body in (("disable", {}), ("enable", {}), ("role", {"role": "admin"}),
                           ("password", {"generate": True})):
            r, d = who.post("/api/staff/%s/%s" % (name, verb), body)
            t.eq(r.status, 403, "%s %s" % (name, verb))
            t.ok("password" not in d, "no password for %s" % name)
    t.eq(s.sql("SELECT username, role, disabled, pw_hash FROM staff ORDER BY id"), before)
    t.eq(s.sql("SELECT username, detail FROM audit WHERE action = 'staff.refused' ORDER BY id"),
         [(n, p) for n in ("agent1", "boss") for p in (
             "staff", "staff", "staff/%s/disable" % n, "staff/%s/enable" % n,
             "staff/%s/role" % n, "staff/%s/password" % n)])
    # an admin's write without the CSRF token, or without a session
    adm = Staff(t, s, "root1")
    r, d = adm.post("/api/staff/agent1/disable", csrf=False)
    t.eq((r.status, d["error"]), (403, "csrf"))
    r = s.request("GET", "/api/staff")
    t.eq(r.status, 401)
    r = s.request("POST", "/api/staff/agent1/disable", body="{}",
                  headers={"Content-Type": "application/json"})
    t.eq(r.status, 401)
    t.eq(s.sql("SELECT disabled FROM staff WHERE username = 'agent1'"), [(0,)])
    s.check_clean_exit()


def test_last_admin(t):
    s = server(t)
    adm = Staff(t, s, "root1")
    for verb, body in (("disable", {}), ("role", {"role": "supervisor"}), ("role", {"role": "agent"})):
        r, d = adm.post("/api/staff/root1/" + verb, body)
        t.eq((r.status, d["error"]), (409, "last_admin"), verb)
        t.contains(d["message"], "last enabled admin")
    t.eq(s.sql("SELECT role, disabled FROM staff WHERE username = 'root1'"), [("admin", 0)])
    t.eq(adm.get("/api/me")[0].status, 200, "a refused change keeps the session")
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action IN ('staff.disable', 'staff.role')"), [(0,)])
    # a disabled admin is no admin: disable the second, then the first is last again
    r, d = adm.post("/api/staff/boss/role", {"role": "admin"})
    t.eq(r.status, 200)
    r, d = adm.post("/api/staff/boss/disable")
    t.eq(r.status, 200)
    r, d = adm.post("/api/staff/root1/disable")
    t.eq((r.status, d["error"]), (409, "last_admin"))
    # with another enabled admin, an admin may step down: their session ends
    r, d = adm.post("/api/staff/boss/enable")
    t.eq(r.status, 200)
    boss = Staff(t, s, "boss")
    r, d = adm.post("/api/staff/root1/role", {"role": "supervisor"})
    t.eq(r.status, 200, r.body)
    t.eq(adm.get("/api/me")[0].status, 401)
    r, d = boss.post("/api/staff/boss/disable")
    t.eq((r.status, d["error"]), (409, "last_admin"), "now boss is the last")
    t.eq(boss.get("/api/staff")[0].status, 200)
    s.check_clean_exit()


def test_bad_input(t):
    s = server(t)
    adm = Staff(t, s, "root1")
    cases = [
        ("/api/staff", None, "{not json", 400, "bad_json"),
        ("/api/staff", {"role": "agent", "password": PW}, None, 400, "bad_request"),
        ("/api/staff", {"username": "ops1", "password": PW}, None, 400, "bad_request"),
        ("/api/staff", {"username": 7, "role": "agent", "password": PW}, None, 400, "bad_request"),
        ("/api/staff", {"username": "Ops One", "role": "agent", "password": PW}, None, 400, "bad_name"),
        ("/api/staff", {"username": "o", "role": "agent", "password": PW}, None, 400, "bad_name"),
        ("/api/staff", {"username": "x" * 33, "role": "agent", "password": PW}, None, 400, "bad_name"),
        ("/api/staff", {"username": "ops1", "role": "root", "password": PW}, None, 400, "bad_role"),
        ("/api/staff", {"username": "ops1", "role": "agent", "password": "123456789"}, None, 400,
         "bad_password"),
        ("/api/staff", {"username": "ops1", "role": "agent", "password": "x" * 1025}, None, 400,
         "bad_password"),
        ("/api/staff", {"username": "ops1", "role": "agent"}, None, 400, "bad_password"),
        ("/api/staff", {"username": "ops1", "role": "agent", "password": PW, "generate": True}, None,
         400, "bad_password"),
        ("/api/staff", {"username": "ops1", "role": "agent", "generate": "yes"}, None, 400,
         "bad_password"),
        ("/api/staff", {"username": "agent1", "role": "agent", "password": PW}, None, 409, "taken"),
        ("/api/staff/agent1/role", {}, None, 400, "bad_role"),
        ("/api/staff/agent1/role", {"role": "boss"}, None, 400, "bad_role"),
        ("/api/staff/agent1/password", {}, None, 400, "bad_password"),
        ("/api/staff/agent1/password", {"password": "short"}, None, 400, "bad_password"),
        ("/api/staff/agent1/password", {"password": 1234567890}, None, 400, "bad_password"),
        ("/api/staff/nobody/disable", {}, None, 404, "not_found"),
        ("/api/staff/agent1/delete", {}, None, 404, "not_found"),
        ("/api/staff/agent1", {}, None, 404, "not_found"),
        ("/api/staff/" + "a" * 300 + "/disable", {}, None, 404, "not_found"),
    ]
    for path, body, raw, status, code in cases:
        r, d = adm.post(path, body, raw=raw)
        t.eq((r.status, d and d.get("error")), (status, code), "%s %r" % (path[:40], body or raw))
        t.ok(d and len(d.get("message", "")) > 5, "a message says why: %r" % d)
    r, d = adm.post("/api/staff", {"username": "ops1", "role": "agent", "password": "123456789"})
    t.eq(d["message"], "the password must be 10 to 1024 bytes")
    r, d = adm.post("/api/staff", {"username": "Ops One", "role": "agent", "password": PW})
    t.contains(d["message"], "2-32 characters")
    r, d = adm.get("/api/staff/agent1/disable")
    t.eq(r.status, 405)
    # nothing was written, and the service goes on
    t.eq(s.sql("SELECT username, role, disabled FROM staff ORDER BY id"),
         [("root1", "admin", 0), ("agent1", "agent", 0), ("boss", "supervisor", 0)])
    t.eq(s.sql("SELECT count(*) FROM audit WHERE action LIKE 'staff.%' AND username != 'cli'"),
         [(0,)])
    r, d = adm.post("/api/staff", {"username": "ops.1_x-y", "role": "agent", "password": PW})
    t.eq(r.status, 201, r.body)
    Staff(t, s, "ops.1_x-y")
    s.check_clean_exit()
