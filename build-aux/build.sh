#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Configures (once) and builds one build directory.
#   build-aux/build.sh BUILDDIR [MESON-OPTION…]
set -eu

dir=$1
shift

if [ -f "$dir/build.ninja" ]; then
  meson configure "$dir" "$@" >/dev/null
else
  meson setup "$dir" "$@"
fi

# Two jobs at most: the designer and the sanitizer build are heavy.
ninja -C "$dir" -j "${SLUICE_JOBS:-2}"
