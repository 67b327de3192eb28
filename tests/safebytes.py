"""Checks that output bytes are safe for where they go.

usage: safebytes.py KIND FILE...
KIND is
  term  text for a terminal: valid UTF-8, and no C0 control but LF and tab,
        no DEL, no C1 control (U+0080..U+009F; U+009B is CSI), no bidi
        control (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069)
        and no U+2028/U+2029
  json  the same, and every line is one JSON value (JSON Lines)
  jsondoc  the same, and the whole file is one JSON value
Prints what is wrong and exits 1; silent and 0 when all is well.
"""
import json
import sys

BIDI = {0x061C, 0x200E, 0x200F, 0x2028, 0x2029} | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def unsafe(ch):
    c = ord(ch)
    return (c < 0x20 and ch not in "\n\t") or 0x7F <= c <= 0x9F or c in BIDI


def check(kind, path):
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return "%s: not UTF-8 at byte %d" % (path, e.start)
    for i, ch in enumerate(text):
        if unsafe(ch):
            return "%s: raw U+%04X at character %d: %r" % (path, ord(ch), i, text[max(0, i - 20):i + 20])
    try:
        if kind == "json":
            for line in text.splitlines():
                json.loads(line)
        elif kind == "jsondoc":
            json.loads(text)
    except ValueError as e:
        return "%s: not JSON: %s" % (path, e)
    return None


def main():
    bad = [m for m in (check(sys.argv[1], p) for p in sys.argv[2:]) if m]
    for m in bad:
        print(m)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
