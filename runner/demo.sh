#!/usr/bin/env bash
# Demo: the production runner against the bundled Bland emulator, with accelerated intervals.
# Starts bland-emulator and redial-runner on free loopback ports, queues a small demo lead list,
# prints the dashboard and admin API addresses, and shows calls, results, redials, a success, a
# failed transfer retried, do-not-call, and leads held by a calling rule (with the rule and the
# time they may be called), at any hour.
#
#   runner/demo.sh                 # builds if needed, runs until every lead is done (or 75 s)
#   DEMO_SECONDS=300 runner/demo.sh
#   DEMO_KEEP=1 runner/demo.sh     # keep both running after the demo until Ctrl-C
#   BUILD_DIR=build runner/demo.sh
#
# Hooks (the CTests runner.demo_faketime_* use them):
#   DEMO_TICK=4s DEMO_INTERVALS=4s,4s,8s   tick and redial waits (shorter: a faster demo)
#   DEMO_FAKETIME=+3600            libfaketime's FAKETIME for the two servers only (an offset in
#                                  seconds, so every process sees the same time); the demo reads
#                                  "now" from them. DEMO_PRELOAD: their LD_PRELOAD list (default:
#                                  Debian's libfaketime; under ASan put libasan first).
#   DEMO_SUMMARY=FILE              at the end, write the records, stats and what was shown as JSON
#   DEMO_RUNNER, DEMO_EMULATOR     the two programs (default: in $BUILD_DIR/runner)
#
# Against the real Bland, run redial-runner itself with BLAND_API_KEY and
# REDIAL_PUBLIC_WEBHOOK_URL set (see docs/deploy.md): nothing else changes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
DEMO_SECONDS="${DEMO_SECONDS:-75}"
DEMO_TICK="${DEMO_TICK:-4s}"
DEMO_INTERVALS="${DEMO_INTERVALS:-4s,4s,8s}"
RUNNER="${DEMO_RUNNER:-$BUILD_DIR/runner/redial-runner}"
EMULATOR="${DEMO_EMULATOR:-$BUILD_DIR/runner/bland-emulator}"
VIEW=(python3 "$ROOT/runner/demo_view.py")

if [[ ! -x "$RUNNER" || ! -x "$EMULATOR" ]]; then
  echo "demo: building redial-runner and bland-emulator in $BUILD_DIR ..."
  cmake -S "$ROOT" -B "$BUILD_DIR" -DREDIAL_BUILD_BENCH=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target redial-runner bland-emulator >/dev/null
fi

# The servers' environment: a faked wall clock when DEMO_FAKETIME is set (monotonic time real).
FAKE_ENV=()
if [[ -n "${DEMO_FAKETIME:-}" ]]; then
  DEMO_PRELOAD="${DEMO_PRELOAD:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}"
  # ld.so only warns about a missing preload and runs on the real clock: refuse instead.
  IFS=: read -ra preload_libs <<<"$DEMO_PRELOAD"
  for lib in "${preload_libs[@]}"; do
    [[ -f "$lib" ]] || { echo "demo: DEMO_PRELOAD: no file $lib (Debian package faketime)" >&2; exit 2; }
  done
  FAKE_ENV=(LD_PRELOAD="$DEMO_PRELOAD" FAKETIME="$DEMO_FAKETIME" DONT_FAKE_MONOTONIC=1)
fi
# The servers' "now" (epoch s) before they run: `date` under libfaketime alone (not libasan).
server_now_s() {
  if [[ -z "${DEMO_FAKETIME:-}" ]]; then
    date -u +%s
    return
  fi
  local lib libs=()
  IFS=: read -ra libs <<<"$DEMO_PRELOAD"
  for lib in "${libs[@]}"; do
    if [[ "$lib" == *faketime* ]]; then
      env LD_PRELOAD="$lib" FAKETIME="$DEMO_FAKETIME" date -u +%s
      return
    fi
  done
  echo "demo: DEMO_PRELOAD ($DEMO_PRELOAD) names no libfaketime" >&2
  exit 2
}

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
  "1008": ["VOICEMAIL"],
  "1009": ["VOICEMAIL", "TRANSFERRED"],
  "1010": ["TRANSFERRED"]
}}
EOF
# No `state` and no real area code on 1001-1008: the business zone chosen below stands in for
# their calling window. 1009 and 1010 are placed by their area codes (the numbers are fictional
# 555-01xx ones), so that a calling rule holds 1009 whatever the hour, and 1010 at some hours:
# - 1009, Maine (207, Eastern): with --state-rules, Maine allows automated calls on weekdays
#   09:00-17:00 and one call a day. Outside those hours it is held at once (state_hours:ME or
#   federal_window); inside them it is called once and its redial is held (state_cap_24h:ME).
# - 1010, Guam (671, UTC+10): the federal 08:00-21:00 window in Guam. It is night there whenever
#   Maine's window is open; at most other hours it is dialed and completes.
cat >"$WORK/leads.json" <<'EOF'
[
  {"lead_id": "1001", "phone_number": "+15550101001", "list_id": "DEMO", "first_name": "Ada"},
  {"lead_id": "1002", "phone_number": "(555) 010-1002", "list_id": "DEMO", "first_name": "Ben"},
  {"lead_id": "1003", "phone_number": "555.010.1003", "list_id": "DEMO", "first_name": "Cy"},
  {"lead_id": "1004", "phone_number": "1-555-010-1004", "list_id": "DEMO", "first_name": "Di"},
  {"lead_id": "1005", "phone_number": "+1 555 010 1005", "list_id": "DEMO", "first_name": "Ed"},
  {"lead_id": "1006", "phone_number": "+15550101006", "list_id": "DEMO", "first_name": "Fay"},
  {"lead_id": "1007", "phone_number": "+15550101007", "list_id": "DEMO", "first_name": "Gus"},
  {"lead_id": "1009", "phone_number": "+12075550109", "list_id": "DEMO", "first_name": "Ida", "state": "ME"},
  {"lead_id": "1010", "phone_number": "+16715550110", "list_id": "DEMO", "first_name": "Jo"}
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

env "${FAKE_ENV[@]}" "$EMULATOR" --port "$EMU_PORT" --api-key demo-key --script "$WORK/outcomes.json" \
  --webhook-delay 2s --webhook-secret "$SECRET" --same-number-window 2s --analysis-delay 4s \
  >"$WORK/emulator.log" 2>&1 &
PIDS+=($!)

# The demo runs at any hour, and the federal 08:00-21:00 window stays on: the 555 numbers have
# no area code to place them, so the business zone stands in, and we pick one where it is
# early afternoon now (by the servers' clock).
ZONE="$("${VIEW[@]}" zone "$(server_now_s)")"

env "${FAKE_ENV[@]}" \
  BLAND_API_KEY=demo-key \
  BLAND_BASE_URL="http://127.0.0.1:$EMU_PORT" \
  BLAND_WEBHOOK_SECRET="$SECRET" \
  REDIAL_PUBLIC_WEBHOOK_URL="$API/webhooks/bland-callback" \
  REDIAL_PORT="$PORT" \
  REDIAL_DATA_DIR="$WORK/data" \
  REDIAL_PROCESS_INTERVAL="$DEMO_TICK" \
  REDIAL_PROGRESSIVE_INTERVALS="$DEMO_INTERVALS" \
  REDIAL_MIN_WAIT=0 \
  REDIAL_MAX_ATTEMPTS=4 \
  REDIAL_CALL_TIMEOUT=8s \
  REDIAL_CALL_TEMPLATE='{"task": "redial demo call", "max_duration": 0.05}' \
  REDIAL_WEBHOOK_GRACE=0 \
  REDIAL_ACTIVE_CALL_PUSHBACK=5s \
  REDIAL_BUSINESS_HOURS_START=00:00 \
  REDIAL_BUSINESS_HOURS_END=24:00 \
  REDIAL_TIME_ZONE="$ZONE" \
  REDIAL_STATE_RULES=true \
  REDIAL_MIN_CALL_GAP=2s \
  REDIAL_LOG_FILE="$WORK/runner.log" \
  "$RUNNER" &
PIDS+=($!)

for _ in $(seq 50); do curl -sf "$API/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$API/healthz" >/dev/null || { echo "demo: runner did not start; see $WORK/runner.log"; exit 1; }

echo "=================================================================="
echo " redial-runner demo (Bland emulated on 127.0.0.1:$EMU_PORT)"
echo " Dashboard:  $API/"
echo " Admin API:  $API/admin/stats"
echo "             $API/admin/records"
echo "             $API/metrics"
echo " Webhook:    $API/webhooks/bland-callback"
echo " Data:       $WORK/data    Logs: $WORK/runner.log"
echo " Intervals:  tick every $DEMO_TICK; redial waits $DEMO_INTERVALS; max 4 attempts"
echo " Rules:      federal 08:00-21:00 lead-local time, state rules on; business zone $ZONE,"
echo "             where it is early afternoon now (it places 1001-1008, which have no area code)"
if [[ -n "${DEMO_FAKETIME:-}" ]]; then
  echo " Clock:      the servers' wall clock is faked (libfaketime FAKETIME=$DEMO_FAKETIME)"
fi
echo "=================================================================="
echo "Queueing 9 demo leads (1006: a transfer the pathway tags TRANSFERRED that never happened,"
echo "retried; 1007: a number Bland cannot reach, stopped; 1009 in Maine, which Maine's calling"
echo "rules hold whatever the hour; 1010 in Guam, held while it is night there):"
curl -sf -X POST "$API/admin/leads" -H 'Content-Type: application/json' --data @"$WORK/leads.json"
echo
echo "and 1008, which has 1007's number, due 12 s later:"
DUE_LATER=$(($("${VIEW[@]}" now "$API") + 12000))
curl -sf -X POST "$API/admin/leads" -H 'Content-Type: application/json' \
  --data "{\"lead_id\": \"1008\", \"phone_number\": \"+15550101007\", \"list_id\": \"DEMO\", \"first_name\": \"Hal\", \"dial_at\": $DUE_LATER}"
echo

show_log() {
  # New lines of interest since the last look: dials, results, holds, duplicates, reconciles
  # (not the idle ticks). The times are the runner's, in the business zone.
  local from="$1"
  tail -n +"$from" "$WORK/runner.log" |
    grep -E 'CALLING|Call result applied|held by calling rule|Duplicate webhook|Webhook ignored|Transfer claimed without evidence|do-not-call|Reconciling|Dial (retry|refused|failed)|processing completed' |
    grep -v '"total_ready":0,' |
    sed -E 's/^[0-9-]+ ([0-9:]+)\.[0-9]+ +[a-z]+ +/  \1 /' || true
}

line=1
start=$(date +%s)
held_shown=""
while true; do
  sleep 3
  total=$(wc -l <"$WORK/runner.log")
  show_log "$line"
  line=$((total + 1))
  "${VIEW[@]}" table "$API" "$ZONE"
  held="$("${VIEW[@]}" held "$API" "$ZONE")"
  if [[ -n "$held" && "$held" != "$held_shown" ]]; then
    echo "Held by a calling rule (not dialed now, on purpose):"
    echo "$held"
    held_shown="$held"
  fi
  open=$("${VIEW[@]}" open "$API")
  # 1008 is queued for later; the 1006 analysis body comes 4 s after its first result.
  if (($("${VIEW[@]}" now "$API") < DUE_LATER + 6000)); then open=1; fi
  if [[ "$open" == "0" ]]; then
    echo "demo: every lead is done (completed, max_attempts, dnc) or held by a calling rule."
    break
  fi
  if (($(date +%s) - start > DEMO_SECONDS)); then
    echo "demo: $DEMO_SECONDS s elapsed."
    break
  fi
done

"${VIEW[@]}" table "$API" "$ZONE"
"${VIEW[@]}" recap "$API" "$ZONE" "${DEMO_SUMMARY:-}"
echo "Metrics excerpt:"
curl -sf "$API/metrics" | grep -E '^redial_(calls_made|webhooks|queue_records|reconciles|transfer_claims_unproven|store_sync_seconds_count)' | grep -v ' 0$' || true
echo "Dashboard:  $API/"
if [[ -n "${DEMO_KEEP:-}" ]]; then
  echo "demo: still running; dashboard at $API/, admin API at $API/admin/stats (Ctrl-C to stop)"
  wait
fi
