#!/usr/bin/env bash
# Builds redial-bench (Release) and runs the performance suite; see docs/performance.md.
#
#   bench/run.sh                          10k and 100k leads (a few minutes)
#   bench/run.sh --large                  adds 1M leads (REDIAL_BENCH_LARGE=1; ~10 more minutes,
#                                         ~4 GB of RAM at peak for the seed-equivalent DOM)
#   bench/run.sh --out results.json       where the JSON goes (default build-rel/bench-results.json)
#   bench/run.sh --compare baseline.json  after the run, compares it with a saved run: Google
#                                         Benchmark's compare.py if installed and usable
#                                         (libbenchmark-tools + numpy + scipy), else bench/compare.py
#   bench/run.sh --filter REGEX           only the benchmarks matching REGEX
#   bench/run.sh --warm-heap              glibc keeps freed memory (GLIBC_TUNABLES trim/mmap
#                                         thresholds): repeated loads reuse pages instead of
#                                         faulting fresh ones (see "page faults" in the doc)
#   bench/run.sh --runner                 then item 6: bench/runner_http.sh --preload at each size
#                                         (REDIAL_RUNNER_DURATION, default 30s; REDIAL_RUNNER_CONNECTIONS,
#                                         default 64), merged into the same JSON as runner_http/...
#   bench/run.sh --clean                  deletes the generated month files first
#   bench/run.sh ... -- ARGS              passes ARGS to redial-bench (Google Benchmark flags)
#
# Generated data (seed-format month files, ~436 bytes a lead) goes to $REDIAL_BENCH_DATA, by
# default ${TMPDIR:-/tmp}/redial-bench-data, and is reused by later runs. Never commit it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${REDIAL_BENCH_BUILD:-$ROOT/build-rel}"
OUT="$BUILD/bench-results.json"
BASELINE=""
FILTER=""
CLEAN=0
WARM=0
RUNNER=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --large) export REDIAL_BENCH_LARGE=1 ;;
    --out) OUT="$2"; shift ;;
    --compare) BASELINE="$2"; shift ;;
    --filter) FILTER="$2"; shift ;;
    --clean) CLEAN=1 ;;
    --warm-heap) WARM=1 ;;
    --runner) RUNNER=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$BASELINE" ] && [ ! -f "$BASELINE" ]; then
  echo "run.sh: baseline $BASELINE not found" >&2
  exit 2
fi
export REDIAL_BENCH_DATA="${REDIAL_BENCH_DATA:-${TMPDIR:-/tmp}/redial-bench-data}"
[ "$CLEAN" = 1 ] && rm -rf "$REDIAL_BENCH_DATA"

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DREDIAL_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD" -j"${REDIAL_BENCH_JOBS:-2}" --target redial-bench
[ "$RUNNER" = 1 ] && cmake --build "$BUILD" -j"${REDIAL_BENCH_JOBS:-2}" --target redial-runner

ARGS=(--benchmark_out="$OUT" --benchmark_out_format=json --benchmark_counters_tabular=true)
[ -n "$FILTER" ] && ARGS+=(--benchmark_filter="$FILTER")
mkdir -p "$(dirname "$OUT")"
if [ "$WARM" = 1 ]; then
  export GLIBC_TUNABLES="glibc.malloc.trim_threshold=17179869184:glibc.malloc.mmap_threshold=33554432"
fi
"$BUILD/bench/redial-bench" "${ARGS[@]}" "${EXTRA[@]}"
if [ "$RUNNER" = 1 ]; then
  SIZES="${REDIAL_BENCH_SIZES:-10000,100000}"
  [ "${REDIAL_BENCH_LARGE:-0}" = 1 ] && SIZES="$SIZES,1000000"
  for n in $(echo "$SIZES" | tr ',' '\n' | sort -un); do
    REDIAL_BENCH_BUILD="$BUILD" "$ROOT/bench/runner_http.sh" --no-build --preload --leads "$n" \
      --duration "${REDIAL_RUNNER_DURATION:-30s}" --connections "${REDIAL_RUNNER_CONNECTIONS:-64}" \
      --json "$OUT.runner-$n"
  done
  python3 - "$OUT" "$OUT".runner-* <<'PY'
import json, sys
out = sys.argv[1]
data = json.load(open(out))
for path in sys.argv[2:]:
    data["benchmarks"].append(json.load(open(path)))
json.dump(data, open(out, "w"), indent=2)
PY
  rm -f "$OUT".runner-*
fi
echo "run.sh: results in $OUT"

if [ -n "$BASELINE" ]; then
  GB_COMPARE=/usr/share/benchmark/compare.py
  if [ -f "$GB_COMPARE" ] && python3 -c "import numpy, scipy" 2>/dev/null; then
    python3 "$GB_COMPARE" benchmarks "$BASELINE" "$OUT"
  else
    python3 "$ROOT/bench/compare.py" "$BASELINE" "$OUT"
  fi
fi
