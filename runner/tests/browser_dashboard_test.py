#!/usr/bin/env python3
"""Browser test of the dashboard (issue 16): bland-emulator + redial-runner with an admin token,
driven by Debian's Chromium (headless) through playwright-core (tests/browser/dashboard.mjs).

This script starts the processes (the e2e helpers: business hours 00:00-24:00, no federal
window, so any hour works), makes sure playwright-core is installed (npm ci, once), and runs the
node script, whose checks and exit code are the test's. Screenshots go to --shots.
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_test import (API_KEY, Procs, check, free_port, http, setup,  # noqa: E402
                      stop_and_report, wait_for)

SECRET = "browser-secret"
ADMIN_TOKEN = "browser-admin-token-0123456789"
# A1 ends TRANSFERRED at its 2nd call, B2 at max attempts (3); the browser adds C3 far ahead.
SCRIPT = {"leads": {"A1": ["VOICEMAIL", "TRANSFERRED"], "B2": ["NO_ANSWER", "BUSY", "VOICEMAIL"]}}


def add_args(ap):
    ap.add_argument("--node-dir", required=True, help="tests/browser (package.json)")
    ap.add_argument("--shots", required=True, help="directory for the screenshots")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))


def ensure_playwright(node_dir):
    """npm ci once (from package-lock.json); later runs need no network."""
    if os.path.isdir(os.path.join(node_dir, "node_modules", "playwright-core")):
        return True
    npm = shutil.which("npm")
    if not check(npm is not None, "npm is installed (scripts/install-deps.sh)"):
        return False
    rc = subprocess.call([npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=node_dir)
    return check(rc == 0, "npm ci installed playwright-core")


def main():
    a, script_path = setup(SCRIPT, add_args)
    a.node_dir, a.shots = os.path.abspath(a.node_dir), os.path.abspath(a.shots)
    chromium = shutil.which(a.chromium)
    node = shutil.which("node")
    if not (check(chromium is not None, f"{a.chromium} is installed (Debian package chromium)")
            and check(node is not None, "node is installed (Debian package nodejs)")
            and ensure_playwright(a.node_dir)):
        print("0 passed, 1 failed")
        return 1
    os.makedirs(a.shots, exist_ok=True)
    emu_port, run_port = free_port(), free_port()
    base = f"http://127.0.0.1:{run_port}"
    procs = Procs(a.workdir)
    env = {
        "BLAND_API_KEY": API_KEY, "BLAND_BASE_URL": f"http://127.0.0.1:{emu_port}",
        "BLAND_WEBHOOK_SECRET": SECRET, "REDIAL_ADMIN_TOKEN": ADMIN_TOKEN,
        "REDIAL_PUBLIC_WEBHOOK_URL": base + "/webhooks/bland-callback",
        "REDIAL_PORT": str(run_port), "REDIAL_DATA_DIR": os.path.join(a.workdir, "data"),
        "REDIAL_PROCESS_INTERVAL": "1s", "REDIAL_PROGRESSIVE_INTERVALS": "2s,2s,2s",
        "REDIAL_MIN_WAIT": "0", "REDIAL_MAX_ATTEMPTS": "3",
        # Any hour: the calling windows are tested elsewhere (core tests, scenarios).
        "REDIAL_BUSINESS_HOURS_START": "00:00", "REDIAL_BUSINESS_HOURS_END": "24:00",
        "REDIAL_FEDERAL_WINDOW": "false", "REDIAL_MIN_CALL_GAP": "0",
        "REDIAL_READY_WINDOW_DAYS": "2", "REDIAL_CALL_TIMEOUT": "3s",
    }
    rc = 1
    try:
        procs.start_emulator(a.emulator, emu_port, "--script", script_path, "--webhook-delay",
                             "1500ms", "--webhook-secret", SECRET,
                             "--same-number-window", "1s")
        procs.start("runner", [a.runner, "--log-format", "json"], env)
        wait_for(lambda: http("GET", base + "/healthz")[0] == 200, 10, "runner up")
        status, _ = http("GET", base + "/admin/stats")
        check(status == 401, f"the admin API needs the token ({status})")
        rc = subprocess.call([node, os.path.join(a.node_dir, "dashboard.mjs")], cwd=a.node_dir,
                             env=dict(os.environ, DASHBOARD_URL=base, ADMIN_TOKEN=ADMIN_TOKEN,
                                      CHROMIUM=chromium, SHOTS_DIR=a.shots), timeout=100)
        check(rc == 0, f"the browser checks passed (node exit {rc})")
    except subprocess.TimeoutExpired:
        check(False, "the browser checks finished within 100 s")
    finally:
        code = stop_and_report(procs, "runner", "emulator")
    return code


if __name__ == "__main__":
    sys.exit(main())
