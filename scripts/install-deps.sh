#!/usr/bin/env bash
# Installs every build and test dependency from Debian's packages (never from the network otherwise).
# Safe to run repeatedly: it does nothing when all packages are present.
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config clang-format ccache
  libboost-program-options-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev tzdata libbenchmark-dev catch2
  libcurl4-openssl-dev libmicrohttpd-dev libsimdjson-dev libssl-dev
  curl wrk python3
  faketime  # runner e2e tests under a faked wall clock (midnight, DST, clock steps)
  libpqxx-dev postgresql  # the PostgreSQL store; its tests start a throwaway server
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer + ASan/UBSan runtimes
  lintian  # scripts/test-package.sh: checks the Debian packages
  chromium  # runner.browser_dashboard: headless Chromium driven by playwright-core (npm)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node and npm by command, not by package: a machine with another build of Node (its own npm
# inside, which Debian's npm package would conflict with) keeps it.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# playwright-core for the browser test, pinned by tests/browser/package-lock.json (npm's registry;
# it drives Debian's Chromium and downloads no browser). Once installed, nothing is fetched again.
BROWSER_DIR="$(cd "$(dirname "$0")/.." && pwd)/tests/browser"
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
  echo "install-deps: npm ci in $BROWSER_DIR" >&2
  (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund)
fi
