#!/usr/bin/env python3
"""Crash torture: redial-runner under webhook load from a bounded loopback client, SIGKILLed at
random moments (--kills N, default 50; --seed S to replay the kill times) and restarted on the
same data directory, while it also dials leads through the bland-emulator.

After every restart:
  - the runner starts (it refuses a corrupt month file or journal, so this checks they load);
  - every webhook the client sent but saw no 200 for is sent again, as Bland would retry, and
    gets 200 (a result that reached the disk before the kill answers "duplicate");
  - every webhook that got a 200 is in the store exactly once: per lead, attempts and the
    number of outcomes equal the distinct call ids acknowledged, and re-sending an acknowledged
    webhook (one of its lead's latest: the core remembers 16 per lead) is a duplicate that
    changes nothing.
At the end (and every 10 kills): no phone was dialed while a call to it was still running (the
emulator's log of dials), and the dialed leads' attempts lie between the calls whose webhook got
a 200 and the calls placed.
"""
import http.client as httpc
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time

from e2e_test import (API_KEY, Procs, check, failures, free_port, get_json, http, setup,
                      stop_and_report, WEBHOOK_PATH, WEBHOOK_TOKEN)

CLIENT_LEADS = 500  # leads that receive the client's webhooks (rescheduled far ahead: no dials)
DIAL_LEADS = 20     # leads the runner keeps dialing through the emulator
CLIENT_THREADS = 4
CALL_MS = 700       # the emulator's call length (its webhook delay)


def client_body(lead, call_id, callback_ms):
    phone = f"+1555050{lead:04d}"
    return json.dumps({
        "call_id": call_id, "to": phone, "status": "completed", "answered_by": "voicemail",
        "metadata": {"lead_id": f"W{lead}", "phone_number": phone, "list_id": "TORTURE",
                     "outcome": "CALL_BACK_SCHEDULED", "scheduled_callback_time": callback_ms}})


def client_key(lead):
    return f"W{lead}_555050{lead:04d}"


class Client:
    """Bounded loopback load: CLIENT_THREADS keep-alive connections posting webhooks with new
    call ids. Remembers which call ids were acknowledged (200) and which must be sent again."""

    def __init__(self, port, seed):
        self.port, self.seed = port, seed
        self.callback_ms = int(time.time() * 1000) + 7 * 86400 * 1000
        self.acked = {}    # call id -> lead
        self.pending = {}  # call id -> lead: sent, no 200 seen
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.sent = 0
        self.round = 0

    def post(self, conn, lead, call_id):
        """Returns (conn, status, body); status 0 on a connection error."""
        try:
            if conn is None:
                conn = httpc.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("POST", WEBHOOK_PATH,
                         client_body(lead, call_id, self.callback_ms),
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            return conn, r.status, r.read().decode()
        except (OSError, httpc.HTTPException) as e:
            if conn is not None:
                conn.close()
            return None, 0, str(e)

    def worker(self, tid):
        rng = random.Random(self.seed * 1000 + self.round * 10 + tid)
        conn, n = None, 0
        while not self.stop.is_set():
            n += 1
            lead = rng.randrange(CLIENT_LEADS)
            call_id = f"t{self.round}-{tid}-{n}"
            with self.lock:
                self.pending[call_id] = lead
                self.sent += 1
            conn, status, body = self.post(conn, lead, call_id)
            if status == 200:
                with self.lock:
                    self.acked[call_id] = lead
                    del self.pending[call_id]
            elif status == 0:
                time.sleep(0.02)  # the runner is down; the id stays pending for the retry

    def run(self):
        self.round += 1
        self.stop.clear()
        self.threads = [threading.Thread(target=self.worker, args=(t,))
                        for t in range(CLIENT_THREADS)]
        for t in self.threads:
            t.start()

    def halt(self):
        self.stop.set()
        for t in self.threads:
            t.join()

    def retry_pending(self):
        """Sends every unacknowledged webhook again until it gets 200. Returns (count, bad)."""
        bad = []
        items = sorted(self.pending.items())
        conn = None
        for call_id, lead in items:
            for _ in range(50):
                conn, status, body = self.post(conn, lead, call_id)
                if status == 200:
                    self.acked[call_id] = lead
                    del self.pending[call_id]
                    break
                if status != 0 and status != 503:
                    bad.append((call_id, status, body))
                    break
                time.sleep(0.1)
        return len(items), bad


def per_key(acked):
    out = {}
    for call_id, lead in acked.items():
        out.setdefault(client_key(lead), set()).add(call_id)
    return out


def check_store(base, client, rng, kills):
    """The invariants after a restart; returns the count of results found in the store."""
    records = get_json(base + "/admin/records?list_id=TORTURE&limit=10000")["records"]
    recs = {r["key"]: r for r in records}
    want = per_key(client.acked)
    wrong = [(k, recs.get(k, {}).get("attempts"), len(ids)) for k, ids in want.items()
             if k not in recs or recs[k]["attempts"] != len(ids)
             or len(recs[k]["outcomes"]) != len(ids) or recs[k]["last_call_id"] not in ids]
    extra = sorted(set(recs) - set(want))
    check(not wrong and not extra,
          f"kill {kills}: {len(client.acked)} acknowledged results, each stored exactly once "
          f"({len(want)} leads; wrong {wrong[:3]}, unexpected {extra[:3]})")
    # The core recognises a lead's last 16 call ids (kCallIdsRemembered), plenty for Bland's
    # retries; re-send one of a lead's 8 latest.
    for k in rng.sample(sorted(want), min(3, len(want))):
        latest = [c for c, lead in client.acked.items() if client_key(lead) == k][-8:]
        call_id = rng.choice(latest)
        lead = client.acked[call_id]
        _, status, body = client.post(None, lead, call_id)
        ok = status == 200 and json.loads(body)["result"] == "duplicate"
        if not ok:
            check(False, f"kill {kills}: re-sent {call_id} is a duplicate ({status} {body})")
    after = get_json(base + "/admin/records?list_id=TORTURE&limit=10000")["records"]
    if [r["attempts"] for r in after] != [r["attempts"] for r in records]:
        check(False, f"kill {kills}: re-sending acknowledged webhooks changed attempts")
    return sum(r["attempts"] for r in records)


def check_dials(emu, base, kills):
    calls = get_json(emu + "/emulator/calls")["calls"]
    by_phone = {}
    for c in calls:
        by_phone.setdefault(c["phone_number"], []).append(c)
    overlaps = []
    for phone, cs in by_phone.items():
        cs.sort(key=lambda c: c["dialed_at"])
        for prev, cur in zip(cs, cs[1:]):
            if cur["dialed_at"] < prev["ends_at"]:
                overlaps.append((phone, prev["call_id"], cur["call_id"]))
    check(not overlaps, f"kill {kills}: {len(calls)} dials, no phone dialed while its call ran "
                        f"({overlaps[:3]})")
    recs = {r["lead_id"]: r for r in get_json(base + "/admin/records?list_id=DIAL&limit=1000")[
        "records"]}
    bad = []
    for lead_id, r in recs.items():
        mine = [c for c in calls if c["lead_id"] == lead_id]
        delivered = sum(1 for c in mine if any(d["status"] == 200 for d in c["deliveries"]))
        if not delivered <= r["attempts"] <= len(mine):
            bad.append((lead_id, delivered, r["attempts"], len(mine)))
    check(not bad, f"kill {kills}: dialed leads' attempts between delivered results and calls "
                   f"({bad[:3]})")
    return len(calls)


def main():
    a, script_path = setup({"leads": {}}, lambda ap: (
        ap.add_argument("--kills", type=int, default=50),
        ap.add_argument("--seed", type=int, default=None)))
    seed = a.seed if a.seed is not None else int(time.time())
    print(f"crash torture: seed {seed} (replay with --seed {seed}), {a.kills} kills")
    rng = random.Random(seed)
    emu_port, port = free_port(), free_port()
    emu, base = f"http://127.0.0.1:{emu_port}", f"http://127.0.0.1:{port}"
    env = {
        "BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": emu,
        "REDIAL_PUBLIC_WEBHOOK_URL": base + "/webhooks/bland-callback",
        "REDIAL_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "REDIAL_PORT": str(port), "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"),
        "REDIAL_BACKUP_DIR": os.path.join(a.workdir, "backups"),
        "REDIAL_PROCESS_INTERVAL": "1s", "REDIAL_PROGRESSIVE_INTERVALS": "1s",
        "REDIAL_MIN_WAIT": "0", "REDIAL_MAX_ATTEMPTS": "1000", "REDIAL_READY_WINDOW_DAYS": "0",
        "REDIAL_BUSINESS_HOURS_START": "00:00", "REDIAL_BUSINESS_HOURS_END": "24:00",
        # Dials at any hour, seconds apart (the calling rules are tested in core and scenarios).
        "REDIAL_FEDERAL_WINDOW": "false", "REDIAL_MIN_CALL_GAP": "0",
        "REDIAL_CALL_TIMEOUT": "4s", "REDIAL_ACTIVE_CALL_PUSHBACK": "1s",
        "REDIAL_DIAL_BACKOFF": "300ms", "REDIAL_FSYNC": "true", "REDIAL_LOG_LEVEL": "warn",
    }
    procs = Procs(a.workdir)
    client = Client(port, seed)
    t0 = time.time()
    kills = retried = dials = found = 0

    def start_runner():
        for _ in range(3):
            p = procs.start("runner", [a.runner], env)
            deadline = time.time() + 20
            while time.time() < deadline and p.poll() is None:
                try:
                    if http("GET", base + "/healthz")[0] == 200:
                        return True
                except OSError:
                    pass
                time.sleep(0.03)
            if p.poll() is None:
                break
            procs.procs.pop("runner")
            time.sleep(0.5)  # e.g. the port not yet free; anything else fails all three times
        return check(False, f"kill {kills}: the runner restarts on the data directory "
                            f"(exit {p.poll()})")

    try:
        procs.start("emulator", [a.emulator, "--port", str(emu_port), "--api-key", API_KEY,
                                 "--script", script_path, "--webhook-delay", f"{CALL_MS}ms",
                                 "--same-number-window", "0s", "--seed", str(seed)])
        if not start_runner():
            return 1
        leads = [{"lead_id": f"D{i}", "phone_number": f"+1555040{i:04d}", "list_id": "DIAL"}
                 for i in range(DIAL_LEADS)]
        check(http("POST", base + "/admin/leads", leads)[0] == 200, f"{DIAL_LEADS} leads queued")
        while kills < a.kills and not failures:
            client.run()
            if rng.random() < 0.15:  # sometimes a checkpoint is running when the kill comes
                threading.Thread(target=lambda: _quiet(http, "POST", base + "/admin/backup"),
                                 daemon=True).start()
            time.sleep(rng.uniform(0.05, 1.2))
            procs.stop("runner", signal.SIGKILL, 10)
            kills += 1
            client.halt()
            if not start_runner():
                break
            n, bad = client.retry_pending()
            retried += n
            if bad or client.pending:
                check(False, f"kill {kills}: {n} unacknowledged webhooks re-sent, all get 200 "
                             f"({bad[:2]}, {len(client.pending)} still unanswered)")
            found = check_store(base, client, rng, kills)
            if kills % 10 == 0:
                dials = check_dials(emu, base, kills)
        print(f"[{kills} kills in {time.time() - t0:.0f} s] final checks")
        time.sleep(CALL_MS / 1000 + 2.5)  # let the last calls' webhooks (retried) arrive
        dials = check_dials(emu, base, kills)
        check(dials > kills, f"the runner kept dialing through the kills ({dials} dials)")
        found = check_store(base, client, rng, kills)
        check(found == len(client.acked),
              f"{kills} kills survived: {len(client.acked)} webhooks acknowledged, {found} found "
              f"({client.sent} sent, {retried} re-sent after a kill)")
        torn = [f for f in os.listdir(env["REDIAL_DATA_DIR"]) if ".torn-" in f]
        print(f"figures: seed {seed}, kills {kills}, acknowledged {len(client.acked)}, "
              f"found {found}, sent {client.sent}, re-sent {retried}, dials {dials}, "
              f"torn tails {len(torn)}, {time.time() - t0:.0f} s")
        rc = procs.stop("runner")
        check(rc == 0, f"the runner still stops cleanly on SIGTERM (rc {rc})")
    finally:
        code = stop_and_report(procs, "runner")
    return code


def _quiet(fn, *args):
    try:
        fn(*args)
    except OSError:
        pass


if __name__ == "__main__":
    sys.exit(main())
