#!/usr/bin/env python3
"""Turns a redial-bench JSON output into the tables of docs/performance.md.

    python3 bench/report.py build-rel/bench-results.json > /tmp/tables.md

Each cell is "wall (cpu)" per operation; rates are per wall second. The seed-equivalent figure
sits beside the core's with the ratio seed/core (or core/seed for rates): how many times better.
"""
import json
import re
import sys

UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def t(sec):
    if sec is None:
        return "-"
    for unit, s in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if sec >= s:
            return f"{sec / s:.3g} {unit}"
    return f"{sec / 1e-9:.3g} ns"


def rate(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.3g} M/s"
    if v >= 1e3:
        return f"{v / 1e3:.3g} k/s"
    return f"{v:.3g} /s"


def main():
    data = json.load(open(sys.argv[1]))
    b = {}
    for x in data["benchmarks"]:
        if x.get("error_occurred"):
            continue
        s = UNIT[x.get("time_unit", "ns")]
        x["wall"] = x["real_time"] * s
        x["cpu"] = x["cpu_time"] * s
        b[x["name"]] = x
    sizes = sorted({int(m.group(1)) for n in b for m in [re.search(r"(?:load/core|runner_http/leads:)/?(\d+)", n)] if m})

    def get(name):
        if name in b:
            return b[name]
        for k in b:  # names that Google Benchmark extended (iterations:N, manual_time)
            if k.startswith(name + "/"):
                return b[k]
        return None

    def wc(x):
        return f"{t(x['wall'])} ({t(x['cpu'])})" if x else "-"

    def ratio(seed, core, key="wall"):
        if not seed or not core or not core[key]:
            return "-"
        r = seed[key] / core[key]
        return f"{r:.2g}x" if r < 10 else f"{r:.0f}x"

    ctx = data.get("context", {})
    print(f"Run {ctx.get('date', '?')} on {ctx.get('host_name', '?')}, "
          f"{ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz, "
          f"load average {ctx.get('load_avg', '?')}.\n")
    print("| benchmark | leads | core: wall (cpu) | seed-equivalent: wall (cpu) | seed/core |")
    print("|---|---:|---:|---:|---:|")
    for n in sizes:
        core, seed = get(f"load/core/{n}"), get(f"load/seed/{n}")
        gbs = f", {core['bytes_per_second'] / 1e9:.2f} GB/s" if core else ""
        print(f"| 1. load month file (records + index{gbs}) | {n:,} | {wc(core)} | {wc(seed)} | {ratio(seed, core)} |")
        core, seed = get(f"load/core_cold_process/{n}"), get(f"load/seed_cold_process/{n}")
        print(f"| 1. load at start-up (fresh process) | {n:,} | {t(core['wall']) if core else '-'} | "
              f"{t(seed['wall']) if seed else '-'} | {ratio(seed, core)} |")
        core = get(f"load/core_store_only/{n}")
        print(f"| 1. load, MonthStore::load only (parse, no queue) | {n:,} | {wc(core)} | | |")
        core = get(f"load/core_parse/{n}")
        gbs = f", {core['bytes_per_second'] / 1e9:.2f} GB/s" if core else ""
        print(f"| 1. parse only, bytes in memory{gbs} | {n:,} | {wc(core)} | | |")
        for fs, label in ((1, "fsync"), (0, "no fsync")):
            core = get(f"snapshot/core/leads:{n}/fsync:{fs}/real_time")
            seed = get(f"apply/seed_rewrite/{n}") if fs == 0 else None
            print(f"| 2. write seed-format snapshot ({label}) | {n:,} | {wc(core)} | "
                  f"{wc(seed) + ' (rewrite per webhook)' if seed else ''} | {ratio(seed, core) if seed else ''} |")
    print()
    print("| 3. durable apply | leads | core: results/s (wall per result) | seed-equivalent results/s | core/seed |")
    print("|---|---:|---:|---:|---:|")
    for n in sizes:
        seed = get(f"apply/seed_rewrite/{n}")
        for batch, fs in ((1, 1), (64, 1), (1, 0), (64, 0)):
            core = get(f"apply/core_durable/leads:{n}/batch:{batch}/fsync:{fs}/real_time")
            label = f"batch {batch}, {'fdatasync' if fs else 'no fsync'}"
            r = core["items_per_second"] if core else None
            per = core["wall"] / batch if core else None
            srate = seed["items_per_second"] if seed else None
            ratio_s = (f"{r / srate:.2g}x" if r / srate < 10 else f"{r / srate:.0f}x") if r and srate else "-"
            print(f"| {label} | {n:,} | {rate(r)} ({t(per)}) | {rate(srate)} (no fsync) | {ratio_s} |")
    print()
    print("| 4. tick selection | leads | ready | core `ready(now)` as loaded: wall (cpu) | core after first tick | seed reload + 4 filters | seed 4 filters only | seed-scan/core (after tick) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for k in (100, 5000, 0):
            core = get(f"tick/core_ready/leads:{n}/ready:{k}/ticked:0")
            steady = get(f"tick/core_ready/leads:{n}/ready:{k}/ticked:1")
            seed = get(f"tick/seed_reload_scan/{n}/{k}") if k else None
            scan = get(f"tick/seed_scan/{n}/{k}") if k else None
            ready = int(core["ready"]) if core else k
            print(f"| {'half the actionable leads' if k == 0 else str(k) + ' due'} | {n:,} | {ready:,} | {wc(core)} | {wc(steady)} | {wc(seed) if k else ''} | {wc(scan) if k else ''} | {ratio(scan, steady) if k else ''} |")
    print()
    print("| 5. memory / events | leads | figure |")
    print("|---|---:|---:|")
    for n in sizes:
        m = get(f"memory/core/{n}/iterations:1")
        if m:
            print(f"| RSS per lead after RedialQueue::load (after malloc_trim) | {n:,} | "
                  f"{m['rss_bytes_per_lead']:.0f} B ({m['rss_bytes_per_lead_trimmed']:.0f} B) |")
    for n in sizes:
        for v in ("memorystore", "nullstore"):
            e = get(f"events/core_cycle_{v}/{n}/iterations:3") or get(f"events/core_cycle_{v}/{n}/iterations:1")
            if e:
                print(f"| core event cycle, {v}, {n:,} new leads/day | {n:,} | "
                      f"{rate(e['items_per_second'])} events ({e['events_per_day']:,.0f} events/day, {e['leads_in_queue']:,.0f} leads at end) |")
    sims = sorted((x for n, x in b.items() if n.startswith("events/sim_random/")),
                  key=lambda x: int(re.search(r"leads:(\d+)", x["name"]).group(1)))
    for x in sims:
        name = x["name"]
        print(f"| simulator, random run with faults ({name.split('/')[2]}, {name.split('/')[3]}) | "
              f"{name.split('/')[2].split(':')[1]} | {rate(x['items_per_second'])} events "
              f"({x['events_per_run']:,.0f} events in {t(x['wall'])}, passed {int(x['passed'])}) |")

    runs = sorted((x for n, x in b.items() if n.startswith("runner_http/")),
                  key=lambda x: int(re.search(r"leads:(\d+)", x["name"]).group(1)))
    if runs:
        print()
        print("| 6. runner over loopback HTTP (fsync on) | leads | connections | webhooks/s | p50 | p90 | p99 | max | syncs (mean) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for x in runs:
            n = int(re.search(r"leads:(\d+)", x["name"]).group(1))
            c = int(re.search(r"connections:(\d+)", x["name"]).group(1))
            pre = "preloaded" if x["name"].endswith("preload:1") else "empty at start"
            sync = f"{x['syncs']:,} ({x['sync_mean_ms']:.2f} ms)" if "syncs" in x else "-"
            print(f"| {pre} | {n:,} | {c} | {x['items_per_second']:,.0f} | {x['p50_ms']:.1f} ms | "
                  f"{x['p90_ms']:.1f} ms | {x['p99_ms']:.1f} ms | {x['max_ms']:.1f} ms | {sync} |")


if __name__ == "__main__":
    main()
