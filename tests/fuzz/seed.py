"""seed.py DIR - write the fuzz corpora's starting inputs from the test
fixtures into DIR/<target>/ (file name = content hash, so reruns add
nothing twice).  Generated corpora live under build/ and are not committed;
tests/fuzz/seeds/<target>/ holds the few hand-made regression inputs."""
import glob
import hashlib
import os
import struct
import sys

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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "corpus"))
