#!/usr/bin/env python3
"""No acknowledged result is ever lost with several runners on one database (issue 20,
docs/scaling.md "No lost result").

N runners share one PostgreSQL database, processing off (only results change leads). In every
round the same results go to different runners at the same moment: one result per runner for
each of a batch of NEW leads (the lead's row does not exist yet), the same for leads created in
earlier rounds, and for some leads the SAME call id to two runners. The runners' lists are in
the same order, shuffled within small windows, so a group commit holds leads in an order the
other runners do not share. In the middle round one runner is SIGKILLed while its batch is in
flight (half of its results answered), then started again; what it did not answer is sent again
to another runner (as Bland redelivers). Every result of round k carries the outcome ROUND_k.

Afterwards, for every lead: attempts (column and record) equal the distinct call ids recorded
for it, every call id answered 200 is among them, none is unknown, the outcomes are as many and
in round order, the last call id is one of them; a call id sent to two runners was recorded once
(one 'created'/'updated' answer, one 'duplicate'); every answer was 200 (no deadlock, no 503),
except connections the SIGKILL cut. Prints the figures (FIGURES ...) and fails on any loss.
"""
import http.client as httpclient
import json
import os
import random
import signal
import sys
import threading
import time

from e2e_test import (Procs, check, free_port, http, setup, stop_and_report, wait_for,
                      WEBHOOK_PATH)
from pg_helpers import cluster_url_or_skip, fresh_database, psql, runner_env

THREADS_PER_RUNNER = 4  # connections per runner: results arrive together, group commits form


def body(lead, call_id, rnd):
    phone = f"+1555{lead:07d}"
    return json.dumps({"call_id": call_id, "to": phone, "status": "completed",
                       "metadata": {"lead_id": f"C{lead}", "phone_number": phone,
                                    "outcome": f"ROUND_{rnd}"}}).encode()


class Sender:
    """Posts jobs (lead, call_id, round) to one runner over keep-alive connections; records
    every answer. A cut connection leaves the job in `unanswered`."""

    def __init__(self, base, answers, lock):
        self.host, self.port = base.split("//")[1].split(":")
        self.answers, self.lock = answers, lock
        self.answered = 0  # jobs of this sender answered so far

    def post(self, conn, job):
        lead, call_id, rnd = job
        for _ in range(20):
            try:
                if conn[0] is None:
                    conn[0] = httpclient.HTTPConnection(self.host, int(self.port), timeout=20)
                conn[0].request("POST", WEBHOOK_PATH, body(lead, call_id, rnd),
                                {"Content-Type": "application/json"})
                r = conn[0].getresponse()
                text = r.read().decode()
            except (OSError, httpclient.HTTPException):
                conn[0] = None
                return False
            with self.lock:
                self.answers.append((job, r.status, text))
                self.answered += r.status != 503
            if r.status != 503:
                return True
            time.sleep(0.05)  # a 503 is retried, as Bland does
        return True

    def run(self, jobs, unanswered, start):
        parts = [jobs[i::THREADS_PER_RUNNER] for i in range(THREADS_PER_RUNNER)]

        def worker(part):
            conn = [None]
            start.wait()
            for job in part:
                if not self.post(conn, job):
                    with self.lock:
                        unanswered.append(job)
        ts = [threading.Thread(target=worker, args=(p,)) for p in parts]
        for t in ts:
            t.start()
        return ts


def round_jobs(n, rnd, new_leads, old_leads, same_id_leads, rng):
    """One list per runner: the same leads in the same order (shuffled in windows of 8)."""
    lists = [[] for _ in range(n)]
    order = [("new", k) for k in new_leads] + [("old", k) for k in old_leads] + \
            [("same", k) for k in same_id_leads]
    rng.shuffle(order)
    for kind, k in order:
        for i in range(n):
            cid = f"r{rnd}-{k}" if kind == "same" and i < 2 else f"r{rnd}-{k}-{i}"
            if kind == "same" and i >= 2:
                continue
            lists[i].append((k, cid, rnd))
    for lst in lists:
        for w in range(0, len(lst), 8):
            window = lst[w:w + 8]
            rng.shuffle(window)
            lst[w:w + 8] = window
    return lists


def main():
    a, _ = setup({"leads": {}}, lambda ap: (
        ap.add_argument("--pg-state", required=True),
        ap.add_argument("--runners", type=int, default=2),
        ap.add_argument("--rounds", type=int, default=6),
        ap.add_argument("--new-leads", type=int, default=150),
        ap.add_argument("--old-leads", type=int, default=100),
        ap.add_argument("--same-id-leads", type=int, default=20),
        ap.add_argument("--no-kill", action="store_true"),
        ap.add_argument("--seed", type=int, default=20)))
    cluster_url = cluster_url_or_skip(a.pg_state)
    n = a.runners
    url = fresh_database(cluster_url, f"redial_conc{n}")
    ports = [free_port() for _ in range(n)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    procs = Procs(a.workdir)
    outcomes = ",".join(f"ROUND_{k}" for k in range(1, a.rounds + 1))
    envs = [runner_env("http://127.0.0.1:9", ports[i], os.path.join(a.workdir, f"data{i}"), url,
                       bases[i], {"REDIAL_QUEUE_ENABLED": "false", "REDIAL_MAX_ATTEMPTS": "1000",
                                  "REDIAL_EXTRA_OUTCOMES": outcomes}) for i in range(n)]

    def start(i):
        procs.start(f"runner{i}", [a.runner, "--log-format", "json"], envs[i])
        wait_for(lambda: http("GET", bases[i] + "/healthz")[0] == 200, 30, f"runner{i} up")

    rng = random.Random(a.seed)
    answers, unanswered, lock = [], [], threading.Lock()
    sent = {}  # call id -> lead
    try:
        for i in range(n):
            start(i)
        deadlocks0 = int(psql(url, "SELECT deadlocks FROM pg_stat_database WHERE datname ="
                                   " current_database()")[0][0])
        next_lead, created = 0, []
        t0 = time.time()
        for rnd in range(1, a.rounds + 1):
            new = list(range(next_lead, next_lead + a.new_leads))
            next_lead += a.new_leads
            same = list(range(next_lead, next_lead + a.same_id_leads))
            next_lead += a.same_id_leads
            old = rng.sample(created, min(a.old_leads, len(created)))
            lists = round_jobs(n, rnd, new, old, same, rng)
            for lst in lists:
                for k, cid, _ in lst:
                    sent[cid] = k
            kill = rnd == (a.rounds + 1) // 2 and not a.no_kill
            go = threading.Barrier(n * THREADS_PER_RUNNER + 1)
            cut = []
            threads, senders = [], [Sender(b, answers, lock) for b in bases]
            for i in range(n):
                threads += senders[i].run(lists[i], cut, go)
            go.wait()
            if kill:
                # Mid-batch: half of its results answered, some in flight, the rest not sent.
                while senders[n - 1].answered < len(lists[n - 1]) // 2:
                    time.sleep(0.002)
                procs.stop(f"runner{n - 1}", signal.SIGKILL, 10)
            for t in threads:
                t.join()
            if kill:
                print(f"  round {rnd}: runner{n - 1} SIGKILLed mid-batch, {len(cut)} results "
                      f"unanswered; sent again to runner0")
                unanswered.extend(cut)
                done = []
                for t in Sender(bases[0], answers, lock).run(
                        cut, done, threading.Barrier(THREADS_PER_RUNNER)):
                    t.join()
                check(cut, f"the SIGKILL cut results in flight or not sent ({len(cut)})")
                check(not done, f"every cut result answered on resend ({len(done)} left)")
                start(n - 1)
            else:
                check(not cut, f"round {rnd}: every result answered ({len(cut)} cut)")
            created += new + same
        elapsed = time.time() - t0
        verify(url, answers, sent, n, a, deadlocks0, len(unanswered), elapsed)
    finally:
        code = stop_and_report(procs, *[f"runner{i}" for i in range(n)])
    return code


def verify(url, answers, sent, n, a, deadlocks0, n_cut, elapsed):
    print("[check] every lead against the answers")
    statuses = {}
    acked, by_cid = {}, {}
    for (k, cid, _), status, text in answers:
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            acked.setdefault(k, set()).add(cid)
            by_cid.setdefault(cid, []).append(json.loads(text)["result"])
    check(set(statuses) == {200}, f"every answer 200: no deadlock or store error ({statuses})")
    deadlocks = int(psql(url, "SELECT deadlocks FROM pg_stat_database WHERE datname ="
                              " current_database()")[0][0]) - deadlocks0
    check(deadlocks == 0, f"PostgreSQL counted no deadlock ({deadlocks})")
    ids = {}
    for cid, key in psql(url, "SELECT call_id, lead_key FROM call_ids"):
        ids.setdefault(key, set()).add(cid)
    rows = psql(url, "SELECT key, attempts, record FROM leads")
    lost_ids, lost, wrong_attempts, bad_order, unknown, stubs = 0, 0, 0, 0, 0, 0
    for key, attempts, record in rows:
        rec = json.loads(record) if record else {}
        stubs += rec == {}
        k = int(rec.get("lead_id", "C-1")[1:])
        got = ids.get(key, set())
        lost_ids += len(acked.get(k, set()) - got)
        # Results answered 200 that the lead's attempts do not count.
        lost += max(0, len(acked.get(k, set()) | got) - int(attempts))
        unknown += sum(1 for c in got if sent.get(c) != k)
        wrong_attempts += not (int(attempts) == rec.get("attempts") == len(got)
                               == len(rec.get("outcomes", [])))
        rounds = [int(o.split("_")[1]) for o in rec.get("outcomes", [])]
        bad_order += rounds != sorted(rounds) or rec.get("last_call_id") not in got
    check(len(rows) == len(set(sent.values())),
          f"one row per lead sent ({len(rows)} of {len(set(sent.values()))}), {stubs} empty")
    check(lost_ids == 0, f"every call id answered 200 is recorded ({lost_ids} missing)")
    check(lost == 0, f"nothing acknowledged is missing from its lead: {lost} results answered "
          f"200 are not counted in their lead's attempts")
    check(wrong_attempts == 0, f"attempts = distinct call ids recorded = outcomes, on every "
          f"lead ({wrong_attempts} leads wrong)")
    check(bad_order == 0, f"outcomes in round order, last call id recorded ({bad_order} wrong)")
    check(unknown == 0, f"no call id recorded that was not sent to that lead ({unknown})")
    twice = [c for c, rs in by_cid.items() if len(rs) >= 2 and c.count("-") == 1]
    once = sum(1 for c in twice if sorted(by_cid[c]).count("duplicate") == len(by_cid[c]) - 1)
    check(twice and once == len(twice), f"a call id sent to two runners at once counted once "
          f"({once} of {len(twice)})")
    total = sum(len(v) for v in ids.values())
    n_acked = sum(len(v) for v in acked.values())
    print(f"FIGURES runners={n} rounds={a.rounds} results_sent={len(sent)} "
          f"answers={len(answers)} acked_call_ids={n_acked} recorded={total} lost={lost} "
          f"lost_ids={lost_ids} "
          f"leads_wrong={wrong_attempts} cut_by_kill={n_cut} deadlocks={deadlocks} "
          f"non200={sum(v for s, v in statuses.items() if s != 200)} seconds={elapsed:.1f}")


if __name__ == "__main__":
    sys.exit(main())
