"""Oracle for tests/utf8_test.cpp: reads a JSON list of byte strings written in hex, writes for
each whether Python's strict UTF-8 decoder accepts it (no surrogates, no overlong forms, nothing
above U+10FFFF), the rule eventwire applies to every string of an event."""
import json
import sys


def valid(hex_bytes):
    try:
        bytes.fromhex(hex_bytes).decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


json.dump([valid(h) for h in json.load(sys.stdin)], sys.stdout)
