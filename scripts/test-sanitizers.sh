#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (g++, -O1) in
# build-asan/ and runs the whole ctest suite there. Any sanitizer report fails the test it
# happened in (UB aborts: -fno-sanitize-recover; leaks are reported at exit).
# Usage: ./scripts/test-sanitizers.sh [extra ctest args]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
source scripts/build-env.sh
BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
cmake -S . -B "$BUILD_DIR" "${CMAKE_LAUNCHER_ARGS[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DREDIAL_SANITIZE=ON -DREDIAL_BUILD_BENCH=OFF \
  >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)" "$@"
