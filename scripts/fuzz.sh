#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (ASan + UBSan) in build-fuzz/ and runs each
# for a bounded time from its seed corpus in fuzz/corpus/<target>/. Prints executions per target;
# exits non-zero when any target finds a crash (the input is saved in build-fuzz/findings/).
# Usage: ./scripts/fuzz.sh [seconds per target, default 25]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
source scripts/build-env.sh
SECONDS_PER_TARGET=${1:-25}
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
TARGETS=(fuzz_webhook fuzz_scenario fuzz_month_file fuzz_journal)
CXX=${FUZZ_CXX:-clang++-14}
command -v "$CXX" >/dev/null || { echo "fuzz.sh: $CXX not found (scripts/install-deps.sh)" >&2; exit 2; }

cmake -S . -B "$BUILD_DIR" "${CMAKE_LAUNCHER_ARGS[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX" \
  -DREDIAL_FUZZ=ON -DREDIAL_BUILD_BENCH=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target "${TARGETS[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$BUILD_DIR/findings"
failed=0
printf '%-16s %12s %8s %s\n' target executions seconds result
for t in "${TARGETS[@]}"; do
  # The run's new inputs go to a scratch corpus: the committed seeds stay small and reviewed.
  work="$BUILD_DIR/corpus/$t"
  mkdir -p "$work"
  log="$BUILD_DIR/$t.log"
  start=$(date +%s)
  status=0
  "$BUILD_DIR/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD_DIR/findings/$t-" \
    "$work" "fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  result=ok
  if [ "$status" -ne 0 ]; then
    result="CRASH (exit $status): see $log and $BUILD_DIR/findings/"
    failed=1
    tail -40 "$log" >&2
  fi
  printf '%-16s %12s %8s %s\n' "$t" "${execs:-?}" "$(($(date +%s) - start))" "$result"
done
exit "$failed"
