"""Run the end-to-end tests: every test_* function of tests/e2e/test_*.py
(or the files named on the command line), a few at a time.  Prints one line
per test and ends with "e2e: N passed, N failed".  With MUROJAAT_E2E_PG set
(PostgreSQL mode, see harness.py) a module's PG_SKIP and t.sqlite_only()
skip what only SQLite has; a module with PG_ONLY (test_pg_nodes) runs only
then, or when named."""
import concurrent.futures
import importlib.util
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def load(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_one(name, fn):
    t = harness.Check(name)
    skipped = False
    t0 = time.time()
    try:
        fn(t)
    except harness.Skipped as e:  # SQLite only, on PostgreSQL: counts nothing
        print("skip [%s] on PostgreSQL: %s" % (name, e), flush=True)
        skipped = True
    except Exception as e:  # a crash of the test counts as one failure
        t.failed += 1
        print("FAIL [%s] raised %s\n%s" % (name, e, traceback.format_exc()), flush=True)
    finally:
        for c in reversed(t.cleanups):
            try:
                c()
            except Exception as e:
                t.failed += 1
                print("FAIL [%s] cleanup raised %s" % (name, e), flush=True)
    word = "FAIL" if t.failed else "skip" if skipped else "ok"
    print("%-4s %s (%d checks, %.1fs)" % (word, name,
                                           t.passed + t.failed, time.time() - t0), flush=True)
    return t


def main():
    named = sys.argv[1:]
    files = named or sorted(
        os.path.join(HERE, f) for f in os.listdir(HERE) if f.startswith("test_") and f.endswith(".py"))
    tests = []
    for f in files:
        mod = load(f)
        # a PostgreSQL-only module (PG_ONLY): run when named or on PostgreSQL
        if getattr(mod, "PG_ONLY", False) and not named and not harness.on_pg():
            continue
        if harness.on_pg() and getattr(mod, "PG_SKIP", None):
            print("skip %s on PostgreSQL: %s" % (os.path.basename(f)[:-3], mod.PG_SKIP), flush=True)
            continue
        serial = getattr(mod, "SERIAL", False)
        for n, fn in sorted(vars(mod).items()):
            if n.startswith("test_") and callable(fn):
                tests.append(("%s:%s" % (os.path.basename(f)[:-3], n), fn, serial))
    passed = failed = 0
    jobs = int(os.environ.get("E2E_JOBS", "2"))
    par = [x for x in tests if not x[2]]
    ser = [x for x in tests if x[2]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for t in ex.map(lambda x: run_one(x[0], x[1]), par):
            passed += t.passed
            failed += t.failed
    for name, fn, _ in ser:
        t = run_one(name, fn)
        passed += t.passed
        failed += t.failed
    print("e2e: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
