"""The program runs from any folder: classify, translit, sms-cost and serve
find the patterns, catalogues, data/ and gateway/web beside the program
(the build in the tree, or a copy beside the program reached through a
symlink; make install's share/murojaat is test_install.py's), or where the
config says; never relative to the current folder.  A program without its files says what to set."""
import os
import shutil
import tempfile

import po
from harness import BIN, ROOT, Server, murojaat

CLASSIFY_IN = "arizam holati AR-2025-000001\nстатус заявки\nхужжатлар\n"
CLASSIFY_OUT = ("uz-Latn\tstatus_check\tapp_no=AR-2025-000001\n"
                "ru\tstatus_check\t\n"
                "uz-Cyrl\tdocuments\t\n")


def clean_env(**extra):
    """The environment without any MUROJAAT_* setting, plus extra."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("MUROJAAT_")}
    e.update(extra)
    return e


def folder(t, prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    t.defer(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def install(t):
    """A copy of the program and its data files (README, Deploying, step 1)
    under DIR/opt/murojaat, and DIR/bin/murojaat a symlink to it."""
    top = folder(t, "murojaat-install-")
    opt = os.path.join(top, "opt", "murojaat")
    os.makedirs(opt)
    shutil.copy2(BIN, os.path.join(opt, "murojaat"))
    for d in ("intents/patterns", "locales", "data", "gateway/web"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(opt, d),
                        ignore=shutil.ignore_patterns("*.c", "*.h", "node_modules"))
    shutil.copy2(os.path.join(ROOT, "intents", "model.bin"), os.path.join(opt, "intents"))
    os.makedirs(os.path.join(top, "bin"))
    link = os.path.join(top, "bin", "murojaat")
    os.symlink(os.path.join(opt, "murojaat"), link)
    return opt, link


def commands(t, binary, cwd, env):
    code, out, err = murojaat(["classify"], stdin=CLASSIFY_IN, env=env, binary=binary, cwd=cwd)
    t.eq(code, 0, err)
    t.eq(out, CLASSIFY_OUT, "classify from %s" % cwd)
    t.lacks(err, "no intent model")
    # the model beside the program decided
    code, out, err = murojaat(["classify", "--explain"], stdin="работаете в субботу?\n", env=env,
                              binary=binary, cwd=cwd)
    t.eq((code, out.split("\t")[1], out.split("\t")[3]), (0, "office_location", "model"), err)
    code, out, err = murojaat(["translit", "--to", "cyrl"], stdin="Ariza holati\n", env=env,
                              binary=binary, cwd=cwd)
    t.eq((code, out), (0, "Ариза ҳолати\n"), err)
    code, out, err = murojaat(["sms-cost"], env=env, binary=binary, cwd=cwd)
    t.eq(code, 0, err)
    t.contains(out, "uz-Cyrl elig.q.members ucs2")
    t.contains(err, " 0 over 2 segments")
    # nothing was written where the commands ran
    t.eq(os.listdir(cwd), [], "files left in the current folder")


def test_commands_run_from_another_folder(t):
    cwd = folder(t, "murojaat-cwd-")
    commands(t, BIN, cwd, clean_env())


def test_installed_copy_runs_through_a_symlink_from_anywhere(t):
    opt, link = install(t)
    cwd = folder(t, "murojaat-cwd-")
    commands(t, link, cwd, clean_env())
    # serve: started by the harness in its own empty folder
    s = Server(t, binary=link).start()
    r = s.kannel("+998901234567", "arizam holati AR-2025-000001", msg_id="1")
    t.eq(r.status, 200)
    t.eq(r.text, po.sms(po.text("uz-Latn", "status.approved", app_no="AR-2025-000001",
                                programme=po.text("uz-Latn", "programme.child_allowance"),
                                decided="2025-yil 1-mart", payment="2025-yil 4-mart")))
    # the store was seeded from data/ beside the program: offices answer
    r = s.kannel("+998930000301", "Gurlan inson markazi qayerda", msg_id="2")
    t.contains(r.text, "Gurlan")
    t.ok(s.sql("SELECT count(*) FROM offices")[0][0] >= 13, "offices seeded")
    # and the help desk's pages come from gateway/web beside the program
    r = s.get("/")
    t.eq(r.status, 200)
    t.contains(r.text, "<html")
    t.lacks(os.listdir(s.dir), "var", "relative var/ under the server's folder")
    s.check_clean_exit()


def test_config_says_where_and_a_bare_program_says_what_to_set(t):
    bare = folder(t, "murojaat-bare-")
    prog = os.path.join(bare, "murojaat")
    shutil.copy2(BIN, prog)
    cwd = folder(t, "murojaat-cwd-")
    code, out, err = murojaat(["classify"], stdin="salom\n", env=clean_env(), binary=prog, cwd=cwd)
    t.eq(code, 1)
    t.contains(err, "intents/patterns")
    t.contains(err, "set intents.dir")
    # the config names the folders: then it runs
    conf = os.path.join(bare, "murojaat.conf")
    with open(conf, "w") as f:
        f.write("intents.dir = %s\nlocales.dir = %s\n" % (
            os.path.join(ROOT, "intents", "patterns"), os.path.join(ROOT, "locales")))
    code, out, err = murojaat(["--config", conf, "classify"], stdin=CLASSIFY_IN,
                              env=clean_env(), binary=prog, cwd=cwd)
    t.eq((code, out), (0, CLASSIFY_OUT), err)
    code, out, err = murojaat(["sms-cost"], env=clean_env(MUROJAAT_CONF=conf), binary=prog,
                              cwd=cwd)
    t.eq(code, 0, err)
    # and the environment too
    code, out, err = murojaat(["classify"], stdin=CLASSIFY_IN, binary=prog, cwd=cwd,
                              env=clean_env(MUROJAAT_INTENTS_DIR=os.path.join(
                                  ROOT, "intents", "patterns")))
    t.eq((code, out), (0, CLASSIFY_OUT), err)
