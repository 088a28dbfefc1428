#!/usr/bin/env python3
"""End-to-end test of behaviours e2e_test.py does not cover: bland-emulator + redial-runner.

[1] SIGHUP reopens --log-file: the renamed file stops growing, a new file gets the new lines.
[2] A call Bland answers 404 for at the reconcile lookup is released with a logged reason, and
    the lead is dialed again (the release is not an attempt).
[3] GET /admin/records?date=YYYY-MM-DD matches the creation day in the business time zone (a
    zone chosen so that its date differs from UTC's date right now).
[4] --max-calls-per-hour and [5] --max-calls-per-day: dials beyond the limit are not placed and
    are not attempts; the held lead stays due (the core's limit holds it until the window frees).
[6] Calling rules through the runner: a lead at --max-calls-per-lead-24h is held, and the admin
    API shows the rule and when; a number in --dnc-file is never dialed (status dnc); a reload
    with a bad line is refused (422) and keeps the list, a good one is taken.
"""
import datetime
import json
import os
import signal
import sys
import time
import zoneinfo

from e2e_test import (API_KEY, Procs, check, failures, free_port, get_json, http, passes,
                      records_by_key, setup, wait_for)


def business_zone():
    """A zone whose local date differs from UTC's now (a UTC-date bug then fails check [3]), at
    least an hour from its local midnight: UTC-12 before 11:00 UTC, else UTC+14."""
    return "Etc/GMT+12" if datetime.datetime.now(datetime.timezone.utc).hour < 11 \
        else "Pacific/Kiritimati"


def local_date(zone, days=0):
    now = datetime.datetime.now(zoneinfo.ZoneInfo(zone)) + datetime.timedelta(days=days)
    return now.strftime("%Y-%m-%d")


def log_lines(path):
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path, errors="replace").read().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


class Runner:
    """One redial-runner with its own data directory, against the emulator at `emu`."""

    def __init__(self, procs, args, workdir, emu, name, zone, extra_env=None):
        self.procs, self.name = procs, name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_file = os.path.join(workdir, name + "-log.jsonl")
        env = {
            "BLAND_API_KEY": API_KEY,
            "BLAND_BASE_URL": emu,
            "REDIAL_PORT": str(self.port),
            "REDIAL_DATA_DIR": os.path.join(workdir, name + "-data"),
            "REDIAL_PROCESS_INTERVAL": "1s",
            "REDIAL_MIN_WAIT": "0",
            "REDIAL_PROGRESSIVE_INTERVALS": "1s",
            "REDIAL_TIME_ZONE": zone,
            "REDIAL_BUSINESS_HOURS_START": "00:00",
            "REDIAL_BUSINESS_HOURS_END": "24:00",
            # Runs at any hour and redials within seconds (rules tested in core and scenarios).
            "REDIAL_FEDERAL_WINDOW": "false",
            "REDIAL_MIN_CALL_GAP": "0",
            "REDIAL_READY_WINDOW_DAYS": "0",
            "REDIAL_ACTIVE_CALL_PUSHBACK": "1s",
            "REDIAL_CALL_TIMEOUT": "2s",
            "REDIAL_FSYNC": "false",
            "REDIAL_LOG_FILE": self.log_file,
        }
        env.update(extra_env or {})
        procs.start(name, [args.runner, "--log-format", "json"], env)
        wait_for(lambda: http("GET", self.base + "/healthz")[0] == 200, 10, f"{name} up")

    def add(self, leads):
        status, text = http("POST", self.base + "/admin/leads", leads)
        check(status == 200, f"{self.name}: {len(leads)} leads queued ({status} {text.strip()})")

    def records(self):
        return records_by_key(self.base)

    def stop(self):
        rc = self.procs.stop(self.name)
        check(rc == 0, f"{self.name} exits 0 on SIGTERM (rc {rc})")


def lead(lead_id, n):
    return {"lead_id": lead_id, "phone_number": f"+1555020{n:04d}", "list_id": "LIM"}


def emulator_calls(emu, lead_ids):
    return [c for c in get_json(emu + "/emulator/calls")["calls"] if c["lead_id"] in lead_ids]


def check_limit(procs, args, workdir, emu, zone, name, env, ids, allowed):
    """Leads `ids` (one call each) under a limit of `allowed` dials: the rest are held back."""
    run = Runner(procs, args, workdir, emu, name, zone, env)
    run.add([lead(i, 100 + k + (0 if name.endswith("hour") else 50)) for k, i in enumerate(ids)])
    wait_for(lambda: sum(r["attempts"] for r in run.records().values()) >= allowed, 10,
               f"{name}: {allowed} results")
    time.sleep(2)  # several more ticks: nothing else may be dialed
    calls = emulator_calls(emu, ids)
    check(len(calls) == allowed, f"{name}: {allowed} calls placed for {len(ids)} leads "
                                 f"(got {len(calls)})")
    recs = run.records().values()
    done = [r for r in recs if r["attempts"] == 1 and r["status"] == "completed"]
    held = [r for r in recs if r["attempts"] == 0]
    check(len(done) == allowed and len(held) == len(ids) - allowed,
          f"{name}: {allowed} leads completed, {len(ids) - allowed} held back with 0 attempts "
          f"({sorted((r['lead_id'], r['attempts'], r['status']) for r in recs)})")
    now_ms = int(time.time() * 1000)
    # The limits are the core's (core/dial_rate_limits.h): a held lead stays where it is (still
    # due, first in line when the window frees) instead of being moved to the window's end.
    check(held and all(r["status"] == "pending" and r["outcomes"] == []
              and r["next_redial_timestamp"] <= now_ms for r in held),
          f"{name}: held leads are pending, without outcomes, still due (left where they are) "
          f"({[(r['next_redial_timestamp'] - now_ms) // 1000 for r in held]} s from now)")
    tick = get_json(run.base + "/admin/stats")["last_tick"]
    rule = "dial limit per hour" if name.endswith("hour") else "dial limit per day"
    check(tick.get("limit_rule") == rule and tick.get("rate_limited") == len(ids) - allowed,
          f"{name}: the last tick names the rule and the held leads ({tick})")
    metrics = http("GET", run.base + "/metrics")[1]
    limited = [l for l in metrics.splitlines() if l.startswith("redial_dials_rate_limited_total ")]
    check(limited and int(limited[0].split()[1]) >= len(ids) - allowed,
          f"{name}: metrics count the held-back dials ({limited})")
    held_log = [l for l in log_lines(run.log_file)
                if l.get("msg") == "Dial held back by the call limits"]
    check(len(held_log) >= len(ids) - allowed, f"{name}: held-back dials are logged")
    run.stop()


def check_calling_rules(procs, args, workdir, emu, zone):
    dnc_path = os.path.join(workdir, "dnc.txt")
    with open(dnc_path, "w") as f:
        f.write("# opt-outs\n+1 (555) 020-0301\n")
    run = Runner(procs, args, workdir, emu, "runner-rules", zone,
                 {"REDIAL_MAX_CALLS_PER_LEAD_24H": "1", "REDIAL_DNC_FILE": dnc_path})
    run.add([lead("R1", 300), lead("R2", 301)])
    wait_for(lambda: run.records()["R1_5550200300"]["attempts"] >= 1, 10, "R1's first result")
    time.sleep(2)  # more ticks: R1 must be held, not dialed again
    recs = run.records()
    r1, r2 = recs["R1_5550200300"], recs["R2_5550200301"]
    now_ms = int(time.time() * 1000)
    check(len(emulator_calls(emu, ["R1"])) == 1 and r1["status"] == "pending",
          f"R1 is called once and stays pending ({r1['status']}, {r1['attempts']} attempts)")
    check(r1.get("hold_reason") == "lead_cap_24h"
          and r1["next_redial_timestamp"] >= now_ms + 23 * 3600 * 1000,
          f"the admin API shows the rule holding R1 and when it may be called "
          f"({r1.get('hold_reason')}, in {(r1['next_redial_timestamp'] - now_ms) // 1000} s)")
    check(r2["status"] == "dnc" and emulator_calls(emu, ["R2"]) == [],
          f"R2, on the do-not-call file, is never dialed (status {r2['status']})")
    with open(dnc_path, "w") as f:
        f.write("5550200301\nnot a number\n")
    status, text = http("POST", run.base + "/admin/dnc/reload", {})
    check(status == 422 and "line 2" in json.loads(text).get("error", ""),
          f"a do-not-call file with a bad line is refused, naming the line ({status} {text.strip()})")
    with open(dnc_path, "w") as f:
        f.write("5550200301\n5550200300\n")
    status, text = http("POST", run.base + "/admin/dnc/reload", {})
    check(status == 200 and json.loads(text).get("numbers") == 2,
          f"a good do-not-call file is reloaded ({status} {text.strip()})")
    stats = get_json(run.base + "/admin/stats")
    check(stats["by_status"].get("dnc") == 1, f"stats count dnc records ({stats['by_status']})")
    run.stop()


def main():
    a, script_path = setup({"leads": {"H8": [{"outcome": "VOICEMAIL", "webhook": "forgotten"},
                                             "TRANSFERRED"],
                                      "R1": ["NO_ANSWER", "NO_ANSWER"]}})
    zone = business_zone()
    emu_port = free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    procs = Procs(a.workdir)
    t0 = time.time()
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             "200ms", "--same-number-window", "0", "--default-outcome",
                             "TRANSFERRED")
        run = Runner(procs, a, a.workdir, emu, "runner", zone)

        print("[1] SIGHUP reopens the log file")
        rotated = run.log_file + ".1"
        check(any(l.get("msg") == "redial-runner listening" for l in log_lines(run.log_file)),
              "the log file has the start-up lines")
        os.rename(run.log_file, rotated)
        rotated_size = os.path.getsize(rotated)
        procs.procs["runner"].send_signal(signal.SIGHUP)
        wait_for(lambda: any(l.get("msg") == "Log file reopened"
                               for l in log_lines(run.log_file)), 5, "a new log file after SIGHUP")

        print("[2] a call Bland does not know (404 at the reconcile lookup) is released")
        run.add([{"lead_id": "H8", "phone_number": "+15550200008", "list_id": "L8"}])
        wait_for(lambda: run.records()["H8_5550200008"]["status"] == "completed", 15,
                   "H8 completed after its forgotten call was released")
        h8 = run.records()["H8_5550200008"]
        check(h8["attempts"] == 1 and h8["outcomes"] == ["TRANSFERRED"],
              f"H8: the released call is not an attempt ({h8['attempts']}, {h8['outcomes']})")
        calls = sorted(emulator_calls(emu, ["H8"]), key=lambda c: c["dialed_at"])
        check(len(calls) == 2 and calls[0]["forgotten"] and not calls[1]["forgotten"],
              f"H8 was dialed again after the release ({len(calls)} calls)")
        check(len(calls) == 2 and h8["last_call_id"] == calls[1]["call_id"],
              "H8's result is the second call's")
        forgotten_id = calls[0]["call_id"] if calls else "?"
        lines = log_lines(run.log_file)
        released = [l for l in lines if l.get("msg") == "Releasing call"
                    and l.get("fields", {}).get("key") == "H8_5550200008"]
        check(len(released) == 1 and f"does not know call {forgotten_id}"
              in released[0]["fields"].get("reason", "") and "404" in released[0]["fields"]["reason"],
              f"the release is logged with its reason ({released})")
        check(any(l.get("msg") == "Call in flight released without a result" for l in lines),
              "the queue logs the release")

        print("[1] (cont.) new lines go to the new file only")
        check(os.path.getsize(rotated) == rotated_size, "the renamed file stopped growing")
        check(len(lines) > 3 and any(l.get("msg") == "Dial accepted by Bland" for l in lines),
              f"the new file receives new lines ({len(lines)} lines)")

        print(f"[3] GET /admin/records?date= in the business time zone ({zone})")
        for _ in range(2):  # once more if the local day changed meanwhile
            today = local_date(zone)
            hits = get_json(run.base + "/admin/records?date=" + today)
            if today == local_date(zone):
                break
        check(hits["total"] == 1 and hits["records"][0]["key"] == "H8_5550200008",
              f"date={today} (today there) lists the lead created today ({hits['total']})")
        for other in (local_date(zone, -1), local_date(zone, 1)):
            hits = get_json(run.base + "/admin/records?date=" + other)
            check(hits["total"] == 0 and hits["records"] == [],
                  f"date={other} lists nothing ({hits['total']})")
        run.stop()

        print("[4] --max-calls-per-hour")
        check_limit(procs, a, a.workdir, emu, zone, "runner-per-hour",
                    {"REDIAL_MAX_CALLS_PER_HOUR": "2"}, ["P1", "P2", "P3"], 2)
        print("[5] --max-calls-per-day")
        check_limit(procs, a, a.workdir, emu, zone, "runner-per-day",
                    {"REDIAL_MAX_CALLS_PER_DAY": "1"}, ["Q1", "Q2", "Q3"], 1)
        print("[6] calling rules: a held lead, the do-not-call file and its reload")
        check_calling_rules(procs, a, a.workdir, emu, zone)
    except Exception as e:  # noqa: BLE001 - report, then fail
        check(False, f"unexpected error: {e!r}")
    finally:
        procs.stop_all()
    print(f"e2e-limits finished in {time.time() - t0:.1f} s")
    if failures:
        for name in ("runner", "runner-per-hour", "runner-per-day", "runner-rules"):
            path = os.path.join(a.workdir, name + "-log.jsonl")
            if os.path.exists(path):
                print(f"--- last lines of {path} ---")
                print("\n".join(open(path, errors="replace").read().splitlines()[-25:]))
        procs.tail("emulator", 20)
    print(f"e2e-limits checks: {len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
