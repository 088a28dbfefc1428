#!/usr/bin/env python3
"""Several runners, one PostgreSQL queue (issue 8, docs/scaling.md).

N runners share one database; leads are queued through all of their admin APIs; every runner's
dials ask Bland (the emulator) to send the webhook to the NEXT runner, so results are applied by
a runner that did not dial. Some numbers are shared by two leads. Every call ends NO_ANSWER, so
each lead is dialed exactly MAX_ATTEMPTS times. Checks: zero double dials (no two calls to one
number at once, no lead called more than its attempts), zero lost results (every call's id is in
the database), attempts exact, webhooks replayed to another runner are duplicates; every runner's
GET /admin/stats, GET /admin/records/{key} (leads last changed by other runners, one stopped
through runner 0) and /metrics status gauges equal the database's records; prints the
measured ticks/s and durable results/s; exports the database to month files and imports them into a
new database with redial-runner migrate (the same records).
"""
import json
import os
import subprocess
import sys
import time
import urllib.parse

from e2e_test import (API_KEY, Procs, check, free_port, get_json, http, setup, stop_and_report,
                      wait_for, WEBHOOK_PATH)
from pg_helpers import (cluster_url_or_skip, fresh_database, overlapping_calls, psql,
                        runner_env)

MAX_ATTEMPTS = 3


def metric(base, name):
    for line in http("GET", base + "/metrics")[1].splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def main():
    a, script_path = setup({"leads": {}}, lambda ap: (
        ap.add_argument("--pg-state", required=True),
        ap.add_argument("--runners", type=int, default=2),
        ap.add_argument("--leads", type=int, default=60),
        ap.add_argument("--process-interval", default="1s"),
        ap.add_argument("--wait", type=float, default=60)))
    cluster_url = cluster_url_or_skip(a.pg_state)
    url = fresh_database(cluster_url, f"redial_multi{a.runners}")
    n = a.runners
    emu_port = free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    ports = [free_port() for _ in range(n)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    procs = Procs(a.workdir)
    try:
        print("[0] an unreachable database is one error naming the setting, exit code 2")
        bad = subprocess.run([a.runner], capture_output=True, text=True, timeout=30, env=dict(
            os.environ, **runner_env(emu, free_port(), os.path.join(a.workdir, "bad"),
                                     "postgres://redial:pw@127.0.0.1:1/nodb", emu)))
        check(bad.returncode == 2 and "--store (REDIAL_STORE)" in bad.stderr
              and "pw@" not in bad.stderr,
              f"exit {bad.returncode}, the setting named, the password hidden "
              f"({bad.stderr.strip()[-160:]})")

        procs.start_emulator(a.emulator, emu_port, "--webhook-delay", "300ms",
                             "--same-number-window", "0", "--default-outcome", "NO_ANSWER")
        for i in range(n):
            env = runner_env(emu, ports[i], os.path.join(a.workdir, f"data{i}"), url,
                             bases[(i + 1) % n],
                             {"REDIAL_PROCESS_INTERVAL": a.process_interval})
            procs.start(f"runner{i}", [a.runner, "--log-format", "json"], env)
        for i in range(n):
            wait_for(lambda: http("GET", bases[i] + "/healthz")[0] == 200, 15, f"runner{i} up")
        version = psql(url, "SELECT max(version) FROM schema_migrations")[0][0]
        check(version == "3", f"{n} runners started at once migrated the schema once (v{version})")

        print(f"[1] {a.leads} leads queued through the {n} runners' admin APIs")
        # Every tenth lead shares its number with the lead before it.
        leads = []
        for k in range(a.leads):
            num = k - 1 if k % 10 == 9 else k
            leads.append({"lead_id": f"L{k}", "phone_number": f"+1555{num:07d}"})
        t0 = time.time()
        for i in range(n):
            part = leads[i::n]
            status, text = http("POST", bases[i] + "/admin/leads", part)
            check(status == 200 and json.loads(text)["queued"] == len(part),
                  f"runner{i} queued {len(part)} leads ({status})")

        print("[2] every lead dialed to max attempts by the group")
        expected_calls = a.leads * MAX_ATTEMPTS

        def finished():
            return int(psql(url, "SELECT count(*) FROM leads WHERE status = 'max_attempts'")[0][0]) \
                == a.leads
        wait_for(finished, a.wait, "every lead at max_attempts")
        elapsed = time.time() - t0
        calls = get_json(emu + "/emulator/calls")["calls"]
        ids = {c["call_id"] for c in calls}

        print("[3] zero double dials, zero lost results, attempts exact")
        double = overlapping_calls(calls)
        check(not double, f"zero double dials: no two calls to one number at once ({double[:3]})")
        per_lead = {}
        for c in calls:
            per_lead[c["lead_id"]] = per_lead.get(c["lead_id"], 0) + 1
        extra = {k: v for k, v in per_lead.items() if v != MAX_ATTEMPTS}
        check(len(calls) == expected_calls and not extra,
              f"{expected_calls} calls placed, {MAX_ATTEMPTS} per lead (got {len(calls)}; "
              f"off: {list(extra.items())[:5]})")
        stored = {r[0] for r in psql(url, "SELECT call_id FROM call_ids")}
        check(stored == ids, f"zero lost results: every call's result is in the database "
              f"({len(ids - stored)} missing, {len(stored - ids)} unknown)")
        rows = psql(url, "SELECT attempts, count(*) FROM leads GROUP BY attempts")
        check(rows == [[str(MAX_ATTEMPTS), str(a.leads)]],
              f"every lead has exactly {MAX_ATTEMPTS} attempts ({rows})")
        leases = psql(url, "SELECT count(*) FROM phone_leases")[0][0]
        check(leases == "0", f"no number is left leased ({leases})")
        applied_elsewhere = sum(metric(b, "redial_webhooks_total{outcome=\"NO_ANSWER\"}")
                                for b in bases)
        check(applied_elsewhere == expected_calls,
              f"the runners applied {expected_calls} results between them "
              f"({applied_elsewhere:.0f})")

        print("[4] a result replayed to another runner is a duplicate")
        dup_ok = 0
        for c in calls[:10]:
            other = bases[(bases.index(c["request"]["webhook"].split("/webhooks")[0]) + 1) % n]
            status, text = http("POST", other + WEBHOOK_PATH, raw=json.dumps(
                c["webhook_body"]).encode())
            dup_ok += status == 200 and json.loads(text)["result"] == "duplicate"
        check(dup_ok == 10, f"10 replayed webhooks on other runners were duplicates ({dup_ok})")
        rows = psql(url, "SELECT sum(attempts) FROM leads")[0][0]
        check(rows == str(expected_calls), f"attempts unchanged by the replays ({rows})")

        print("[5] every runner's admin API and /metrics show the database, not its own cache")
        # The last result of most leads was applied by a runner that did not dial them; one
        # lead is also stopped through runner 0 and then read on the others.
        stopped = psql(url, "SELECT key FROM leads ORDER BY key LIMIT 1")[0][0]
        status, _ = http("POST", bases[0] + f"/admin/records/{urllib.parse.quote(stopped)}/stop",
                         {"reason": "multi-runner view test"})
        check(status == 200, f"runner0 stopped lead {stopped} ({status})")
        db = {r[0]: json.loads(r[1]) for r in psql(url, "SELECT key, record FROM leads")}
        truth = {}
        for rec in db.values():
            truth[rec["status"]] = truth.get(rec["status"], 0) + 1
        check(db[stopped]["status"] == "completed" and truth.get("max_attempts") == a.leads - 1,
              f"the database holds the stop and {a.leads - 1} max_attempts leads ({truth})")
        gauges = []
        for i, b in enumerate(bases):
            st = get_json(b + "/admin/stats")
            shown = {k: v for k, v in st["by_status"].items() if v}
            check(st["total"] == a.leads and shown == truth,
                  f"runner{i} /admin/stats equals the database ({st['total']} {shown})")
            same = 0
            for key, rec in db.items():
                status, text = http("GET", b + f"/admin/records/{urllib.parse.quote(key)}")
                got = json.loads(text) if status == 200 else {}
                got.pop("key", None)
                got.pop("in_flight", None)
                same += got == rec
            check(same == len(db), f"runner{i} /admin/records/{{key}}: {same} of {len(db)} "
                  f"records equal the database's, {stopped} (stopped on runner0) included")
            gauges.append([metric(b, f'redial_queue_records{{status="{s}"}}')
                           for s in ("pending", "rescheduled", "completed", "max_attempts",
                                     "dnc")])
        check(all(g == [0, 0, 1, a.leads - 1, 0] for g in gauges),
              f"the runners' /metrics status gauges agree with the database ({gauges})")

        print("[6] redial-runner migrate: the database to month files and into a new database")
        export = os.path.join(a.workdir, "export")
        out = subprocess.run([a.runner, "migrate", "--from", url, "--to", export],
                             capture_output=True, text=True, timeout=60)
        check(out.returncode == 0 and f"copied {a.leads} records" in out.stdout,
              f"exported to month files ({out.returncode} {out.stdout.strip()} {out.stderr[-200:]})")
        in_files = 0
        for name in os.listdir(export):
            if name.startswith("redial-queue_") and name.endswith(".json"):
                in_files += len(json.load(open(os.path.join(export, name))))
        check(in_files == a.leads, f"the month files hold the {a.leads} records ({in_files})")
        copy = fresh_database(cluster_url, f"redial_multi{a.runners}_copy")
        out = subprocess.run([a.runner, "migrate", "--from", export, "--to", copy],
                             capture_output=True, text=True, timeout=60)
        dump = "SELECT key, month, record FROM leads ORDER BY key"
        check(out.returncode == 0 and psql(copy, dump) == psql(url, dump),
              f"imported into a new database: the same records ({out.returncode} {out.stderr[-200:]})")
        out = subprocess.run([a.runner, "migrate", "--from", export, "--to", copy],
                             capture_output=True, text=True, timeout=60)
        check(out.returncode == 1 and "already holds" in out.stderr,
              f"a second import into a store with records is refused ({out.returncode})")

        ticks = sum(metric(b, "redial_ticks_total") for b in bases)
        print(f"MEASURED runners={n} leads={a.leads} results={len(stored)} "
              f"seconds={elapsed:.1f} results_per_s={len(stored) / elapsed:.1f} "
              f"ticks={ticks:.0f} ticks_per_s={ticks / elapsed:.1f} double_dials={len(double)}")
    finally:
        code = stop_and_report(procs, *[f"runner{i}" for i in range(n)], "emulator")
    return code


if __name__ == "__main__":
    sys.exit(main())
