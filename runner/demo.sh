#!/usr/bin/env bash
# Demo: the production runner against the bundled Bland emulator, with accelerated intervals.
# Starts bland-emulator and redial-runner on free loopback ports, queues a small demo lead list,
# prints the admin API address, and shows calls, results and redials as they happen.
#
#   runner/demo.sh                 # builds if needed, runs until every lead is done (or 90 s)
#   DEMO_SECONDS=300 runner/demo.sh
#   DEMO_KEEP=1 runner/demo.sh     # keep both running after the demo until Ctrl-C
#   BUILD_DIR=build runner/demo.sh
#
# Against the real Bland, run redial-runner itself with BLAND_API_KEY and
# REDIAL_PUBLIC_WEBHOOK_URL set (see docs/deploy.md): nothing else changes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
DEMO_SECONDS="${DEMO_SECONDS:-90}"
RUNNER="$BUILD_DIR/runner/redial-runner"
EMULATOR="$BUILD_DIR/runner/bland-emulator"

if [[ ! -x "$RUNNER" || ! -x "$EMULATOR" ]]; then
  echo "demo: building redial-runner and bland-emulator in $BUILD_DIR ..."
  cmake -S "$ROOT" -B "$BUILD_DIR" -DREDIAL_BUILD_BENCH=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target redial-runner bland-emulator >/dev/null
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/redial-demo.XXXXXX")"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
EMU_PORT="$(free_port)"
PORT="${REDIAL_DEMO_PORT:-$(free_port)}"
API="http://127.0.0.1:$PORT"
SECRET="demo-secret"

cat >"$WORK/outcomes.json" <<'EOF'
{"leads": {
  "1001": ["VOICEMAIL", "NO_ANSWER", "TRANSFERRED"],
  "1002": ["BUSY", "VOICEMAIL", "NO_ANSWER", "VOICEMAIL"],
  "1003": ["TRANSFERRED"],
  "1004": ["NO_ANSWER", {"outcome": "VOICEMAIL", "webhook": "duplicate"}, "DO_NOT_CONTACT"],
  "1005": ["VOICEMAIL", {"outcome": "NO_ANSWER", "webhook": "lost"}, "TRANSFERRED"],
  "1006": [{"outcome": "TRANSFER_FAILED_TAGGED", "webhook": "analysis"}, "TRANSFER_MERGED"],
  "1007": ["BAD_NUMBER"],
  "1008": ["VOICEMAIL"]
}}
EOF
# No `state` on the demo leads: a state puts the lead-local calling window in that state's zone,
# where it may be night now; without one the window follows the business zone chosen below.
cat >"$WORK/leads.json" <<'EOF'
[
  {"lead_id": "1001", "phone_number": "+15550101001", "list_id": "DEMO", "first_name": "Ada"},
  {"lead_id": "1002", "phone_number": "(555) 010-1002", "list_id": "DEMO", "first_name": "Ben"},
  {"lead_id": "1003", "phone_number": "555.010.1003", "list_id": "DEMO", "first_name": "Cy"},
  {"lead_id": "1004", "phone_number": "1-555-010-1004", "list_id": "DEMO", "first_name": "Di"},
  {"lead_id": "1005", "phone_number": "+1 555 010 1005", "list_id": "DEMO", "first_name": "Ed"},
  {"lead_id": "1006", "phone_number": "+15550101006", "list_id": "DEMO", "first_name": "Fay"},
  {"lead_id": "1007", "phone_number": "+15550101007", "list_id": "DEMO", "first_name": "Gus"}
]
EOF

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "demo: stopped. Data and logs kept in $WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$EMULATOR" --port "$EMU_PORT" --api-key demo-key --script "$WORK/outcomes.json" \
  --webhook-delay 2s --webhook-secret "$SECRET" --same-number-window 2s --analysis-delay 4s \
  >"$WORK/emulator.log" 2>&1 &
PIDS+=($!)

# The demo runs at any hour, and the federal 08:00-21:00 window stays on: its 555 numbers have
# no area code to place them, so the business zone stands in, and we pick one where it is
# early afternoon now (Etc/GMT-N is UTC+N).
OFFSET=$(( (14 - 10#$(date -u +%H) + 24) % 24 )); (( OFFSET > 12 )) && OFFSET=$(( OFFSET - 24 ))
if (( OFFSET > 0 )); then ZONE="Etc/GMT-$OFFSET"; elif (( OFFSET < 0 )); then ZONE="Etc/GMT+$(( -OFFSET ))"; else ZONE="Etc/GMT"; fi

BLAND_API_KEY=demo-key \
BLAND_BASE_URL="http://127.0.0.1:$EMU_PORT" \
BLAND_WEBHOOK_SECRET="$SECRET" \
REDIAL_PUBLIC_WEBHOOK_URL="$API/webhooks/bland-callback" \
REDIAL_PORT="$PORT" \
REDIAL_DATA_DIR="$WORK/data" \
REDIAL_PROCESS_INTERVAL=5s \
REDIAL_PROGRESSIVE_INTERVALS=5s,5s,10s \
REDIAL_MIN_WAIT=0 \
REDIAL_MAX_ATTEMPTS=4 \
REDIAL_CALL_TIMEOUT=8s \
REDIAL_CALL_TEMPLATE='{"task": "redial demo call", "max_duration": 0.05}' \
REDIAL_WEBHOOK_GRACE=0 \
REDIAL_ACTIVE_CALL_PUSHBACK=5s \
REDIAL_BUSINESS_HOURS_START=00:00 \
REDIAL_BUSINESS_HOURS_END=24:00 \
REDIAL_TIME_ZONE="$ZONE" \
REDIAL_MIN_CALL_GAP=2s \
REDIAL_LOG_FILE="$WORK/runner.log" \
  "$RUNNER" &
PIDS+=($!)

for _ in $(seq 50); do curl -sf "$API/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$API/healthz" >/dev/null || { echo "demo: runner did not start; see $WORK/runner.log"; exit 1; }

echo "=================================================================="
echo " redial-runner demo (Bland emulated on 127.0.0.1:$EMU_PORT)"
echo " Admin API:  $API/admin/stats"
echo "             $API/admin/records"
echo "             $API/metrics"
echo " Webhook:    $API/webhooks/bland-callback"
echo " Data:       $WORK/data    Logs: $WORK/runner.log"
echo " Intervals:  tick every 5 s; redial waits 5s, 5s, 10s; max 4 attempts"
echo "=================================================================="
echo "Queueing 7 demo leads (1006: a transfer the pathway tags TRANSFERRED that never happened,"
echo "retried; 1007: a number Bland cannot reach, stopped; 1008 has 1007's number, due later):"
curl -sf -X POST "$API/admin/leads" -H 'Content-Type: application/json' --data @"$WORK/leads.json"
echo
DUE_LATER=$(( $(date +%s) * 1000 + 12000 ))
curl -sf -X POST "$API/admin/leads" -H 'Content-Type: application/json' \
  --data "{\"lead_id\": \"1008\", \"phone_number\": \"+15550101007\", \"list_id\": \"DEMO\", \"first_name\": \"Hal\", \"dial_at\": $DUE_LATER}"
echo

show_log() {
  # New lines of interest since the last look: dials, results, duplicates, reconciles.
  local from="$1"
  tail -n +"$from" "$WORK/runner.log" |
    grep -E 'CALLING|Call result applied|Duplicate webhook|Webhook ignored|Transfer claimed without evidence|do-not-call|Reconciling|Dial (retry|refused|failed)|processing completed' |
    sed -E 's/^[0-9-]+ ([0-9:]+)\.[0-9]+ +[a-z]+ +/  \1 /' || true
}

table() {
  curl -sf "$API/admin/records?limit=100" | python3 -c '
import json, sys, time
recs = json.load(sys.stdin)["records"]
now = time.time() * 1000
print("  %-16s %-13s %-3s %-10s %s" % ("lead", "status", "att", "next", "outcomes"))
for r in recs:
    nxt = "-" if r["status"] not in ("pending", "rescheduled") else "in %ds" % max(0, (r["next_redial_timestamp"] - now) / 1000)
    print("  %-16s %-13s %-3d %-10s %s" % (r["key"], r["status"], r["attempts"], nxt, ",".join(r["outcomes"])))
'
}

line=1
start=$(date +%s)
while true; do
  sleep 3
  total=$(wc -l <"$WORK/runner.log")
  show_log "$line"
  line=$((total + 1))
  echo "--- queue at $(date +%H:%M:%S) ---"
  table
  open=$(curl -sf "$API/admin/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["by_status"]["pending"] + s["by_status"]["rescheduled"] + len(s["in_flight"]))')
  # 1008 is queued for later; the 1006 analysis body comes 4 s after its first result.
  if (( $(date +%s) * 1000 < DUE_LATER + 6000 )); then open=1; fi
  if [[ "$open" == "0" ]]; then
    echo "demo: every lead is done (completed or max_attempts)."
    break
  fi
  if (($(date +%s) - start > DEMO_SECONDS)); then
    echo "demo: $DEMO_SECONDS s elapsed."
    break
  fi
done

echo "Metrics excerpt:"
curl -sf "$API/metrics" | grep -E '^redial_(calls_made|webhooks|queue_records|reconciles|transfer_claims_unproven|store_sync_seconds_count)' | grep -v ' 0$' || true
if [[ -n "${DEMO_KEEP:-}" ]]; then
  echo "demo: still running; admin API at $API (Ctrl-C to stop)"
  wait
fi
