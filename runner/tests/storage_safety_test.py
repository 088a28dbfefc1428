#!/usr/bin/env python3
"""Issue 15 (storage): nothing is lost to a wrong clock, a flipped bit or a silent repair.

- A clock 2 months (61 days) or 400 days ahead of the data at start-up: retention refuses
  (logged at error, redial_retention_refused_total, /healthz degraded), every record is still
  there and no file moved. A clock "ahead of the data" is staged as data that old: the runner
  compares its clock with the records' own updated_at, so the two are the same to it, and the
  test needs neither libfaketime nor the hour it runs at.
- A migrated old seed month file (2023-12) beside current data: moved to expired/ byte for byte
  with a warning, never deleted.
- A flipped byte in the last, acknowledged journal line: start-up refuses naming file, byte and
  entry; `redial-runner check` lists it (exit 1); `redial-runner recover` sets it aside into a
  side file (warned), after which start-up goes through. (Every position of the line is covered
  by the core test "a byte flipped at each position of the last journal line ...".)
- `redial-runner check` exit codes: 0 clean, 1 problems, 2 usage / unreadable directory.
"""
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from e2e_test import (API_KEY, Procs, check, failures, free_port, get_json, http, setup,
                      wait_for)

DAY_MS = 86400 * 1000
NY = ZoneInfo("America/New_York")


def now_ms():
    return int(time.time() * 1000)


def month_of(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).astimezone(NY).strftime("%Y-%m")


def record(i, at):
    phone = f"+1555{i:07d}"
    return f"L{i}_{phone[2:]}", {
        "lead_id": f"L{i}", "phone_number": phone, "list_id": "CLOCK", "first_name": "A",
        "last_name": "B", "state": "FL", "attempts": 1, "last_call_timestamp": at,
        "next_redial_timestamp": at + 3600_000, "scheduled_callback_time": None,
        "outcomes": ["VOICEMAIL"], "last_outcome": "VOICEMAIL", "last_call_id": f"c{i}",
        "created_at": at, "updated_at": at, "status": "pending"}


def write_month(data, month, records):
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, f"redial-queue_{month}.json")
    with open(path, "w") as f:
        json.dump(dict(records), f, separators=(",", ":"))
    return path


def snapshot(data):
    out = {}
    for root, _, files in os.walk(data):
        for name in files:
            if name == ".lock":
                continue
            with open(os.path.join(root, name), "rb") as f:
                out[os.path.relpath(os.path.join(root, name), data)] = f.read()
    return out


def runner_env(data, port):
    return {"BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": f"http://127.0.0.1:{free_port()}",
            "REDIAL_PORT": str(port), "REDIAL_DATA_DIR": data, "REDIAL_QUEUE_ENABLED": "false",
            "REDIAL_PUBLIC_WEBHOOK_URL": f"http://127.0.0.1:{port}/webhooks/bland-callback",
            "REDIAL_WEBHOOK_TOKEN": "storage-test-token-0123456789"}


def start(a, procs, name, data):
    port = free_port()
    procs.start(name, [a.runner, "--log-format", "json"], runner_env(data, port))
    base = f"http://127.0.0.1:{port}"
    check(wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 15, name + " up"),
          f"{name}: the runner serves")
    return base


def log_of(a, name):
    with open(os.path.join(a.workdir, name + ".log"), errors="replace") as f:
        return f.read()


def metric(base, name):
    for line in http("GET", base + "/metrics")[1].splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def run(cmd, env=None):
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, env=full, timeout=60)


def clock_ahead(a, procs, days, leads):
    name = f"ahead-{days}d"
    data = os.path.join(a.workdir, name)
    at = now_ms() - days * DAY_MS
    write_month(data, month_of(at), [record(i, at + i) for i in range(leads)])
    before = snapshot(data)
    t0 = time.monotonic()
    base = start(a, procs, name, data)
    health = get_json(base + "/healthz")
    stats = get_json(base + "/admin/stats")
    print(f"[{name}] {leads} leads, up in {time.monotonic() - t0:.2f} s, healthz {health}")
    check(health["status"] == "degraded" and "retention refused" in health["problems"][0],
          f"{name}: /healthz reports degraded with the reason")
    check(stats["total"] == leads, f"{name}: all {leads} records loaded ({stats['total']})")
    check(stats["storage"]["retention"]["refusals"] == 1, f"{name}: /admin/stats counts it")
    check(metric(base, "redial_retention_refused_total") == 1 and
          metric(base, "redial_retention_degraded") == 1, f"{name}: /metrics counts it")
    check(procs.stop(name) == 0, f"{name}: the runner exits 0 on SIGTERM")
    log = log_of(a, name)
    check('"level":"error"' in log and "Retention refused" in log and
          "days after the newest record" in log, f"{name}: the refusal is logged at error")
    after = snapshot(data)
    check(not os.path.exists(os.path.join(data, "expired")), f"{name}: nothing moved to expired/")
    kept = sum(len(json.loads(v)) for k, v in after.items() if k.startswith("redial-queue_2"))
    check(kept == leads and before.keys() <= after.keys(),
          f"{name}: records lost: {leads - kept} of {leads}")
    return leads - kept


def migrated_old_month(a, procs):
    data = os.path.join(a.workdir, "migrated")
    now = now_ms()
    write_month(data, month_of(now), [record(1, now - 60_000)])
    old = write_month(data, "2023-12", [record(i, 1703347200000) for i in range(2, 5)])
    with open(old, "rb") as f:
        old_bytes = f.read()
    base = start(a, procs, "migrated", data)
    health = get_json(base + "/healthz")
    check(health["status"] == "ok", f"migrated: /healthz ok ({health})")
    check(get_json(base + "/admin/stats")["total"] == 1, "migrated: the old month is not served")
    check(procs.stop("migrated") == 0, "migrated: exits 0")
    expired = os.listdir(os.path.join(data, "expired"))
    check(len(expired) == 1 and expired[0].startswith("redial-queue_2023-12.expired-"),
          f"migrated: the old month file is in expired/ ({expired})")
    with open(os.path.join(data, "expired", expired[0]), "rb") as f:
        check(f.read() == old_bytes, "migrated: moved byte for byte, not deleted")
    log = log_of(a, "migrated")
    check('"level":"warning"' in log and "Retention moved old months aside" in log and
          '"months":"2023-12","records":3' in log,
          "migrated: a warning names the month and its 3 records")
    return data


def flipped_journal(a, procs):
    data = os.path.join(a.workdir, "flipped")
    base = start(a, procs, "flipped", data)
    leads = [{"lead_id": f"J{i}", "phone_number": f"+1555020{i:04d}"} for i in range(3)]
    for lead in leads:  # one acknowledged journal line each
        check(http("POST", base + "/admin/leads", lead)[0] == 200, "flipped: lead queued")
    check(procs.stop("flipped", signal.SIGKILL) == -signal.SIGKILL, "flipped: SIGKILLed")
    jpath = os.path.join(data, "redial-queue.journal")
    with open(jpath, "rb") as f:
        journal = f.read()
    last = journal.rindex(b"\n", 0, len(journal) - 1) + 1
    entry = journal.count(b"\n")
    pos = last + (len(journal) - last) // 2
    damaged = bytearray(journal)
    damaged[pos] ^= 0x01
    with open(jpath, "wb") as f:
        f.write(damaged)
    r = run([a.runner], runner_env(data, free_port()))
    out = r.stdout + r.stderr
    check(r.returncode == 1 and "redial-queue.journal" in out and f"byte {last}" in out and
          f"entry {entry}" in out, f"flipped: start-up refuses naming file, byte {last} and "
          f"entry {entry} (exit {r.returncode})")
    with open(jpath, "rb") as f:
        check(f.read() == bytes(damaged), "flipped: the refusal changed nothing")
    c = run([a.runner, "check", data])
    print("[check]", c.stdout.strip().replace("\n", "\n[check] "))
    check(c.returncode == 1 and f"entry {entry}" in c.stdout, "check: lists it, exit 1")
    rec = run([a.runner, "recover", data])
    print("[recover]", (rec.stdout + rec.stderr).strip().replace("\n", "\n[recover] "))
    side = os.path.join(data, f"redial-queue.journal.damaged-{last}")
    check(rec.returncode == 0 and os.path.exists(side) and "Journal bytes set aside" in rec.stdout
          + rec.stderr, "recover: sets the line aside into a side file, with a warning")
    with open(side, "rb") as f:
        check(f.read() == bytes(damaged[last:]), "recover: the side file holds the line")
    base = start(a, procs, "flipped-after", data)
    stats = get_json(base + "/admin/stats")
    check(stats["total"] == 2, f"flipped: after recover 2 of 3 leads load ({stats['total']})")
    check(procs.stop("flipped-after") == 0, "flipped: exits 0")
    check(run([a.runner, "check", data]).returncode == 0, "check: exit 0 once recovered")


def main():
    a, _ = setup({"leads": {}})
    procs = Procs(a.workdir)
    try:
        lost = clock_ahead(a, procs, 61, 40) + clock_ahead(a, procs, 400, 6667)
        migrated = migrated_old_month(a, procs)
        c = run([a.runner, "check", migrated])
        check(c.returncode == 0 and "clean" in c.stdout, f"check: exit 0 on a clean dir ({c.stdout})")
        check(run([a.runner, "check"]).returncode == 2, "check: exit 2 without DATA_DIR")
        check(run([a.runner, "check", os.path.join(a.workdir, "none")]).returncode == 2,
              "check: exit 2 for a directory it cannot read")
        flipped_journal(a, procs)
        print(f"records lost to a wrong clock: {lost}")
    finally:
        procs.stop_all()
    if failures:
        print(f"storage safety test: {len(failures)} check(s) failed")
        sys.exit(1)
    print("storage safety test: OK")


if __name__ == "__main__":
    main()
