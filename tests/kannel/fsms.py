#!/usr/bin/env python3
"""fakesmsc line encoder/decoder for murojaat's Kannel tests (Python 3
standard library only); used by send.sh, inbox.sh and tests/e2e/kannel.py.

  fsms.py encode [--mode auto|text|ucs2|utf8|ucs2-parts] SENDER RECEIVER TEXT
      Print the fakesmsc protocol line(s) that inject one mobile-originated
      SMS.  Every line is at most 254 bytes because fakesmsc's interactive
      mode reads stdin with fgets() into a 256-byte buffer.

  fsms.py decode [--after N] [--raw] [--json] LOGFILE
      Parse fakesmsc's log ("Got message N: <...>" lines = mobile-terminated
      SMS that bearerbox delivered to the fake SMSC), decode them and
      reassemble concatenated parts.  One line per message (--json: JSON).
      --after N skips the first N "Got message" lines; --raw does not join.

  fsms.py inject [--mode M] FIFO LOGFILE SENDER RECEIVER TEXT
      encode, then write the line(s) one at a time into fakesmsc's stdin FIFO,
      waiting after each until fakesmsc logs "sent message" (LOGFILE).

  fsms.py count LOGFILE
      Print how many MT messages ("Got message" lines) the log holds.

  fsms.py gsm TEXT
      Tell whether TEXT fits the GSM 03.38 7-bit alphabet and its length.
"""
import json
import os
import random
import re
import sys
import time


class FsmsError(ValueError):
    """A text that cannot be injected, or fakesmsc not taking a line."""

# GSM 03.38 default alphabet and extension table, as Unicode characters.
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
             "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXT = "^{}\\[~]|€\f"
GSM_BASIC_SET = set(GSM_BASIC) - {"\x1b"}
GSM_EXT_SET = set(GSM_EXT)

MAX_LINE = 254          # bytes per fakesmsc stdin line, without the newline
GSM_SINGLE, GSM_PART = 160, 153      # septets
UCS2_SINGLE, UCS2_PART = 140, 134    # octets


def is_gsm(text):
    return all(c in GSM_BASIC_SET or c in GSM_EXT_SET for c in text)


def gsm_septets(text):
    return sum(2 if c in GSM_EXT_SET else 1 for c in text)


# Bytes that must be %-escaped inside a fakesmsc "data"/"ucs2"/"udh" field:
# NUL (ends the C string), LF/CR (end the line), space (field separator is
# fine inside the last field, but '+' would turn into a space), '%' and '+'.
# Everything else may travel raw: octstr_url_decode() copies it unchanged.
_ESCAPE = {0x00, 0x0A, 0x0D, 0x25, 0x2B}


def min_urlencode(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        if b == 0x20:
            out += b"+"
        elif b in _ESCAPE:
            out += b"%%%02X" % b
        else:
            out.append(b)
    return bytes(out)


def full_urlencode(data: bytes) -> bytes:
    return b"".join(b"%%%02X" % b for b in data)


def _udh(ref, total, seq):
    return bytes([5, 0, 3, ref, total, seq])


def _text_parts(head, text, ref, limit_units, unit_len):
    """Split text for 'udh-text' lines: at most limit_units per part (GSM
    septets or characters) and at most MAX_LINE bytes per line."""
    budget = MAX_LINE - len(head) - len(b"udh-text ") - len(full_urlencode(_udh(0, 0, 0))) - 1
    parts, cur, cur_units = [], "", 0
    for ch in text:
        u = unit_len(ch)
        if cur and (cur_units + u > limit_units or len((cur + ch).encode()) > budget):
            parts.append(cur)
            cur, cur_units = "", 0
        cur += ch
        cur_units += u
    if cur:
        parts.append(cur)
    return [head + b"udh-text " + full_urlencode(_udh(ref, len(parts), i + 1)) + b" " + p.encode()
            for i, p in enumerate(parts)]


def encode(sender, receiver, text, mode="auto"):
    """Return (list_of_lines_as_bytes, description).

    modes:
      text        7-bit (coding 0) like a phone sending GSM 03.38 text;
                  >160 septets -> concatenated 'udh-text' parts of 153 septets
      ucs2        UCS-2 (coding 2) in ONE 'ucs2' line (what a phone does for
                  Cyrillic / o' with U+2018); must fit in 254 bytes
      utf8        the UTF-8 text as 7-bit (coding 0) 'text' / 'udh-text' lines;
                  with mo-recode = true the application gets exactly the same
                  request as for a real UCS-2 MO (coding=0, charset=UTF-8)
      ucs2-parts  concatenated UCS-2 parts via 'udh-data': bearerbox then marks
                  the message coding=1 (8-bit) -- a fakesmsc limitation
      auto        text if GSM-only, else ucs2 if it fits one line, else utf8
    """
    head = ("%s %s " % (sender, receiver)).encode()
    if " " in sender or " " in receiver or not sender or not receiver:
        raise FsmsError("sender/receiver must be non-empty and contain no spaces")
    has_nl = "\n" in text or "\r" in text
    ucs2_line = head + b"ucs2 " + min_urlencode(text.encode("utf-16-be"))
    if mode == "auto":
        if is_gsm(text) and not has_nl:
            mode = "text"
        elif len(ucs2_line) <= MAX_LINE:
            mode = "ucs2"
        else:
            mode = "utf8"
    if mode in ("text", "utf8"):
        if has_nl:
            raise FsmsError("'text'/'utf8' lines cannot carry a newline (fakesmsc is line based); "
                             "use a shorter text with --mode ucs2")
        if mode == "text" and not is_gsm(text):
            sys.stderr.write("fsms: warning: text is not pure GSM 03.38, sending it as 7-bit anyway\n")
        line = head + b"text " + text.encode("utf-8")
        if mode == "text":
            units, limit1, limitn, unit = gsm_septets(text), GSM_SINGLE, GSM_PART, \
                (lambda c: 2 if c in GSM_EXT_SET else 1)
            what = "text (7-bit, coding 0), %d septets" % units
        else:
            units, limit1, limitn, unit = len(text), 70, 67, (lambda c: 1)
            what = ("utf8 = UTF-8 text sent as 7-bit 'text' (coding 0), %d chars "
                    "(stands in for UCS-2: identical app request when mo-recode = true)" % units)
        if units <= limit1 and len(line) <= MAX_LINE:
            return [line], what + ", 1 part"
        ref = random.randint(1, 255)
        lines = _text_parts(head, text, ref, limitn, unit)
        return lines, what + ", %d concatenated 'udh-text' parts, ref %d" % (len(lines), ref)
    if mode == "ucs2":
        n = len(text.encode("utf-16-be"))
        if len(ucs2_line) > MAX_LINE:
            raise FsmsError("UCS-2 line would be %d bytes > %d (fakesmsc stdin limit); use --mode utf8 "
                             "or a shorter text" % (len(ucs2_line), MAX_LINE))
        note = "ucs2 (coding 2), %d octets = %d UTF-16 units, 1 line" % (n, n // 2)
        if n > UCS2_SINGLE:
            note += (" -- longer than one real SMS (140 octets); a network would deliver "
                     "concatenated parts that bearerbox reassembles")
        return [ucs2_line], note
    if mode == "ucs2-parts":
        raw = text.encode("utf-16-be")
        ref = random.randint(1, 255)
        units = [raw[i:i + 2] for i in range(0, len(raw), 2)]
        budget = MAX_LINE - len(head) - len(b"udh-data ") - len(full_urlencode(_udh(0, 0, 0))) - 1
        parts, cur = [], b""
        for u in units:
            if cur and (len(cur) + 2 > UCS2_PART or len(min_urlencode(cur + u)) > budget):
                parts.append(cur)
                cur = b""
            cur += u
        if cur:
            parts.append(cur)
        lines = [head + b"udh-data " + full_urlencode(_udh(ref, len(parts), i + 1)) + b" " + min_urlencode(p)
                 for i, p in enumerate(parts)]
        return lines, ("udh-data, %d concatenated parts, ref %d -- WARNING: fakesmsc 'udh-data' "
                       "makes bearerbox treat the parts as coding=1 (8-bit), not UCS-2" % (len(parts), ref))
    raise FsmsError("unknown mode %r (auto|text|ucs2|utf8|ucs2-parts)" % mode)


# --------------------------------------------------------------------- decode
LOG_RE = re.compile(rb"Got message (\d+): <(.*)>\s*$")


def url_decode_bytes(s: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == 0x25 and i + 2 < len(s) and re.match(rb"[0-9A-Fa-f]{2}", s[i + 1:i + 3]):
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
        elif c == 0x2B:
            out.append(0x20)
            i += 1
        else:
            out.append(c)
            i += 1
    return bytes(out)


def guess_text(data: bytes):
    """UDH lines lose the coding; UTF-8 text never contains bytes < 0x09,
    UCS-2 (UTF-16BE) of Latin/Cyrillic text always does (0x00 / 0x04)."""
    if any(b < 0x09 for b in data) and len(data) % 2 == 0:
        return data.decode("utf-16-be", errors="replace"), "ucs-2 (guessed)"
    return data.decode("utf-8", errors="replace"), "text (guessed)"


def read_mt(logfile, after=0):
    """Yield (index, line) for each 'Got message' line after the first `after`.
    The index counts "Got message" lines in the log (1, 2, ...); fakesmsc's own
    number restarts at 1 whenever fakesmsc is restarted, so it is not used."""
    n = 0
    with open(logfile, "rb") as f:
        for raw in f:
            m = LOG_RE.search(raw)
            if not m:
                continue
            n += 1
            if n <= after:
                continue
            yield n, m.group(2)


def parse_line(n, line: bytes):
    rec = {"n": n, "line": line.decode("utf-8", errors="backslashreplace")}
    fields = line.split(b" ", 3)
    if len(fields) < 3 or fields[2] not in (b"text", b"data", b"ucs-2", b"udh"):
        rec.update(kind="continuation")   # a previous 'text' MT contained a newline
        rec["text"] = line.decode("utf-8", errors="replace")
        return rec
    sender, receiver, typ = (f.decode("utf-8", errors="replace") for f in fields[:3])
    rest = fields[3] if len(fields) > 3 else b""
    rec.update(sender=sender, receiver=receiver, type=typ)
    if typ == "text":
        rec.update(text=rest.decode("utf-8", errors="replace"), coding="text (0)")
    elif typ == "data":
        data = url_decode_bytes(rest)
        rec.update(text=data.decode("utf-8", errors="replace"), coding="data (1)", hex=data.hex())
    elif typ == "ucs-2":
        data = url_decode_bytes(rest)
        rec.update(text=data.decode("utf-16-be", errors="replace"), coding="ucs-2 (2)", octets=len(data))
    else:  # udh <udh> data <msgdata>
        sub = rest.split(b" ", 2)
        udh = url_decode_bytes(sub[0])
        data = url_decode_bytes(sub[2]) if len(sub) > 2 else b""
        text, coding = guess_text(data)
        rec.update(udh=udh.hex(), text=text, coding=coding, octets=len(data))
        if len(udh) >= 6 and udh[1] == 0 and udh[2] == 3:
            rec.update(concat={"ref": udh[3], "total": udh[4], "seq": udh[5]})
    return rec


def decode(logfile, after=0, raw=False):
    pending = {}
    last = None
    out = []
    for n, line in read_mt(logfile, after):
        rec = parse_line(n, line)
        if raw:
            out.append(rec)
            continue
        if rec.get("kind") == "continuation" and last is not None and last.get("type") == "text":
            last["text"] += "\n" + rec["text"]
            last["note"] = "text contained a newline: fakesmsc printed it as several lines"
            continue
        c = rec.get("concat")
        if c:
            key = (rec["sender"], rec["receiver"], c["ref"], c["total"])
            pending.setdefault(key, {})[c["seq"]] = rec
            if len(pending[key]) == c["total"]:
                parts = [pending[key][i] for i in sorted(pending[key])]
                del pending[key]
                merged = {"n": [p["n"] for p in parts], "sender": rec["sender"], "receiver": rec["receiver"],
                          "type": "udh (concatenated)", "coding": rec["coding"], "parts": len(parts),
                          "part_lengths": [len(p["text"]) for p in parts],
                          "text": "".join(p["text"] for p in parts)}
                out.append(merged)
                last = None
            continue
        out.append(rec)
        last = rec
    for key, parts in pending.items():
        for seq in sorted(parts):
            rec = parts[seq]
            rec["note"] = "incomplete concatenated message"
            rec["incomplete"] = True
            out.append(rec)
    return out


def human(rec):
    n = rec["n"]
    n = ",".join(map(str, n)) if isinstance(n, list) else str(n)
    if rec.get("kind") == "continuation":
        return "#%s  (continuation line) %s" % (n, rec["text"])
    extra = []
    if "parts" in rec:
        extra.append("%d parts %s" % (rec["parts"], rec["part_lengths"]))
    if "concat" in rec:
        extra.append("part %(seq)d/%(total)d ref %(ref)d" % rec["concat"])
    if "note" in rec:
        extra.append(rec["note"])
    text = rec.get("text", "")
    return "#%s  %s -> %s  [%s%s]  %d chars: %s" % (
        n, rec.get("sender"), rec.get("receiver"), rec.get("coding", rec.get("type")),
        ("; " + "; ".join(extra)) if extra else "", len(text), text)


def sent_count(logfile):
    try:
        with open(logfile, "rb") as f:
            return sum(1 for ln in f if b"fakesmsc: sent message" in ln)
    except FileNotFoundError:
        return 0


def inject(fifo, logfile, lines, timeout=5.0):
    """One line per write, then wait for fakesmsc to confirm it: fakesmsc
    reads stdin with fgets() on a stdio buffer but select()s on the fd, so two
    lines arriving together would leave the second stuck in the buffer."""
    for ln in lines:
        before = sent_count(logfile)
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            raise FsmsError("cannot open fakesmsc's FIFO %s (%s): is fakesmsc running?" % (fifo, e))
        try:
            os.write(fd, ln + b"\n")
        finally:
            os.close(fd)
        deadline = time.monotonic() + timeout
        while sent_count(logfile) <= before:
            if time.monotonic() > deadline:
                raise FsmsError("fakesmsc did not pick up the line within %.0f s (see %s)" % (timeout, logfile))
            time.sleep(0.05)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "encode":
        args = argv[2:]
        mode = "auto"
        if args and args[0] == "--mode":
            mode, args = args[1], args[2:]
        if len(args) != 3:
            sys.exit("usage: fsms.py encode [--mode auto|text|ucs2|utf8|ucs2-parts] SENDER RECEIVER TEXT")
        lines, desc = encode(args[0], args[1], args[2], mode)
        sys.stderr.write("fsms: " + desc + "\n")
        for i, ln in enumerate(lines, 1):
            sys.stderr.write("fsms: line %d (%d bytes): %r\n" % (i, len(ln), ln))
            sys.stdout.buffer.write(ln + b"\n")
    elif cmd == "inject":
        args = argv[2:]
        mode = "auto"
        if args and args[0] == "--mode":
            mode, args = args[1], args[2:]
        if len(args) != 5:
            sys.exit("usage: fsms.py inject [--mode M] FIFO LOGFILE SENDER RECEIVER TEXT")
        fifo, logfile, sender, receiver, text = args
        lines, desc = encode(sender, receiver, text, mode)
        sys.stderr.write("fsms: " + desc + "\n")
        for i, ln in enumerate(lines, 1):
            sys.stderr.write("fsms: line %d (%d bytes): %r\n" % (i, len(ln), ln))
        inject(fifo, logfile, lines)
    elif cmd == "decode":
        args = argv[2:]
        after, raw, as_json = 0, False, False
        while args and args[0].startswith("--"):
            if args[0] == "--after":
                after, args = int(args[1]), args[2:]
            elif args[0] == "--raw":
                raw, args = True, args[1:]
            elif args[0] == "--json":
                as_json, args = True, args[1:]
            else:
                sys.exit("unknown option " + args[0])
        if len(args) != 1:
            sys.exit("usage: fsms.py decode [--after N] [--raw] [--json] LOGFILE")
        if not os.path.exists(args[0]):
            return
        for rec in decode(args[0], after, raw):
            if as_json:
                print(json.dumps(rec, ensure_ascii=False))
            else:
                print(human(rec))
    elif cmd == "count":
        n = 0
        if os.path.exists(argv[2]):
            for n, _ in read_mt(argv[2]):
                pass
        print(n)
    elif cmd == "gsm":
        t = argv[2]
        print(json.dumps({"gsm7": is_gsm(t), "septets": gsm_septets(t) if is_gsm(t) else None,
                          "ucs2_units": len(t.encode("utf-16-be")) // 2}, ensure_ascii=False))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except FsmsError as e:
        sys.exit("fsms: %s" % e)
