"""seed.py DIR - write the fuzz corpora's starting inputs from the test
fixtures into DIR/<target>/ (file name = content hash, so reruns add
nothing twice).  Generated corpora live under build/ and are not committed;
tests/fuzz/seeds/<target>/ holds the few hand-made regression inputs."""
import glob
import hashlib
import os
import struct
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def tsv(pattern, col=0):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) > col and cols[col]:
                    yield cols[col]


def put(out, target, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, hashlib.sha1(data).hexdigest())
    if not os.path.exists(p):
        with open(p, "wb") as f:
            f.write(data)


def main(out):
    for p in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/telegram/*.json"))):
        with open(p, "rb") as f:
            put(out, "telegram", f.read())
    texts = list(tsv("data/corpus/project.tsv")) + list(tsv("tests/fixtures/intents/*.tsv"))
    translit = list(tsv("tests/fixtures/translit.tsv", 0)) + list(tsv("tests/fixtures/translit.tsv", 1))
    for t in texts:
        put(out, "nlu", t.encode())
    # model: the built model's header (magic, version, sizes) and cut-offs
    mp = os.path.join(ROOT, "intents/model.bin")
    if os.path.exists(mp):
        with open(mp, "rb") as f:
            head = f.read(4096)
        for n in (8, 12, 40, 200, 512, 4096):
            put(out, "model", head[:n])
    for t in translit + texts[::4]:
        put(out, "translit", t.encode())
    # kannel: charset byte, coding byte, from \n content-type \n text
    # (indexes of charsets[] and codings[] in kannel_fuzz.c)
    senders = list(tsv("tests/fixtures/e2e/kannel_status.tsv", 0)) + [
        "998901234567", "00998901234567", "901234567", "+998 90 123-45-67", "(90) 123 45 67"]
    ktexts = list(tsv("tests/fixtures/e2e/kannel_status.tsv", 1))
    for i, t in enumerate(ktexts):
        s = senders[i % len(senders)].encode()
        put(out, "kannel", b"\x02\x01" + s + b"\n\n" + t.encode())
        put(out, "kannel", b"\x04\x03" + s + b"\n\n" + t.encode("utf-16-be"))
        put(out, "kannel", b"\x0c\x00" + s + b'\ntext/plain; charset="UTF-16BE"\n' +
            t.encode("utf-16-be"))
        put(out, "kannel", b"\x00\x03" + s + b"\n\n" + t.encode("utf-16-be"))
    put(out, "kannel", b"\x08\x02+998901234567\n\n\x01\x02\xff")
    # mask: message texts, senders, and the written forms of identifiers
    for t in ktexts + senders + texts[::8] + [
            "+998 (90) 765-43-21", "90  765  43  21", "90.765.43.21",
            "pinfl31205678901234", "AA1234567", "4111 1111 1111 1111",
            "20208000900123456001", "AR-2025-000001 90 765 43 21",
            "ar2025000001", "AR/2025/004512", "1 200 000 so'm"]:
        put(out, "mask", t.encode())
    # catalog: lang, msgid index, count (4 bytes), budget, date (4), value
    for i in range(64):
        head = bytes([i % 4, i]) + struct.pack(">i", [0, 1, 2, 5, 11, 21, 101, -1][i % 8])
        head += bytes([1 + i % 3, 10, 0x08, 0x49, 3 + i % 10])
        put(out, "catalog", head + [b"AR-2025-000001", "Bolalar nafaqasi".encode(),
                                    "Оʻзбекистон".encode(), b"{app_no}"][i % 4])
    for t in tsv("tests/fixtures/sms/prepare.tsv") :
        put(out, "catalog", b"\x00\x00\x00\x00\x00\x01\x02\x07\xe9\x03\x0f" + t.encode())

    # ussd: start byte, mode byte, then a form body (0), a saved state and
    # inputs (1), or inputs alone; the walks of every menu
    walks = ["", "1", "3*1*2025000001", "2*1*4*2*3000000*98*98*0", "3*2*1*41*5*0",
             "4*3*2*1*98", "4*4*98*98*98*3*0*00", "1*5*1", "2*6*3*0", "4*1*20251*0*12",
             "9*abc*" + "1" * 25 + "*", "00*0*98*7", "1*2*3*4*5*6*7*8*9*0*00*98*99"]
    for i, w in enumerate(walks):
        body = urllib.parse.urlencode({"sessionId": "ATUid_%d" % i, "serviceCode": "*384*1#",
                                       "phoneNumber": "+998901234567", "networkCode": "63902",
                                       "text": w})
        put(out, "ussd", bytes([i % 5, 0]) + body.encode())
        put(out, "ussd", bytes([i % 5, 2]) + w.encode())
    for st in ("s=5;l=2;d=0;g=0;k=0;i=0;q=1;n=;a=0:4", "s=3;l=0;d=0;g=0;k=0;i=-1;q=0;"
               "n=AR-2025-000001;a=", "s=9;l=3;d=0;g=2;k=0;i=0;q=0;n=;a=",
               "s=10;l=1;d=0;g=1;k=1;i=13;q=0;n=;a="):
        put(out, "ussd", b"\x05\x01" + st.encode() + b"\n0*98*1")
    put(out, "ussd", b"\x00\x00sessionId=a&sessionId=b&phoneNumber=1&text=%ZZ")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "corpus"))
