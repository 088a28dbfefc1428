#!/usr/bin/env python3
"""A runner killed with calls in flight on a shared PostgreSQL queue (issue 8, docs/scaling.md).

Runner A dials 10 leads whose webhooks Bland loses, so the calls stay in flight on A. Runner B
joins the same database. While A lives (longer than the lease), B dials none of them: A renews its
leases every tick. A is killed (SIGKILL): B dials every one of them once the lease has expired,
and not before (no call earlier than the kill plus the lease, minus A's tick interval).
Runner C (REDIAL_TEST_KILL_AT_DIAL) kills itself mid-tick: its claim and call leases are
committed, no request reached Bland; runner D dials those leads once their leases expired, not
before.
"""
import os
import signal
import sys
import time

from e2e_test import (API_KEY, Procs, check, free_port, get_json, http, setup, stop_and_report,
                      wait_for)
from pg_helpers import cluster_url_or_skip, fresh_database, psql, runner_env

LEADS = 10
LEASE_MS = 4000
KILLED = 5
TICK_MS = 1000


def main():
    script = {"leads": {f"K{k}": [{"outcome": "NO_ANSWER", "webhook": "lost"}, "TRANSFERRED"]
                        for k in range(LEADS)}}
    a, script_path = setup(script, lambda ap: ap.add_argument("--pg-state", required=True))
    url = fresh_database(cluster_url_or_skip(a.pg_state), "redial_lease")
    emu_port, port_a, port_b = free_port(), free_port(), free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    extra = {"REDIAL_LEASE": f"{LEASE_MS}ms", "REDIAL_PROCESS_INTERVAL": f"{TICK_MS}ms",
             "REDIAL_CALL_TIMEOUT": "10m", "REDIAL_MAX_CONCURRENT_CALLS": "20"}
    procs = Procs(a.workdir)
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path,
                             "--webhook-delay", "300ms", "--same-number-window", "0")
        procs.start("runnerA", [a.runner, "--log-format", "json"],
                    runner_env(emu, port_a, os.path.join(a.workdir, "dataA"), url, base_a, extra))
        wait_for(lambda: http("GET", base_a + "/healthz")[0] == 200, 15, "runner A up")

        print("[1] runner A dials every lead; their webhooks are lost")
        leads = [{"lead_id": f"K{k}", "phone_number": f"+1555300{k:04d}"} for k in range(LEADS)]
        check(http("POST", base_a + "/admin/leads", leads)[0] == 200, f"{LEADS} leads queued")
        calls = lambda: get_json(emu + "/emulator/calls")["calls"]
        wait_for(lambda: len(calls()) == LEADS, 15, f"{LEADS} first calls")
        check(all(base_a in c["request"]["webhook"] for c in calls()), "all first calls by A")

        print("[2] runner B joins; while A lives, B dials none of A's calls' numbers")
        procs.start("runnerB", [a.runner, "--log-format", "json"],
                    runner_env(emu, port_b, os.path.join(a.workdir, "dataB"), url, base_b, extra))
        wait_for(lambda: http("GET", base_b + "/healthz")[0] == 200, 15, "runner B up")
        time.sleep(2 * LEASE_MS / 1000)
        check(len(calls()) == LEADS, f"no call placed while A holds the leases for 2 leases' time "
              f"({len(calls()) - LEADS} placed)")

        print("[3] A is killed; B takes the numbers once the lease expired, not before")
        killed_ms = int(time.time() * 1000)
        procs.stop("runnerA", signal.SIGKILL)
        wait_for(lambda: len(calls()) == 2 * LEADS, LEASE_MS / 1000 + 10, "every lead redialed by B")
        second = sorted(calls(), key=lambda c: c["dialed_at"])[LEADS:]
        check(all(base_b in c["request"]["webhook"] for c in second), "the second calls are B's")
        earliest = min(c["dialed_at"] for c in second) - killed_ms
        check(earliest >= LEASE_MS - TICK_MS - 200,
              f"B's first dial came {earliest} ms after the kill (lease {LEASE_MS} ms, A ticked "
              f"every {TICK_MS} ms)")
        check(len({c["lead_id"] for c in second}) == LEADS, "each lead redialed exactly once")
        wait_for(lambda: psql(url, "SELECT count(*) FROM leads WHERE status = 'completed'")[0][0]
                 == str(LEADS), 10, "every lead completed by B's calls")
        left = psql(url, "SELECT owner FROM phone_leases")
        check(not left, f"no lease left behind ({left})")

        print("[4] runner C is killed mid-tick (claim and call leases committed, nothing sent to "
              "Bland); runner D dials those leads after the lease, not before")
        url2 = fresh_database(cluster_url_or_skip(a.pg_state), "redial_lease_kill")
        port_c, port_d = free_port(), free_port()
        base_c, base_d = f"http://127.0.0.1:{port_c}", f"http://127.0.0.1:{port_d}"
        runner_c = procs.start("runnerC", [a.runner, "--log-format", "json"], runner_env(
            emu, port_c, os.path.join(a.workdir, "dataC"), url2, base_c,
            dict(extra, REDIAL_TEST_KILL_AT_DIAL="1")))
        wait_for(lambda: http("GET", base_c + "/healthz")[0] == 200, 15, "runner C up")
        killed = [{"lead_id": f"M{k}", "phone_number": f"+1555400{k:04d}"} for k in range(KILLED)]
        before = len(calls())
        check(http("POST", base_c + "/admin/leads", killed)[0] == 200, f"{KILLED} leads queued on C")
        code = runner_c.wait(timeout=15)
        check(code == -signal.SIGKILL, f"runner C killed itself at its first dial ({code})")
        m_calls = lambda: [c for c in calls() if c["lead_id"].startswith("M")]
        leases = psql(url2, "SELECT phone, lease_until FROM phone_leases WHERE dial_seq IS NOT NULL")
        check(len(leases) == KILLED and not m_calls() and len(calls()) == before,
              f"C's {KILLED} call leases are committed, no call reached Bland ({len(leases)} "
              f"leases, {len(m_calls())} calls)")
        # Leases name the normalized number (10 digits); the emulator shows it as dialed (+1...).
        lease_until = {"+1" + phone: int(until) for phone, until in leases}
        procs.start("runnerD", [a.runner, "--log-format", "json"],
                    runner_env(emu, port_d, os.path.join(a.workdir, "dataD"), url2, base_d, extra))
        wait_for(lambda: http("GET", base_d + "/healthz")[0] == 200, 15, "runner D up")
        wait_for(lambda: len(m_calls()) == KILLED, LEASE_MS / 1000 + 10, "every lead dialed by D")
        early = [(c["lead_id"], c["dialed_at"] - lease_until[c["phone_number"]])
                 for c in m_calls() if c["dialed_at"] < lease_until.get(c["phone_number"], 0)]
        check(all(c["phone_number"] in lease_until and base_d in c["request"]["webhook"]
                  for c in m_calls()) and not early,
              f"D dialed each of C's numbers only after its lease expired (early: {early})")
        check(len({c["lead_id"] for c in m_calls()}) == KILLED, "each lead dialed exactly once")
    finally:
        code = stop_and_report(procs, "runnerA", "runnerB", "runnerC", "runnerD", "emulator")
    return code


if __name__ == "__main__":
    sys.exit(main())
