#!/usr/bin/env bash
# Builds the Debian packages into build-pkg/ (CPack; packaging/CMakeLists.txt):
#   redial_VERSION_ARCH.deb            redial-runner, redial-sim, rule tables, unit, /etc/redial/redial.env
#   redial-testtools_VERSION_ARCH.deb  bland-emulator (tests and demos only)
# Only the three programs are compiled, with build/'s flags, so ccache reuses its objects.
# Then: sudo apt install ./build-pkg/redial_*.deb (docs/deploy.md). Prints the packages' paths.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
source scripts/build-env.sh
BUILD_DIR=${BUILD_DIR:-build-pkg}
cmake -S . -B "$BUILD_DIR" "${CMAKE_LAUNCHER_ARGS[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREDIAL_BUILD_BENCH=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" --target redial-runner redial-sim bland-emulator >&2
rm -f "$BUILD_DIR"/redial_*.deb "$BUILD_DIR"/redial-testtools_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >&2)
ls "$BUILD_DIR"/redial_*.deb "$BUILD_DIR"/redial-testtools_*.deb
