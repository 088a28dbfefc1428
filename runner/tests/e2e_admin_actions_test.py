#!/usr/bin/env python3
"""End-to-end test of the operators' admin actions (issue 16): bland-emulator + redial-runner.

[1] With --admin-token, a request without the token (or with a wrong one) gets 401.
[2] GET /admin/config shows the effective settings and hides every credential.
[3] POST /admin/records/{key}/pause stops a lead's dials; resume dials it again; 409 for a
    resume of a lead that is not paused; 404 for an unknown key.
[4] DELETE /admin/records/{key} without a reason is 400 and deletes nothing; with one, the lead
    is gone and the journal and the log keep the reason.
[5] POST /admin/dnc stops a lead's dials at once (status dnc); a bad number is 400;
    DELETE /admin/dnc/{phone} removes a number (404 the second time) and its lead is dialed.
[6] POST /admin/queue {"enabled": false} stops every dial; it survives a restart (as the
    do-not-call number does, applied to a new lead); enabled again, dials resume.
"""
import json
import os
import sys
import time

from e2e_test import (API_KEY, Procs, check, failures, free_port, get_json, http, passes,
                      setup, stop_and_report, wait_for)

TOKEN = "e2e-admin-token-0123456789"
AUTH = {"authorization": "Bearer " + TOKEN}


class Runner:
    def __init__(self, procs, args, emu):
        self.procs, self.args, self.emu = procs, args, emu
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = os.path.join(args.workdir, "data")
        self.log_file = os.path.join(args.workdir, "runner-log.jsonl")

    def start(self):
        env = {
            "BLAND_API_KEY": API_KEY,
            "BLAND_BASE_URL": self.emu,
            "REDIAL_ADMIN_TOKEN": TOKEN,
            "REDIAL_PORT": str(self.port),
            "REDIAL_DATA_DIR": self.data_dir,
            "REDIAL_PROCESS_INTERVAL": "1s",
            "REDIAL_MIN_WAIT": "0",
            "REDIAL_PROGRESSIVE_INTERVALS": "1s",
            "REDIAL_MAX_ATTEMPTS": "100",
            "REDIAL_BUSINESS_HOURS_START": "00:00",
            "REDIAL_BUSINESS_HOURS_END": "24:00",
            # Runs at any hour and redials within seconds (rules are tested in core).
            "REDIAL_FEDERAL_WINDOW": "false",
            "REDIAL_MIN_CALL_GAP": "0",
            "REDIAL_READY_WINDOW_DAYS": "0",
            "REDIAL_ACTIVE_CALL_PUSHBACK": "1s",
            "REDIAL_CALL_TIMEOUT": "2s",
            "REDIAL_LOG_FILE": self.log_file,
        }
        self.procs.start("runner", [self.args.runner, "--log-format", "json"], env)
        wait_for(lambda: http("GET", self.base + "/healthz")[0] == 200, 10, "runner up")

    def stop(self):
        rc = self.procs.stop("runner")
        check(rc == 0, f"the runner exits 0 on SIGTERM (rc {rc})")

    def admin(self, method, path, body=None):
        status, text = http(method, self.base + path, body, headers=dict(AUTH))
        try:
            return status, json.loads(text)
        except ValueError:
            return status, {"raw": text}

    def record(self, key):
        return self.admin("GET", "/admin/records/" + key)[1]


def calls_to(emu, lead_id):
    return len([c for c in get_json(emu + "/emulator/calls")["calls"] if c["lead_id"] == lead_id])


def all_calls(emu):
    return len(get_json(emu + "/emulator/calls")["calls"])


def lead(lead_id, phone, **extra):
    return dict({"lead_id": lead_id, "phone_number": phone, "list_id": "ADM"}, **extra)


def log_lines(path):
    out = []
    for line in open(path, errors="replace").read().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def check_auth_and_config(run):
    print("[1] the admin token is required")
    status, _ = http("GET", run.base + "/admin/queue")
    check(status == 401, f"no token: 401 ({status})")
    status, _ = http("GET", run.base + "/admin/config", headers={"authorization": "Bearer x"})
    check(status == 401, f"wrong token: 401 ({status})")
    status, _ = http("POST", run.base + "/admin/queue", {"enabled": False})
    check(status == 401 and run.admin("GET", "/admin/queue")[1].get("enabled") is True,
          f"a switch-off without the token is refused and changes nothing ({status})")

    print("[2] GET /admin/config hides credentials")
    status, text = http("GET", run.base + "/admin/config", headers=dict(AUTH))
    cfg = json.loads(text) if status == 200 else {}
    check(status == 200 and cfg.get("max_attempts") == 100 and cfg.get("port") == run.port,
          f"effective settings shown ({status}, max_attempts {cfg.get('max_attempts')})")
    check(cfg.get("bland_api_key") == "***" and cfg.get("admin_token") == "***"
          and cfg.get("webhook_token") == "***" and cfg.get("webhook_secret") is None,
          f"credentials are *** when set, null when not ({cfg.get('bland_api_key')}, "
          f"{cfg.get('admin_token')}, {cfg.get('webhook_token')}, {cfg.get('webhook_secret')})")
    token_file = open(os.path.join(run.data_dir, "webhook.token")).read().strip()
    check(API_KEY not in text and TOKEN not in text and token_file not in text,
          "no credential's value appears anywhere in the answer")


def check_pause_resume(run, emu):
    print("[3] pause and resume")
    key = "P1_5550400001"
    wait_for(lambda: calls_to(emu, "P1") >= 2, 15, "P1 redialed")
    status, rec = run.admin("POST", f"/admin/records/{key}/pause", {"reason": "customer away"})
    check(status == 200 and rec.get("status") == "paused"
          and rec.get("hold_reason") == "paused by an operator: customer away",
          f"pause answers the record, status paused ({status} {rec.get('status')})")
    time.sleep(1.5)  # a call in flight at the pause may still end; its result is recorded
    before = calls_to(emu, "P1")
    time.sleep(3)
    check(calls_to(emu, "P1") == before, f"no dial while paused ({before} calls, then "
                                         f"{calls_to(emu, 'P1')})")
    check(run.record(key).get("status") == "paused", "still paused after results and ticks")
    stats = run.admin("GET", "/admin/stats")[1]
    check(stats["by_status"].get("paused") == 1, f"stats count it ({stats['by_status']})")
    status, rec = run.admin("POST", f"/admin/records/{key}/pause", {})
    check(status == 409 and "paused already" in rec.get("error", ""),
          f"pausing twice is 409 ({status} {rec})")
    status, rec = run.admin("POST", f"/admin/records/{key}/resume")
    check(status == 200 and rec.get("status") == "pending" and "hold_reason" not in rec,
          f"resume: back to pending ({status} {rec.get('status')})")
    wait_for(lambda: calls_to(emu, "P1") > before, 10, "P1 dialed again after resume")
    status, rec = run.admin("POST", f"/admin/records/{key}/resume")
    check(status == 409 and "not paused" in rec.get("error", ""),
          f"resume of a lead that is not paused: 409 ({status} {rec})")
    status, rec = run.admin("POST", "/admin/records/nope_5550000000/pause")
    check(status == 404, f"unknown key: 404 ({status} {rec})")
    status, rec = run.admin("POST", f"/admin/records/{key}/pause", {"reason": 7})
    check(status == 400 and "reason" in rec.get("error", ""), f"a bad reason: 400 ({rec})")


def check_delete(run):
    print("[4] delete")
    key = "X1_5550400002"
    for body in (None, {}, {"reason": "  "}):
        status, rec = run.admin("DELETE", "/admin/records/" + key, body)
        check(status == 400 and rec.get("error", "").startswith("reason:"),
              f"delete without a reason ({body}): 400 naming the field ({status} {rec})")
    status, rec = run.admin("GET", "/admin/records/" + key)
    check(status == 200 and rec.get("lead_id") == "X1", f"nothing was deleted ({status})")
    status, _ = run.admin("DELETE", "/admin/records/nope_5550000000", {"reason": "x"})
    check(status == 404, f"unknown key: 404 ({status})")
    status, rec = run.admin("DELETE", "/admin/records/" + key, {"reason": "entered twice"})
    check(status == 200 and rec == {"deleted": key, "reason": "entered twice"},
          f"delete with a reason ({status} {rec})")
    status, _ = run.admin("GET", "/admin/records/" + key)
    check(status == 404, f"the record is gone ({status})")
    journal = open(os.path.join(run.data_dir, "redial-queue.journal")).read()
    check('"t":"del"' in journal and '"why":"entered twice"' in journal,
          "the journal keeps the deletion and its reason")
    logged = [l for l in log_lines(run.log_file) if l.get("msg") == "Lead deleted"]
    check(len(logged) == 1 and logged[0].get("fields", {}).get("reason") == "entered twice",
          f"the log keeps it too ({logged})")


def check_dnc(run, emu):
    print("[5] do-not-call numbers added and removed")
    wait_for(lambda: calls_to(emu, "D1") >= 1, 15, "D1 dialed")
    status, rec = run.admin("POST", "/admin/dnc", {"phone": "(555) 040-0003", "reason": "asked"})
    check(status == 200 and rec.get("phone") == "+15550400003" and rec.get("leads_marked") == 1,
          f"number added, its open lead marked ({status} {rec})")
    check(run.record("D1_5550400003").get("status") == "dnc", "D1 is dnc at once")
    time.sleep(1.5)
    before = calls_to(emu, "D1")
    time.sleep(2.5)
    check(calls_to(emu, "D1") == before, f"D1 is never dialed again ({before} calls)")
    status, rec = run.admin("POST", "/admin/dnc", {"phone": "12", "reason": "x"})
    check(status == 400 and rec.get("error", "").startswith("phone: \"12\" is not"),
          f"a bad number: 400 naming the field ({status} {rec})")
    status, rec = run.admin("POST", "/admin/dnc", {"phone": "5550400009"})
    check(status == 200 and rec.get("leads_marked") == 0, f"a number with no lead ({rec})")
    status, rec = run.admin("DELETE", "/admin/dnc/555-040-0009")
    check(status == 200 and rec.get("removed") == "+15550400009", f"removed ({status} {rec})")
    status, rec = run.admin("DELETE", "/admin/dnc/5550400009")
    check(status == 404, f"removed twice: 404 ({status} {rec})")
    listed = run.admin("GET", "/admin/dnc")[1]
    check([n["phone"] for n in listed.get("numbers", [])] == ["+15550400003"]
          and listed.get("files") == [], f"GET /admin/dnc lists what is left ({listed})")
    status, _ = run.admin("POST", "/admin/leads", lead("N1", "+15550400009"))
    wait_for(lambda: calls_to(emu, "N1") >= 1, 10, "N1 (its number removed) dialed")


def check_queue_switch(run, emu):
    print("[6] the queue switch, across a restart")
    status, rec = run.admin("POST", "/admin/queue", {"enabled": "no"})
    check(status == 400 and rec.get("error", "").startswith("enabled:"),
          f"a bad switch: 400 naming the field ({status} {rec})")
    status, rec = run.admin("POST", "/admin/queue", {"enabled": False, "reason": "carrier down"})
    check(status == 200 and rec.get("enabled") is False and rec.get("reason") == "carrier down"
          and isinstance(rec.get("changed_at"), int), f"switched off ({status} {rec})")
    check(run.admin("GET", "/admin/stats")[1].get("queue", {}).get("enabled") is False,
          "stats show the queue off")
    time.sleep(1.5)
    before = all_calls(emu)
    time.sleep(3)
    check(all_calls(emu) == before, f"no dial at all while off ({before} calls)")
    run.stop()
    run.start()
    q = run.admin("GET", "/admin/queue")[1]
    check(q.get("enabled") is False and q.get("reason") == "carrier down",
          f"still off after a restart ({q})")
    listed = run.admin("GET", "/admin/dnc")[1]
    check([n["phone"] for n in listed.get("numbers", [])] == ["+15550400003"]
          and listed["numbers"][0]["reason"] == "asked",
          f"the do-not-call number survived the restart ({listed})")
    run.admin("POST", "/admin/leads", lead("D2", "+1 555 040 0003"))
    check(run.record("D2_5550400003").get("status") == "dnc",
          "a new lead with that number is dnc at once")
    time.sleep(3)
    check(all_calls(emu) == before, f"no dial after the restart either ({all_calls(emu)})")
    status, rec = run.admin("POST", "/admin/queue", {"enabled": True})
    check(status == 200 and rec.get("enabled") is True and rec.get("reason") is None,
          f"switched on ({status} {rec})")
    wait_for(lambda: all_calls(emu) > before, 10, "dials resume")
    check(calls_to(emu, "D2") == 0, "D2 is never dialed")


def main():
    a, script_path = setup({"leads": {}})
    emu_port = free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    procs = Procs(a.workdir)
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             "200ms", "--same-number-window", "0", "--default-outcome",
                             "VOICEMAIL")
        run = Runner(procs, a, emu)
        run.start()
        check_auth_and_config(run)
        far = int(time.time() * 1000) + 86400 * 1000  # never due during the test
        status, rec = run.admin("POST", "/admin/leads",
                                [lead("P1", "+15550400001"), lead("X1", "+15550400002", dial_at=far),
                                 lead("D1", "+15550400003")])
        check(status == 200 and rec.get("queued") == 3, f"leads queued ({status} {rec})")
        check_pause_resume(run, emu)
        check_delete(run)
        check_dnc(run, emu)
        check_queue_switch(run, emu)
        run.stop()
    except Exception as e:  # a crash of the test itself is a failure, with the logs shown
        check(False, f"test raised {type(e).__name__}: {e}")
    return stop_and_report(procs, "runner", "emulator")


if __name__ == "__main__":
    sys.exit(main())
