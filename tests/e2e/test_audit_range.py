"""GET /api/audit by Tashkent days: from and to as YYYY-MM-DD (inclusive),
rows outside them left out, and days that do not exist (31 February, month
13, not a date) refused with 400 bad_date, here and in the inbox, while the
server keeps serving."""
import time

from test_helpdesk_api import Staff, server


def tashkent_day(sec):
    return time.strftime("%Y-%m-%d", time.gmtime(sec + 5 * 3600))


def test_audit_by_days(t):
    s = server(t)
    boss = Staff(t, s, "boss")
    now = int(time.time())
    # rows of other days, written beside the real ones
    s.sql("INSERT INTO audit (at, username, action, detail, req, ip) VALUES "
          "(?, 'old', 'view', '', '', ''), (?, 'older', 'view', '', '', '')",
          (now - 3 * 86400, now - 10 * 86400))
    today, three = tashkent_day(now), tashkent_day(now - 3 * 86400)
    ten = tashkent_day(now - 10 * 86400)

    r, log = boss.get("/api/audit")
    t.eq(r.status, 200)
    names = [x["username"] for x in log["items"]]
    t.ok("old" in names and "older" in names and "boss" in names, "no range: every row: %r" % names)

    r, log = boss.get("/api/audit?from=%s&to=%s" % (today, today))
    t.eq(r.status, 200)
    names = {x["username"] for x in log["items"]}
    t.ok("boss" in names and "old" not in names and "older" not in names, "today only: %r" % names)

    r, log = boss.get("/api/audit?from=%s&to=%s" % (three, three))
    t.eq([x["username"] for x in log["items"]], ["old"], "three days ago, inclusive")

    r, log = boss.get("/api/audit?to=%s" % three)
    t.eq([x["username"] for x in log["items"]], ["older", "old"], "up to three days ago (last written first)")

    r, log = boss.get("/api/audit?from=%s&to=%s" % (ten, three))
    t.eq([x["username"] for x in log["items"]], ["older", "old"], "a range of days")

    for bad in ("2025-02-31", "2025-13-01", "2025-2-1", "yesterday", "2025-04-31"):
        for path in ("/api/audit?from=", "/api/audit?to=", "/api/conversations?from="):
            r, body = boss.get(path + bad)
            t.eq(r.status, 400, path + bad)
            t.eq(body["error"], "bad_date", path + bad)
    r, _ = boss.get("/api/audit?from=2024-02-29&to=2024-02-29")
    t.eq(r.status, 200, "29 February of a leap year is a day")
    t.eq(boss.get("/api/me")[0].status, 200, "still serving")
