#!/usr/bin/env python3
"""Writes docs/benchmarks.md from the Google Benchmark JSON files scripts/bench collects.

Usage: bench_report.py OUT.md RESULTS_DIR
RESULTS_DIR holds <program>.json (--benchmark_out) and <program>.txt (the program's stdout) for
each benchmark program run. Each measure of ours is paired with the baseline measured in the same
run (BASELINES below); the ratio is how many times faster ours is (baseline time / our time).
"""
import json
import pathlib
import platform
import re
import subprocess
import sys

# (our benchmark, regex) -> baselines, as templates over the regex's groups.
BASELINES = [
    (r"BM_Trigger_eventwire_compiled", [r"BM_Trigger_naive_reparse", r"BM_Trigger_std_regex"]),
    (r"BM_Glob_eventwire/(.+)", [r"BM_Glob_naive/\1", r"BM_Glob_std_regex/\1"]),
    (r"BM_Memory_Append", [r"BM_Baseline_VectorAppend"]),
    (r"BM_Memory_Query", [r"BM_Baseline_ScanQuery"]),
    (r"BM_Sqlite_Query", [r"BM_Baseline_ScanQuery"]),
    (r"BM_Index_(\w+)/(\d+)", [r"BM_NaiveScan_\1/\2"]),
    (r"hydrate/compiled-seed", [r"hydrate/seed"]),
    # service_benchmark: each service variant against the same work done by hand on the same
    # event (the arg); the ratio is below 1, the service's overhead.
    (r"BM_(\w+?)_Service_\w+/(\d+)(?:/real_time)?", [r"BM_\1_Baseline_ByHand/\2"]),
]
# Benchmarks that are baselines only (never a row of their own).
BASELINE_ONLY = re.compile(r"^(BM_Baseline_|BM_NaiveScan_|BM_Trigger_naive|BM_Trigger_std_regex"
                           r"|BM_Glob_naive|BM_Glob_std_regex|hydrate/seed$|BM_\w+_Baseline_ByHand/)")
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def fmt_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def per_item_ns(bench):
    """Time per iteration in ns, or per item when the benchmark counts items."""
    ns = bench["cpu_time"] * UNIT_NS[bench.get("time_unit", "ns")]
    rate = bench.get("items_per_second")
    return (1e9 / rate, "item") if rate else (ns, "iteration")


def machine(context):
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = re.search(r"Model name:\s*(.+)", lscpu).group(1).strip()
    except (OSError, subprocess.CalledProcessError, AttributeError):
        model = platform.processor() or "unknown CPU"
    try:
        compiler = subprocess.run(["c++", "--version"], capture_output=True, text=True,
                                  check=True).stdout.splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        compiler = "unknown compiler"
    cores = context.get("num_cpus", "?")
    mhz = context.get("mhz_per_cpu", "?")
    load = context.get("load_avg", [])
    load_text = ", ".join(f"{x:.2f}" for x in load) if load else "?"
    return (f"{model}, {cores} cores at {mhz} MHz; {compiler}; {platform.system()} "
            f"{platform.release()}; load average at the start {load_text}; eventwire built "
            f"Release (bench preset)")


def pair_rows(benchmarks):
    by_name = {b["name"]: b for b in benchmarks if b.get("run_type", "iteration") == "iteration"}
    rows = []
    for name, bench in by_name.items():
        if BASELINE_ONLY.match(name):
            continue
        ours_ns, per = per_item_ns(bench)
        baselines = []
        for pattern, templates in BASELINES:
            m = re.fullmatch(pattern, name)
            if m:
                baselines = [m.expand(t) for t in templates]
                break
        found = [(b, by_name[b]) for b in baselines if b in by_name]
        if not found:
            rows.append((name, f"{fmt_time(ours_ns)}/{per}", "—", "—"))
        for base_name, base in found:
            base_ns, _ = per_item_ns(base)
            rows.append((name, f"{fmt_time(ours_ns)}/{per}",
                         f"{base_name}: {fmt_time(base_ns)}", f"{base_ns / ours_ns:.1f}×"))
    return rows


def jinja_rows(text):
    """The ratio table template_benchmark prints after its benchmarks (Jinja2 timed in-run)."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"^(\S+)\s+([\d.]+)us\s+([\d.]+)us\s+(\d+)x\s+([\d.]+)us\s+([\d.]+)us\s+(\d+)x",
                     line)
        if m:
            name, jc, oc, _, jr, orr, _ = m.groups()
            rows.append((f"compile/{name}", f"{float(oc):.3g} µs",
                         f"Jinja2: {float(jc):.3g} µs", f"{float(jc) / float(oc):.0f}×"))
            rows.append((f"render/{name}", f"{float(orr):.3g} µs",
                         f"Jinja2: {float(jr):.3g} µs", f"{float(jr) / float(orr):.0f}×"))
    return rows


def main(out_path, results_dir):
    results = pathlib.Path(results_dir)
    sections = []
    context = {}
    for result in sorted(results.glob("*.json")):
        data = json.loads(result.read_text())
        context = context or data.get("context", {})
        rows = pair_rows(data.get("benchmarks", []))
        stdout = result.with_suffix(".txt")
        if stdout.exists():
            rows += jinja_rows(stdout.read_text())
        sections.append((result.stem, rows))
    if not sections:
        sys.exit(f"no benchmark results in {results_dir}")
    lines = [
        "# Benchmarks",
        "",
        "Written by `scripts/bench` (do not edit): every Google Benchmark program in",
        "`tests/benchmarks/`, Release build. Each measure of ours is shown next to its baseline",
        "measured in the same run, and the ratio is how many times faster ours is (baseline time /",
        "our time; per item where the benchmark counts items). CPU time, except wall-clock time",
        "for measures named `/real_time` (work spread over threads).",
        "",
        f"Machine: {machine(context)}.",
        f"Run: {context.get('date', '?')}.",
        "",
    ]
    for program, rows in sections:
        lines += [f"## {program}", "", "| measure | ours | baseline (same run) | ratio |",
                  "|---|---|---|---|"]
        lines += [f"| `{m}` | {o} | {b} | {r} |" for m, o, b, r in rows]
        lines.append("")
    pathlib.Path(out_path).write_text("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
