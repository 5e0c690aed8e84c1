#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what building, running and testing Sluice needs on Debian 12.
# Safe to run again; does nothing when everything is there.
set -eu

packages="
  build-essential meson ninja-build pkg-config gettext clang
  libglib2.0-dev libglib2.0-bin libxml2-dev libxml2-utils
  liblua5.4-dev libjansson-dev libsoup-3.0-dev
  libgraphviz-dev graphviz openssl glib-networking
  libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev libepoxy-dev
  desktop-file-utils appstream
  xvfb xauth dbus-x11 imagemagick
  libsqlite3-dev zlib1g-dev libdeflate-dev libzstd-dev liblzma-dev zstd xz-utils
  libpq-dev postgresql-15 redis-server libhiredis-dev
  clickhouse-server miller chromium
  python3-prometheus-client python3-jsonschema
"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
