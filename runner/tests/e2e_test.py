#!/usr/bin/env python3
"""End-to-end test: bland-emulator + redial-runner on loopback with second-scale intervals.

Checks through the admin API (and the emulator's call log) that attempts, statuses and dial
times follow the policy, that a duplicate webhook changes nothing, that bad webhooks get 400/401
and change nothing, and that a restart (SIGTERM, start again) loses nothing and dials no lead twice.
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

SECRET = "e2e-secret"
API_KEY = "e2e-key"
# Runners started without a webhook secret require this token in the webhook URL.
WEBHOOK_TOKEN = "e2e-webhook-token-0123456789"
WEBHOOK_PATH = "/webhooks/bland-callback?token=" + WEBHOOK_TOKEN
INTERVALS_MS = [1000, 1000, 2000]  # REDIAL_PROGRESSIVE_INTERVALS=1s,1s,2s
PROCESS_INTERVAL_MS = 2000
WEBHOOK_DELAY_MS = 500
PUSHBACK_MS = 5 * 60 * 1000  # the default REDIAL_ACTIVE_CALL_PUSHBACK

SCRIPT = {
    "leads": {
        "A1": ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
        "B2": ["BUSY", "VOICEMAIL", "NO_ANSWER", "VOICEMAIL"],
        "E5": ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
        "F6": [{"outcome": "VOICEMAIL", "webhook": "lost"}, "TRANSFERRED"],
    }
}

failures = []
passes = []


def check(cond, what):
    if cond:
        print(f"  ok   {what}")
        passes.append(what)
    else:
        print(f"  FAIL {what}")
        failures.append(what)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(method, url, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
            return r.status, text
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def get_json(url):
    status, text = http("GET", url)
    assert status == 200, f"GET {url} -> {status} {text}"
    return json.loads(text)


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if pred():
                return True
        except (OSError, AssertionError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    return check(False, f"timed out waiting for {what}")


# Every runner the tests start passes the start-up checks (issue 14): a template naming a task,
# and call time-outs of seconds against a max_duration of 0.01 min (0.6 s) and no webhook grace.
# A test that sets these itself keeps its own values.
RUNNER_TEST_DEFAULTS = {
    "REDIAL_CALL_TEMPLATE": '{"task": "redial test call", "max_duration": 0.01}',
    "REDIAL_WEBHOOK_GRACE": "0",
}


_faketime_offset_s = []


def faketime_env():
    """E2E_FAKETIME=YYYY-MM-DDThh:mm:ss (UTC): the runner and the emulator see the wall clock
    start there when this script starts (libfaketime at E2E_FAKETIME_LIB, one fixed offset, so
    a restarted process goes on where the last one was); monotonic time stays real. This script
    itself is not faked (libfaketime breaks Python's sleep): it compares the processes' times."""
    spec = os.environ.get("E2E_FAKETIME")
    if not spec:
        return {}
    if not _faketime_offset_s:
        target = datetime.datetime.strptime(spec, "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.timezone.utc).timestamp()
        _faketime_offset_s.append(int(target - time.time()))
    return {"LD_PRELOAD": os.environ.get("E2E_FAKETIME_LIB",
                                         "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            "FAKETIME": f"{_faketime_offset_s[0]:+d}", "DONT_FAKE_MONOTONIC": "1"}


class Procs:
    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = {}

    def start(self, name, args, env=None):
        log = open(os.path.join(self.workdir, name + ".log"), "ab")
        full_env = dict(os.environ)
        full_env.update(faketime_env())
        full_env.update(env or {})
        if os.path.basename(args[0]) == "redial-runner":
            for k, v in RUNNER_TEST_DEFAULTS.items():
                full_env.setdefault(k, v)
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=full_env)
        self.procs[name] = p
        return p

    def start_emulator(self, emulator, port, *args, what="emulator up"):
        """Starts bland-emulator on `port` with the tests' API key and `args`, and waits until
        it answers /healthz."""
        self.start("emulator", [emulator, "--port", str(port), "--api-key", API_KEY, *args])
        wait_for(lambda: http("GET", f"http://127.0.0.1:{port}/healthz")[0] == 200, 10, what)

    def stop(self, name, sig=signal.SIGTERM, timeout=20):
        p = self.procs.pop(name)
        p.send_signal(sig)
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            return -999

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name, signal.SIGKILL, 5)

    def tail(self, name, n=40):
        path = os.path.join(self.workdir, name + ".log")
        if os.path.exists(path):
            lines = open(path, errors="replace").read().splitlines()
            print(f"--- last lines of {name}.log ---")
            print("\n".join(lines[-n:]))


def records_by_key(base):
    return {r["key"]: r for r in get_json(base + "/admin/records?limit=1000")["records"]}


def signed_post(url, raw, secret=SECRET):
    sig = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return http("POST", url, raw=raw, headers={"X-Webhook-Signature": sig})


def check_dial_times(calls, lead_id, expected_calls):
    mine = sorted((c for c in calls if c["lead_id"] == lead_id), key=lambda c: c["dialed_at"])
    check(len(mine) == expected_calls, f"{lead_id}: {expected_calls} calls placed (got {len(mine)})")
    for k in range(1, len(mine)):
        prev, cur = mine[k - 1], mine[k]
        ok = [d for d in prev["deliveries"] if d["status"] == 200]
        if not check(ok, f"{lead_id}: result of call {k} was delivered before call {k + 1}"):
            continue
        wait = INTERVALS_MS[min(k - 1, len(INTERVALS_MS) - 1)]
        # The runner applied result k after the emulator started sending it (sent_at) and before
        # the emulator saw the 200 (at); the next dial is due `wait` after that and comes at the
        # first tick after it (plus a restart's delay, at most).
        after_send = cur["dialed_at"] - ok[0]["sent_at"]
        after_ack = cur["dialed_at"] - ok[0]["at"]
        check(after_send >= wait,
              f"{lead_id}: call {k + 1} waited >= {wait} ms after result {k} ({after_send} ms)")
        # Generous: a loaded CI disk can stall an fsync for seconds.
        check(after_ack <= wait + PROCESS_INTERVAL_MS + 10000,
              f"{lead_id}: call {k + 1} came within a tick (+10 s slack) of being due "
              f"({after_ack} ms)")


def watch_schedule(base, seen):
    """Records each pending record's scheduled wait; it must be the policy's interval exactly."""
    for r in records_by_key(base).values():
        if r["status"] == "pending" and r["attempts"] >= 1 and r["last_call_timestamp"]:
            wait = r["next_redial_timestamp"] - r["last_call_timestamp"]
            seen[(r["key"], r["attempts"])] = wait


def check_schedule(seen):
    check(len(seen) >= 4, f"saw {len(seen)} scheduled redials")
    for (key, attempts), wait in sorted(seen.items()):
        want = INTERVALS_MS[min(attempts - 1, len(INTERVALS_MS) - 1)]
        # A lead skipped for a call in flight is pushed by the active-call push-back instead.
        check(wait == want or wait >= PUSHBACK_MS,
              f"{key}: after result {attempts} the redial is scheduled {wait} ms later ({want})")


def stop_and_report(procs, *tail_names):
    """Stops every process (first showing the named logs' tails if a check failed); the exit code."""
    if failures:
        for name in tail_names:
            procs.tail(name)
    procs.stop_all()
    print(f"{len(passes)} checks passed, {len(failures)} failed")
    return 1 if failures else 0


def check_replay(sim, workdir, runner_env, runner_calls):
    """Issue 18: redial-sim --from-data replays the data directory the runner left, under the
    runner's own settings: every settled lead ends as the runner recorded it, after as many
    calls as the emulator saw the runner place."""
    conf = os.path.join(workdir, "replay.env")
    with open(conf, "w") as f:  # the runner's environment, as in the package's redial.env
        for k, v in runner_env.items():
            f.write(f"{k}={v}\n")
    report = os.path.join(workdir, "replay.json")
    out = subprocess.run([sim, "--from-data", os.path.join(workdir, "data"), "--config", conf,
                          "--json", report], capture_output=True, text=True, timeout=60)
    check(out.returncode == 0,
          f"the replay ends every settled lead as recorded ({out.stdout.strip()} "
          f"{out.stderr.strip()})")
    if not os.path.exists(report):
        return
    leads = json.load(open(report))["scenarios"][0]["lead_results"]
    for lead_id in ("A1", "B2", "E5", "F6"):
        placed = len([c for c in runner_calls if c["lead_id"] == lead_id])
        got = leads.get(lead_id, {}).get("calls")
        check(got == placed, f"replay of {lead_id}: {got} calls, as the runner placed {placed}")
    check(leads.get("D4", {}).get("calls") == 0 and leads["D4"]["status"] == "completed",
          "replay of D4: stopped by the operator, never called")


def setup(script, add_args=None):
    """Parses --runner/--emulator/--workdir (and what add_args(parser) adds), empties the
    workdir and writes the emulator's outcome script there. Returns (args, script_path)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--sim", help="redial-sim: also replay the data directory (issue 18)")
    if add_args:
        add_args(ap)
    a = ap.parse_args()

    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    script_path = os.path.join(a.workdir, "script.json")
    with open(script_path, "w") as f:
        json.dump(script, f)
    return a, script_path


def main():
    a, script_path = setup(SCRIPT)

    emu_port, run_port = free_port(), free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    base = f"http://127.0.0.1:{run_port}"
    hook = base + "/webhooks/bland-callback"
    procs = Procs(a.workdir)
    runner_env = {
        "BLAND_API_KEY": API_KEY,
        "BLAND_BASE_URL": emu,
        "BLAND_WEBHOOK_SECRET": SECRET,
        "REDIAL_PUBLIC_WEBHOOK_URL": hook,
        "REDIAL_PORT": str(run_port),
        "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"),
        "REDIAL_PROCESS_INTERVAL": "2s",
        "REDIAL_PROGRESSIVE_INTERVALS": "1s,1s,2s",
        "REDIAL_MIN_WAIT": "0",
        "REDIAL_MAX_ATTEMPTS": "4",
        "REDIAL_BUSINESS_HOURS_START": "00:00",
        "REDIAL_BUSINESS_HOURS_END": "24:00",
        # The test runs at any hour and redials within seconds: the lead-local window and the
        # 10 s gap between calls to a number are tested elsewhere (core tests, scenarios).
        "REDIAL_FEDERAL_WINDOW": "false",
        "REDIAL_MIN_CALL_GAP": "0",
        # Today and yesterday: a run that crosses midnight in the business zone keeps its leads
        # (the one-day window is tested in core tests and scenarios/16-today-filter-midnight).
        "REDIAL_READY_WINDOW_DAYS": "2",
        "REDIAL_DIAL_BACKOFF": "300ms",
        "REDIAL_CALL_TIMEOUT": "3s",
        "REDIAL_BACKUP_DIR": os.path.join(a.workdir, "backups"),
    }
    runner_args = [a.runner, "--log-format", "json"]
    t0 = time.time()
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             f"{WEBHOOK_DELAY_MS}ms", "--webhook-secret", SECRET,
                             "--same-number-window", "1s", "--fail-dials", "1")
        procs.start("runner", runner_args, runner_env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")

        print("[1] leads through the admin API, redials by policy")
        far = int(time.time() * 1000) + 3600 * 1000
        status, text = http("POST", base + "/admin/leads", [
            {"lead_id": "A1", "phone_number": "+1 (555) 010-0001", "list_id": "L1",
             "first_name": "Ann"},
            {"lead_id": "B2", "phone_number": "555-010-0002", "list_id": "L2"},
            {"lead_id": "D4", "phone_number": "+15550100004", "list_id": "L1", "dial_at": far},
            {"lead_id": "F6", "phone_number": "+15550100006", "list_id": "L4"},
        ])
        check(status == 200 and json.loads(text)["queued"] == 4, f"4 leads queued ({status} {text})")
        status, text = http("POST", base + "/admin/leads", {"lead_id": "X", "phone_number": "12"})
        check(status == 400 and "error" in json.loads(text), f"a bad phone gets 400 ({text.strip()})")
        check("X_12" not in records_by_key(base) and len(records_by_key(base)) == 4,
              "the refused lead was not stored")

        status, text = http("POST", base + "/admin/records/D4_5550100004/stop",
                            {"reason": "do not call"})
        check(status == 200 and json.loads(text)["status"] == "completed", "D4 stopped")

        schedule = {}

        def done():
            watch_schedule(base, schedule)
            r = records_by_key(base)
            return (r["A1_5550100001"]["status"] == "completed"
                    and r["B2_5550100002"]["status"] == "max_attempts"
                    and r["F6_5550100006"]["status"] == "completed")
        wait_for(done, 30, "A1 and F6 completed and B2 at max attempts")
        check_schedule(schedule)
        recs = records_by_key(base)
        a1, b2 = recs["A1_5550100001"], recs["B2_5550100002"]
        check(a1["attempts"] == 3 and a1["outcomes"] == ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
              f"A1: 3 attempts, outcomes {a1['outcomes']}")
        check(a1["first_name"] == "Ann" and a1["list_id"] == "L1", "A1 keeps its lead fields")
        check(b2["attempts"] == 4
              and b2["outcomes"] == ["BUSY", "VOICEMAIL", "NO_ANSWER", "VOICEMAIL"],
              f"B2: 4 attempts then max_attempts, outcomes {b2['outcomes']}")
        check(recs["D4_5550100004"]["attempts"] == 0, "D4 never called")
        f6 = recs["F6_5550100006"]
        check(f6["attempts"] == 2 and f6["outcomes"] == ["VOICEMAIL", "TRANSFERRED"],
              f"F6: the lost webhook's result was reconciled from GET /v1/calls ({f6['outcomes']})")
        calls = get_json(emu + "/emulator/calls")["calls"]
        check_dial_times(calls, "A1", 3)
        check_dial_times(calls, "B2", 4)
        check_dial_times(calls, "D4", 0)
        req = next(c["request"] for c in calls if c["lead_id"] == "A1")
        check(req["webhook"] == hook and req["metadata"]["list_id"] == "L1"
              and req["phone_number"] == "+15550100001",
              "dial request carries the webhook URL, metadata and E.164 phone")

        listed = get_json(base + "/admin/records?status=completed")["records"]
        check(sorted(r["key"] for r in listed) ==
              ["A1_5550100001", "D4_5550100004", "F6_5550100006"],
              "filter by status")
        listed = get_json(base + "/admin/records?list_id=L2")
        check(listed["total"] == 1 and listed["records"][0]["key"] == "B2_5550100002",
              "filter by list_id")
        page = get_json(base + "/admin/records?offset=1&limit=1")
        check(page["total"] == 4 and len(page["records"]) == 1, "paging")
        check(http("GET", base + "/admin/records?date=2001-01-01")[1].count('"key"') == 0,
              "filter by creation date")
        check(http("GET", base + "/admin/records?date=junk")[0] == 400, "bad date gets 400")

        print("[2] a duplicate webhook changes nothing")
        before = records_by_key(base)
        first = next(c for c in calls if c["lead_id"] == "A1")
        raw = json.dumps(first["webhook_body"]).encode()
        status, text = signed_post(hook, raw)
        check(status == 200 and json.loads(text)["result"] == "duplicate",
              f"duplicate answered 200 duplicate ({text.strip()})")
        check(records_by_key(base) == before, "records unchanged after the duplicate")

        print("[3] bad webhooks get 400/401 and change nothing")
        good_body = dict(first["webhook_body"], call_id="fresh-call-1")
        bad_cases = [
            ("not JSON", b"{oops", 400, True),
            ("no call_id", json.dumps({"status": "completed"}).encode(), 400, True),
            ("unknown outcome", json.dumps(dict(good_body, metadata=dict(
                good_body["metadata"], outcome="BOGUS"))).encode(), 400, True),
            ("no lead, unknown call", json.dumps({"call_id": "nobody", "status": "busy"}).encode(),
             400, True),
            ("bad phone", json.dumps(dict(good_body, metadata={"lead_id": "Z", "phone_number": "1"},
                                          to="1")).encode(), 400, True),
            ("wrong signature", json.dumps(good_body).encode(), 401, False),
        ]
        for name, raw, want, sign in bad_cases:
            if sign:
                status, text = signed_post(hook, raw)
            else:
                status, text = signed_post(hook, raw, secret="not-the-secret")
            body = json.loads(text) if text.strip().startswith("{") else {}
            check(status == want and "error" in body, f"{name}: {status} {text.strip()}")
        # Issue 15: an outcome of the wrong type is refused, naming the field, never UNKNOWN.
        for where, value in (("metadata", {"x": 1}), ("metadata", 7), ("variables", "")):
            body = dict(good_body, **{where: dict(good_body.get(where) or {}, outcome=value)})
            status, text = signed_post(hook, json.dumps(body).encode())
            check(status == 400 and f"{where}.outcome" in json.loads(text).get("error", ""),
                  f"{where}.outcome = {json.dumps(value)}: {status} {text.strip()}")
        status, _ = http("POST", hook, raw=json.dumps(good_body).encode())
        check(status == 401, "unsigned webhook gets 401")
        check(records_by_key(base) == before, "records unchanged after the bad webhooks")

        metrics = http("GET", base + "/metrics")[1]
        check('redial_webhooks_total{outcome="TRANSFERRED"} 2' in metrics, "metrics: webhooks by outcome")
        check("redial_webhooks_duplicate_total 1" in metrics, "metrics: duplicate counted")
        check('redial_queue_records{status="completed"} 3' in metrics, "metrics: queue by status")
        check("redial_reconciles_total 1" in metrics, "metrics: one call reconciled")
        retries = [l for l in metrics.splitlines() if l.startswith("redial_dial_retries_total ")]
        check(retries and int(retries[0].split()[1]) >= 1, "metrics: the emulated 503 was retried")
        check("redial_ticks_total" in metrics and "redial_store_sync_seconds_count" in metrics,
              "metrics: ticks and sync latency")
        stats = get_json(base + "/admin/stats")
        check(stats["by_status"]["max_attempts"] == 1 and stats["last_tick"]["ran"], "stats")

        status, text = http("POST", base + "/admin/backup")
        backup = json.loads(text)
        check(status == 200 and any(f.startswith("redial-queue_") for f in backup["files"]),
              f"backup written ({text.strip()})")
        if status == 200:
            month = next(f for f in backup["files"] if f.startswith("redial-queue_"))
            saved = json.load(open(os.path.join(backup["path"], month)))
            check(saved["A1_5550100001"]["outcomes"] == ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
                  "the backup's month file is in the seed's format and current")

        print("[4] a restart in the middle of a lead's cycle loses nothing")
        status, _ = http("POST", base + "/admin/leads",
                         {"lead_id": "E5", "phone_number": "+15550100005", "list_id": "L3"})
        check(status == 200, "E5 queued")
        wait_for(lambda: records_by_key(base)["E5_5550100005"]["attempts"] >= 1, 15, "E5 attempt 1")
        before = {k: v for k, v in records_by_key(base).items() if k != "E5_5550100005"}
        rc = procs.stop("runner")
        check(rc == 0, f"runner exits 0 on SIGTERM (rc {rc})")
        procs.start("runner", runner_args, runner_env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up again")
        after = records_by_key(base)
        check({k: v for k, v in after.items() if k != "E5_5550100005"} == before,
              "records identical after the restart")
        check(after["E5_5550100005"]["attempts"] >= 1, "E5's first result survived the restart")
        wait_for(lambda: records_by_key(base)["E5_5550100005"]["status"] == "completed", 30,
                 "E5 completed after the restart")
        e5 = records_by_key(base)["E5_5550100005"]
        check(e5["attempts"] == 3 and e5["outcomes"] == ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
              f"E5: 3 attempts, outcomes {e5['outcomes']}")
        calls = get_json(emu + "/emulator/calls")["calls"]
        replay_calls = calls  # the first emulator's log: every call of A1, B2, E5 and F6
        check_dial_times(calls, "E5", 3)
        check(len([c for c in calls if c["lead_id"] in ("A1", "B2", "F6")]) == 9,
              "no lead was dialed again after the restart")

        print("[5] a dial answered after the call time-out is not dialed twice")
        procs.stop("emulator")
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             "6s", "--webhook-secret", SECRET, "--same-number-window", "1s",
                             "--dial-latency", "5s", what="slow emulator up")
        # A short push-back, so that a released call would be redialed at once.
        check(procs.stop("runner") == 0, "runner stopped for the slow-dial phase")
        procs.start("runner", runner_args, dict(runner_env, REDIAL_ACTIVE_CALL_PUSHBACK="1s"))
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up again")
        status, _ = http("POST", base + "/admin/leads",
                         {"lead_id": "G7", "phone_number": "+15550100007", "list_id": "L5"})
        check(status == 200, "G7 queued")
        wait_for(lambda: records_by_key(base)["G7_5550100007"]["attempts"] >= 1, 25,
                 "G7's first result (dial answered after the 3 s call time-out)")
        time.sleep(1)
        slow = sorted((c for c in get_json(emu + "/emulator/calls")["calls"]
                       if c["lead_id"] == "G7"), key=lambda c: c["dialed_at"])
        first_result = min((d["sent_at"] for d in slow[0]["deliveries"]), default=None)
        before = [c for c in slow if first_result is None or c["dialed_at"] < first_result]
        check(first_result is not None and len(before) == 1,
              f"G7 was dialed once before its first result ({len(before)} dials)")
        g7 = records_by_key(base)["G7_5550100007"]
        check(g7["outcomes"][:1] == ["NO_ANSWER"] and g7["last_call_id"] in [c["call_id"] for c in slow],
              f"G7: the slow call's result was recorded ({g7['outcomes']})")

        rc = procs.stop("runner")
        check(rc == 0, f"runner exits 0 on SIGTERM again (rc {rc})")
        data = os.listdir(os.path.join(a.workdir, "data"))
        check(any(n.startswith("redial-queue_") and n.endswith(".json") for n in data),
              f"seed-format month file written at shutdown ({sorted(data)})")
        if a.sim:
            print("[6] redial-sim --from-data replays the runner's data directory")
            check_replay(a.sim, a.workdir, runner_env, replay_calls)
    except Exception as e:  # noqa: BLE001 - report, then fail
        check(False, f"unexpected error: {e!r}")
    finally:
        procs.stop_all()
    print(f"e2e finished in {time.time() - t0:.1f} s")
    if failures:
        procs.tail("runner")
        procs.tail("emulator", 20)
    print(f"e2e checks: {len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
