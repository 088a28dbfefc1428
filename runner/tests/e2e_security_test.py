#!/usr/bin/env python3
"""End-to-end test of authentication and limits (issue 6): bland-emulator + redial-runner.

Runner 1: no webhook secret, no admin token, listening on 0.0.0.0 with small limits.
[1] the webhook URL given to Bland carries the token from DATA_DIR/webhook.token; Bland's
    webhook to it is applied
[2] a webhook without the token, or with a wrong one: 401 JSON, nothing changes
[3] the admin API from a non-loopback address (no token configured): 401, nothing changes
[4] a body over --max-body-bytes (webhook and admin): 413; headers over --max-header-bytes: 431
[5] more leads than --max-leads-per-request: 413, none queued
[6] a client that never finishes its request is cut off after --request-timeout
[7] /metrics counts each rejection by kind
Runner 2: webhook secret and admin token set.
[8] admin without / with a wrong bearer token: 401; with the right one: 200
[9] unsigned or wrongly signed webhooks: 401, nothing changes; the token file is not used
Every refusal must leave the records exactly as they were.
"""
import hashlib
import hmac
import json
import os
import socket
import sys
import time

from e2e_test import (API_KEY, Procs, check, failures, free_port, get_json, http, passes, setup,
                      wait_for)

SECRET = "sec-secret"
ADMIN_TOKEN = "admin-token-0123456789"


def outward_ip():
    """This machine's non-loopback IPv4 address (no packet is sent), or None."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))
        ip = s.getsockname()[0]
        return None if ip.startswith("127.") else ip
    except OSError:
        return None
    finally:
        s.close()


def records(base, headers=None):
    status, text = http("GET", base + "/admin/records?limit=1000", headers=headers)
    assert status == 200, f"GET records -> {status} {text}"
    return {r["key"]: r for r in json.loads(text)["records"]}


def refused(status, text, want, what):
    try:
        reason = json.loads(text).get("error", "")
    except ValueError:
        reason = ""
    return check(status == want and reason != "", f"{what}: {status} {reason!r}")


def metric(base, kind):
    text = http("GET", base + "/metrics")[1]
    line = f'redial_http_rejected_total{{kind="{kind}"}} '
    for l in text.splitlines():
        if l.startswith(line):
            return int(l[len(line):])
    return None


def start_runner(procs, a, emu, name, env):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full = {"BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": emu, "REDIAL_PORT": str(port),
            "REDIAL_PUBLIC_WEBHOOK_URL": base + "/webhooks/bland-callback",
            "REDIAL_DATA_DIR": os.path.join(a.workdir, name + "-data"),
            "REDIAL_PROCESS_INTERVAL": "1s", "REDIAL_MIN_WAIT": "0",
            "REDIAL_PROGRESSIVE_INTERVALS": "1h", "REDIAL_BUSINESS_HOURS_START": "00:00",
            "REDIAL_BUSINESS_HOURS_END": "24:00",
            "REDIAL_READY_WINDOW_DAYS": "2",  # a run across midnight keeps its leads
            # Dials at any hour (the calling rules are tested in core and scenarios).
            "REDIAL_FEDERAL_WINDOW": "false", "REDIAL_MIN_CALL_GAP": "0"}
    full.update(env)
    procs.start(name, [a.runner, "--log-format", "json"], full)
    wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 15, f"{name} up")
    return port, base


def raw_exchange(port, data, timeout=10):
    """Sends raw bytes, returns (status, body) or (0, '') when the server closed silently."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    if not out:
        return 0, ""
    head, _, body = out.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode(errors="replace")


def part_one(procs, a, emu):
    port, base = start_runner(procs, a, emu, "runner-open", {
        "REDIAL_LISTEN_ADDRESS": "0.0.0.0", "REDIAL_MAX_BODY_BYTES": "4096",
        "REDIAL_MAX_HEADER_BYTES": "2048", "REDIAL_MAX_LEADS_PER_REQUEST": "3",
        "REDIAL_REQUEST_TIMEOUT": "2s"})
    hook = base + "/webhooks/bland-callback"
    token = open(os.path.join(a.workdir, "runner-open-data", "webhook.token")).read().strip()

    print("[1] the webhook URL given to Bland carries the token; its webhook is applied")
    status, text = http("POST", base + "/admin/leads",
                        [{"lead_id": "S1", "phone_number": "+15550300001", "list_id": "SEC"}])
    check(status == 200, f"a lead queued from loopback without a token ({status})")
    wait_for(lambda: records(base)["S1_5550300001"]["attempts"] == 1, 15, "S1's result applied")
    # The runner applies the result before the emulator has read the 200: wait for its record.
    s1_calls = lambda: [c for c in get_json(emu + "/emulator/calls")["calls"] if c["lead_id"] == "S1"]
    wait_for(lambda: s1_calls() and s1_calls()[0]["deliveries"], 5, "the emulator's delivery record")
    calls = s1_calls()
    check(len(token) == 64 and calls and calls[0]["request"]["webhook"] == hook + "?token=" + token,
          "the dial's webhook URL is the runner's with ?token=<DATA_DIR/webhook.token>")
    check(calls and [d["status"] for d in calls[0]["deliveries"]] == [200],
          "Bland's webhook to that URL was accepted (200)")
    before = records(base)
    body = json.loads(json.dumps(calls[0]["webhook_body"]))
    body["call_id"] = "forged-1"
    raw = json.dumps(body).encode()

    print("[2] webhooks without the token or with a wrong one: 401, nothing changes")
    refused(*http("POST", hook, raw=raw), 401, "no token")
    refused(*http("POST", hook + "?token=" + "0" * 64, raw=raw), 401, "wrong token")
    refused(*http("POST", hook + "?token=" + token[:-1], raw=raw), 401, "token one char short")
    check(records(base) == before, "records unchanged after the refused webhooks")

    print("[3] the admin API from a non-loopback address without a token configured: 401")
    ip = outward_ip()
    if ip is None:
        print("  skip no non-loopback IPv4 address on this machine")
    else:
        far = f"http://{ip}:{port}"
        refused(*http("GET", far + "/admin/stats"), 401, f"GET /admin/stats from {ip}")
        refused(*http("POST", far + "/admin/leads",
                      {"lead_id": "S9", "phone_number": "+15550300009"}), 401,
                f"POST /admin/leads from {ip}")
        check(http("GET", far + "/healthz")[0] == 200, "non-admin paths still answer remotely")
        check(records(base) == before, "records unchanged after the refused admin requests")

    print("[4] bodies and headers over the limits: 413 / 431")
    big = json.dumps(dict(body, call_id="big-1", pad="x" * 5000)).encode()
    refused(*http("POST", hook + "?token=" + token, raw=big), 413, "webhook body of 5 KB")
    refused(*http("POST", base + "/admin/leads",
                  [{"lead_id": "B", "phone_number": "+15550300002", "pad": "x" * 5000}]), 413,
            "admin body of 5 KB")
    refused(*raw_exchange(port, b"GET /admin/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                b"X-Pad: " + b"p" * 3000 + b"\r\n\r\n"), 431, "3 KB of headers")
    check(records(base) == before, "records unchanged after the oversized requests")

    print("[5] more leads than --max-leads-per-request: 413, none queued")
    leads = [{"lead_id": f"M{i}", "phone_number": f"+155503001{i:02d}"} for i in range(4)]
    status, text = http("POST", base + "/admin/leads", leads)
    refused(status, text, 413, "4 leads in one request with a cap of 3")
    check("--max-leads-per-request" in text, "the reason names the setting")
    check(records(base) == before, "no lead of the refused request was queued")
    check(http("POST", base + "/admin/leads", leads[:3])[0] == 200, "3 leads are accepted")

    print("[6] a client that never finishes its request is cut off after --request-timeout")
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    t0 = time.time()
    s.sendall(b"POST /webhooks/bland-callback HTTP/1.1\r\nHost: x\r\n")
    closed = False
    try:
        for i in range(60):  # a header line every 100 ms: never idle, never complete
            s.sendall(b"X-Slow-%d: 1\r\n" % i)
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        closed = s.recv(1) == b""
    s.close()
    took = time.time() - t0
    check(closed and 1.5 <= took <= 5, f"the slow client was cut off after {took:.1f} s")

    print("[7] /metrics counts each rejection by kind")
    want = {"webhook_token": 3, "admin_unauthorized": 0 if ip is None else 2,
            "body_too_large": 2, "headers_too_large": 1, "too_many_leads": 1,
            "request_timeout": 1, "webhook_signature": 0}
    got = {k: metric(base, k) for k in want}
    check(got == want, f"redial_http_rejected_total by kind: {got}")
    return base


def part_two(procs, a, emu):
    port, base = start_runner(procs, a, emu, "runner-closed", {
        "BLAND_WEBHOOK_SECRET": SECRET, "REDIAL_ADMIN_TOKEN": ADMIN_TOKEN,
        "REDIAL_QUEUE_ENABLED": "false"})
    hook = base + "/webhooks/bland-callback"
    auth = {"authorization": "Bearer " + ADMIN_TOKEN}

    print("[8] admin API with a token: bearer required")
    refused(*http("GET", base + "/admin/stats"), 401, "no authorization header")
    refused(*http("POST", base + "/admin/leads",
                  {"lead_id": "T1", "phone_number": "+15550300011"},
                  headers={"authorization": "Bearer wrong"}), 401, "wrong bearer token")
    status, _ = http("POST", base + "/admin/leads",
                     {"lead_id": "T1", "phone_number": "+15550300011"}, headers=auth)
    check(status == 200, f"right bearer token: {status}")
    before = records(base, auth)
    check(list(before) == ["T1_5550300011"], "only the authorized lead is stored")

    print("[9] webhooks with a secret: signature required")
    raw = json.dumps({"call_id": "w1", "to": "+15550300011", "status": "completed",
                      "answered_by": "voicemail",
                      "metadata": {"lead_id": "T1", "phone_number": "+15550300011"}}).encode()
    good = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    refused(*http("POST", hook, raw=raw), 401, "unsigned webhook")
    refused(*http("POST", hook, raw=raw, headers={"X-Webhook-Signature": "0" * 64}), 401,
            "wrongly signed webhook")
    refused(*http("POST", hook, raw=raw + b" ", headers={"X-Webhook-Signature": good}), 401,
            "signature of another body")
    check(records(base, auth) == before, "records unchanged after the refused webhooks")
    check(not os.path.exists(os.path.join(a.workdir, "runner-closed-data", "webhook.token")),
          "no URL token is made when a secret is set")
    status, text = http("POST", hook, raw=raw, headers={"X-Webhook-Signature": good})
    check(status == 200 and records(base, auth)["T1_5550300011"]["attempts"] == 1,
          f"the signed webhook is applied ({status})")
    got = {k: metric(base, k) for k in ("webhook_signature", "admin_unauthorized")}
    check(got == {"webhook_signature": 3, "admin_unauthorized": 2}, f"metrics: {got}")


def main():
    a, script_path = setup({"leads": {"S1": ["VOICEMAIL"]}})
    emu_port = free_port()
    emu = f"http://127.0.0.1:{emu_port}"
    procs = Procs(a.workdir)
    t0 = time.time()
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path,
                             "--webhook-delay", "200ms")
        part_one(procs, a, emu)
        part_two(procs, a, emu)
    except Exception as e:  # noqa: BLE001 - report, then fail
        check(False, f"unexpected error: {e!r}")
    finally:
        procs.stop_all()
    print(f"e2e-security finished in {time.time() - t0:.1f} s")
    if failures:
        for name in ("runner-open", "runner-closed", "emulator"):
            procs.tail(name, 25)
    print(f"e2e-security checks: {len(passes)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
