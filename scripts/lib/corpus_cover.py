#!/usr/bin/env python3
"""Picks a small corpus that keeps every coverage edge: a greedy set cover over the control file
of a libFuzzer merge (-merge=1 -merge_control_file=FILE), which lists each input and the edges
(COV) it reaches. Prints the chosen input paths, most edges first.

Usage: corpus_cover.py CONTROL_FILE [MAX_FILES]
"""
import sys


def main(control_path, max_files):
    lines = open(control_path, encoding="utf-8", errors="replace").read().splitlines()
    count = int(lines[0])
    paths = lines[2:2 + count]
    edges = {}
    for line in lines[2 + count:]:
        parts = line.split()
        if parts and parts[0] == "COV":
            edges[int(parts[1])] = set(parts[2:])
    remaining = set().union(*edges.values()) if edges else set()
    chosen = []
    while remaining and len(chosen) < max_files:
        best = max(edges, key=lambda i: (len(edges[i] & remaining), -len(edges[i])))
        gained = edges[best] & remaining
        if not gained:
            break
        chosen.append(best)
        remaining -= gained
    for i in chosen:
        print(paths[i])
    print(f"{len(chosen)} inputs; {len(remaining)} edges left uncovered", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 200)
