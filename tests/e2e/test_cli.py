"""The command line without friction: `chat` shows the conversation alone
(its log lines in chat.log beside the database, on stderr with -v);
`sms-cost` heads its table and names each message over the budget; a
second `serve` on a busy port says so and how to choose another."""
import os
import re
import shutil
import stat
import tempfile

from harness import Server, murojaat

LOG_LINE = re.compile(r"^ts=\S+ lvl=", re.M)


def folder(t, prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def test_chat_shows_only_the_conversation(t):
    t.sqlite_only("chat.log is written beside the database file")
    d = folder(t, "murojaat-chat-")
    env = {"MUROJAAT_DB": os.path.join(d, "var", "chat.db"), "MUROJAAT_DEMO_APPS": "100",
           "MUROJAAT_LOG_LEVEL": "info"}
    talk = "arizam holati AR-2025-000001\nстатус заявки AR-2025-000001\n"
    code, out, err = murojaat(["chat", "--as", "+998901234567"], stdin=talk, env=env, cwd=d)
    t.eq(code, 0, err)
    lines = out.rstrip("\n").split("\n")
    t.eq(len(lines), 2, out)
    t.contains(lines[0], "ma'qullandi")
    t.contains(lines[1], "одобрена")
    t.eq(LOG_LINE.findall(err), [], "log lines on the terminal: " + err)
    log = os.path.join(d, "var", "chat.log")
    with open(log) as f:
        logged = f.read()
    t.ok(len(LOG_LINE.findall(logged)) >= 2, "log lines in chat.log: " + logged[-400:])
    t.contains(logged, "ev=msg.in")
    t.lacks(logged, "+998901234567", "a phone in clear in chat.log")
    t.eq(stat.S_IMODE(os.stat(log).st_mode), 0o600, "mode of chat.log")
    # -v: on stderr, chat.log untouched
    size = os.path.getsize(log)
    code, out, err = murojaat(["chat", "-v", "--as", "+998901234567"], stdin=talk, env=env, cwd=d)
    t.eq(code, 0, err)
    t.eq(len(out.rstrip("\n").split("\n")), 2, out)
    t.contains(err, "ev=msg.in")
    t.eq(os.path.getsize(log), size, "chat -v wrote chat.log")
    # the USSD menus too
    code, out, err = murojaat(["chat", "--ussd", "--as", "+998901234567"], stdin="1\n", env=env,
                              cwd=d)
    t.eq(code, 0, err)
    t.eq(LOG_LINE.findall(err), [], "log lines on the terminal (--ussd): " + err)
    code, out, err = murojaat(["chat", "--verbose", "--as", "+998901234567"], env=env, cwd=d)
    t.eq(code, 2, "an unknown option")
    t.contains(err, 'unknown option "--verbose"')


def test_sms_cost_heads_its_table_and_names_what_is_over(t):
    code, out, err = murojaat(["sms-cost"])
    t.eq(code, 0, err)
    rows = out.splitlines()
    t.ok(rows[0].startswith("# lang msgid coding units segments:"), rows[0])
    t.contains(rows[0], "budget 2 segments")
    t.ok(all(re.match(r"^\S+ \S+ (gsm7|ucs2) \d+ \d+$", r) for r in rows[1:]),
         "every row after the header: lang msgid coding units segments")
    t.eq([ln for ln in err.splitlines() if "over the budget" in ln], [])
    # one segment: many are over, and each is named with its language
    code, out, err = murojaat(["sms-cost", "--budget", "1"])
    t.eq(code, 1, err[-300:])
    t.ok(out.splitlines()[0].endswith("budget 1 segment"), out.splitlines()[0])
    over = sorted("sms-cost: %s in %s is over the budget: %s segments (%s, %s units)" %
                  (m, lang, seg, coding, units)
                  for lang, m, coding, units, seg in
                  (r.split(" ") for r in out.splitlines()[1:]) if int(seg) > 1)
    named = sorted(ln for ln in err.splitlines() if "over the budget" in ln)
    t.ok(len(over) > 10, "messages over one segment: %d" % len(over))
    t.eq(named, over)
    t.contains(err, "%d over 1 segment\n" % len(over))


def test_a_second_serve_on_a_busy_port_says_so(t):
    s = Server(t).start()
    cwd = folder(t, "murojaat-cwd-")
    env = dict(s.env)
    code, out, err = murojaat(["serve"], env=env, cwd=cwd, timeout=120)
    t.eq(code, 1, err[-400:])
    t.contains(err, "murojaat: port %d on 127.0.0.1 is already in use" % s.port)
    t.contains(err, "MUROJAAT_PORT=%d murojaat serve" % (s.port + 1))
    t.eq(s.get("/healthz").status, 200, "the first one serves on")
    s.check_clean_exit()
