"""Through a real Kannel: replies that do not go back in the webhook's
response (registry notices) go out by the outbox to Kannel's sendsms, in the
right coding, and Kannel's delivery reports mark them delivered; a reply over
the segment budget is shortened at a boundary and the rest comes on "1"."""
import os
import tempfile
import time

import harness
import kannel
import po

# murojaat's kannel.token: Kannel's calls (MO, delivery reports) carry it
TOKEN = "kannel-async-token-51d0"
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяўқғҳ")


def setup(t, **env):
    srv = harness.Server(t, env=dict({"MUROJAAT_SMS_QUIET_HOURS": "",
                                      "MUROJAAT_KANNEL_TOKEN": TOKEN}, **env))
    k = kannel.Kannel(t, srv.port, token=TOKEN)
    srv.env["MUROJAAT_KANNEL_SENDSMS_URL"] = k.sendsms_url
    srv.start()
    k.start()
    return srv, k


def wait_sql(srv, q, want, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline and srv.sql(q) != want:
        time.sleep(0.2)
    return srv.sql(q)


def test_notices_go_out_by_sendsms_and_are_delivered(t):
    srv, k = setup(t)
    # the applicant of AR-2025-000002 writes in Uzbek Cyrillic first
    k.send("+998907654321", "ассалому алайкум")
    t.ok(k.wait_for(1, timeout=20), "greeting answered")
    n0 = k.count()
    apps = srv.sql("SELECT number, applicant_phone FROM applications WHERE status = 'in_review' "
                   "AND number <> 'AR-2025-000002' ORDER BY id LIMIT 2")
    f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False)
    f.write("number,status,decided_at,payment_at\nAR-2025-000002,approved,2025-12-01,2025-12-04\n")
    for a in apps:
        f.write("%s,approved,2025-12-01,2025-12-04\n" % a[0])
    f.close()
    code, out, err = harness.murojaat(["import", f.name], env={"MUROJAAT_DB": srv.db,
                                                          "MUROJAAT_SMS_QUIET_HOURS": ""})
    os.unlink(f.name)
    t.eq(code, 0, err)
    t.contains(out, "3 notices queued")
    mts = k.wait_for(3, timeout=30, after=n0)
    t.eq(len(mts), 3, "notices at the fake SMSC")
    by = {m["to"]: m for m in mts}
    cy = by.get("+998907654321", {})
    t.eq(cy.get("coding"), "ucs-2")
    t.eq(cy.get("text"), po.text("uz-Cyrl", "notice.approved", app_no="AR-2025-000002",
                                 programme=po.text("uz-Cyrl", "programme.material_aid"),
                                 decided="2025-йил 1-декабр", payment="2025-йил 4-декабр"))
    for a in apps:
        m = by.get(a[1], {})
        t.eq(m.get("coding"), "text", "Uzbek Latin notice in 7-bit")
        t.contains(m.get("text", ""), a[0])
        t.ok(not (set(m.get("text", "").lower()) & CYRILLIC), "no Cyrillic in a Latin notice")
    # the fake SMSC reports them delivered
    got = wait_sql(srv, "SELECT delivery, count(*) FROM messages WHERE intent = 'notice' "
                   "GROUP BY delivery", [("delivered", 3)])
    t.eq(got, [("delivered", 3)])
    t.ok(srv.sql("SELECT count(*) FROM delivery_reports WHERE provider = 'kannel'")[0][0] >= 3,
         "delivery reports recorded")
    # the synchronous greeting's reports carried our id too
    t.eq(wait_sql(srv, "SELECT delivery FROM messages WHERE direction = 'out' AND intent = "
                  "'greeting'", [("delivered",)]), [("delivered",)])
    srv.check_clean_exit()


def test_long_reply_shortened_rest_on_request(t):
    srv, k = setup(t, MUROJAAT_SMS_BUDGET="1")
    k.send("+998907654321", "ариза ҳолати AR-2025-000002")
    first = k.wait_for(1, timeout=20)
    t.eq(len(first), 1)
    text = first[0]["text"] if first else ""
    hint = po.text("uz-Cyrl", "sms.more")
    t.ok(text.endswith(hint), "shortened with the hint: %r" % text)
    t.ok(len(text) <= 70, "one UCS-2 segment: %d chars" % len(text))
    full = po.text("uz-Cyrl", "status.in_review", app_no="AR-2025-000002")
    head = text[: -len(hint)].rstrip()
    t.ok(full.startswith(head) and full[len(head):len(head) + 1] in (" ", ""),
         "cut at a boundary: %r" % head)
    # "1" brings the rest, itself shortened again when it is long
    got = head
    for i in range(4):
        n = k.count()
        k.send("+998907654321", "1")
        rest = k.wait_for(1, timeout=20, after=n)
        t.eq(len(rest), 1)
        part = rest[0]["text"] if rest else ""
        t.ok(len(part) <= 70, "one segment: %r" % part)
        more = part.endswith(hint)
        got += " " + (part[: -len(hint)].rstrip() if more else part)
        if not more:
            break
    t.eq(got, full, "the parts make the whole reply")
    srv.check_clean_exit()
