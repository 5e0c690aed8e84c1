#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs every benchmark and prints its figures; never fails on a slow
# machine. Executor workloads W1–W5 (sluice-bench), then the designer's
# load/layout/frame-time and live-run benchmarks under a virtual display.
set -eu
cd "$(dirname "$0")/.."

./build-aux/install-deps.sh
./build-aux/build.sh _build -Db_sanitize=none

meson compile -C _build sluice-bench
echo "== Executor (W1–W5)"
_build/tests/bench/sluice-bench

meson compile -C _build sluice-run
echo "== The item path, process-level (W1, pass-through, W1 order-by-sequence, W4 vs xargs -P2)"
tests/bench/bench-items.sh _build

meson compile -C _build bench-journal
echo "== Durable runs: W1 journaled vs not, resume after 1 M items"
SLUICE_RUN=_build/src/runner/sluice-run _build/tests/bench/bench-journal

echo "== Designer and live runs"
xvfb="xvfb-run -a"
command -v xvfb-run >/dev/null 2>&1 || xvfb=""
$xvfb meson test -C _build --benchmark --verbose
