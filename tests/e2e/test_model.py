"""The trained intent model in the running service: loaded at start (said
in /metrics), missing or corrupt at start (said on stderr, in the log and
the metrics; patterns alone), swapped in when its file changes or on
SIGHUP, a corrupt replacement leaving the one in use; what it decides
reaches the citizen: complaints go to a person, a model-only opt-out asks
for STOP first, an unknown message is asked to be rephrased."""
import os
import shutil
import signal
import tempfile
import time

import po
from harness import ROOT, Server, murojaat

BUILT = os.path.join(ROOT, "intents", "model.bin")
CONF = {"rate.per_minute": "1000", "rate.per_day": "100000"}


def tempdir(t):
    d = tempfile.mkdtemp(prefix="murojaat-model-")
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def metric(s, name):
    for line in s.get("/metrics").text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.split()[-1])
    return None


def wait_log(s, needle, count=1, secs=15):
    deadline = time.time() + secs
    while time.time() < deadline:
        if s.log().count(needle) >= count:
            return True
        time.sleep(0.1)
    return False


def wait_row(s, phone, secs=10):
    """The writer commits in groups: wait for phone's last message."""
    deadline = time.time() + secs
    while time.time() < deadline and intent_of(s, phone) is None:
        time.sleep(0.05)


def intent_of(s, phone):
    rows = s.sql("SELECT m.intent FROM messages m JOIN contacts k ON k.id = m.contact_id "
                 "WHERE k.address = ? AND m.direction = 'in' ORDER BY m.id DESC LIMIT 1",
                 (phone,))
    return rows[0][0] if rows else None


def test_loaded_at_start(t):
    s = Server(t, conf=CONF).start()
    t.eq(metric(s, "murojaat_nlu_model_loaded"), 1.0)
    t.contains(s.log(), "intents.model_loaded")
    # a message no pattern knows, in words of the corpus's style
    r = s.kannel("+998901110001", "работаете в субботу?", msg_id="1")
    t.eq(r.status, 200)
    t.eq(intent_of(s, "+998901110001"), "office_location")
    s.check_clean_exit()


def test_missing_or_corrupt_model_runs_on_patterns(t):
    d = tempdir(t)
    bad = os.path.join(d, "corrupt.bin")
    with open(BUILT, "rb") as f:
        data = bytearray(f.read())
    data[5000] ^= 0x55
    with open(bad, "wb") as f:
        f.write(data)
    for path, why in ((os.path.join(d, "absent.bin"), "absent.bin"), (bad, "corrupt.bin")):
        c = dict(CONF)
        c["nlu.model"] = path
        s = Server(t, conf=c).start()
        log = s.log()
        t.contains(log, "no intent model")
        t.contains(log, why)
        t.contains(log, "intents.model_unloaded")
        t.eq(metric(s, "murojaat_nlu_model_loaded"), 0.0)
        t.ok(metric(s, "murojaat_nlu_model_load_failures_total") >= 1)
        # the patterns still answer what must be exact
        r = s.kannel("+998901110002", "STOP", msg_id="1")
        t.eq(r.text, po.sms(po.text("uz-Latn", "optout.done")))
        r = s.kannel("+998901110002", "arizam holati AR-2025-000001", msg_id="2")
        t.eq(r.status, 200)
        t.eq(intent_of(s, "+998901110002"), "status_check")
        s.check_clean_exit()


def test_swap_on_change_and_sighup(t):
    d = tempdir(t)
    active = os.path.join(d, "model.bin")
    shutil.copy(BUILT, active)
    # a model that knows only greetings and thanks
    tiny = os.path.join(d, "tiny.tsv")
    with open(tiny, "w") as f:
        for w in ("salom", "assalomu alaykum", "привет", "hello", "hi there"):
            f.write("%s\t-\tgreeting\t\n" % w)
        for w in ("rahmat", "спасибо", "thanks", "thank you", "katta rahmat"):
            f.write("%s\t-\tthanks\t\n" % w)
    code, out, err = murojaat(["train", "--corpus", tiny, "--out", os.path.join(d, "tiny.bin")])
    t.eq(code, 0, err)
    c = dict(CONF)
    c["nlu.model"] = active
    s = Server(t, conf=c).start()
    phone = "+998901110003"
    s.kannel(phone, "hujjatlar royxati kerak", msg_id="1")
    t.eq(intent_of(s, phone), "documents")
    # the file changes (renamed over, as a deploy would): swapped in
    os.rename(os.path.join(d, "tiny.bin"), active + ".tmp")
    os.rename(active + ".tmp", active)
    t.ok(wait_log(s, "intents.model_loaded", 2), "second load:\n" + s.log())
    s.kannel(phone, "hujjatlar royxati kerak", msg_id="2")
    t.ok(intent_of(s, phone) in ("greeting", "thanks", "unknown"), intent_of(s, phone))
    # a corrupt file: the model in use stays, said in the log
    with open(active + ".tmp", "wb") as f:
        f.write(b"MJMODEL1 but not a model")
    os.rename(active + ".tmp", active)
    t.ok(wait_log(s, "using=previous"), s.log())
    s.kannel(phone, "rahmat", msg_id="3")
    t.eq(intent_of(s, phone), "thanks")
    # the built one back, and SIGHUP asks for it at once
    shutil.copy(BUILT, active + ".tmp")
    os.rename(active + ".tmp", active)
    s.proc.send_signal(signal.SIGHUP)
    t.ok(wait_log(s, "intents.model_loaded", 3), s.log())
    s.kannel(phone, "hujjatlar royxati kerak", msg_id="4")
    t.eq(intent_of(s, phone), "documents")
    t.eq(metric(s, "murojaat_nlu_model_loaded"), 1.0)
    s.check_clean_exit()


def test_complaints_reach_a_person(t):
    s = Server(t, conf=CONF).start()
    cases = [
        ("+998901110004", "uz-Latn",
         "Iltimos yordam beringlar, 3 oydan beri hech kim javob bermayapti, bolalarim "
         "och qoldi, nafaqa kelmayapti, kimga murojaat qilay, sizlardan boshqa umidim yoq"),
        ("+998901110005", "ru",
         "Если до пятницы не ответите, пишу жалобу в прокуратуру, это безобразие, "
         "третий месяц одно и то же"),
    ]
    for phone, lang, text in cases:
        r = s.kannel(phone, text, msg_id=phone + "-1")
        t.eq(r.text, po.sms(po.text(lang, "operator.queued")), text[:30])
        wait_row(s, phone)
        t.eq(intent_of(s, phone), "human_operator")
    q = ("SELECT c.needs_human FROM conversations c JOIN contacts k ON k.id = c.contact_id "
         "WHERE k.address = ?")
    for phone, _, _ in cases:
        deadline = time.time() + 10
        while time.time() < deadline and s.sql(q, (phone,)) != [(1,)]:
            time.sleep(0.1)
        t.eq(s.sql(q, (phone,)), [(1,)], phone)
    s.check_clean_exit()


def test_model_opt_out_asks_for_stop(t):
    s = Server(t, conf=CONF).start()
    phone = "+998901110006"
    # no pattern says this; the model does, so the citizen is asked first
    r = s.kannel(phone, "сообщения больше не нужны", msg_id="1")
    t.eq(r.text, po.sms(po.text("ru", "optout.confirm")))
    t.eq(s.sql("SELECT opted_out FROM contacts WHERE address = ?", (phone,)), [(0,)])
    r = s.kannel(phone, "STOP", msg_id="2")
    t.eq(r.text, po.sms(po.text("ru", "optout.done")))
    t.eq(s.sql("SELECT opted_out FROM contacts WHERE address = ?", (phone,)), [(1,)])
    s.check_clean_exit()


def test_unknown_asks_to_rephrase(t):
    s = Server(t, conf=CONF).start()
    r = s.kannel("+998901110007", "qwerty zxcvb", msg_id="7-1")
    t.eq(r.text, po.sms(po.text("uz-Latn", "unknown")))
    r = s.kannel("+998901110008", "what is the weather in paris", msg_id="8-1")
    t.eq(r.text, po.sms(po.text("en", "unknown")))
    s.check_clean_exit()
