#!/usr/bin/env bash
# Installs the Debian 12 packages that gz profile needs to build, test and benchmark.
# Idempotent: when everything is present it returns after one dpkg query.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libgoogle-perftools-dev libprotobuf-c-dev protobuf-c-compiler
  libdw-dev libelf-dev libdebuginfod-dev debuginfod libunwind-dev zlib1g-dev
  golang-go curl wrk hyperfine
  clang libclang-rt-dev
  xvfb xauth dbus dbus-x11 desktop-file-utils appstream imagemagick
  x11-utils librsvg2-common fonts-dejavu-core python3
  flatpak-builder shared-mime-info man-db
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
