#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up and runs the whole test suite twice: a normal build (_build) and
# an AddressSanitizer/UBSan build (_build-asan), both under a virtual X
# server so that the designer's tests run too. Ends with one plain line,
# "N passed, N failed", summed over both builds; exits non-zero when
# anything failed (a build that does not compile counts as a failure, and
# so does a suite that skipped: it tested nothing).
set -u

cd "$(dirname "$0")/.."

./build-aux/install-deps.sh || exit 1

# The designer's tests need a display and a session bus: give them
# throwaway ones, so that machines without a desktop can run them too.
xvfb=""
if command -v xvfb-run >/dev/null 2>&1; then
  xvfb="xvfb-run -a"
fi
if command -v dbus-run-session >/dev/null 2>&1; then
  xvfb="$xvfb dbus-run-session --"
fi

broken_builds=0
logs=""

run_suite ()
{
  dir=$1
  shift

  echo "=== $dir: build ($*)"
  if ! ./build-aux/build.sh "$dir" "$@"; then
    echo "=== $dir: BUILD FAILED"
    broken_builds=$((broken_builds + 1))
    return
  fi

  # A log left from an earlier run must not be counted.
  rm -f "$dir/meson-logs/testlog.json"
  echo "=== $dir: test"
  $xvfb meson test -C "$dir" --print-errorlogs --num-processes 2
  logs="$logs $dir/meson-logs/testlog.json"
}

run_suite _build -Db_sanitize=none
run_suite _build-asan -Db_sanitize=address,undefined

# shellcheck disable=SC2086
python3 - "$broken_builds" $logs <<'PY'
import json, sys

passed = failed = 0
skipped = []
failed += int(sys.argv[1])
for path in sys.argv[2:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        test = json.loads(line)
        result = test.get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped.append(test.get("name", "?"))
        else:
            failed += 1

# A suite that skips tested nothing: a missing server, display or tool
# fails CI rather than passing it silently.
for name in skipped:
    print(f"SKIPPED, counted as failed: {name}")
failed += len(skipped)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
