#!/usr/bin/env python3
"""Times Jinja2 on the benchmark's templates, for eventwire's template benchmark.

Reads {"context": {...}, "sets": {name: [template, ...]}} on stdin and writes
{name: {"compile_us": ..., "render_us": ...}}: microseconds to compile (from_string) and to
render every template of the set once, with Prefect's environment
(ImmutableSandboxedEnvironment, ChainableUndefined, autoescape off).
"""
import json
import sys
import timeit

from jinja2 import ChainableUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment


def best_us(fn, number):
    # Best of 5 repeats: the least disturbed measurement, as timeit recommends.
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main():
    request = json.load(sys.stdin)
    env = ImmutableSandboxedEnvironment(undefined=ChainableUndefined)
    context = request["context"]
    out = {}
    for name, sources in request["sets"].items():
        compiled = [env.from_string(s) for s in sources]
        out[name] = {
            "compile_us": best_us(lambda: [env.from_string(s) for s in sources], 20),
            "render_us": best_us(lambda: [t.render(**context) for t in compiled], 2000),
        }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
