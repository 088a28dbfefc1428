#!/usr/bin/env bash
# The project's main job, on a fresh machine: installs the dependencies, builds, and runs
# redial-runner against the bundled Bland emulator with a small demo lead list.
# Options go through to runner/demo.sh as environment variables (DEMO_SECONDS, DEMO_KEEP,
# DEMO_TICK, DEMO_INTERVALS, DEMO_FAKETIME, DEMO_SUMMARY: see its header).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
export BUILD_DIR="${BUILD_DIR:-$PWD/build}"
if [[ ! -x "$BUILD_DIR/runner/redial-runner" || ! -x "$BUILD_DIR/runner/bland-emulator" ]]; then
  echo "demo: building (first run takes a few minutes) ..."
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target redial-runner bland-emulator redial-sim
fi
exec runner/demo.sh
