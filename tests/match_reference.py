#!/usr/bin/env python3
"""Reference answers for tests/match_test.cpp, computed by Python itself.

Usage: match_reference.py CASES.json ANSWERS.json

CASES.json is {"globs": [[pattern, value], ...], "labels": [[pattern, value-or-null], ...],
"triggers": [[prefect_trigger_json, event_json], ...]}; ANSWERS.json gets the same keys with a
list of booleans each.

Globs are answered by the real `fnmatch.fnmatchcase`. Labels and triggers follow Prefect's server
code (src/prefect/server/events/schemas/events.py and automations.py, >= 3.6.23) as transcribed
in shared/reference/prefect.md section 2, on top of the real `fnmatch` and `re`: the index lookup
(`fnmatchcase` over expect, "*" when empty), `covers()` (the escaped-regex event pattern, then the
resource specifications) and `expects()`.
"""
import fnmatch
import json
import re
import sys


def label_matches(expected, value):
    if value is None:
        return False
    negated = expected.startswith("!")
    if negated:
        expected = expected[1:]
    matched = fnmatch.fnmatchcase(value, expected)
    return not matched if negated else matched


def spec_matches(spec, resource):
    for label, patterns in spec.items():
        if isinstance(patterns, str):
            patterns = [patterns]
        value = resource.get(label)
        if not any(label_matches(p, value) for p in patterns):
            return False
    return True


def spec_includes(spec, candidates):
    if not spec:
        return True
    return any(spec_matches(spec, c) for c in candidates)


def fires(trigger, event):
    expect = set(trigger.get("expect", []))
    name = event["event"]
    # Index: triggers.find_interested_triggers (>= 3.7.2).
    if not any(fnmatch.fnmatchcase(name, key) for key in (expect or {"*"})):
        return False
    # covers(): event_pattern, then the resource specifications.
    if expect:
        pattern = re.compile("|".join(re.escape(e).replace("\\*", ".+") for e in expect))
    else:
        pattern = re.compile(".+")
    if not pattern.match(name):
        return False
    if not spec_includes(trigger.get("match", {}), [event["resource"]]):
        return False
    related = trigger.get("match_related", {})
    specs = related if isinstance(related, list) else [related]
    if not all(spec_includes(s, event.get("related", [])) for s in specs):
        return False
    # expects(): is the event counted.
    return not expect or any(label_matches(p, name) for p in expect)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    answers = {
        "globs": [fnmatch.fnmatchcase(v, p) for p, v in cases.get("globs", [])],
        "labels": [label_matches(p, v) for p, v in cases.get("labels", [])],
        "triggers": [fires(t, e) for t, e in cases.get("triggers", [])],
    }
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main()
