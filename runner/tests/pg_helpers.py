"""Helpers for the PostgreSQL tests: the throwaway cluster (tests/pg_cluster.sh), a database per
test, SQL through psql, and runners sharing one database (docs/scaling.md)."""
import os
import subprocess
import sys

from e2e_test import API_KEY, RUNNER_TEST_DEFAULTS, WEBHOOK_PATH, WEBHOOK_TOKEN

SKIP_CODE = 77  # CTest SKIP_RETURN_CODE


def cluster_url_or_skip(state_file):
    """The cluster's URL (database "postgres"); exits with SKIP_CODE and a loud message when
    pg_cluster.sh could not start a server here."""
    try:
        text = open(state_file).read().split()
    except OSError as e:
        text = ["SKIP", f"no cluster state file ({e}); did the pg.cluster_start fixture run?"]
    if not text or text[0] == "SKIP":
        print("!" * 78, file=sys.stderr)
        print("!!! PostgreSQL test SKIPPED: " + " ".join(text[1:]), file=sys.stderr)
        print("!" * 78, file=sys.stderr)
        sys.exit(SKIP_CODE)
    return text[0]


def psql(url, sql):
    """Runs SQL; returns the rows as lists of strings (unaligned, '|'-separated)."""
    out = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines() if line]


def fresh_database(cluster_url, name):
    """Drops and creates database `name`; returns its URL."""
    psql(cluster_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(cluster_url, f"CREATE DATABASE {name}")
    return cluster_url.rsplit("/", 1)[0] + "/" + name


def runner_env(emu, port, data_dir, store, webhook_base, extra=None):
    """Settings of one runner of a group: fast ticks and redials, any hour, one shared store.
    Its dials ask Bland to send the webhook to `webhook_base` (another runner, to show that
    any runner applies any result)."""
    env = {
        "BLAND_API_KEY": API_KEY,
        "BLAND_BASE_URL": emu,
        "REDIAL_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
        "REDIAL_PUBLIC_WEBHOOK_URL": webhook_base + WEBHOOK_PATH,
        "REDIAL_PORT": str(port),
        "REDIAL_DATA_DIR": data_dir,
        "REDIAL_STORE": store,
        "REDIAL_PROCESS_INTERVAL": "1s",
        "REDIAL_PROGRESSIVE_INTERVALS": "1s",
        "REDIAL_MIN_WAIT": "0",
        "REDIAL_MAX_ATTEMPTS": "3",
        "REDIAL_BUSINESS_HOURS_START": "00:00",
        "REDIAL_BUSINESS_HOURS_END": "24:00",
        "REDIAL_READY_WINDOW_DAYS": "0",
        "REDIAL_FEDERAL_WINDOW": "false",
        "REDIAL_MIN_CALL_GAP": "0",
        "REDIAL_DIAL_BACKOFF": "300ms",
        "REDIAL_CALL_TIMEOUT": "30s",
        # Bounded load: at most 8 dials at once per runner (the emulator serves 64 connections).
        "REDIAL_MAX_CONCURRENT_CALLS": "8",
        "REDIAL_LOG_LEVEL": "warn",
        **RUNNER_TEST_DEFAULTS,  # also for runners not started through Procs (the start-up checks)
    }
    env.update(extra or {})
    return env


def overlapping_calls(calls):
    """Pairs of emulator calls to one number where the second was dialed before the first ended
    (its webhook time): two calls to one phone at once, a double dial."""
    by_phone = {}
    for c in calls:
        by_phone.setdefault(c["phone_number"], []).append(c)
    bad = []
    for phone, cs in by_phone.items():
        cs.sort(key=lambda c: c["dialed_at"])
        for a, b in zip(cs, cs[1:]):
            if b["dialed_at"] < a["ends_at"]:
                bad.append((a["call_id"], b["call_id"], phone))
    return bad
