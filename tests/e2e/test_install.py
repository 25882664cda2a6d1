"""make install DESTDIR=D PREFIX=/usr lays murojaat out as a Debian service
has it: the program in /usr/bin, what it reads at run time in
/usr/share/murojaat, the unit in /usr/lib/systemd/system, a sample
/etc/murojaat/murojaat.conf (never over one already there) and
/var/lib/murojaat.  The installed program, run from another folder with
that config pointing at the state folder, answers a citizen over HTTP and
serves the help desk.  make uninstall leaves only the config and the state."""
import os
import re
import shutil
import stat
import subprocess
import tempfile

import po
from harness import ROOT, Server, murojaat

# The installed service keeps its store in /var/lib/murojaat as a file.
PG_SKIP = "the installed state is the SQLite file in /var/lib/murojaat"


def make(*args):
    """make in the source tree, outside any make this test runs under."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT] + list(args),
                       env=env, capture_output=True, timeout=900)
    return p.returncode, p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")


def clean_env(**extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("MUROJAAT_")}
    e.update(extra)
    return e


def test_make_install_then_run_from_elsewhere_then_uninstall(t):
    dest = tempfile.mkdtemp(prefix="murojaat-destdir-")
    t.defer(lambda: shutil.rmtree(dest, ignore_errors=True))
    code, out = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
    if not t.eq(code, 0, "make install: " + out):
        return

    def at(path):
        return os.path.join(dest, path.lstrip("/"))
    prog = at("/usr/bin/murojaat")
    share = at("/usr/share/murojaat")
    t.ok(os.access(prog, os.X_OK), "no executable /usr/bin/murojaat")
    for f in ("intents/model.bin", "intents/patterns/common.txt", "locales/uz-Latn.po",
              "locales/uz-Cyrl.po", "locales/ru.po", "locales/en.po", "data/programmes.json",
              "data/offices.tsv", "data/corpus/uz-latn.tsv", "gateway/web/index.html",
              "gateway/web/app.js", "gateway/web/app.css", "gateway/web/i18n/ru.json"):
        t.ok(os.path.isfile(os.path.join(share, f)), "not installed: share/murojaat/" + f)
    for d, _, files in os.walk(share):
        for f in files:
            t.ok(not f.endswith((".c", ".h", ".o")), "source or object installed: " + f)
    patterns = os.path.join(ROOT, "intents", "patterns")
    t.eq(sorted(os.listdir(os.path.join(share, "intents", "patterns"))),
         sorted(f for f in os.listdir(patterns) if f.endswith(".txt")), "every pattern file")
    with open(at("/usr/lib/systemd/system/murojaat.service")) as f:
        unit = f.read()
    t.contains(unit, "\nExecStart=/usr/bin/murojaat --config /etc/murojaat/murojaat.conf serve\n")
    t.contains(unit, "\nStateDirectory=murojaat\n")
    t.contains(unit, "\nConfigurationDirectory=murojaat\n")
    t.contains(unit, "\nDynamicUser=yes\n")
    t.contains(unit, "\nProtectSystem=strict\n")
    t.lacks(unit, "/usr/local/")
    state = at("/var/lib/murojaat")
    t.eq(stat.S_IMODE(os.stat(state).st_mode), 0o700, "mode of /var/lib/murojaat")
    conf = at("/etc/murojaat/murojaat.conf")
    with open(conf) as f:
        sample = f.read()
    t.contains(sample, "\ndb.path = /var/lib/murojaat/murojaat.db\n")

    # a config of one's own survives another make install
    with open(conf, "w") as f:
        f.write(sample.replace("/var/lib/murojaat", state)
                .replace("demo.applications = 0", "demo.applications = 2000"))
    with open(conf) as f:
        mine = f.read()
    code, out = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
    t.eq(code, 0, "second make install: " + out)
    with open(conf) as f:
        t.eq(f.read(), mine, "make install overwrote /etc/murojaat/murojaat.conf")

    # a command from an empty folder: the patterns and model of share/
    cwd = tempfile.mkdtemp(prefix="murojaat-cwd-")
    t.defer(lambda: shutil.rmtree(cwd, ignore_errors=True))
    code, out, err = murojaat(["--config", conf, "classify", "--explain"],
                              stdin="работаете в субботу?\n", env=clean_env(), binary=prog, cwd=cwd)
    t.eq((code, out.split("\t")[1:4:2]), (0, ["office_location", "model"]), err)
    t.eq(os.listdir(cwd), [], "files left in the current folder")

    # serve: the harness's own empty folder, the installed config, its state
    s = Server(t, binary=prog)
    s.conf_path = conf
    for k in ("MUROJAAT_DB", "MUROJAAT_DEMO_APPS"):
        del s.env[k]
    s.db = os.path.join(state, "murojaat.db")
    s.start()
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="1")
    t.eq(r.status, 200)
    t.eq(r.text, po.sms(po.text("uz-Latn", "status.approved", app_no="AR-2025-000001",
                                programme=po.text("uz-Latn", "programme.child_allowance"),
                                decided="2025-yil 1-mart", payment="2025-yil 4-mart")))
    t.eq(s.sql("SELECT count(*) FROM messages WHERE direction = 'in'")[0][0], 1)
    r = s.get("/")
    t.eq(r.status, 200)
    t.ok(re.search(r"<html", r.text) is not None, "help desk page")
    with open(os.path.join(share, "gateway", "web", "app.js"), "rb") as f:
        t.eq(s.get("/app.js").body, f.read(), "app.js from share/murojaat")
    t.eq(s.get("/i18n/en.json").status, 200)
    t.ok(os.path.isfile(s.db), "database in /var/lib/murojaat")
    t.eq(sorted(os.listdir(s.dir)), ["murojaat.conf", "server.log"], "the server's folder")
    s.check_clean_exit()

    code, out = make("uninstall", "DESTDIR=" + dest, "PREFIX=/usr")
    t.eq(code, 0, "make uninstall: " + out)
    left = sorted(os.path.relpath(os.path.join(d, f), dest)
                  for d, _, files in os.walk(dest) for f in files)
    t.eq([f for f in left if not f.startswith("var/lib/murojaat/")],
         ["etc/murojaat/murojaat.conf"], "left after make uninstall")
    t.ok("var/lib/murojaat/murojaat.db" in left, "the state stays")
