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
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
