#!/usr/bin/env python3
"""Replays the Bland fixture corpus (runner/tests/bland/*.json) through redial-runner's HTTP server.

Each fixture is a body shaped from Bland's public documentation (its `_source` names the page),
the leads and earlier bodies it needs (`setup`), and what must happen (`expect`): the status
code, the result kind ("created", "updated", "duplicate", "ignored" and its `why`), the record's
fields afterwards, that nothing changed, that no lead was created, a /metrics counter. The runner
runs with dialing off, a webhook secret (bodies are signed unless the fixture says "wrong") and a
call template that sets `webhook_events`.
"""
import glob
import hashlib
import hmac
import json
import os
import sys

from e2e_test import (API_KEY, Procs, check, failures, free_port, http, passes, records_by_key,
                      setup, stop_and_report, wait_for)

SECRET = "fixture-secret"
CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bland")


def post(url, body, sign="good"):
    raw = json.dumps(body).encode()
    key = SECRET if sign == "good" else "not-the-secret"
    sig = hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
    status, text = http("POST", url, raw=raw, headers={"X-Webhook-Signature": sig})
    try:
        return status, json.loads(text)
    except ValueError:
        return status, {"_text": text}


def metric(base, line):
    for l in http("GET", base + "/metrics")[1].splitlines():
        if l.startswith(line + " "):
            return int(float(l.split()[1]))
    return None


def replay(base, hook, name, f):
    exp = f["expect"]
    far = 4102444800000  # 2100-01-01: queued, never due during the test
    leads = [dict(l, dial_at=far) for l in f.get("setup", {}).get("leads", [])]
    if leads:
        status, text = http("POST", base + "/admin/leads", leads)
        check(status == 200, f"{name}: setup leads queued ({status} {text.strip()})")
    for b in f.get("setup", {}).get("bodies", []):
        status, out = post(hook, b)
        check(status == 200, f"{name}: setup body accepted ({status} {out})")
    counter_before = metric(base, exp["metric"]) if "metric" in exp else None
    before = records_by_key(base)
    status, out = post(hook, f["body"], f.get("sign", "good"))
    check(status == exp["status"], f"{name}: status {status} (want {exp['status']}) {out}")
    if "result" in exp:
        check(out.get("result") == exp["result"],
              f"{name}: result {out.get('result')} (want {exp['result']})")
    if "why" in exp:
        check(out.get("why") == exp["why"], f"{name}: why {out.get('why')} (want {exp['why']})")
    if "error_names" in exp:
        check(exp["error_names"] in out.get("error", ""),
              f"{name}: the error names {exp['error_names']} ({out.get('error')})")
    after = records_by_key(base)
    if exp.get("unchanged"):
        check(after == before, f"{name}: no record changed")
    for key in exp.get("absent", []):
        check(key not in after, f"{name}: no lead {key} was created")
    want = exp.get("record")
    if want:
        rec = after.get(want["key"])
        if check(rec is not None, f"{name}: record {want['key']} exists"):
            for field, value in want.items():
                check(rec.get(field) == value,
                      f"{name}: {field} = {rec.get(field)!r} (want {value!r})")
    if "metric" in exp:
        now = metric(base, exp["metric"])
        check(now is not None and now == (counter_before or 0) + 1,
              f"{name}: {exp['metric']} counted ({counter_before} -> {now})")


def main():
    a, _ = setup({"leads": {}})
    files = sorted(glob.glob(os.path.join(CORPUS, "*.json")))
    check(len(files) >= 20, f"{len(files)} fixtures in {CORPUS}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hook = base + "/webhooks/bland-callback"
    procs = Procs(a.workdir)
    env = {
        "BLAND_API_KEY": API_KEY,
        "BLAND_BASE_URL": f"http://127.0.0.1:{free_port()}",
        "BLAND_WEBHOOK_SECRET": SECRET,
        "REDIAL_QUEUE_ENABLED": "false",
        "REDIAL_PORT": str(port),
        "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"),
        "REDIAL_CALL_TEMPLATE": json.dumps({"task": "fixture replay",
                                            "webhook_events": ["queue", "call"]}),
    }
    try:
        procs.start("runner", [a.runner, "--log-format", "json"], env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")
        for path in files:
            name = os.path.basename(path)
            with open(path) as fh:
                f = json.load(fh)
            check(f.get("_source", "").find("bland") >= 0 or "bland-api-notes" in f["_source"],
                  f"{name}: names its source ({f.get('_source')})")
            replay(base, hook, name, f)
        # The corpus has one or more bodies of each kind.
        want = {"inbound": 2, "not_completed": 1, "status_not_final": 1, "event": 1,
                "no_call_state": 1}
        for why, n in want.items():
            got = metric(base, f'redial_webhooks_ignored_total{{why="{why}"}}')
            check(got == n, f"metrics: {n} ignored bodies counted with why={why} ({got})")
    finally:
        rc = stop_and_report(procs, "runner")
    return rc


if __name__ == "__main__":
    sys.exit(main())
