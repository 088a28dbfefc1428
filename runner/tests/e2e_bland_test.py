#!/usr/bin/env python3
"""End-to-end test of Bland's real shapes (issue 14, webhook half): bland-emulator + redial-runner.

[1] A failed transfer tagged TRANSFERRED (no transferred_to, no warm_transfer_call) is
    TRANSFER_FAILED and redialed; a merged transfer completes the lead; the claim is counted.
    Its lost webhook, reconciled through GET /v1/calls/{id}, gives the same answer.
[2] A number Bland says is not found is BAD_NUMBER: the lead is stopped (dnc), another lead with
    the same number is never dialed, and after a restart a new lead with it is refused at once.
[3] Non-final status bodies (completed false) are answered 200 ignored and change nothing; the
    later analysis body without metadata is a duplicate (not 400); an inbound call is ignored.
[4] The lead keeps its own state though Bland's variables guess another; the dial's metadata
    carries the lead's fields; the emulator's call object has Bland's documented fields.
"""
import hashlib
import hmac
import json
import os
import sys
import time

from e2e_test import (API_KEY, Procs, check, free_port, get_json, http, records_by_key, setup,
                      stop_and_report, wait_for)

SECRET = "e2e-bland-secret"
BAD_PHONE = "+15550300002"
SCRIPT = {
    "leads": {
        "T1": ["TRANSFER_FAILED_TAGGED", "TRANSFERRED"],
        "R1": [{"outcome": "TRANSFER_FAILED_TAGGED", "webhook": "lost"}, "TRANSFER_MERGED"],
        "N1": ["BAD_NUMBER"],
        "N2": ["VOICEMAIL"],
        "S1": [{"outcome": "VOICEMAIL", "webhook": "status_events"}, "TRANSFERRED"],
        "A1": [{"outcome": "VOICEMAIL", "webhook": "analysis"}, "NO_ANSWER", "TRANSFERRED"],
        "U1": ["UNKNOWN_ANSWER", "TRANSFERRED"],
    }
}


def signed(url, body):
    raw = json.dumps(body).encode()
    sig = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    status, text = http("POST", url, raw=raw, headers={"X-Webhook-Signature": sig})
    return status, json.loads(text)


def metric(text, line):
    for l in text.splitlines():
        if l.startswith(line + " "):
            return int(float(l.split()[1]))
    return -1


def main():
    a, script_path = setup(SCRIPT)
    emu_port, run_port = free_port(), free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    base = f"http://127.0.0.1:{run_port}"
    hook = base + "/webhooks/bland-callback"
    procs = Procs(a.workdir)
    env = {
        "BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": emu, "BLAND_WEBHOOK_SECRET": SECRET,
        "REDIAL_PUBLIC_WEBHOOK_URL": hook, "REDIAL_PORT": str(run_port),
        "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"), "REDIAL_PROCESS_INTERVAL": "1s",
        "REDIAL_PROGRESSIVE_INTERVALS": "1s", "REDIAL_MIN_WAIT": "0", "REDIAL_MAX_ATTEMPTS": "4",
        "REDIAL_BUSINESS_HOURS_START": "00:00", "REDIAL_BUSINESS_HOURS_END": "24:00",
        "REDIAL_FEDERAL_WINDOW": "false", "REDIAL_MIN_CALL_GAP": "0",
        "REDIAL_CALL_TIMEOUT": "3s", "REDIAL_ACTIVE_CALL_PUSHBACK": "1s",
    }
    args = [a.runner, "--log-format", "json"]
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             "400ms", "--webhook-secret", SECRET, "--same-number-window", "0",
                             "--analysis-delay", "1500ms")
        procs.start("runner", args, env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")
        now = int(time.time() * 1000)
        leads = [{"lead_id": l, "phone_number": f"+1555030{k:04d}", "list_id": "LB",
                  "first_name": l, "state": "FL"}
                 for k, l in enumerate(["T1", "R1", "S1", "A1", "U1"], start=10)]
        leads.append({"lead_id": "N1", "phone_number": BAD_PHONE, "state": "FL"})
        # Same number, due after N1's result.
        leads.append({"lead_id": "N2", "phone_number": BAD_PHONE, "dial_at": now + 4000})
        status, text = http("POST", base + "/admin/leads", leads)
        check(status == 200, f"{len(leads)} leads queued ({status} {text.strip()})")

        def rec(key):
            return records_by_key(base).get(key, {})

        def done():
            r = records_by_key(base)
            calls = get_json(emu + "/emulator/calls")["calls"]
            analysis = [d for c in calls for d in c["extra_deliveries"] if d["kind"] == "analysis"]
            return (all(r[k]["status"] == "completed" for k in
                        ("T1_5550300010", "R1_5550300011", "S1_5550300012", "A1_5550300013",
                         "U1_5550300014"))
                    and r["N1_5550300002"]["status"] == "dnc"
                    and r["N2_5550300002"]["status"] == "dnc" and analysis)
        wait_for(done, 40, "every lead at its end")
        r = records_by_key(base)
        calls = get_json(emu + "/emulator/calls")["calls"]

        print("[1] transfers need Bland's evidence")
        t1 = r["T1_5550300010"]
        check(t1["outcomes"] == ["TRANSFER_FAILED", "TRANSFERRED"] and t1["attempts"] == 2,
              f"T1: the tagged transfer without evidence was retried ({t1['outcomes']})")
        r1 = r["R1_5550300011"]
        check(r1["outcomes"] == ["TRANSFER_FAILED", "TRANSFERRED"],
              f"R1: the reconciled call object maps the same way ({r1['outcomes']})")
        metrics = http("GET", base + "/metrics")[1]
        claims = metric(metrics, 'redial_transfer_claims_unproven_total{claimed_by="disposition_tag"}')
        check(claims == 2, f"metrics: 2 transfer claims without evidence ({claims})")
        ignored = metric(metrics, 'redial_webhooks_ignored_total{why="not_completed"}')
        check(ignored == 2, f"metrics: S1's 2 status events counted as ignored ({ignored})")

        print("[2] a bad number is stopped, for every lead with it")
        n1, n2 = r["N1_5550300002"], r["N2_5550300002"]
        check(n1["outcomes"] == ["BAD_NUMBER"] and n1["attempts"] == 1 and n1["status"] == "dnc",
              f"N1: BAD_NUMBER, dnc after 1 attempt ({n1['outcomes']}, {n1['status']})")
        check(n2["attempts"] == 0 and n2["status"] == "dnc", f"N2: never called ({n2['status']})")
        check([c["lead_id"] for c in calls if c["phone_number"] == BAD_PHONE] == ["N1"],
              "the bad number was dialed once, for N1 only")
        check(procs.stop("runner") == 0, "runner stopped")
        procs.start("runner", args, env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up again")
        status, _ = http("POST", base + "/admin/leads", {"lead_id": "N3", "phone_number": BAD_PHONE})
        n3 = rec("N3_5550300002")
        check(status == 200 and n3.get("status") == "dnc" and n3.get("attempts") == 0,
              f"after a restart a new lead with the bad number is dnc at once ({n3.get('status')})")

        print("[3] bodies that are not results")
        s1 = r["S1_5550300012"]
        check(s1["outcomes"] == ["VOICEMAIL", "TRANSFERRED"],
              f"S1: the status events were not attempts ({s1['outcomes']})")
        events = [d for c in calls for d in c["extra_deliveries"] if d["kind"] in ("queued", "started")]
        check(len(events) == 2 and all(d["status"] == 200 and json.loads(d["response"])["result"]
                                       == "ignored" for d in events),
              f"S1: both status events answered 200 ignored ({[d['response'] for d in events]})")
        analysis = [d for c in calls for d in c["extra_deliveries"] if d["kind"] == "analysis"]
        check(len(analysis) == 1 and "metadata" not in analysis[0]["body"]
              and analysis[0]["status"] == 200
              and json.loads(analysis[0]["response"])["result"] == "duplicate",
              f"A1: the analysis body without metadata is a duplicate ({analysis[0]['response'] if analysis else None})")
        a1 = r["A1_5550300013"]
        check(a1["outcomes"] == ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
              f"A1: the analysis body added no attempt ({a1['outcomes']})")
        u1 = r["U1_5550300014"]
        check(u1["outcomes"] == ["UNKNOWN", "TRANSFERRED"], f"U1: answered_by unknown ({u1['outcomes']})")
        before = records_by_key(base)
        t1_call = next(c for c in calls if c["lead_id"] == "T1")
        inbound = dict(t1_call["webhook_body"], call_id="inbound-1", inbound=True)
        status, out = signed(hook, inbound)
        check(status == 200 and out.get("why") == "inbound", f"an inbound call is ignored ({out})")
        check(records_by_key(base) == before, "the inbound call changed nothing")
        metrics = http("GET", base + "/metrics")[1]
        check(metric(metrics, 'redial_webhooks_ignored_total{why="inbound"}') == 1,
              "metrics: the inbound body counted as ignored")

        print("[4] the lead's own fields; Bland's documented fields")
        check(all(r[k]["state"] == "FL" for k in ("T1_5550300010", "S1_5550300012")),
              "leads keep their own state (FL)")
        body = t1_call["webhook_body"]
        check(body["variables"]["state"] == "CA", "Bland's variables guessed another state (CA)")
        meta = t1_call["request"]["metadata"]
        check(meta["lead_id"] == "T1" and meta["state"] == "FL" and meta["list_id"] == "LB"
              and meta["lead_key"] == "T1_5550300010" and isinstance(meta["dial_seq"], int)
              and meta["phone_number"] == "+15550300010",
              f"the dial's metadata carries the lead's fields ({meta})")
        status, text = http("GET", emu + "/v1/calls/" + t1_call["call_id"],
                            headers={"authorization": API_KEY})
        obj = json.loads(text)
        want = {"completed": True, "inbound": False, "queue_status": "complete",
                "answered_by": "human", "disposition_tag": "TRANSFERRED", "transferred_to": None,
                "transferred_at": None, "warm_transfer_call": None, "call_ended_by": "USER",
                "call_length": 3.27, "corrected_duration": "196", "error_message": None}
        check(status == 200 and all(obj.get(k) == v for k, v in want.items())
              and obj["metadata"]["lead_id"] == "T1",
              f"GET /v1/calls/{{id}} has Bland's fields ({ {k: obj.get(k) for k in want} })")
        merged = next(c for c in calls if c["lead_id"] == "T1" and c["outcome"] == "TRANSFERRED")
        wb = merged["webhook_body"]
        check(wb["warm_transfer_call"] == {"state": "MERGED"} and wb["transferred_at"]
              and wb["transferred_to"], "the merged transfer carries its evidence")
        bad = next(c for c in calls if c["lead_id"] == "N1")["webhook_body"]
        check(bad["status"] == "failed" and "not found" in bad["error_message"]
              and bad["answered_by"] is None, "the bad number's body (status failed, not found)")
    finally:
        rc = stop_and_report(procs, "runner", "emulator")
    return rc


if __name__ == "__main__":
    sys.exit(main())
