#!/usr/bin/env python3
"""Differential test (issue 21): every scenario the runner can express runs through redial-runner
and bland-emulator on test clocks (REDIAL_TEST_CLOCK, runner/test_clock.h) and must give the same
dials (each dial's exact instant), attempts and statuses per lead as redial-sim.

Time is virtual on both sides and moved only by this script, so the test runs the same at any
hour of any day. For each scenario:
  * redial-sim --json gives the expected per-lead results, the start and the last instant run;
  * the scenario's config becomes runner flags (CONFIG_FLAGS: one mapping, in one place);
  * the emulator gets the leads' outcomes for the queue's dials (calls 2, 3, ...), each with its
    call length + webhook delay, callback time and faults; this script posts the first calls'
    webhooks (made outside the queue) and the scenario's outside events itself;
  * loop: wait until both processes are idle, take the earliest of their next timers (the
    runner's includes its next tick) and the next scenario event, move both clocks there with
    their timers held, deliver the scenario's events of that instant (the simulator runs events
    from the file before a tick at the same instant), release both; stop after the simulator's
    last instant.
Scenarios the runner cannot express are listed in SKIP with the reason.
"""
import argparse
import datetime
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zoneinfo

from e2e_test import API_KEY, Procs, free_port, http, wait_for

TOKEN = "differential-webhook-token-0123456789"

# Scenarios the runner and the emulator cannot play, by file name, with the reason.
SKIP = {
    "08-webhook-before-dial-response.json":
        "slow_dial_response: the emulator answers every dial at once in virtual time",
    "10-dial-timeout.json": "dial_timeout: a dial request that never gets an answer",
    "11-restart-before-ack.json": "restart before an acknowledgement (a crash at an exact point)",
    "12-restart-in-dial.json": "restart inside a tick (a crash at an exact point)",
    "13-restart-with-downtime.json": "restart with downtime (a crash of the process)",
    "22-duplicate-during-unanswered-dial.json":
        "slow_dial_response and webhook_dial_seq false: results without the runner's metadata",
    "23-sync-failure-after-ack-enqueue.json": "sync_failure and restart after an ack",
    "24-duplicate-after-checkpoint-restarts.json": "restarts that load snapshots",
    "25-late-result-during-unanswered-dial.json":
        "slow_dial_response: the emulator answers every dial at once in virtual time",
    "00-issue-example.json":
        "a scripted duplicate of call 2 posted before call 2 is dialed: the harness takes a "
        "call's webhook body from the emulator once the call exists",
    "33-wall-clock-steps.json": "clock_step: a wall clock stepped apart from the monotonic one",
}

# Scenarios the runner plays but where it disagrees with the simulator: findings, run and printed
# (a diff is expected; one that disappears is reported so the entry is removed), never counted
# as passing.
KNOWN_DIFFERENCES = {}

# Scenario config key -> (runner flag, value converter). The one place the two front ends meet.
def _minutes(v):
    return str(v) if isinstance(v, (int, float)) else v


def _list(v):
    return ",".join(str(x) for x in v)


def _bool(v):
    return "true" if v else "false"


def _outcome_rules(v):
    return v if isinstance(v, str) else ";".join(f"{k}={r}" for k, r in v.items())


CONFIG_FLAGS = {
    "enabled": ("--queue-enabled", _bool),
    "process_interval_minutes": ("--process-interval", _minutes),
    "max_attempts": ("--max-attempts", str),
    "progressive_intervals": ("--progressive-intervals", _list),
    "min_wait_minutes": ("--min-wait", _minutes),
    "success_outcomes": ("--success-outcomes", _list),
    "stop_outcomes": ("--stop-outcomes", _list),
    "extra_outcomes": ("--extra-outcomes", _list),
    "ready_window_days": ("--ready-window-days", str),
    "active_call_pushback_minutes": ("--active-call-pushback", _minutes),
    "call_timeout_minutes": ("--call-timeout", _minutes),
    "max_concurrent_calls": ("--max-concurrent-calls", str),
    "outcome_rules": ("--outcome-rules", _outcome_rules),
    "federal_window": ("--federal-window", _bool),
    "state_rules": ("--state-rules", _bool),
    "state_call_limit_override": ("--state-call-limit-override", str),
    "min_call_gap_seconds": ("--min-call-gap", lambda v: f"{v}s"),
    "max_calls_per_hour": ("--max-calls-per-hour", str),
    "max_calls_per_day": ("--max-calls-per-day", str),
    "dials_per_minute": ("--dials-per-minute", str),
    "dials_per_second": ("--dials-per-second", str),
}
BUSINESS_HOURS_FLAGS = {"start": "--business-hours-start", "end": "--business-hours-end",
                        "time_zone": "--time-zone", "weekdays": "--business-days"}
# Config keys with no runner setting: a scenario using one is skipped, and says why.
UNSUPPORTED_CONFIG = {"known_outcomes", "max_calls_per_lead_24h", "max_calls_per_phone_24h"}
SUPPORTED_EVENTS = {"duplicate_webhook", "delay_webhook", "lose_webhook", "webhook", "stop_lead",
                    "restart", "dial_error", "dial_error_state", "forget_call"}
# A scenario dial_error's http_status -> the emulator's refusal kind (bland_model/refusals.h).
STATUS_KINDS = {429: "same_number", 401: "unauthorized", 403: "forbidden"}


def refusal_kind(e):
    if "kind" in e:
        return e["kind"]
    status = e["http_status"]
    return STATUS_KINDS.get(status, "server_error" if status >= 500 else None)


def strip_comments(text):
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 2
                continue
            in_str = c != '"'
            i += 1
        elif c == '"':
            in_str = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            i = text.find("*/", i) + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def why_not_expressible(sc):
    for k in sc.get("config", {}):
        if k in UNSUPPORTED_CONFIG:
            return f"config {k}: the runner has no such setting"
    for e in sc.get("events", []):
        if e["type"] == "restart" and ("when" in e or e.get("downtime_seconds", 0)):
            return "restart tied to a webhook or with downtime (a crash at an exact point)"
        if e["type"] not in SUPPORTED_EVENTS:
            return f"event {e['type']}: not expressible through the runner and the emulator"
        if e["type"] == "dial_error" and refusal_kind(e) is None:
            return f"dial_error http_status {e['http_status']}: the emulator has no such refusal"
        if e["type"] == "forget_call" and not any(
                x["type"] == "lose_webhook" and x["lead_id"] == e["lead_id"] and
                x["call"] == e["call"] for x in sc["events"]):
            return "forget_call of a call whose webhook still comes (the emulator's forgotten " \
                   "calls send none)"
    for lead in sc.get("leads", []):
        if "first_call_at" not in lead:
            return f"lead {lead['lead_id']}: enqueue_at (a first dial by the queue)"
    if "store" in sc:
        return "store options of the simulated store"
    if sc.get("defaults", {}).get("webhook_dial_seq") is False:
        return "webhook_dial_seq false"
    return None


class Timeline:
    """The scenario's local times as epoch ms (the simulator's rules: a time in a skipped hour is
    the instant after the gap, an ambiguous one the earlier instant)."""

    def __init__(self, sc):
        bh = sc.get("config", {}).get("business_hours", {})
        self.zone = zoneinfo.ZoneInfo(bh.get("time_zone", "America/New_York"))
        self.start_date = sc["start"][:10]

    def ms(self, text):
        if "T" not in text:
            text = self.start_date + "T" + text
        fmt = "%Y-%m-%dT%H:%M:%S" if text.count(":") == 2 else "%Y-%m-%dT%H:%M"
        local = datetime.datetime.strptime(text, fmt)
        t0 = local.replace(tzinfo=self.zone, fold=0).timestamp()
        t1 = local.replace(tzinfo=self.zone, fold=1).timestamp()
        if t0 == t1 or self._local(min(t0, t1)) == local:
            return int(min(t0, t1) * 1000)
        t = min(t0, t1)  # in a gap: the first instant whose local time is past it
        while self._local(t) < local:
            t += 60
        return int(t * 1000)

    def _local(self, t):
        return datetime.datetime.fromtimestamp(t, self.zone).replace(tzinfo=None)


def outcome_of(o):
    return o if isinstance(o, str) else o["outcome"]


class Scenario:
    """The scenario's world: per lead and call number the outcome, the webhook's timing and its
    faults, as the simulator plays them."""

    def __init__(self, sc, tl):
        self.sc, self.tl = sc, tl
        d = sc.get("defaults", {})
        self.call_s, self.delay_s = d.get("call_seconds", 40), d.get("webhook_delay_seconds", 3)
        self.leads = {str(lead["lead_id"]): lead for lead in sc.get("leads", [])}
        self.faults = {}  # (lead_id, call) -> {"extra_s", "lost", "dups": [event...]}
        for e in sc.get("events", []):
            if "call" not in e:
                continue
            f = self.faults.setdefault((str(e["lead_id"]), e["call"]),
                                       {"extra_s": 0, "lost": False, "forgotten": False,
                                        "dups": [], "dials": [], "error_state": None})
            if e["type"] == "delay_webhook":
                f["extra_s"] += e["seconds"]
            elif e["type"] == "lose_webhook":
                f["lost"] = True
            elif e["type"] == "forget_call":
                f["forgotten"] = True
            elif e["type"] == "duplicate_webhook":
                f["dups"].append(e)
            elif e["type"] == "dial_error_state":
                f["error_state"] = e["kind"]
            elif e["type"] == "dial_error":
                step = {"kind": refusal_kind(e)}
                if e.get("retry_after_seconds") is not None:
                    step["retry_after"] = e["retry_after_seconds"]
                elif e.get("http_status") == 429 and "kind" not in e:
                    step["retry_after"] = 10  # the simulator's default for a plain 429
                if "code" in e:
                    step["code"] = e["code"]
                f["dials"] += [step] * e.get("times", 1)

    def outcome(self, lead_id, call):
        outs = self.leads[lead_id].get("outcomes", [])
        return outs[call - 1] if call <= len(outs) else "NO_ANSWER"

    def after_ms(self, lead_id, call):
        """From a call's start to its webhook."""
        lead, o = self.leads[lead_id], self.outcome(lead_id, call)
        o = o if isinstance(o, dict) else {}
        call_s = o.get("call_seconds", lead.get("call_seconds", self.call_s))
        delay_s = o.get("webhook_delay_seconds", lead.get("webhook_delay_seconds", self.delay_s))
        extra_s = self.faults.get((lead_id, call), {}).get("extra_s", 0)
        return int((call_s + delay_s + extra_s) * 1000)

    def default_after_ms(self):
        return int((self.call_s + self.delay_s) * 1000)

    def callback_ms(self, lead_id, call):
        o = self.outcome(lead_id, call)
        return self.tl.ms(o["callback_at"]) if isinstance(o, dict) and "callback_at" in o else None

    def emulator_script(self):
        """The outcomes of the queue's dials: calls 2, 3, ... of each lead (call 1 is made
        outside the queue)."""
        leads = {}
        for lead_id, lead in self.leads.items():
            steps = []
            last = max([len(lead.get("outcomes", [])), 30] +
                       [c for (lid, c) in self.faults if lid == lead_id])
            for call in range(2, last + 1):  # past the list: NO_ANSWER, with the lead's timing
                step = {"outcome": outcome_of(self.outcome(lead_id, call)),
                        "webhook_after_ms": self.after_ms(lead_id, call)}
                if self.callback_ms(lead_id, call) is not None:
                    step["scheduled_callback_time"] = self.callback_ms(lead_id, call)
                f = self.faults.get((lead_id, call), {})
                if f.get("forgotten"):
                    step["webhook"] = "forgotten"  # no webhook; Bland knows no such call either
                elif f.get("lost"):
                    step["webhook"] = "lost"  # no webhook; GET /v1/calls/{id} finds the call
                steps.append(step)
            leads[lead_id] = steps
        return {"leads": leads, "dials": self.dial_script()}

    def dial_script(self):
        """How Bland answers each POST of a lead: the scenario's refusals for a call, one per
        POST (the dialer's retries take the next), then the POST that places it (accepted, or
        ending in an error state)."""
        dials = {}
        for lead_id in self.leads:
            calls = [c for (lid, c) in self.faults if lid == lead_id]
            steps = []
            for call in range(2, max(calls, default=1) + 1):
                f = self.faults.get((lead_id, call), {})
                steps += f.get("dials", [])
                steps.append(f.get("error_state") or "accept")
            if any(s != "accept" for s in steps):
                dials[lead_id] = steps
        return dials

    def dup_times(self, lead_id, call, original_ms):
        out = []
        for e in self.faults.get((lead_id, call), {}).get("dups", []):
            if "at" in e:
                out.append(self.tl.ms(e["at"]))
            else:
                s = e.get("seconds", 0)
                out += [original_ms + int(s * 1000) * (k + 1) for k in range(e.get("times", 1))]
        return out


def first_call_body(lead, call_id, outcome, callback_ms):
    meta = {k: str(lead[k]) for k in ("lead_id", "phone_number", "list_id", "first_name",
                                      "last_name", "state") if k in lead}
    meta["outcome"] = outcome
    if callback_ms is not None:
        meta["scheduled_callback_time"] = callback_ms
    body = {"call_id": call_id, "to": meta.get("phone_number", ""), "completed": True,
            "status": "completed", "queue_status": "complete", "metadata": meta}
    if outcome == "TRANSFERRED":
        # The runner completes a lead on a transfer only with Bland's evidence of it (as the
        # emulator's TRANSFERRED calls carry).
        body.update({"answered_by": "human", "transferred_to": "+15550109999",
                     "transferred_at": "2025-01-01T00:00:00Z",
                     "warm_transfer_call": {"state": "MERGED"}})
    return body


class Run:
    """One scenario through the two processes."""

    def __init__(self, args, path, sc, expected, workdir):
        self.args, self.path, self.sc, self.expected = args, path, sc, expected
        self.tl = Timeline(sc)
        self.world = Scenario(sc, self.tl)
        self.workdir = workdir
        self.procs = Procs(workdir)
        self.events = []  # (at_ms, seq, description, action)
        self.seq = 0
        self.seen_calls = set()

    def add_event(self, at_ms, what, action):
        self.seq += 1
        self.events.append((at_ms, self.seq, what, action))
        self.events.sort(key=lambda e: (e[0], e[1]))

    def start(self):
        start_ms = self.expected["start_ms"]
        env = {"REDIAL_TEST_CLOCK": f"manual:{start_ms}"}
        script = os.path.join(self.workdir, "script.json")
        with open(script, "w") as f:
            json.dump(self.world.emulator_script(), f)
        self.eport, self.rport = free_port(), free_port()
        self.emu = f"http://127.0.0.1:{self.eport}"
        self.run_url = f"http://127.0.0.1:{self.rport}"
        self.procs.start("emulator", [self.args.emulator, "--port", str(self.eport), "--api-key",
                                      API_KEY, "--script", script, "--same-number-window", "10s",
                                      "--webhook-delay", f"{self.world.default_after_ms()}ms"], env)
        self.start_runner(start_ms)
        for url, name in ((self.emu, "emulator"), (self.run_url, "runner")):
            if not wait_for(lambda: http("GET", url + "/test/clock")[0] == 200, 20, name + " up"):
                raise RuntimeError(f"{name} did not start")

    def start_runner(self, now_ms):
        """A runner process on the test clock at now_ms, over the scenario's data directory."""
        flags = runner_flags(self.sc, self.workdir, self.args.rules_dir)
        self.procs.start("runner", [self.args.runner, "--port", str(self.rport), "--data-dir",
                                    os.path.join(self.workdir, "data"), "--fsync", "false",
                                    "--bland-api-key", API_KEY, "--bland-base-url", self.emu,
                                    "--webhook-token", TOKEN, *flags],
                         {"REDIAL_TEST_CLOCK": f"manual:{now_ms}"})

    def restart_runner(self, at_ms):
        """The simulator's timed restart: the process is killed (SIGKILL: nothing is flushed or
        checkpointed on the way out) and a new one loads the data directory at the same virtual
        instant; it ticks at start, as the simulator's restarted queue does. Bland (the emulator)
        keeps running."""
        self.procs.stop("runner", signal.SIGKILL, 5)
        self.start_runner(at_ms)
        if not wait_for(lambda: http("GET", self.run_url + "/test/clock")[0] == 200, 20,
                        "runner up after the restart"):
            raise RuntimeError("the runner did not come back after a restart")

    def schedule_world(self):
        sc, w = self.sc, self.world
        for lead_id, lead in w.leads.items():
            self.schedule_call_webhooks(lead_id, 1, self.tl.ms(lead["first_call_at"]), None)
        for e in sc.get("events", []):
            if e["type"] == "webhook":
                o = e["outcome"]
                cb = self.tl.ms(o["callback_at"]) if isinstance(o, dict) and "callback_at" in o \
                    else None
                body = first_call_body({"lead_id": e["lead_id"], "phone_number": e["phone_number"]},
                                       e["call_id"], outcome_of(o), cb)
                self.add_event(self.tl.ms(e["at"]), f"outside webhook {e['call_id']}",
                               lambda b=body: self.post_webhook(b))
            elif e["type"] == "restart":
                at = self.tl.ms(e["at"])
                self.add_event(at, "restart", lambda t=at: self.restart_runner(t))
            elif e["type"] == "stop_lead":
                self.add_event(self.tl.ms(e["at"]), f"stop {e['lead_id']}",
                               lambda lid=str(e["lead_id"]): self.stop_lead(lid))

    def schedule_call_webhooks(self, lead_id, call, start_ms, body):
        """Call 1's webhook (body None: made here); and every call's scripted duplicates."""
        w = self.world
        original = start_ms + w.after_ms(lead_id, call)
        if body is None:
            body = first_call_body(w.leads[lead_id], f"{lead_id}-c1",
                                   outcome_of(w.outcome(lead_id, 1)), w.callback_ms(lead_id, 1))
            if not w.faults.get((lead_id, 1), {}).get("lost"):
                self.add_event(original, f"{lead_id} call 1 webhook",
                               lambda b=body: self.post_webhook(b))
        for t in w.dup_times(lead_id, call, original):
            self.add_event(t, f"{lead_id} call {call} duplicate", lambda b=body: self.post_webhook(b))

    def post_webhook(self, body):
        status, text = http("POST", self.run_url + "/webhooks/bland-callback?token=" + TOKEN, body)
        if status not in (200, 400):
            raise RuntimeError(f"webhook {body['call_id']} -> HTTP {status} {text}")

    def records(self):
        status, text = http("GET", self.run_url + "/admin/records?limit=1000")
        assert status == 200, text
        return json.loads(text)["records"]

    def stop_lead(self, lead_id):
        keys = [r["key"] for r in self.records() if str(r.get("lead_id")) == lead_id]
        if len(keys) != 1:
            raise RuntimeError(f"stop_lead {lead_id}: {len(keys)} records")
        status, text = http("POST", f"{self.run_url}/admin/records/{keys[0]}/stop", {})
        if status != 200:
            raise RuntimeError(f"stop {keys[0]} -> HTTP {status} {text}")

    def emulator_calls(self):
        status, text = http("GET", self.emu + "/emulator/calls")
        assert status == 200, text
        return json.loads(text)

    def note_new_calls(self):
        """A call the queue placed: schedule its scripted duplicates (they need its body)."""
        per_lead = {}
        for c in self.emulator_calls()["calls"]:
            per_lead.setdefault(c["lead_id"], []).append(c)
            if c["call_id"] in self.seen_calls:
                continue
            self.seen_calls.add(c["call_id"])
            call = len(per_lead[c["lead_id"]]) + 1  # call 1 was made outside the queue
            if c["lead_id"] in self.world.leads:
                self.schedule_call_webhooks(c["lead_id"], call, c["dialed_at"], c["webhook_body"])

    def clock(self, base):
        status, text = http("GET", base + "/test/clock")
        assert status == 200, f"{base}/test/clock -> {status} {text}"
        return json.loads(text)

    def wait_idle(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            e1, r, e2 = self.clock(self.emu), self.clock(self.run_url), self.clock(self.emu)
            if e1["busy"] == 0 and r["busy"] == 0 and e2["busy"] == 0:
                return r, e2
            time.sleep(0.002)
        raise RuntimeError(f"not idle after 20 s: runner {r}, emulator {e2}")

    def advance(self, base, to_ms, hold):
        status, text = http("POST", base + "/test/clock/advance", {"to_ms": to_ms, "hold": hold})
        if status != 200:
            raise RuntimeError(f"{base} advance to {to_ms} -> HTTP {status} {text}")

    def play(self):
        stop_ms = self.expected["last_event_ms"]
        steps = 0
        while True:
            r, e = self.wait_idle()
            self.note_new_calls()
            times = [t for t in (r["next_timer_ms"], e["next_timer_ms"]) if t is not None]
            if self.events:
                times.append(self.events[0][0])
            at = min(times)
            if at > stop_ms:
                return steps
            steps += 1
            if at < r["now_ms"]:
                raise RuntimeError(f"an event at {at} is before the runner's now {r['now_ms']}")
            self.advance(self.run_url, at, True)
            self.advance(self.emu, at, True)
            while self.events and self.events[0][0] <= at:
                _, _, _, action = self.events.pop(0)
                action()
            http("POST", self.run_url + "/test/clock/release", {})
            http("POST", self.emu + "/test/clock/release", {})

    def actual(self):
        """Per lead: the queue's dials (one per dial_seq: a dial's retries are one dial; a
        restart reuses numbers, so only POSTs within a minute are one dial), attempts, status."""
        posts = []
        calls = self.emulator_calls()
        for c in calls["calls"]:
            seq = c["request"].get("metadata", {}).get("dial_seq")
            posts.append((c["lead_id"], seq, c["dialed_at"]))
        for c in calls["refused"]:
            posts.append((c["lead_id"], c.get("dial_seq"), c["at"]))
        dials, last_post = {}, {}
        for lead_id, seq, at in sorted(posts, key=lambda p: p[2]):
            prev = last_post.get((lead_id, seq))
            last_post[(lead_id, seq)] = at
            if seq is not None and prev is not None and at - prev <= 60_000:
                continue  # a retry of the same dial
            dials.setdefault(lead_id, []).append(at)
        out = {}
        for rec in self.records():
            lid = str(rec.get("lead_id"))
            out[lid] = {"exists": True, "attempts": rec["attempts"], "status": rec["status"],
                        "dials_at_ms": sorted(dials.get(lid, []))}
        for lid, d in dials.items():
            out.setdefault(lid, {"exists": False, "attempts": 0, "status": "absent",
                                 "dials_at_ms": sorted(d)})
        return out


def runner_flags(sc, workdir, rules_dir):
    flags = ["--rules-dir", rules_dir]
    for key, value in sc.get("config", {}).items():
        if key == "business_hours":
            for k, v in value.items():
                flags += [BUSINESS_HOURS_FLAGS[k], _list(v) if isinstance(v, list) else v]
            continue
        flag, conv = CONFIG_FLAGS[key]
        flags += [flag, conv(value)]
    if "dnc" in sc:
        path = os.path.join(workdir, "dnc.txt")
        with open(path, "w") as f:
            f.write("\n".join(sc["dnc"]) + "\n")
        flags += ["--dnc-file", path]
    return flags


def compare(expected, actual, tl):
    """Differences per lead: dials (each instant), attempts and status."""
    def text(ms_list):
        return [datetime.datetime.fromtimestamp(t / 1000, tl.zone).strftime("%m-%d %H:%M:%S")
                for t in ms_list]
    diffs = []
    absent = {"exists": False, "attempts": 0, "status": "absent", "dials_at_ms": []}
    for lid in sorted(set(expected["lead_results"]) | set(actual)):
        want = expected["lead_results"].get(lid)
        if want is None:
            continue  # a lead the simulator does not report (an outside webhook's): totals below
        got = actual.get(lid, absent)
        for field in ("status", "attempts"):
            if want[field] != got[field]:
                diffs.append(f"{lid}.{field}: sim {want[field]} runner {got[field]}")
        if want["dials_at_ms"] != got["dials_at_ms"]:
            diffs.append(f"{lid}.dials_at: sim {text(want['dials_at_ms'])} "
                         f"runner {text(got['dials_at_ms'])}")
    records = sum(1 for a in actual.values() if a["exists"])
    if records != expected["totals"]["records"]:
        diffs.append(f"records: sim {expected['totals']['records']} runner {records}")
    redials = sum(len(a["dials_at_ms"]) for a in actual.values())
    if redials != expected["totals"]["redials"]:
        diffs.append(f"redials: sim {expected['totals']['redials']} runner {redials}")
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", required=True)
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--sim", required=True)
    ap.add_argument("--scenarios", required=True, help="folder of scenario files")
    ap.add_argument("--rules-dir", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--only", default="", help="run only files whose name contains this")
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    files = sorted(f for f in glob.glob(os.path.join(args.scenarios, "*.json"))
                   if args.only in os.path.basename(f))
    report = os.path.join(args.workdir, "sim.json")
    subprocess.run([args.sim, "--json", report, *files], stdout=subprocess.DEVNULL, check=False)
    sims = {os.path.basename(s["file"]): s for s in json.load(open(report))["scenarios"]}
    passed, failed, skipped, known = [], [], [], []
    for path in files:
        name = os.path.basename(path)
        sc = json.loads(strip_comments(open(path).read()))
        why = SKIP.get(name) or why_not_expressible(sc)
        if why:
            print(f"SKIP  {name}: {why}")
            skipped.append(name)
            continue
        expected = sims[name]
        if "error" in expected or "lead_results" not in expected:
            print(f"FAIL  {name}: the simulator could not run it: {expected.get('error')}")
            failed.append(name)
            continue
        workdir = os.path.join(args.workdir, name[:-5])
        os.makedirs(workdir)
        run = Run(args, path, sc, expected, workdir)
        t0 = time.time()
        try:
            run.start()
            run.schedule_world()
            steps = run.play()
            diffs = compare(expected, run.actual(), run.tl)
        except (RuntimeError, AssertionError, OSError, ValueError, KeyError) as e:
            diffs, steps = [f"the run failed: {e!r}"], 0
        finally:
            run.procs.stop_all()
        wall = time.time() - t0
        if name in KNOWN_DIFFERENCES:
            print(f"KNOWN {name}: {KNOWN_DIFFERENCES[name]}")
            for d in diffs or ["(none: they agree now; remove it from KNOWN_DIFFERENCES)"]:
                print("    " + d)
            (known if diffs else failed).append(name)
        elif diffs:
            print(f"FAIL  {name}  ({steps} clock steps, {wall:.1f} s)")
            for d in diffs:
                print("    " + d)
            run.procs.tail("runner", 15)
            failed.append(name)
        else:
            print(f"PASS  {name}  ({steps} clock steps, {wall:.1f} s)")
            passed.append(name)
    print(f"\n{len(passed)} passed, {len(failed)} failed, {len(known)} known differences, "
          f"{len(skipped)} skipped")
    if failed:
        print("failed: " + ", ".join(failed))
    if not args.only and len(passed) < 20:
        print(f"FAIL: the issue asks for at least 20 scenario files passing ({len(passed)})")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
