#!/usr/bin/env python3
"""What runner/demo.sh prints: the queue table, the leads a calling rule holds, the recap and the
machine-readable summary, from the runner's admin API.

"Now" is always the runner's (GET /admin/stats "now"), never this process's clock: under
DEMO_FAKETIME only the two servers see the faked wall clock (libfaketime breaks Python's sleep),
and the demo must read the same time they do.

  demo_view.py zone NOW_S                  business zone where it is ~14:00 at NOW_S (epoch s)
  demo_view.py now API                     the runner's now, epoch ms
  demo_view.py table API ZONE              the queue
  demo_view.py open API                    leads still to be dialed soon (+ calls in flight)
  demo_view.py held API ZONE               leads held by a calling rule, and when they may be called
  demo_view.py recap API ZONE [SUMMARY]    what the demo showed; SUMMARY: write it there as JSON
"""
import csv
import datetime
import json
import os
import sys
import urllib.request
import zoneinfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AREA_CODES = os.path.join(ROOT, "rules", "nanp_area_codes.csv")
# A lead due within this is still "to be dialed" in the demo; a calling rule's hold is hours.
SOON_MS = 10 * 60 * 1000


def get(api, path):
    with urllib.request.urlopen(api + path, timeout=10) as r:
        return json.load(r)


def business_zone(now_s):
    """An Etc/GMT zone where it is early afternoon at now_s, so the federal 08:00-21:00 window
    is open for the demo leads whose numbers have no area code to place them (Etc/GMT-N is
    UTC+N)."""
    hour = datetime.datetime.fromtimestamp(now_s, datetime.timezone.utc).hour
    offset = (14 - hour + 24) % 24
    if offset > 12:
        offset -= 24
    if offset == 0:
        return "Etc/GMT"
    return "Etc/GMT%+d" % -offset


def area_code_zones():
    zones = {}
    with open(AREA_CODES, newline="") as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if len(row) >= 4 and row[0].isdigit():
                zones[row[0]] = (row[2], row[3].split())
    return zones


def lead_place(rec, codes):
    """(place, zones) as the runner's rules see the lead: its area code's zones; a number with
    no known area code has the business zone stand in (docs/calling-rules.md)."""
    digits = "".join(c for c in rec["phone_number"] if c.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if digits[:3] in codes:
        state, zones = codes[digits[:3]]
        return state, zones
    return "", []


def local(ms, zone, fmt="%a %Y-%m-%d %H:%M"):
    t = datetime.datetime.fromtimestamp(ms / 1000, zoneinfo.ZoneInfo(zone))
    name = t.tzname() or zone
    if name[0] in "+-":
        name = "UTC" + name
    return "%s %s" % (t.strftime(fmt), name)


def held_leads(recs, now_ms):
    return [r for r in recs
            if r.get("hold_reason") and r["status"] in ("pending", "rescheduled")
            and r["next_redial_timestamp"] - now_ms >= SOON_MS]


def held_lines(recs, now_ms, zone, codes):
    lines = []
    for r in held_leads(recs, now_ms):
        state, zones = lead_place(r, codes)
        at = r["next_redial_timestamp"]
        where = ", ".join(local(at, z) + " (" + z + ")" for z in zones) or "business zone"
        lines.append("  %s %s (%s%s): held by %s; may be called from %s = %s business zone" % (
            r["key"], r["first_name"], r["phone_number"], ", " + state if state else "",
            r["hold_reason"], where, local(at, zone)))
    return lines


def table(api, zone):
    stats = get(api, "/admin/stats")
    recs = get(api, "/admin/records?limit=100")["records"]
    now = stats["now"]
    calling = {c["key"] for c in stats["in_flight"]}
    print("--- queue at %s (business zone) ---" % local(now, zone, "%H:%M:%S"))
    print("  %-16s %-13s %-3s %-26s %s" % ("lead", "status", "att", "next", "outcomes"))
    for r in recs:
        if r["key"] in calling:
            nxt = "calling now"
        elif r["status"] not in ("pending", "rescheduled"):
            nxt = "-"
        elif r.get("hold_reason"):
            nxt = "held: " + r["hold_reason"]
        else:
            nxt = "in %ds" % max(0, (r["next_redial_timestamp"] - now) / 1000)
        print("  %-16s %-13s %-3d %-26s %s" % (r["key"], r["status"], r["attempts"], nxt,
                                              ",".join(r["outcomes"])))


def open_count(api):
    stats = get(api, "/admin/stats")
    recs = get(api, "/admin/records?limit=100")["records"]
    soon = [r for r in recs if r["status"] in ("pending", "rescheduled")
            and r["next_redial_timestamp"] - stats["now"] < SOON_MS]
    return len(soon) + len(stats["in_flight"])


def recap(api, zone, summary_path):
    stats = get(api, "/admin/stats")
    recs = get(api, "/admin/records?limit=100")["records"]
    now = stats["now"]
    codes = area_code_zones()

    def keys(pred):
        return [r["key"] for r in recs if pred(r)]

    facts = {
        "completed": keys(lambda r: r["status"] == "completed"),
        "redialed": keys(lambda r: r["attempts"] >= 2),
        # a failed transfer, and a call after it
        "transfer_failed_retried": keys(lambda r: "TRANSFER_FAILED" in r["outcomes"][:-1]),
        "dnc": keys(lambda r: r["status"] == "dnc"),
        "max_attempts": keys(lambda r: r["status"] == "max_attempts"),
        "held": keys(lambda r: r in held_leads(recs, now)),
    }
    print("What the demo showed (runner time %s):" % local(now, zone))
    for name, label in (("completed", "completed"), ("redialed", "redialed (2+ calls)"),
                        ("transfer_failed_retried", "failed transfer, retried"),
                        ("dnc", "do-not-call"), ("max_attempts", "gave up (max attempts)"),
                        ("held", "held by a calling rule")):
        print("  %-26s %s" % (label + ":", " ".join(facts[name]) or "none"))
    for line in held_lines(recs, now, zone, codes):
        print(line)
    if summary_path:
        summary = {"api": api, "dashboard": api + "/", "business_zone": zone, "now": now,
                   "facts": facts, "stats": stats, "records": recs}
        with open(summary_path, "w") as f:
            json.dump(summary, f, indent=1)
        print("demo: summary (JSON) in %s" % summary_path)


def main(argv):
    cmd = argv[1]
    if cmd == "zone":
        print(business_zone(int(argv[2])))
    elif cmd == "now":
        print(get(argv[2], "/admin/stats")["now"])
    elif cmd == "table":
        table(argv[2], argv[3])
    elif cmd == "open":
        print(open_count(argv[2]))
    elif cmd == "held":
        stats = get(argv[2], "/admin/stats")
        recs = get(argv[2], "/admin/records?limit=100")["records"]
        print("\n".join(held_lines(recs, stats["now"], argv[3], area_code_zones())))
    elif cmd == "recap":
        recap(argv[2], argv[3], argv[4] if len(argv) > 4 else "")
    else:
        sys.exit("demo_view.py: unknown command %r" % cmd)


if __name__ == "__main__":
    main(sys.argv)
