#!/usr/bin/env python3
"""End-to-end test of Bland's dial refusals, pauses, pacing and error states (issue 14):
bland-emulator (its "dials" script kinds) + redial-runner, through the real HTTP path.

[1] A plan-limit 429 (CALL_RL_PLAN_CONCURRENCY, Retry-After: 3) pauses ALL dialing for 3 s: no
    dial is placed meanwhile, the refused lead keeps its due time and has no attempt, the pause
    is logged once, shown in /admin/stats and /metrics; afterwards the lead is dialed.
[2] 429s without Retry-After (one naming no limit, then CALL_RL_PLAN_DAILY_MINUTES) pause for
    a growing back-off (1 s, then 2 s), counted by reason.
[3] The per-number 429 delays that lead only (10 s); another lead is dialed meanwhile, and
    nothing is paused.
[4] 403 stops dialing: an error logged once, /healthz degraded with the reason, nothing dialed;
    SIGHUP resumes it.
[5] Bland's error states at the reconcile lookup (queue_status pre_queue_error, queue_error,
    call_error, complete_error; status "error") end the call with an error outcome (FAILED),
    named in the log; the lead is then redialed.
[6] Pacing: --dials-per-minute 120 spreads six leads due at once 0.5 s apart.
[7] Start-up checks: the real binary exits 2 naming the setting.
"""
import json
import os
import signal
import subprocess
import sys
import time

from e2e_test import (API_KEY, Procs, check, failures, free_port, get_json, http, passes,
                      setup, wait_for)
from e2e_limits_test import Runner, log_lines

ZONE = "America/New_York"  # every test runner dials at any hour (00:00-24:00, no federal window)


def lead(lead_id, n):
    return {"lead_id": lead_id, "phone_number": f"+1555030{n:04d}", "list_id": "DL"}


def key(lead_id, n):
    return f"{lead_id}_555030{n:04d}"


def start_emulator(procs, a, name, dials, extra=()):
    """An emulator of its own (its "*" list counts every POST it gets). Returns its URL."""
    path = os.path.join(a.workdir, name + "-script.json")
    with open(path, "w") as f:
        json.dump({"leads": {}, "dials": dials}, f)
    port = free_port()
    procs.start(name, [a.emulator, "--port", str(port), "--api-key", API_KEY, "--script", path,
                       "--webhook-delay", "200ms", "--same-number-window", "0",
                       "--default-outcome", "TRANSFERRED", *extra])
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: http("GET", url + "/healthz")[0] == 200, 10, f"{name} up")
    return url


def emulator_log(emu):
    return get_json(emu + "/emulator/calls")


def metric(base, name):
    for line in http("GET", base + "/metrics")[1].splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def messages(run, msg):
    return [l for l in log_lines(run.log_file) if l.get("msg") == msg]


def check_plan_pause(procs, a):
    emu = start_emulator(procs, a, "emu-pause",
                         {"*": [{"kind": "plan_concurrency", "retry_after": 3}]})
    # Ticks every 30 s: only POST /admin/tick and the end of the pause make this runner dial.
    run = Runner(procs, a, a.workdir, emu, "runner-pause", ZONE, {"REDIAL_PROCESS_INTERVAL": "30s"})
    run.add([lead("D1", 1), lead("D2", 2), lead("D3", 3)])
    due_before = {k: r["next_redial_timestamp"] for k, r in run.records().items()}
    check(http("POST", run.base + "/admin/tick", {})[0] == 200, "[1] a tick dials the three")
    wait_for(lambda: emulator_log(emu)["refused"], 5, "a plan-limit 429")
    refused = emulator_log(emu)["refused"][0]
    at = refused["at"]
    ref_key = key(refused["lead_id"], int(refused["phone_number"][-4:]))
    time.sleep(0.3)
    status, text = http("POST", run.base + "/admin/tick", {})
    tick = json.loads(text)
    check(status == 200 and not tick["ran"] and tick["calls_made"] == 0
          and tick["skipped_reason"].startswith("dialing paused: Bland's plan limit (concurrency"),
          f"[1] a tick during the pause dials nothing ({tick})")
    stats = get_json(run.base + "/admin/stats")
    d = stats["dialing"]
    check(d["state"] == "paused" and d["reason"] == "concurrency"
          and 2000 <= d["until"] - at <= 4000,
          f"[1] /admin/stats shows the pause and its end ({d}, {d.get('until', 0) - at} ms)")
    check(metric(run.base, 'redial_dial_pauses_total{reason="concurrency"}') == 1
          and metric(run.base, "redial_dial_paused") == 1
          and metric(run.base, "redial_dial_paused_until_seconds") == d["until"] // 1000,
          "[1] /metrics: one pause by reason concurrency, paused now, and until when")
    rec = run.records()[ref_key]
    check(rec["attempts"] == 0 and rec["outcomes"] == []
          and rec["next_redial_timestamp"] == due_before[ref_key],
          f"[1] the refused lead has no attempt and keeps its due time "
          f"({rec['attempts']}, {rec['next_redial_timestamp'] - due_before[ref_key]} ms moved)")
    wait_for(lambda: run.records()[ref_key]["status"] == "completed", 8,
             "[1] the refused lead dialed after the pause")
    calls = emulator_log(emu)["calls"]
    # The other two leads went out with the refused one, in the same tick; ticks are 1 s apart.
    during = [c for c in calls if at + 900 < c["dialed_at"] < at + 2900]
    again = [c for c in calls if c["lead_id"] == refused["lead_id"]]
    check(during == [] and len(again) == 1 and at + 2900 <= again[0]["dialed_at"] < at + 6000,
          f"[1] nothing dialed during the pause; the lead dialed when it ended (a tick at once, "
          f"not 30 s later): {again[0]['dialed_at'] - at if again else '?'} ms after the 429 "
          f"({len(during)} during)")
    check(len(messages(run, "Dialing paused by Bland's plan limit")) == 1
          and len(messages(run, "Dialing resumed after the plan-limit pause")) == 1,
          "[1] the pause is logged once, its end once")
    check(get_json(run.base + "/admin/stats")["dialing"]["state"] == "dialing"
          and metric(run.base, "redial_dial_paused") == 0, "[1] dialing again after the pause")
    check(all(r["attempts"] == 1 for r in run.records().values()),
          "[1] every lead has exactly one attempt (the refused dial was none)")
    run.stop()


def check_growing_backoff(procs, a):
    emu = start_emulator(procs, a, "emu-backoff", {"*": ["rate_limited", "plan_daily_minutes"]})
    run = Runner(procs, a, a.workdir, emu, "runner-backoff", ZONE,
                 {"REDIAL_PLAN_LIMIT_BACKOFF": "1s", "REDIAL_PLAN_LIMIT_BACKOFF_MAX": "1m"})
    run.add([lead("G1", 10)])
    wait_for(lambda: run.records()[key("G1", 10)]["status"] == "completed", 10,
             "[2] G1 completed after two pauses")
    log = emulator_log(emu)
    t = [r["at"] for r in log["refused"]] + [c["dialed_at"] for c in log["calls"]]
    check(len(log["refused"]) == 2 and len(log["calls"]) == 1,
          f"[2] two refusals, then one call ({len(log['refused'])}, {len(log['calls'])})")
    if len(t) == 3:  # no dial before a pause ends (later: the next 1 s tick)
        check(t[1] - t[0] >= 950 and t[2] - t[1] >= 1950,
              f"[2] nothing dialed before each pause ended ({t[1] - t[0]} ms, {t[2] - t[1]} ms)")
    check(metric(run.base, 'redial_dial_pauses_total{reason="unrecognized"}') == 1
          and metric(run.base, 'redial_dial_pauses_total{reason="daily_minutes"}') == 1,
          "[2] /metrics counts the pauses by reason (unrecognized, daily_minutes)")
    paused = messages(run, "Dialing paused by Bland's plan limit")
    check(len(paused) == 2 and paused[1]["fields"]["code"] == "CALL_RL_PLAN_DAILY_MINUTES"
          and paused[0]["fields"]["reason"] == "unrecognized"
          and [p["fields"]["wait_ms"] for p in paused] == [1000, 2000],
          f"[2] each pause logged once, with its code, growing 1 s then 2 s "
          f"({[p['fields'] for p in paused]})")
    check(run.records()[key("G1", 10)]["attempts"] == 1, "[2] the refused dials were no attempts")
    run.stop()


def start_same_number(procs, a):
    emu = start_emulator(procs, a, "emu-same", {"S1": ["same_number"]})
    run = Runner(procs, a, a.workdir, emu, "runner-same", ZONE)
    run.add([lead("S1", 20), lead("S2", 21)])
    return emu, run


def finish_same_number(emu, run):
    wait_for(lambda: run.records()[key("S1", 20)]["status"] == "completed", 15,
             "[3] S1 dialed again after the per-number wait")
    log = emulator_log(emu)
    refused_at = log["refused"][0]["at"] if log["refused"] else 0
    s1 = [c for c in log["calls"] if c["lead_id"] == "S1"]
    s2 = [c for c in log["calls"] if c["lead_id"] == "S2"]
    check(len(s1) == 1 and s1[0]["dialed_at"] - refused_at >= 9900,
          f"[3] S1 waits 10 s after its per-number 429 "
          f"({s1[0]['dialed_at'] - refused_at if s1 else '?'} ms)")
    check(len(s2) == 1 and s2[0]["dialed_at"] - refused_at < 3000,
          "[3] S2 is dialed meanwhile (nothing paused)")
    check(metric(run.base, "redial_dials_same_number_limited_total") == 1
          and sum(metric(run.base, f'redial_dial_pauses_total{{reason="{r}"}}')
                  for r in ("concurrency", "daily_minutes", "rate", "unrecognized")) == 0,
          "[3] counted as a per-number limit, no pause")
    check(run.records()[key("S1", 20)]["attempts"] == 1, "[3] the refused dial was no attempt")
    run.stop()


def check_auth_stop(procs, a):
    emu = start_emulator(procs, a, "emu-auth", {"A1": ["forbidden"]})
    run = Runner(procs, a, a.workdir, emu, "runner-auth", ZONE)
    run.add([lead("A1", 30)])
    wait_for(lambda: emulator_log(emu)["refused"], 5, "[4] a 403")
    time.sleep(2.5)  # two more ticks: nothing may be dialed
    status, text = http("GET", run.base + "/healthz")
    h = json.loads(text)
    check(status == 200 and h["status"] == "degraded" and "403" in h["reason"]
          and "SIGHUP" in h["reason"], f"[4] /healthz is degraded with the reason ({h})")
    check(get_json(run.base + "/admin/stats")["dialing"]["state"] == "stopped"
          and metric(run.base, "redial_dialing_stopped") == 1,
          "[4] /admin/stats and /metrics show dialing stopped")
    log = emulator_log(emu)
    check(len(log["refused"]) == 1 and log["calls"] == [],
          f"[4] nothing dialed after the 403 ({len(log['refused'])} refused)")
    stopped = messages(run, "Dialing stopped: Bland refused the API key; fix --bland-api-key "
                            "(BLAND_API_KEY) or the account, then send SIGHUP or restart")
    check(len(stopped) == 1 and stopped[0]["level"] == "error",
          f"[4] logged once as an error ({len(stopped)})")
    rec = run.records()[key("A1", 30)]
    check(rec["attempts"] == 0 and rec["status"] == "pending", "[4] A1: no attempt, pending")
    run.procs.procs[run.name].send_signal(signal.SIGHUP)
    wait_for(lambda: run.records()[key("A1", 30)]["status"] == "completed", 8,
             "[4] A1 dialed after SIGHUP")
    check(json.loads(http("GET", run.base + "/healthz")[1])["status"] == "ok",
          "[4] /healthz ok again after SIGHUP")
    run.stop()


def check_error_states(procs, a):
    kinds = ["pre_queue_error", "queue_error", "call_error", "complete_error", "status_error"]
    emu = start_emulator(procs, a, "emu-errors", {f"E{i}": [k] for i, k in enumerate(kinds)})
    run = Runner(procs, a, a.workdir, emu, "runner-errors", ZONE)
    run.add([lead(f"E{i}", 40 + i) for i in range(len(kinds))])
    wait_for(lambda: all(r["status"] == "completed" for r in run.records().values()), 15,
             "[5] every lead completed after its error-state call")
    recs = run.records()
    check(all(recs[key(f"E{i}", 40 + i)]["outcomes"] == ["FAILED", "TRANSFERRED"]
              for i in range(len(kinds))),
          f"[5] each error state is an error outcome (FAILED), then the redial "
          f"({sorted((r['lead_id'], r['outcomes']) for r in recs.values())})")
    logged = messages(run, "Call ended in a Bland error state; applied with an error outcome")
    named = {l["fields"]["queue_status"] or l["fields"]["status"] for l in logged}
    check(named == set(kinds[:4]) | {"error"},
          f"[5] the log names each error state ({sorted(named)})")
    check(metric(run.base, "redial_reconcile_error_states_total") == len(kinds),
          "[5] /metrics counts them")
    check(not messages(run, "Call in flight released without a result"),
          "[5] none was left to the give-up release")
    run.stop()


def check_pacing(procs, a):
    emu = start_emulator(procs, a, "emu-pacing", {})
    run = Runner(procs, a, a.workdir, emu, "runner-pacing", ZONE, {"REDIAL_DIALS_PER_MINUTE": "120"})
    run.add([lead(f"P{i}", 50 + i) for i in range(6)])
    wait_for(lambda: len(emulator_log(emu)["calls"]) == 6, 10, "[6] six dials")
    t = sorted(c["dialed_at"] for c in emulator_log(emu)["calls"])
    gaps = [b - a for a, b in zip(t, t[1:])]
    check(len(gaps) == 5 and min(gaps) >= 450, f"[6] dials 0.5 s apart, not a burst ({gaps} ms)")
    check(metric(run.base, "redial_dials_paced_total") >= 5, "[6] /metrics counts paced dials")
    wait_for(lambda: all(r["status"] == "completed" for r in run.records().values()), 8,
             "[6] all six completed")
    run.stop()


def check_startup(a):
    base_env = dict(os.environ, BLAND_API_KEY=API_KEY, REDIAL_DATA_DIR=os.path.join(a.workdir, "x"))
    cases = [
        ({"REDIAL_CALL_TEMPLATE": '{"voice": "maya"}'}, "--call-template (REDIAL_CALL_TEMPLATE)"),
        ({"REDIAL_CALL_TEMPLATE": '{"task": "t"}', "REDIAL_CALL_TIMEOUT": "31m"},
         "--call-timeout (REDIAL_CALL_TIMEOUT)"),
        ({"REDIAL_CALL_TEMPLATE": '{"task": "t", "voicemail": {"action": "leave"}}'},
         "voicemail.action 'leave'"),
    ]
    for env, expect in cases:
        p = subprocess.run([a.runner, "--check-config"], env=dict(base_env, **env),
                           capture_output=True, text=True, timeout=20)
        check(p.returncode == 2 and expect in p.stderr,
              f"[7] exit 2 naming {expect} (rc {p.returncode}: {p.stderr.strip()[:160]})")
    p = subprocess.run([a.runner, "--check-config"], capture_output=True, text=True, timeout=20,
                       env=dict(base_env, REDIAL_CALL_TEMPLATE='{"pathway_id": "pw"}'))
    check(p.returncode == 0, f"[7] a good template passes ({p.returncode} {p.stderr.strip()})")


def main():
    a, _ = setup({"leads": {}})
    procs = Procs(a.workdir)
    t0 = time.time()
    try:
        print("[7] start-up checks")
        check_startup(a)
        print("[3] the per-number limit (checked last: it waits 10 s)")
        same = start_same_number(procs, a)
        print("[1] a plan-limit pause with Retry-After")
        check_plan_pause(procs, a)
        print("[2] plan-limit pauses without Retry-After grow")
        check_growing_backoff(procs, a)
        print("[4] 403 stops dialing until SIGHUP")
        check_auth_stop(procs, a)
        print("[5] error states at reconcile")
        check_error_states(procs, a)
        print("[6] pacing")
        check_pacing(procs, a)
        print("[3] (cont.)")
        finish_same_number(*same)
    except Exception as e:  # noqa: BLE001 - report, then fail
        check(False, f"unexpected error: {e!r}")
    finally:
        procs.stop_all()
    print(f"e2e-dial-limits finished in {time.time() - t0:.1f} s")
    if failures:
        for name in ("runner-pause", "runner-backoff", "runner-same", "runner-auth",
                     "runner-errors", "runner-pacing"):
            path = os.path.join(a.workdir, name + "-log.jsonl")
            if os.path.exists(path):
                print(f"--- last lines of {path} ---")
                print("\n".join(open(path, errors="replace").read().splitlines()[-15:]))
    print(f"e2e-dial-limits checks: {len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
