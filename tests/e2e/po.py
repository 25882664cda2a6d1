"""A small reader of the project's PO catalogues, so tests can compare a
reply with the catalogue text it must come from."""
import os
import re

from harness import ROOT

_cache = {}


def _unquote(s):
    return bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def catalogue(lang):
    if lang in _cache:
        return _cache[lang]
    msgs, key, field = {}, None, None
    with open(os.path.join(ROOT, "locales", lang + ".po"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            m = re.match(r'^(msgid|msgstr|msgid_plural|msgstr\[\d+\])\s+"(.*)"$', line)
            if m:
                field = m.group(1)
                val = _unquote(m.group(2))
                if field == "msgid":
                    key = val
                    msgs.setdefault(key, {})
                msgs[key][field] = val
            elif line.startswith('"') and key is not None and field:
                msgs[key][field] += _unquote(line[1:-1])
    _cache[lang] = {k: v.get("msgstr", v.get("msgstr[0]", "")) for k, v in msgs.items()}
    return _cache[lang]


def text(lang, msgid, **args):
    s = catalogue(lang)[msgid]
    for k, v in args.items():
        s = s.replace("{" + k + "}", v)
    return s


def sms(s):
    """What SMS preparation does to a Latin text's apostrophes."""
    for ch in "ʻʼ‘’`´":
        s = s.replace(ch, "'")
    return s
