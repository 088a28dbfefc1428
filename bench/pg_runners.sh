#!/usr/bin/env bash
# Webhook throughput of N runners on one PostgreSQL database (issue 20, docs/scaling.md).
#
#   bench/pg_runners.sh [--runners 2] [--duration 20s] [--connections 16] [--leads 10000]
#                       [--runner PATH] [--url postgres://...]
#
# Starts a throwaway cluster (tests/pg_cluster.sh; or uses --url's server, in a new database
# redial_bench), N runners on it (processing off, so only webhooks write), and one wrk per
# runner at once (bench/webhook.lua, --connections each, every webhook a new call id; the
# wrk instances cycle over the same --leads leads, so runners contend for the same rows).
# Prints per runner and in total: results/s, p99 (the worst runner's), the database's commits
# per second and results per commit (pg_stat_database.xact_commit), and checks that the leads'
# attempts add up to the recorded call ids (a lost update shows here). Exits 1 on a non-200.
# --runner: the redial-runner to measure (default build-rel/runner/redial-runner).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=2 DURATION=20s CONNECTIONS=16 LEADS=10000 RUNNER="$ROOT/build-rel/runner/redial-runner" URL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runners) N="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    --leads) LEADS="$2"; shift ;;
    --runner) RUNNER="$2"; shift ;;
    --url) URL="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "pg_runners.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "pg_runners.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$RUNNER" ] || { echo "pg_runners.sh: $RUNNER not built" >&2; exit 3; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/redial-pg-bench-XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "$URL" ] && "$ROOT/tests/pg_cluster.sh" stop "$WORK/cluster" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "$URL" ]; then
  REDIAL_PG_REQUIRED=1 "$ROOT/tests/pg_cluster.sh" start "$WORK/cluster" >/dev/null
  read -r URL _ <"$WORK/cluster"
fi
psql "$URL" -Xq -c "DROP DATABASE IF EXISTS redial_bench WITH (FORCE)" -c "CREATE DATABASE redial_bench"
DB="${URL%/*}/redial_bench"
sql() { psql "$DB" -XAtq -c "$1"; }
TOKEN="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
BASE_PORT=$((20000 + RANDOM % 20000))
for i in $(seq 0 $((N - 1))); do
  "$RUNNER" --store "$DB" --data-dir "$WORK/data$i" --port $((BASE_PORT + i)) \
    --listen-address 127.0.0.1 --queue-enabled false --bland-base-url http://127.0.0.1:9 \
    --log-level warn --webhook-token "$TOKEN" >"$WORK/runner$i.log" 2>&1 &
  PIDS+=($!)
done
for i in $(seq 0 $((N - 1))); do
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$((BASE_PORT + i))") 2>/dev/null && break
    kill -0 "${PIDS[$i]}" 2>/dev/null || { cat "$WORK/runner$i.log" >&2; exit 1; }
    sleep 0.1
  done
done
commits() { sql "SELECT xact_commit FROM pg_stat_database WHERE datname = 'redial_bench'"; }
C0=$(commits)
T0=$(date +%s.%N)
WRKS=()
for i in $(seq 0 $((N - 1))); do
  REDIAL_WRK_LEADS="$LEADS" REDIAL_WRK_TOKEN="$TOKEN" REDIAL_WRK_NONCE=$((i + 1)) \
    wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$ROOT/bench/webhook.lua" \
    "http://127.0.0.1:$((BASE_PORT + i))" >"$WORK/wrk$i" 2>&1 &
  WRKS+=($!)
done
for w in "${WRKS[@]}"; do wait "$w"; done
T1=$(date +%s.%N)
C1=$(commits)
sleep 0.5  # pg_stat_database is updated when a backend reports; let the last ones in
C1=$(commits)
ATTEMPTS=$(sql "SELECT coalesce(sum(attempts), 0) FROM leads")
IDS=$(sql "SELECT count(*) FROM call_ids")
python3 - "$WORK" "$N" "$C0" "$C1" "$T0" "$T1" "$ATTEMPTS" "$IDS" "$CONNECTIONS" <<'PY'
import re, sys
work, n, c0, c1, t0, t1, attempts, ids, conns = sys.argv[1:]
n = int(n)
total, p99, bad = 0.0, 0.0, 0
for i in range(n):
    text = open(f"{work}/wrk{i}").read()
    m = re.search(r"webhooks (\d+) in ([\d.]+) s: (\d+)/s; non-200 (\d+)", text)
    lat = re.search(r"p99 ([\d.]+)", text)
    print(f"runner{i}: {m.group(3)} results/s, p99 {lat.group(1)} ms, non-200 {m.group(4)}")
    total += int(m.group(1)) / float(m.group(2))
    p99 = max(p99, float(lat.group(1)))
    bad += int(m.group(4))
secs = float(t1) - float(t0)
commits = int(c1) - int(c0)
print(f"TOTAL runners={n} connections={conns}x{n} results_per_s={total:.0f} p99_ms={p99:.1f} "
      f"commits_per_s={commits / secs:.0f} results_per_commit={total * secs / max(commits, 1):.1f} "
      f"attempts={attempts} call_ids={ids} lost={int(ids) - int(attempts)} non200={bad}")
sys.exit(1 if bad else 0)
PY
