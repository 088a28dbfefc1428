#!/usr/bin/env python3
"""runner/demo.sh with the servers' wall clock faked by libfaketime at a fixed New York time
(issue 16: the demo at any hour). Only the runner and the emulator are faked (DEMO_FAKETIME, a
fixed offset; libfaketime breaks Python's sleep); the demo reads "now" from them.

Checks the demo's output and its summary (the admin API's records at the end): a completed
lead, a redial (attempts >= 2), the failed transfer retried, do-not-call, and the calling rules:
  - 1009 (Maine, 207, state ME; state rules on): Maine allows automated calls on weekdays
    09:00-17:00 and one a day. Outside those hours it is held at once until the next weekday
    09:00 New York; inside them it is called once and its redial is held by Maine's cap.
  - 1010 (Guam, 671): held by the federal window while it is night in Guam (until 08:00 Guam),
    dialed and completed otherwise.
The expectations are computed from the faked time, so each case could fail.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time
import zoneinfo

NY = zoneinfo.ZoneInfo("America/New_York")
GUAM = zoneinfo.ZoneInfo("Pacific/Guam")
DAY_MS = 24 * 3600 * 1000


def fail(msg, output=""):
    if output:
        print(output)
    print("FAIL: " + msg)
    sys.exit(1)


def ms(dt):
    return int(dt.timestamp() * 1000)


def next_maine_opening(t):
    """The first weekday 09:00 New York at or after t (Maine's automated-call hours)."""
    day = t.date()
    while True:
        opening = datetime.datetime.combine(day, datetime.time(9, 0), NY)
        if opening >= t and opening.weekday() < 5:
            return opening
        day += datetime.timedelta(days=1)


def check_rules(recs, now_ms):
    """The two placed leads against the rules at now_ms (the runner's time at the end)."""
    now_ny = datetime.datetime.fromtimestamp(now_ms / 1000, NY)
    maine, guam = recs["1009"], recs["1010"]
    if now_ny.weekday() < 5 and 9 <= now_ny.hour < 17:
        if maine.get("hold_reason") != "state_cap_24h:ME" or maine["attempts"] != 1:
            fail("1009 should be called once in Maine's hours, then held by its cap: %s" % maine)
        if maine["next_redial_timestamp"] < maine["recent_call_times"][0] + DAY_MS:
            fail("1009 held for less than Maine's 24 hours: %s" % maine)
    else:
        if maine.get("hold_reason") not in ("federal_window", "state_hours:ME") or maine["attempts"]:
            fail("1009 should be held at once outside Maine's hours: %s" % maine)
        want = ms(next_maine_opening(now_ny))
        if maine["next_redial_timestamp"] != want:
            fail("1009 next call at %d, expected %d (next weekday 09:00 New York)"
                 % (maine["next_redial_timestamp"], want))
    now_guam = datetime.datetime.fromtimestamp(now_ms / 1000, GUAM)
    if 8 <= now_guam.hour < 21:
        if guam["status"] != "completed" or guam["attempts"] != 1:
            fail("1010 should be dialed in Guam's daytime and complete: %s" % guam)
    else:
        opening = datetime.datetime.combine(now_guam.date(), datetime.time(8, 0), GUAM)
        if now_guam.hour >= 21:
            opening += datetime.timedelta(days=1)
        if guam.get("hold_reason") != "federal_window" or guam["attempts"]:
            fail("1010 should be held by the federal window at night in Guam: %s" % guam)
        if guam["next_redial_timestamp"] != ms(opening):
            fail("1010 next call at %d, expected %d (08:00 Guam)"
                 % (guam["next_redial_timestamp"], ms(opening)))


def check_summary(summary, target_s, out):
    now_ms, facts = summary["now"], summary["facts"]
    recs = {r["key"].split("_")[0]: r for r in summary["records"]}
    if not target_s * 1000 <= now_ms <= (target_s + 200) * 1000:
        fail("the runner's clock is not the faked one: now %d, faked start %d" % (now_ms, target_s))
    zone_hour = datetime.datetime.fromtimestamp(now_ms / 1000,
                                                zoneinfo.ZoneInfo(summary["business_zone"])).hour
    if zone_hour != 14:
        fail("business zone %s is at hour %d, not early afternoon" % (summary["business_zone"],
                                                                    zone_hour))
    for name in ("completed", "redialed", "held"):
        if not facts[name]:
            fail("no %s lead" % name, out)
    if not any(k.startswith("1006") for k in facts["transfer_failed_retried"]):
        fail("1006's failed transfer was not retried: %s" % recs.get("1006"), out)
    for lead in ("1004", "1007", "1008"):
        if recs[lead]["status"] != "dnc":
            fail("%s should be do-not-call: %s" % (lead, recs[lead]), out)
    if recs["1008"]["attempts"]:
        fail("1008 has a do-not-call number and was dialed: %s" % recs["1008"])
    for key in facts["held"]:
        r = next(r for r in summary["records"] if r["key"] == key)
        if not r.get("hold_reason") or r["next_redial_timestamp"] <= now_ms:
            fail("held lead without a reason or a later time: %s" % r)
        if "%s %s" % (key, r["first_name"]) not in out:
            fail("the output does not show held lead %s" % key, out)
    check_rules(recs, now_ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--demo", required=True)
    ap.add_argument("--runner", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--libfaketime", required=True, help="LD_PRELOAD list for the servers")
    ap.add_argument("--ny-time", required=True, help="YYYY-MM-DDTHH:MM, New York local")
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()

    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    start = datetime.datetime.strptime(args.ny_time, "%Y-%m-%dT%H:%M").replace(tzinfo=NY)
    target_s = int(start.timestamp())
    summary_path = os.path.join(args.workdir, "summary.json")
    env = dict(os.environ, DEMO_FAKETIME="%+d" % (target_s - int(time.time())),
               DEMO_PRELOAD=args.libfaketime, DEMO_SUMMARY=summary_path,
               DEMO_RUNNER=args.runner, DEMO_EMULATOR=args.emulator, DEMO_TICK="2s",
               DEMO_INTERVALS="2s,2s,3s", DEMO_SECONDS="100", TMPDIR=args.workdir)
    env.pop("DEMO_KEEP", None)
    # A preload that is not there would leave the servers on the real clock: refused, named.
    bad = subprocess.run(["bash", args.demo], env=dict(env, DEMO_PRELOAD="/no/libfaketime.so.1"),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    if bad.returncode != 2 or b"DEMO_PRELOAD: no file /no/libfaketime.so.1" not in bad.stdout:
        fail("a missing DEMO_PRELOAD library was not refused: %d %r" % (bad.returncode, bad.stdout))
    began = time.monotonic()
    p = subprocess.run(["bash", args.demo], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=140)
    out = p.stdout.decode(errors="replace")
    with open(os.path.join(args.workdir, "demo-output.txt"), "w") as f:
        f.write(out)
    if p.returncode != 0:
        fail("demo.sh exited %d" % p.returncode, out)
    if "Dashboard:  http://127.0.0.1:" not in out or "held by" not in out:
        fail("the output lacks the dashboard address or a held lead", out)
    if "elapsed" in out:
        fail("the demo ran out of time before every lead was done or held", out)
    with open(summary_path) as f:
        summary = json.load(f)
    check_summary(summary, target_s, out)
    print(out)
    print("PASS: demo at %s New York (%d s): completed %s, redialed %s, held %s" % (
        args.ny_time, time.monotonic() - began, summary["facts"]["completed"],
        summary["facts"]["redialed"], summary["facts"]["held"]))


if __name__ == "__main__":
    main()
