#!/usr/bin/env bash
# Whole-runner webhook throughput over loopback HTTP (issue 5, item 6).
#
#   bench/runner_http.sh [--duration 30s] [--connections 32] [--threads 2] [--port 18080]
#                        [--leads 10000] [--preload] [--json FILE] [--no-build]
#
# --json FILE: also writes the figures as one Google Benchmark-shaped entry (name
# runner_http/leads:N/connections:C/preload:P; real_time = wall µs per webhook, i.e. 1/throughput;
# counters p50_ms p90_ms p99_ms max_ms), which bench/run.sh --runner merges into its JSON so that
# report.py and compare.py see it beside the rest.
#
# --preload: the runner starts on the benchmark suite's generated month file of --leads leads
# (redial-bench --month-file N, the seed's format, ~436 bytes a lead), copied into the data dir
# as the current month, and every webhook updates one of those leads: the figures are those of
# a queue of that size. Without it the data dir starts empty and webhooks create leads as they
# come (at most --leads of them). The start-up load time is printed.
#
# Builds redial-runner (Release, build-rel/) unless --no-build, starts it on a fresh temp data dir
# with fsync on (every webhook is journaled and fdatasync'ed before its 200; the runner's group
# commit batches concurrent ones), the processor disabled (no dials leave the machine), no
# webhook secret but a random URL token (sent by wrk), then runs wrk with bench/webhook.lua and
# prints throughput, p50/p90/p99 and the group commit's syncs. Exits 1 if any answer was not 200.
# The runner is stopped and its data dir deleted at the end.
# Environment: REDIAL_BENCH_BUILD (build dir, default build-rel), REDIAL_BENCH_FSYNC=false (the
# CPU ceiling without the disk).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${REDIAL_BENCH_BUILD:-$ROOT/build-rel}"
DURATION=30s CONNECTIONS=32 THREADS=2 PORT=18080 LEADS=10000 BUILD_IT=1 PRELOAD=0 JSON=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --port) PORT="$2"; shift ;;
    --leads) LEADS="$2"; shift ;;
    --preload) PRELOAD=1 ;;
    --json) JSON="$2"; shift ;;
    --no-build) BUILD_IT=0 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
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
  [ "$PRELOAD" = 1 ] && cmake --build "$BUILD" -j"${REDIAL_BENCH_JOBS:-2}" --target redial-bench
fi
RUNNER="$BUILD/runner/redial-runner"
[ -x "$RUNNER" ] || { echo "runner_http.sh: $RUNNER not built" >&2; exit 3; }

# The runner refuses webhooks without its URL token (docs/reliability.md); wrk sends this one.
TOKEN="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/redial-runner-bench-XXXXXX")"
LOG="$DATA.log"
WAIT_TENTHS=100
if [ "$PRELOAD" = 1 ]; then
  SOURCE="$("$BUILD/bench/redial-bench" --month-file "$LEADS")"
  mkdir -p "$DATA/queue"
  # The current month in the runner's business zone, so retention keeps the file.
  cp "$SOURCE" "$DATA/queue/redial-queue_$(TZ=America/New_York date +%Y-%m).json"
  WAIT_TENTHS=6000
fi
T0=$(date +%s.%N)
"$RUNNER" --data-dir "$DATA/queue" --port "$PORT" --listen-address 127.0.0.1 \
  --queue-enabled false --fsync "${REDIAL_BENCH_FSYNC:-true}" --bland-base-url http://127.0.0.1:9 \
  --log-level warn --webhook-token "$TOKEN" >"$LOG" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$DATA" "$LOG" "$DATA.wrk" "$DATA.syncs"
}
trap cleanup EXIT

for _ in $(seq 1 "$WAIT_TENTHS"); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "runner_http.sh: redial-runner exited; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.1
done

echo "redial-runner up after $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s (start-up load of $([ "$PRELOAD" = 1 ] && echo "$LEADS leads" || echo "an empty queue"))"
echo "redial-runner pid $PID on 127.0.0.1:$PORT, data $DATA (fsync ${REDIAL_BENCH_FSYNC:-true}); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
REDIAL_WRK_LEADS="$LEADS" REDIAL_WRK_DATASET="$PRELOAD" REDIAL_WRK_TOKEN="$TOKEN" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
  -s "$ROOT/bench/webhook.lua" "http://127.0.0.1:$PORT" | tee "$DATA.wrk"
# The group commit's own figures: syncs, and the mean and max time of one.
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -E '^redial_store_sync_seconds_(sum|count|max) ' \
  | awk '{v[$1]=$2} END {n=v["redial_store_sync_seconds_count"]; if (n>0) printf "syncs %d, mean %.2f ms, max %.2f ms\n", n, 1000*v["redial_store_sync_seconds_sum"]/n, 1000*v["redial_store_sync_seconds_max"]}' \
  | tee "$DATA.syncs" || true
echo "journal after the run: $(du -sh "$DATA/queue" | cut -f1) in $DATA/queue"
# A figure counts only when every webhook was taken: any non-200 fails the run.
if ! grep -q 'non-200 0;' "$DATA.wrk"; then
  echo "runner_http.sh: some webhooks were not answered 200 (see above); the figures are void" >&2
  exit 1
fi
if [ -n "$JSON" ]; then
  python3 - "$DATA.wrk" "$DATA.syncs" "$JSON" "$LEADS" "$CONNECTIONS" "$PRELOAD" <<'PY'
import json, os, re, sys
wrk, syncs, out, leads, conns, preload = sys.argv[1:7]
text = open(wrk).read()
m = re.search(r"webhooks (\d+) in ([\d.]+) s: (\d+)/s", text)
lat = re.search(r"latency ms: p50 ([\d.]+)\s+p90 ([\d.]+)\s+p99 ([\d.]+)\s+max ([\d.]+)", text)
s = re.search(r"syncs (\d+), mean ([\d.]+) ms", open(syncs).read() if os.path.exists(syncs) else "")
n, secs = int(m.group(1)), float(m.group(2))
entry = {
    "name": f"runner_http/leads:{leads}/connections:{conns}/preload:{preload}",
    "run_name": f"runner_http/leads:{leads}/connections:{conns}/preload:{preload}",
    "run_type": "iteration", "iterations": n, "time_unit": "us",
    "real_time": 1e6 * secs / n, "cpu_time": 1e6 * secs / n, "items_per_second": n / secs,
    "p50_ms": float(lat.group(1)), "p90_ms": float(lat.group(2)),
    "p99_ms": float(lat.group(3)), "max_ms": float(lat.group(4)),
}
if s:
    entry["syncs"] = int(s.group(1))
    entry["sync_mean_ms"] = float(s.group(2))
json.dump(entry, open(out, "w"))
PY
  echo "runner_http.sh: figures in $JSON"
fi
