#!/usr/bin/env python3
"""Keep locales/uz-Cyrl.po in step with locales/uz-Latn.po.

For every message, transliterate the uz-Latn text with `murojaat translit
--to cyrl` and compare it with the uz-Cyrl text.  Prints each difference
(a translator decides: the Latin->Cyrillic direction needs judgement for
loanwords, and a Cyrillic text may be worded shorter to fit UCS-2 SMS).
  tools/po-cyrl.py            report; exit 0
  tools/po-cyrl.py --draft F  also write a draft uz-Cyrl catalogue to F,
                              with the transliteration of every message
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import po  # noqa: E402

# The language's own name and the multilingual menu are not translations.
SKIP = {"", "language.name", "language.ask"}


def main():
    lat, cyr = po.catalogue("uz-Latn"), po.catalogue("uz-Cyrl")
    keys = [k for k in lat if k not in SKIP]
    src = "".join(lat[k].replace("\n", "\\n") + "\n" for k in keys)
    out = subprocess.run([os.path.join(ROOT, "murojaat"), "translit", "--to", "cyrl"],
                         input=src.encode(), capture_output=True, check=True).stdout.decode()
    trans = [line.replace("\\n", "\n") for line in out.split("\n")[:len(keys)]]
    diff = 0
    for k, t in zip(keys, trans):
        if cyr.get(k) != t:
            diff += 1
            print("%s\n  transliterated: %s\n  uz-Cyrl.po:     %s" % (k, t, cyr.get(k)))
    print("%d of %d messages differ from the transliteration of uz-Latn" % (diff, len(keys)))
    if len(sys.argv) == 3 and sys.argv[1] == "--draft":
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: uz@cyrillic\\n"\n')
            for k, t in zip(keys, trans):
                f.write('\nmsgid "%s"\nmsgstr "%s"\n' % (k, t.replace("\\", "\\\\").replace('"', '\\"')
                                                       .replace("\n", "\\n")))
        print("draft written to", sys.argv[2])


if __name__ == "__main__":
    main()
