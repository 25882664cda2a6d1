#!/usr/bin/env python3
"""layout-check.py - the tree's rules, as README's Architecture section
states them.  Checks every .c and .h under the source folders:

  1. includes point down only: gateway -> bot -> intents | locales | store
     -> base (peers in the middle row do not include each other); bot/main.c
     wires everything and may include anything, and nothing includes it;
  2. library headers stay home: <sqlite3.h> in store/, <microhttpd.h> and
     <curl/curl.h> in gateway/ (bot/main.c may set curl up), <pcre2.h> in
     intents/;
  3. a *_int.h header is included only from its own folder;
  4. no source file is over 800 lines.

Prints one line per broken rule and ends "layout: N passed, N failed"."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FOLDERS = ["base", "store", "intents", "locales", "bot", "gateway"]
# what each folder may include from the project, beside itself
MAY = {
    "base": set(),
    "store": {"base"},
    "intents": {"base"},
    "locales": {"base"},
    "bot": {"base", "store", "intents", "locales"},
    "gateway": {"base", "store", "intents", "locales", "bot"},
}
LIBS = {
    "sqlite3.h": {"store"},
    "microhttpd.h": {"gateway"},
    "curl/curl.h": {"gateway"},
    "pcre2.h": {"intents"},
}
MAIN = "bot/main.c"
MAXLINES = 800
INC = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]')


def files():
    for d in FOLDERS:
        top = os.path.join(ROOT, d)
        for dirpath, _, names in os.walk(top):
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    full = os.path.join(dirpath, n)
                    yield os.path.relpath(full, ROOT).replace(os.sep, "/")


def main():
    passed = failed = 0
    bad = []
    seen = list(files())
    if not seen:
        bad.append("no source files found under %s" % ROOT)
    for rel in seen:
        folder = rel.split("/")[0]
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) > MAXLINES:
            bad.append("%s: %d lines (over %d)" % (rel, len(lines), MAXLINES))
        else:
            passed += 1
        for no, line in enumerate(lines, 1):
            m = INC.match(line)
            if not m:
                continue
            kind, name = m.groups()
            where = "%s:%d" % (rel, no)
            if kind == "<":
                home = LIBS.get(name)
                if home is None:
                    continue
                if folder in home or (rel == MAIN and name == "curl/curl.h"):
                    passed += 1
                else:
                    bad.append("%s: <%s> belongs in %s/ only"
                               % (where, name, "/, ".join(sorted(home))))
                continue
            target = name.split("/")[0]
            if target not in FOLDERS:
                continue
            if name == MAIN:
                bad.append("%s: nothing includes %s" % (where, MAIN))
                continue
            if (os.path.basename(name).endswith("_int.h")
                    and target != folder):
                bad.append("%s: %s is internal to %s/" % (where, name, target))
                continue
            if (target == folder or rel == MAIN
                    or target in MAY[folder]):
                passed += 1
            else:
                bad.append("%s: %s/ may not include %s (includes point down:"
                           " gateway -> bot -> intents | locales | store ->"
                           " base)" % (where, folder, name))
    for b in bad:
        print("layout: " + b)
    failed = len(bad)
    print("layout: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
