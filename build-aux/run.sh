#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up and runs Sluice on a fresh Debian 12 machine: installs what is
# missing, builds into _build, then starts the designer when there is a
# display, or runs an example pipeline in the terminal otherwise.
#   ./build-aux/run.sh [PIPELINE.xml]
set -eu

cd "$(dirname "$0")/.."

./build-aux/install-deps.sh
./build-aux/build.sh _build

pipeline=${1:-data/examples/strategy.xml}
designer=_build/src/app/sluice
runner=_build/src/runner/sluice-run

if [ -x "$designer" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec "$designer" "$pipeline"
fi

exec "$runner" "$pipeline"
