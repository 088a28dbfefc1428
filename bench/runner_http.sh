#!/usr/bin/env bash
# Whole-runner webhook throughput over loopback HTTP (issue 5, item 6).
#
#   bench/runner_http.sh [--duration 30s] [--connections 32] [--threads 2] [--port 18080]
#                        [--leads 10000] [--no-build]
#
# Builds redial-runner (Release, build-rel/) unless --no-build, starts it on a fresh temp data dir
# with fsync on (every webhook is journaled and fdatasync'ed before its 200; the runner's group
# commit batches concurrent ones), the processor disabled (no dials leave the machine), no
# webhook secret, then runs wrk with bench/webhook.lua and prints throughput and p50/p90/p99.
# The runner is stopped and its data dir deleted at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${REDIAL_BENCH_BUILD:-$ROOT/build-rel}"
DURATION=30s CONNECTIONS=32 THREADS=2 PORT=18080 LEADS=10000 BUILD_IT=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --port) PORT="$2"; shift ;;
    --leads) LEADS="$2"; shift ;;
    --no-build) BUILD_IT=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "runner_http.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "runner_http.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

if [ "$BUILD_IT" = 1 ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
  if ! cmake --build "$BUILD" --target help | grep -q 'redial-runner'; then
    echo "runner_http.sh: this tree has no redial-runner target (the runner has not landed yet)" >&2
    exit 3
  fi
  cmake --build "$BUILD" -j"${REDIAL_BENCH_JOBS:-2}" --target redial-runner
fi
RUNNER="$BUILD/runner/redial-runner"
[ -x "$RUNNER" ] || { echo "runner_http.sh: $RUNNER not built" >&2; exit 3; }

DATA="$(mktemp -d "${TMPDIR:-/tmp}/redial-runner-bench-XXXXXX")"
LOG="$DATA.log"
"$RUNNER" --data-dir "$DATA/queue" --port "$PORT" --listen-address 127.0.0.1 \
  --queue-enabled false --fsync true --bland-base-url http://127.0.0.1:9 \
  --log-level warn >"$LOG" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$DATA" "$LOG"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "runner_http.sh: redial-runner exited; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.1
done

echo "redial-runner pid $PID on 127.0.0.1:$PORT, data $DATA (fsync on); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
REDIAL_WRK_LEADS="$LEADS" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
  -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$PORT"
echo "journal after the run: $(du -sh "$DATA/queue" | cut -f1) in $DATA/queue"
