#!/usr/bin/env bash
# Builds the Debian packages (CPack, build-pkg/), lints them, installs them with dpkg, runs the
# installed redial-runner, then removes and purges them, checking what must stay and what must go.
# It INSTALLS INTO THIS SYSTEM (as root, or with sudo): CI runs it on a throwaway machine
# (.ci/run, stage "package"); ./scripts/test.sh never does. Usage: ./scripts/test-package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-pkg}
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
t0=$SECONDS

fail() {
  echo "test-package: FAIL: $*" >&2
  exit 1
}
step() { echo "--- test-package: [$((SECONDS - t0)) s] $*"; }

# ---- build (scripts/build-package.sh: the three programs, build/'s flags, ccache) ----
step "build ($BUILD_DIR)"
BUILD_DIR=$BUILD_DIR ./scripts/build-package.sh >/dev/null
version=$(sed -n 's/^project(redial VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
deb="$BUILD_DIR/redial_${version}_${arch}.deb"
tools="$BUILD_DIR/redial-testtools_${version}_${arch}.deb"
[ -f "$deb" ] && [ -f "$tools" ] || fail "cpack did not make $deb and $tools: $(ls "$BUILD_DIR"/*.deb)"
echo "built in $((SECONDS - t0)) s: $deb $tools"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libcurl4 libmicrohttpd12 libspdlog1.10 libc6 adduser tzdata; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps or the fixed list)"
done
contents=$(dpkg-deb -c "$deb")
tools_contents=$(dpkg-deb -c "$tools")
grep -q ' ./usr/share/redial/rules/nanp_area_codes.csv$' <<<"$contents" ||
  fail "the rule tables are not in $deb"
grep -q ' ./usr/bin/bland-emulator$' <<<"$tools_contents" || fail "no bland-emulator in $tools"
if grep -q bland-emulator <<<"$contents"; then fail "bland-emulator is in $deb"; fi

# ---- lint: no errors and no warnings (docs/deploy.md, "The package test") ----
step "lintian"
lintian --fail-on error,warning --tag-display-limit 0 "$deb" "$tools"

# ---- install ----
if dpkg-query -W -f='${Status}' redial 2>/dev/null | grep -Eq "ok (installed|config-files)"; then
  step "purging a redial package left from an earlier run"
  $SUDO dpkg -P redial-testtools redial
fi
had_data_dir=0
[ -d /var/lib/redial ] && had_data_dir=1
had_user=0
getent passwd redial >/dev/null && had_user=1
step "dpkg -i"
$SUDO dpkg -i "$deb" "$tools"
rules=/usr/share/redial/rules
restore_table() { [ ! -f $rules/nanp.moved ] || $SUDO mv $rules/nanp.moved $rules/nanp_area_codes.csv; }
trap restore_table EXIT

[ "$(/usr/bin/redial-runner --version)" = "redial-runner $version" ] ||
  fail "redial-runner --version: '$(/usr/bin/redial-runner --version)', not 'redial-runner $version'"
getent passwd redial >/dev/null || fail "no system user redial"
[ "$(stat -c %U:%G:%a /var/lib/redial)" = redial:redial:750 ] ||
  fail "/var/lib/redial is $(stat -c %U:%G:%a /var/lib/redial), not redial:redial:750"
[ "$(stat -c %U:%G:%a /etc/redial/redial.env)" = root:redial:640 ] ||
  fail "/etc/redial/redial.env is $(stat -c %U:%G:%a /etc/redial/redial.env), not root:redial:640"
dpkg-query -W -f='${Conffiles}' redial | grep -q /etc/redial/redial.env ||
  fail "/etc/redial/redial.env is not a conffile"
unit=/lib/systemd/system/redial-runner.service
[ -f $unit ] || fail "no $unit"
if command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify"
  out=$(systemd-analyze verify $unit 2>&1) || fail "systemd-analyze verify $unit: $out"
  # Some containers lack /run/systemd: only lines about this unit count.
  if grep -i redial-runner <<<"$out"; then fail "systemd-analyze verify complains about $unit"; fi
else
  echo "systemd-analyze not installed: unit not verified"
fi

# ---- the installed runner, as the service runs it: the unit's Environment= + the env file ----
# (set -a; . ENV) is how the unit's EnvironmentFile reads it for these simple NAME=value lines.
unit_env=$(sed -n 's/^Environment=//p' $unit)
# setpriv and env exec (no child process), so $! below is the runner itself.
as_service() {
  $SUDO setpriv --reuid=redial --regid=redial --init-groups env -i PATH=/usr/bin:/bin $unit_env "$@"
}
check_config() {
  as_service sh -c 'cd / && set -a && . /etc/redial/redial.env && set +a && exec "$@"' sh \
    env "$@" /usr/bin/redial-runner --check-config
}
step "--check-config with the default environment file alone: refused, names BLAND_API_KEY"
set +e
out=$(check_config 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] || fail "exit $rc, not 2: $out"
grep -q "missing --bland-api-key (BLAND_API_KEY)" <<<"$out" || fail "unclear message: $out"

step "--check-config with an API key and a call template"
template=/etc/redial/call-template.json
echo '{"pathway_id": "00000000-0000-0000-0000-000000000000", "voice": "maya"}' |
  $SUDO tee $template >/dev/null
cfg=(BLAND_API_KEY=sk-test REDIAL_CALL_TEMPLATE=$template REDIAL_STATE_RULES=true)
out=$(check_config "${cfg[@]}" 2>&1) || fail "--check-config refused a valid configuration: $out"
echo "$out"
grep -qx "redial-runner: calling-rule tables in $rules" <<<"$out" ||
  fail "the installed runner does not read $rules: $out"
# ... and it really reads them: without the area-code table it refuses, naming that file.
$SUDO mv $rules/nanp_area_codes.csv $rules/nanp.moved
set +e
out=$(check_config "${cfg[@]}" 2>&1)
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "$rules/nanp_area_codes.csv" <<<"$out" ||
  fail "a missing $rules/nanp_area_codes.csv gave exit $rc: $out"
# The installed simulator reads the same tables: it fails without them and passes with them.
scenario=scenarios/01-seed-worked-cycle.json
if out=$(/usr/bin/redial-sim $scenario 2>&1) || ! grep -q "$rules/nanp_area_codes.csv" <<<"$out"; then
  fail "the installed redial-sim did not look for $rules/nanp_area_codes.csv: $out"
fi
restore_table
out=$(/usr/bin/redial-sim $scenario 2>&1) || fail "the installed redial-sim failed $scenario: $out"

step "the installed runner serves /healthz and writes its data in /var/lib/redial"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
$SUDO setpriv --reuid=redial --regid=redial --init-groups env -i PATH=/usr/bin:/bin $unit_env \
  sh -c 'cd / && set -a && . /etc/redial/redial.env && set +a && exec "$@"' sh env "${cfg[@]}" \
  REDIAL_QUEUE_ENABLED=false REDIAL_PORT="$port" \
  /usr/bin/redial-runner >"$log" 2>&1 &
runner=$!
ok=0
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && ok=1 && break
  sleep 0.1
done
$SUDO kill -TERM $runner
wait $runner || fail "the runner did not exit 0 on SIGTERM: $(cat "$log")"
[ $ok -eq 1 ] || fail "the installed runner did not answer /healthz: $(cat "$log")"
token=/var/lib/redial/redial-queue/webhook.token
[ "$(stat -c %U "$token" 2>/dev/null)" = redial ] || fail "no $token owned by redial: $(cat "$log")"
rm -f "$log"
# A month file as an operator copies one in (docs/deploy.md, upgrading from the Node service).
marker=/var/lib/redial/redial-queue/redial-queue_2026-01.json
echo '{}' | as_service sh -c "cat > $marker" || fail "the redial user cannot write $marker"
marker_sum=$(sha256sum $marker)
token_sum=$(sha256sum $token)

# ---- upgrade (the same package again: postinst runs with the old version): edits and data kept ----
step "dpkg -i again (upgrade)"
echo "REDIAL_LOG_LEVEL=debug" | $SUDO tee -a /etc/redial/redial.env >/dev/null
env_sum=$(sha256sum /etc/redial/redial.env)
$SUDO dpkg -i --force-confold "$deb"
[ "$(sha256sum /etc/redial/redial.env)" = "$env_sum" ] || fail "the upgrade replaced the edited conffile"
[ "$(stat -c %U:%G:%a /etc/redial/redial.env)" = root:redial:640 ] &&
  [ "$(stat -c %U:%G:%a /var/lib/redial)" = redial:redial:750 ] ||
  fail "the upgrade changed the modes of /etc/redial/redial.env or /var/lib/redial"
[ "$(sha256sum $marker)" = "$marker_sum" ] && [ "$(sha256sum $token)" = "$token_sum" ] ||
  fail "the upgrade changed the data in /var/lib/redial"

# ---- remove: programs gone, data, configuration and user kept ----
step "dpkg -r"
$SUDO dpkg -r redial-testtools redial
[ ! -e /usr/bin/redial-runner ] && [ ! -e /usr/bin/bland-emulator ] && [ ! -e $rules ] ||
  fail "dpkg -r left the programs or the tables"
[ "$(sha256sum $marker)" = "$marker_sum" ] && [ "$(sha256sum $token)" = "$token_sum" ] ||
  fail "dpkg -r changed or deleted the data in /var/lib/redial"
[ -f /etc/redial/redial.env ] || fail "dpkg -r deleted the conffile (only purge may)"
getent passwd redial >/dev/null || fail "dpkg -r deleted the user redial"

# ---- purge: configuration gone, data and user still kept (the operator deletes them) ----
step "dpkg -P"
out=$($SUDO dpkg -P redial 2>&1) || fail "dpkg -P: $out"
echo "$out"
[ ! -e /etc/redial/redial.env ] || fail "dpkg -P left /etc/redial/redial.env"
if dpkg-statoverride --list /etc/redial/redial.env >/dev/null; then
  fail "dpkg -P left the statoverride of /etc/redial/redial.env"
fi
[ "$(sha256sum $marker)" = "$marker_sum" ] || fail "dpkg -P deleted the queue data"
grep -q "kept /var/lib/redial" <<<"$out" || fail "dpkg -P did not say it kept /var/lib/redial"

# What this test made, and only that: the template, and the data directory and user if new.
$SUDO rm -f $template
$SUDO rmdir /etc/redial 2>/dev/null || true
[ $had_data_dir -eq 1 ] || $SUDO rm -r /var/lib/redial /var/log/redial 2>/dev/null || true
[ $had_user -eq 1 ] || $SUDO userdel redial
echo "test-package: passed in $((SECONDS - t0)) s"
