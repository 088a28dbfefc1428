#!/usr/bin/env python3
"""Disk faults at the HTTP level: redial-runner with REDIAL_TEST_FAULTS_FILE (test-only) whose
store fails fsync, writes (ENOSPC, short write) or renames on command.

For each fault: every webhook whose result could not be made durable gets 503 with a JSON reason
(never 200), the journal and the last good month file are unchanged on disk, the runner stays up
on the same port, and once the fault is cleared the sender's retry gets 200 and is stored exactly
once. At the end a SIGTERM restart loads the files without error and finds every acknowledged
result.
"""
import concurrent.futures
import json
import os
import signal
import sys
import time

from e2e_test import (API_KEY, Procs, check, free_port, get_json, http, setup, wait_for,
                      stop_and_report, WEBHOOK_PATH, WEBHOOK_TOKEN)


def webhook(lead, call_id):
    phone = f"+1555030{lead:04d}"
    return {"call_id": call_id, "to": phone, "status": "completed", "answered_by": "voicemail",
            "metadata": {"lead_id": f"F{lead}", "phone_number": phone, "list_id": "FAULT"}}


def key(lead):
    return f"F{lead}_555030{lead:04d}"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def reload_with_dials(a, procs, control, set_fault):
    """A fault while dial requests are outstanding: the reload drops them, the dials stay
    journaled in flight, so each lead is dialed once and its result still arrives."""
    print("[dials] a store fault while dial requests to Bland are outstanding")
    emu_port, port = free_port(), free_port()
    emu, base = f"http://127.0.0.1:{emu_port}", f"http://127.0.0.1:{port}"
    script = os.path.join(a.workdir, "script.json")
    procs.start("emulator", [a.emulator, "--port", str(emu_port), "--api-key", API_KEY,
                             "--script", script, "--webhook-delay", "500ms",
                             "--dial-latency", "1500ms", "--default-outcome", "TRANSFERRED"])
    env = {"BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": emu, "REDIAL_PORT": str(port),
           "REDIAL_PUBLIC_WEBHOOK_URL": base + "/webhooks/bland-callback",
           "REDIAL_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
           "REDIAL_DATA_DIR": os.path.join(a.workdir, "data-dials"),
           "REDIAL_PROCESS_INTERVAL": "1s", "REDIAL_BUSINESS_HOURS_START": "00:00",
           "REDIAL_BUSINESS_HOURS_END": "24:00", "REDIAL_CALL_TIMEOUT": "20s",
           "REDIAL_READY_WINDOW_DAYS": "2",  # a run across midnight keeps its leads
           # Dials at any hour (the calling rules are tested in core and scenarios).
           "REDIAL_FEDERAL_WINDOW": "false", "REDIAL_MIN_CALL_GAP": "0",
           "REDIAL_TEST_FAULTS_FILE": control}
    set_fault("none")
    procs.start("runner-dials", [a.runner, "--log-format", "json"], env)
    wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")
    leads = [{"lead_id": f"G{i}", "phone_number": f"+1555031{i:04d}"} for i in range(3)]
    check(http("POST", base + "/admin/leads", leads)[0] == 200, "3 leads queued for dialing")
    wait_for(lambda: len(get_json(emu + "/emulator/calls")["calls"]) == 3, 10, "3 dials sent")
    set_fault("fsync")  # the dial answers are still held by the emulator
    status, _ = http("POST", base + WEBHOOK_PATH, webhook(9, "c-dial"))
    check(status == 503, f"dials: a webhook during the fault gets 503 ({status})")
    set_fault("none")

    def done():
        recs = get_json(base + "/admin/records?limit=100")["records"]
        return len(recs) == 3 and all(r["status"] == "completed" for r in recs)
    check(wait_for(done, 20, "the 3 leads completed"),
          "dials: after the reload, the 3 calls' results arrive and complete their leads")
    calls = get_json(emu + "/emulator/calls")["calls"]
    check(len(calls) == 3 and len({c["phone_number"] for c in calls}) == 3,
          f"dials: each lead dialed exactly once ({len(calls)} dials)")
    check(procs.stop("runner-dials") == 0, "dials: the runner exits 0 on SIGTERM")


def main():
    a, _ = setup({"leads": {}})
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hook = base + WEBHOOK_PATH
    data = os.path.join(a.workdir, "data")
    control = os.path.join(a.workdir, "faults")
    journal = os.path.join(data, "redial-queue.journal")
    env = {
        "REDIAL_QUEUE_ENABLED": "false",
        "REDIAL_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "BLAND_BASE_URL": "http://127.0.0.1:9",
        "REDIAL_PORT": str(port),
        "REDIAL_DATA_DIR": data,
        "REDIAL_BACKUP_DIR": os.path.join(a.workdir, "backups"),
        "REDIAL_FSYNC": "true",
        "REDIAL_TEST_FAULTS_FILE": control,
    }
    procs = Procs(a.workdir)
    acked = {}  # key -> call ids answered 200

    def post(lead, call_id):
        try:
            status, text = http("POST", hook, webhook(lead, call_id))
        except OSError as e:  # refused or reset while the runner reloads its store
            return 0, str(e)
        if status == 200:
            acked.setdefault(key(lead), set()).add(call_id)
        return status, text

    def set_fault(spec):
        with open(control + ".new", "w") as f:
            f.write(spec)
        os.replace(control + ".new", control)

    try:
        procs.start("runner", [a.runner, "--log-format", "json"], env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")
        status, _ = post(1, "c-1")
        check(status == 200, "a webhook before any fault gets 200")
        status, text = http("POST", base + "/admin/backup")
        check(status == 200, f"a checkpoint writes the month file ({status})")
        months = [f for f in os.listdir(data) if f.startswith("redial-queue_")]
        check(len(months) == 1, f"one month file ({months})")
        month = os.path.join(data, months[0])

        for n, fault in enumerate(["fsync", "enospc", "short-write"], start=2):
            print(f"[{fault}] a webhook while the journal's {fault} fails")
            journal_before, month_before = read(journal), read(month)
            set_fault(fault)
            status, text = post(n, f"c-{n}")
            check(status == 503 and "error" in json.loads(text),
                  f"{fault}: the webhook gets 503 with a JSON reason ({status} {text.strip()})")
            # While the fault holds, concurrent senders: each answer is a 503 or, while the
            # runner reloads, a refused connection; never a 200. A slow machine (sanitizers) can
            # send all 8 inside the reload: then another round, up to 5, each with new call ids.
            answers = []
            for r in range(5):
                with concurrent.futures.ThreadPoolExecutor(8) as pool:
                    answers += list(pool.map(
                        lambda i: post(100 + n * 10 + i, f"c-{n}-{r}-{i}"), range(8)))
                if any(s == 503 for s, _ in answers):
                    break
                time.sleep(0.2)
            codes = sorted({s for s, _ in answers})
            check(200 not in codes and 503 in codes,
                  f"{fault}: concurrent webhooks (rounds of 8): no 200, 503s ({[s for s, _ in answers]})")
            check(read(journal) == journal_before, f"{fault}: journal unchanged on disk")
            check(read(month) == month_before, f"{fault}: last good month file unchanged")
            set_fault("none")
            ok = wait_for(lambda: post(n, f"c-{n}")[0] == 200, 15, f"{fault}: retry succeeds")
            check(ok, f"{fault}: after the fault clears, the retry gets 200 on the same port")
            rec = get_json(base + f"/admin/records/{key(n)}")
            check(rec["attempts"] == 1, f"{fault}: the retried result is stored once "
                                        f"(attempts {rec['attempts']})")
            check(http("GET", base + f"/admin/records/{key(100 + n * 10)}")[0] == 404,
                  f"{fault}: a result answered 503 and never retried is not in memory")

        print("[rename] a checkpoint whose rename fails")
        post(1, "c-1b")
        journal_before, month_before = read(journal), read(month)
        set_fault("rename")
        status, text = http("POST", base + "/admin/backup")
        check(status == 503 and "error" in json.loads(text),
              f"rename: the checkpoint gets 503 ({status} {text.strip()[:80]})")
        check(read(month) == month_before, "rename: last good month file unchanged")
        check(read(journal) == journal_before, "rename: journal unchanged (it holds every result)")
        check(not [f for f in os.listdir(data) if f.endswith(".tmp")], "rename: no .tmp left")
        set_fault("none")
        # While it reloads, the admin API answers 503 too (memory may be ahead of the disk).
        wait_for(lambda: http("GET", base + f"/admin/records/{key(1)}")[0] == 200, 10,
                 "runner reloaded")
        rec = get_json(base + f"/admin/records/{key(1)}")
        check(rec["attempts"] == 2, f"rename: the acknowledged result survived ({rec['attempts']})")
        status, _ = http("POST", base + "/admin/backup")
        check(status == 200, "rename: after the fault clears the checkpoint succeeds")
        check(read(month) != month_before, "rename: then the month file has the new results")

        print("[restart] a clean restart finds exactly the acknowledged results")
        rc = procs.stop("runner")
        check(rc == 0, f"runner exits 0 on SIGTERM after the faults (rc {rc})")
        env.pop("REDIAL_TEST_FAULTS_FILE")
        procs.start("runner", [a.runner, "--log-format", "json"], env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner restarts")
        recs = {r["key"]: r for r in get_json(base + "/admin/records?limit=1000")["records"]}
        check(set(recs) == set(acked), f"records are exactly the acknowledged keys ({len(recs)})")
        check(all(recs[k]["attempts"] == len(ids) for k, ids in acked.items() if k in recs),
              "each record's attempts equal its acknowledged call ids")
        log = open(os.path.join(a.workdir, "runner.log"), errors="replace").read()
        check(log.count("Store write failed") >= 4, "the log names each store fault")
        procs.stop("runner")
        reload_with_dials(a, procs, control, set_fault)
    finally:
        code = stop_and_report(procs, "runner")
    return code


if __name__ == "__main__":
    sys.exit(main())
