#!/usr/bin/env python3
"""Compares two Google Benchmark JSON outputs (baseline, then new) benchmark by benchmark.

Used by bench/run.sh --compare when Google Benchmark's own tools/compare.py (Debian's
libbenchmark-tools, which needs numpy and scipy) is not available. Prints, for every benchmark
in both files, the baseline and new wall time, the change, and marks changes past --threshold
(default 10%) as REGRESSION or faster. Exits 1 if any regression was found and --fail is given.
"""
import argparse
import json
import sys

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def load(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if b.get("error_occurred"):
            continue
        scale = UNIT.get(b.get("time_unit", "ns"), 1e-9)
        name = b["name"]
        out[name] = {"real": b["real_time"] * scale, "cpu": b["cpu_time"] * scale}
    return data.get("context", {}), out


def fmt(seconds):
    for unit, s in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= s:
            return f"{seconds / s:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("baseline")
    p.add_argument("new")
    p.add_argument("--threshold", type=float, default=10.0, help="percent change to flag")
    p.add_argument("--fail", action="store_true", help="exit 1 on any regression")
    a = p.parse_args()
    _, old = load(a.baseline)
    _, new = load(a.new)
    names = [n for n in new if n in old]
    if not names:
        print("no benchmark names in common")
        return 1
    width = max(len(n) for n in names)
    print(f"{'benchmark':<{width}}  {'baseline':>10}  {'new':>10}  {'change':>8}")
    regressions = 0
    for n in names:
        o, c = old[n]["real"], new[n]["real"]
        change = (c - o) / o * 100.0 if o > 0 else 0.0
        mark = ""
        if change > a.threshold:
            mark = "  REGRESSION"
            regressions += 1
        elif change < -a.threshold:
            mark = "  faster"
        print(f"{n:<{width}}  {fmt(o):>10}  {fmt(c):>10}  {change:>+7.1f}%{mark}")
    for n in sorted(set(old) - set(new)):
        print(f"{n:<{width}}  only in baseline")
    for n in sorted(set(new) - set(old)):
        print(f"{n:<{width}}  only in new run")
    print(f"{regressions} regression(s) past {a.threshold:g}% of {len(names)} compared")
    return 1 if (regressions and a.fail) else 0


if __name__ == "__main__":
    sys.exit(main())
