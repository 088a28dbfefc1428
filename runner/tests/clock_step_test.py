#!/usr/bin/env python3
"""Wall-clock steps under a running redial-runner (issue 15): libfaketime (Debian faketime) reads
the runner's clock offset from a file on every call, and the test rewrites it: -1 day, then +5 h.

[1] ticks at 1 s run before the steps, after the step back and after the step forward: each 4 s
    window has 2..6 ticks (0 would be the stall of a wall-based schedule, more a burst);
[2] a call whose webhook is lost, dialed just before the step back, is reconciled after its 3 s
    call time-out (monotonic), not a day later;
[3] a lead queued after the step back is dialed and redialed to completion;
[4] each step is logged (warn) and counted in /metrics;
[5] nothing is lost: every lead completes (leads due before the step back wait until the wall
    clock reaches their stored time: after the step forward), and a SIGTERM restart finds every
    record unchanged.
The emulator and this script keep the real clock; only the runner's wall clock moves.
"""
import json
import os
import sys
import time

from e2e_test import (API_KEY, Procs, check, free_port, get_json, http, records_by_key, setup,
                      stop_and_report, wait_for)

SECRET = "clock-step-secret"
SCRIPT = {"leads": {
    "A1": ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
    "L2": [{"outcome": "VOICEMAIL", "webhook": "lost"}, "TRANSFERRED"],
    "N3": ["BUSY", "TRANSFERRED"],
}}
WINDOW_S = 4


def ticks(base):
    for line in http("GET", base + "/metrics")[1].splitlines():
        if line.startswith("redial_ticks_total "):
            return int(float(line.split()[1]))
    raise AssertionError("no redial_ticks_total in /metrics")


def metric(base, name):
    for line in http("GET", base + "/metrics")[1].splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    return None


def check_ticks(base, what):
    t0 = ticks(base)
    time.sleep(WINDOW_S)
    n = ticks(base) - t0
    check(2 <= n <= WINDOW_S + 2, f"{what}: {n} ticks in {WINDOW_S} s at a 1 s interval")
    return n


def step(path, spec):
    with open(path + ".tmp", "w") as f:
        f.write(spec + "\n")
    os.replace(path + ".tmp", path)


def log_lines(path):
    out = []
    for line in open(path, errors="replace"):
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def main():
    a, script_path = setup(SCRIPT, lambda ap: ap.add_argument("--libfaketime", required=True))
    emu_port, port = free_port(), free_port()
    emu, base = f"http://127.0.0.1:{emu_port}", f"http://127.0.0.1:{port}"
    offset = os.path.join(a.workdir, "faketime-offset")
    step(offset, "+0")
    env = {"BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": emu, "BLAND_WEBHOOK_SECRET": SECRET,
           "REDIAL_PUBLIC_WEBHOOK_URL": base + "/webhooks/bland-callback",
           "REDIAL_PORT": str(port), "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"),
           "REDIAL_PROCESS_INTERVAL": "1s", "REDIAL_PROGRESSIVE_INTERVALS": "1s",
           "REDIAL_MIN_WAIT": "0", "REDIAL_MAX_ATTEMPTS": "4", "REDIAL_CALL_TIMEOUT": "3s",
           "REDIAL_BUSINESS_HOURS_START": "00:00", "REDIAL_BUSINESS_HOURS_END": "24:00",
           "REDIAL_READY_WINDOW_DAYS": "0", "REDIAL_FEDERAL_WINDOW": "false",
           "REDIAL_MIN_CALL_GAP": "0", "REDIAL_DIAL_BACKOFF": "300ms",
           # libfaketime: the offset file is read on every clock call; monotonic time is real.
           "LD_PRELOAD": a.libfaketime, "FAKETIME_TIMESTAMP_FILE": offset,
           "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1"}
    procs = Procs(a.workdir)
    args = [a.runner, "--log-format", "json"]
    procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay", "300ms",
                         "--webhook-secret", SECRET, "--same-number-window", "1s")
    procs.start("runner", args, env)
    wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")

    print("[1] ticks before any step")
    check_ticks(base, "before the steps")
    status, _ = http("POST", base + "/admin/leads", [
        {"lead_id": "A1", "phone_number": "+15550400001"},
        {"lead_id": "L2", "phone_number": "+15550400002"}])
    check(status == 200, "A1 and L2 queued")
    dialed = lambda: any(c["lead_id"] == "L2" for c in get_json(emu + "/emulator/calls")["calls"])
    wait_for(dialed, 10, "L2 dialed")

    print("[2] the wall clock steps back one day")
    t_back = time.monotonic()
    step(offset, "-1d")
    check_ticks(base, "after the step back")
    wait_for(lambda: records_by_key(base)["L2_5550400002"]["attempts"] >= 1, 10,
             "L2's lost webhook reconciled after the call time-out")
    check(time.monotonic() - t_back < 15,
          f"L2 settled {time.monotonic() - t_back:.1f} s after the step back (not a day)")
    print("[3] a lead queued after the step back")
    check(http("POST", base + "/admin/leads",
               {"lead_id": "N3", "phone_number": "+15550400003"})[0] == 200, "N3 queued")
    wait_for(lambda: records_by_key(base)["N3_5550400003"]["status"] == "completed", 15,
             "N3 dialed, redialed and completed on the stepped-back clock")

    print("[4] the wall clock steps forward to +5 h (29 h forward)")
    step(offset, "+5h")
    check_ticks(base, "after the step forward")
    done = lambda: all(r["status"] == "completed" for r in records_by_key(base).values())
    wait_for(done, 20, "every lead completed")
    recs = records_by_key(base)
    check(sorted(recs) == ["A1_5550400001", "L2_5550400002", "N3_5550400003"],
          f"records lost 0: {sorted(recs)}")
    check(recs["A1_5550400001"]["outcomes"] == ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
          f"A1's three results ({recs['A1_5550400001']['outcomes']})")
    check(recs["L2_5550400002"]["outcomes"] == ["VOICEMAIL", "TRANSFERRED"],
          f"L2's two results ({recs['L2_5550400002']['outcomes']})")
    check(recs["N3_5550400003"]["outcomes"] == ["BUSY", "TRANSFERRED"],
          f"N3's two results ({recs['N3_5550400003']['outcomes']})")
    calls = get_json(emu + "/emulator/calls")["calls"]
    per_lead = {k: sum(1 for c in calls if c["lead_id"] == k) for k in ("A1", "L2", "N3")}
    check(per_lead == {"A1": 3, "L2": 2, "N3": 2}, f"each call placed once: {per_lead}")
    check(metric(base, "redial_wall_clock_steps_total") == 2,
          f"/metrics counts 2 wall-clock steps ({metric(base, 'redial_wall_clock_steps_total')})")

    print("[5] restart: nothing lost")
    check(procs.stop("runner") == 0, "runner exits 0 on SIGTERM")
    steps = [l for l in log_lines(os.path.join(a.workdir, "runner.log"))
             if l.get("msg") == "Wall clock stepped"]
    got = [(l["fields"]["direction"], round(l["fields"]["step_ms"] / 3600000)) for l in steps]
    check(got == [("back", -24), ("forward", 29)] and all(l["level"] == "warning" for l in steps),
          f"both steps logged at warn: {got}")
    procs.start("runner", args, env)
    wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up again")
    check(records_by_key(base) == recs, "records identical after the restart")
    return stop_and_report(procs, "runner", "emulator")


if __name__ == "__main__":
    sys.exit(main())
