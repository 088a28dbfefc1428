#!/usr/bin/env python3
"""Bounded load test: redial-runner (fsync on, processing off) takes --rate webhooks/s for
--duration seconds from a paced loopback client (--connections keep-alive connections, each
sending on its own schedule, catching up when behind). Every webhook has a new call id.

Passes when: no error (every answer 200, no connection error), the rate held (at least 95 % of
--rate over the run), and every acknowledged result is in the store (per lead, attempts equal the
acknowledged call ids). Prints the figures recorded in docs/reliability.md.
"""
import http.client as httpc
import json
import os
import sys
import threading
import time

from e2e_test import (WEBHOOK_PATH, WEBHOOK_TOKEN, Procs, check, free_port, get_json, http, setup,
                      stop_and_report, wait_for)

LEADS = 5000


def body(lead, call_id):
    phone = f"+1555060{lead:04d}"
    return json.dumps({
        "call_id": call_id, "to": phone, "status": "completed", "answered_by": "voicemail",
        "metadata": {"lead_id": f"L{lead}", "phone_number": phone, "list_id": "LOAD"}})


def main():
    a, _ = setup({"leads": {}}, lambda ap: (
        ap.add_argument("--rate", type=int, default=1000),
        ap.add_argument("--duration", type=float, default=60),
        ap.add_argument("--connections", type=int, default=32)))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"REDIAL_QUEUE_ENABLED": "false", "BLAND_BASE_URL": "http://127.0.0.1:9",
           "REDIAL_PORT": str(port), "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"),
           "REDIAL_FSYNC": "true", "REDIAL_LOG_LEVEL": "warn", "REDIAL_WEBHOOK_TOKEN": WEBHOOK_TOKEN}
    procs = Procs(a.workdir)
    conns = a.connections
    period = conns / a.rate  # each connection's gap between sends
    lock = threading.Lock()
    acked = {}  # lead -> count of 200s (each with a new call id)
    latencies, errors = [], []

    def worker(tid, start):
        conn = httpc.HTTPConnection("127.0.0.1", port, timeout=10)
        lat, n = [], 0
        end = start + a.duration
        while True:
            due = start + (tid / conns + n) * period
            if due >= end:
                break
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            lead = (tid + n * conns) % LEADS
            t = time.monotonic()
            try:
                conn.request("POST", WEBHOOK_PATH, body(lead, f"load-{tid}-{n}"),
                             {"Content-Type": "application/json"})
                r = conn.getresponse()
                text = r.read()
                lat.append(time.monotonic() - t)
                with lock:
                    if r.status == 200:
                        acked[lead] = acked.get(lead, 0) + 1
                    else:
                        errors.append(f"{r.status} {text[:100]!r}")
            except (OSError, httpc.HTTPException) as e:
                with lock:
                    errors.append(str(e))
                conn.close()
                conn = httpc.HTTPConnection("127.0.0.1", port, timeout=10)
            n += 1
        with lock:
            latencies.extend(lat)

    try:
        procs.start("runner", [a.runner], env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")
        print(f"load: {a.rate} webhooks/s for {a.duration:.0f} s over {conns} connections")
        start = time.monotonic() + 0.2
        threads = [threading.Thread(target=worker, args=(t, start)) for t in range(conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        done = len(latencies)
        total_acked = sum(acked.values())
        rate = done / elapsed
        lat = sorted(latencies)
        p50 = lat[len(lat) // 2] * 1000 if lat else 0
        p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else 0
        check(not errors, f"no errors ({len(errors)}; first {errors[:2]})")
        check(rate >= 0.95 * a.rate, f"rate held: {rate:.0f}/s of {a.rate}/s")
        records = get_json(base + "/admin/records?list_id=LOAD&limit=10000")["records"]
        found = {int(r["lead_id"][1:]): r["attempts"] for r in records}
        missing = [k for k, n in acked.items() if found.get(k) != n]
        check(not missing and sum(found.values()) == total_acked,
              f"every acknowledged result stored: {total_acked} acknowledged, "
              f"{sum(found.values())} found")
        print(f"figures: {done} webhooks in {elapsed:.1f} s = {rate:.0f}/s (target {a.rate}/s), "
              f"errors {len(errors)}, acknowledged {total_acked}, found {sum(found.values())}, "
              f"latency p50 {p50:.1f} ms p99 {p99:.1f} ms max {lat[-1] * 1000:.1f} ms")
        rc = procs.stop("runner")
        check(rc == 0, f"runner exits 0 on SIGTERM (rc {rc})")
    finally:
        code = stop_and_report(procs, "runner")
    return code


if __name__ == "__main__":
    sys.exit(main())
