#!/usr/bin/env python3
"""End-to-end test of the admin views (issue 16): bland-emulator + redial-runner.

At any hour: business hours all day, the federal window off, and the lead cap
(--max-calls-per-lead-24h 1) as the calling rule that holds a lead after its first call.

[1] GET /admin/records/{key}/explain: a held lead names lead_cap_24h, not allowed now, allowed
    again 24 h after its call (the same instant the tick stored); a completed lead is never
    dialed again; 404 for an unknown key.
[2] GET /admin/records/{key}/timeline: created, dial, result and hold, oldest first, in the
    lead's and the business zone's local time; a do-not-call lead shows its dnc event.
[3] GET /admin/phones/{phone}/calls in another format of the number; [] for an unknown one;
    400 for a bad one.
[4] GET /admin/stats/daily: today's calls, connects, transfers and outcomes by list; 400 for a
    bad date or a range over 92 days.
[5] GET /admin/recent and GET /admin/upcoming; GET /admin/stats has held_by_rule and
    next_tick_at; 400 for a bad limit.
"""
import datetime
import os
import sys
import time
import urllib.parse
import zoneinfo

from e2e_limits_test import Runner, emulator_calls
from e2e_test import Procs, check, failures, free_port, get_json, http, passes, setup, wait_for

ZONE = "America/New_York"
R1, V1, D1 = "R1_5550300001", "V1_5550300002", "D1_5550300003"


def error_of(base, path):
    status, text = http("GET", base + path)
    return status, text.strip()


def check_explain(run):
    r1 = run.records()[R1]
    e = get_json(run.base + f"/admin/records/{R1}/explain")
    cap = [v for v in e["verdicts"] if v["rule"] == "lead_cap_24h"]
    check(not e["can_dial_now"] and len(cap) == 1 and not cap[0]["allows_now"],
          f"explain: the lead cap holds R1 now ({e['why']})")
    call_at = r1["recent_call_times"][0]
    check(cap and cap[0]["next_allowed_at"] == call_at + 24 * 3600 * 1000
          and e["next_dial_at"] == r1["next_redial_timestamp"],
          f"explain: allowed 24 h after the call, the instant the tick stored "
          f"({cap and cap[0]['next_allowed_at']}, {e['next_dial_at']}, "
          f"{r1['next_redial_timestamp']})")
    check(cap and cap[0]["next_allowed_local"].endswith(f"({ZONE})")
          and "lead_cap_24h" in e["why"], f"explain: local time and reason "
          f"({cap and cap[0]['next_allowed_local']}; {e['why']})")
    rules = {v["rule"] for v in e["verdicts"]}
    # The federal window is off here: that rule does not apply, so it is not listed.
    check({"status", "max_attempts", "queue_enabled", "schedule", "ready_window",
           "business_hours", "dialing_paused", "do_not_call", "in_flight", "lead_cap_24h",
           "concurrency"} <= rules and "federal_window" not in rules,
          f"explain lists every check the tick makes ({sorted(rules)})")
    v1 = get_json(run.base + f"/admin/records/{V1}/explain")
    status = [v for v in v1["verdicts"] if v["rule"] == "status"][0]
    check(v1["status"] == "completed" and not status["allows_now"]
          and v1["next_dial_at"] is None, f"explain: a completed lead is never dialed ({v1['why']})")
    status, text = error_of(run.base, "/admin/records/nobody_5550000000/explain")
    check(status == 404 and "nobody_5550000000" in text, f"explain: 404 for an unknown key ({text})")


def check_timeline(run):
    t = get_json(run.base + f"/admin/records/{R1}/timeline")
    kinds = [e["kind"] for e in t["events"]]
    check(kinds[:3] == ["created", "dial", "result"] and "hold" in kinds,
          f"timeline: created, dial, result, hold ({kinds})")
    times = [e["at"] for e in t["events"] if e["at"] is not None]
    check(times == sorted(times), "timeline: oldest first")
    hold = [e for e in t["events"] if e["kind"] == "hold"]
    check(hold and hold[0].get("rule") == "lead_cap_24h" and t["business_zone"] == ZONE
          and hold[0]["at_business_local"].endswith(f"({ZONE})"),
          f"timeline: the hold names its rule, in local time ({hold})")
    result = [e for e in t["events"] if e["kind"] == "result"]
    check(result and result[0]["outcome"] == "NO_ANSWER" and result[0].get("call_id"),
          f"timeline: the result with its call id ({result})")
    d = get_json(run.base + f"/admin/records/{D1}/timeline")
    check([e["kind"] for e in d["events"]] == ["created", "dnc"],
          f"timeline: the do-not-call lead ({[e['kind'] for e in d['events']]})")
    status, _ = error_of(run.base, "/admin/records/nobody_5550000000/timeline")
    check(status == 404, "timeline: 404 for an unknown key")


def check_phone(run, emu):
    calls = get_json(run.base + "/admin/phones/" + urllib.parse.quote("(555) 030-0001") + "/calls")
    emu_ids = [c["call_id"] for c in emulator_calls(emu, ["R1"])]
    check(calls["phone"] == "+15550300001" and [c["call_id"] for c in calls["calls"]] == emu_ids
          and calls["calls"][0]["outcome"] == "NO_ANSWER" and calls["calls"][0]["key"] == R1,
          f"phone calls: R1's call, found by another format ({calls})")
    none = get_json(run.base + "/admin/phones/5550309999/calls")
    check(none["calls"] == [], f"phone calls: [] for a number never called ({none})")
    status, text = error_of(run.base, "/admin/phones/555-CALL/calls")
    check(status == 400 and "phone" in text, f"phone calls: 400 for a bad number ({text})")


def check_daily(run):
    for _ in range(2):  # once more if the day changed in New York meanwhile
        today = datetime.datetime.now(zoneinfo.ZoneInfo(ZONE)).strftime("%Y-%m-%d")
        s = get_json(run.base + f"/admin/stats/daily?from={today}&to={today}")
        if today == datetime.datetime.now(zoneinfo.ZoneInfo(ZONE)).strftime("%Y-%m-%d"):
            break
    day = s["days"][0] if len(s["days"]) == 1 else {}
    check(s["zone"] == ZONE and day.get("date") == today and day.get("calls") == 2
          and day.get("transfers") == 1 and day.get("connects") == 1,
          f"daily: today's 2 calls, 1 transfer, 1 connect ({s})")
    check(day.get("by_outcome") == {"NO_ANSWER": 1, "TRANSFERRED": 1}
          and day.get("by_list", {}).get("AV", {}).get("calls") == 2,
          f"daily: by outcome and by list ({day.get('by_outcome')}, {day.get('by_list')})")
    week = get_json(run.base + "/admin/stats/daily")
    check(len(week["days"]) == 7 and week["days"][-1]["date"] in (today, s["days"][0]["date"]),
          f"daily: the last 7 days by default ({[d['date'] for d in week['days']]})")
    for q, field in (("from=2026-13-01", "from"), ("from=2026-01-01&to=2026-06-01", "from"),
                     ("to=yesterday", "to")):
        status, text = error_of(run.base, "/admin/stats/daily?" + q)
        check(status == 400 and field in text, f"daily: 400 naming {field} for {q} ({text})")


def check_recent_upcoming(run):
    rec = get_json(run.base + "/admin/recent?limit=50")["events"]
    kinds = {e["kind"] for e in rec}
    check({"dial", "result", "hold"} <= kinds, f"recent: dials, results and holds ({kinds})")
    times = [e["at"] for e in rec]
    check(times == sorted(times, reverse=True), "recent: newest first")
    check(len(get_json(run.base + "/admin/recent?limit=1")["events"]) == 1, "recent: limit")
    up = get_json(run.base + "/admin/upcoming")["leads"]
    check([l["key"] for l in up] == [R1] and up[0]["hold_reason"] == "lead_cap_24h",
          f"upcoming: the held lead with its rule ({up})")
    stats = get_json(run.base + "/admin/stats")
    check(stats.get("held_by_rule") == {"lead_cap_24h": 1} and stats.get("next_tick_at", 0) > 0,
          f"stats: held_by_rule and next_tick_at ({stats.get('held_by_rule')})")
    for path in ("/admin/recent?limit=0", "/admin/upcoming?limit=x"):
        status, text = error_of(run.base, path)
        check(status == 400 and "limit" in text, f"400 for {path} ({text})")


def main():
    a, script_path = setup({"leads": {"R1": ["NO_ANSWER"], "V1": ["TRANSFERRED"]}})
    emu_port = free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    procs = Procs(a.workdir)
    t0 = time.time()
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             "200ms", "--same-number-window", "0")
        dnc_path = os.path.join(a.workdir, "dnc.txt")
        with open(dnc_path, "w") as f:
            f.write("5550300003\n")
        run = Runner(procs, a, a.workdir, emu, "runner-views", ZONE,
                     {"REDIAL_MAX_CALLS_PER_LEAD_24H": "1", "REDIAL_DNC_FILE": dnc_path})
        run.add([{"lead_id": i, "phone_number": f"+1555030000{n}", "list_id": "AV"}
                 for n, i in ((1, "R1"), (2, "V1"), (3, "D1"))])
        wait_for(lambda: run.records()[R1].get("hold_reason") == "lead_cap_24h"
                 and run.records()[V1]["status"] == "completed", 15,
                 "R1 held by the lead cap, V1 completed")
        print("[1] explain")
        check_explain(run)
        print("[2] timeline")
        check_timeline(run)
        print("[3] a phone's calls")
        check_phone(run, emu)
        print("[4] daily stats")
        check_daily(run)
        print("[5] recent, upcoming, stats")
        check_recent_upcoming(run)
        run.stop()
    except Exception as e:  # noqa: BLE001 - report, then fail
        check(False, f"unexpected error: {e!r}")
    finally:
        procs.stop_all()
    print(f"e2e-admin-views finished in {time.time() - t0:.1f} s")
    if failures:
        path = os.path.join(a.workdir, "runner-views-log.jsonl")
        if os.path.exists(path):
            print("\n".join(open(path, errors="replace").read().splitlines()[-30:]))
        procs.tail("emulator", 20)
    print(f"e2e-admin-views checks: {len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
