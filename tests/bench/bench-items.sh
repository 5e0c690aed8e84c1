#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The item path, process-level (issue 9; figures, not a test):
#   tests/bench/bench-items.sh [BUILDDIR] [ITEMS]
# `sluice-run -q -i FILE -o FILE` on ITEMS (default 200,000) items
# {"id","value","tag"}, each row against its peer or floor, run side by
# side under the same load:
#   W1    10 Lua steps, not-parallel          (target ≥ 350k items/s)
#   pass  one trivial Lua step                (target ≥ 600k items/s; peer `jq -c .`)
#   W1obs W1 in order-by-sequence, workers=2  (target ≥ 1.0× W1)
#   W4    2,000 × `tr a-z A-Z`, no-order, 2 workers (target ≥ 1.0× `xargs -P2`)
# W1 against Node-RED 4.1.15, its peer in issue 9: tests/bench/bench-node-red.sh.
# Each figure is the best of RUNS (default 3) runs, with its CPU time
# (user + system) per item and peak RSS; the load average is printed
# because the machine may be shared.
set -eu
build=${1:-_build}
items=${2:-200000}
runs=${SLUICE_BENCH_RUNS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
sluice_run=$root/$build/src/runner/sluice-run
work=$(mktemp -d /tmp/sluice-bench-items-XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

awk -v n="$items" 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\": %d, \"value\": %d, \"tag\": \"%s\"}\n", i, i, (i % 2 ? "b" : "a") }' > "$work/items.jsonl"
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "{\"id\": %d, \"value\": %d, \"tag\": \"a\"}\n", i, i }' > "$work/w4.jsonl"

lua_steps () {
  i=0
  while [ "$i" -lt "$1" ]; do
    printf '<execution id="m%d"><lua>item.value = item.value + 1</lua></execution>' "$i"
    i=$((i + 1))
  done
}
pipeline () { # FILE CONTROLLER-ATTRIBUTES BODY
  printf '<pipeline format="1" id="bench"><controller id="c" %s><phase id="p">%s</phase></controller></pipeline>\n' "$2" "$3" > "$1"
}
pipeline "$work/w1.xml" 'mode="not-parallel"' "$(lua_steps 10)"
pipeline "$work/w1obs.xml" 'mode="order-by-sequence" workers="2"' "$(lua_steps 10)"
pipeline "$work/pass.xml" 'mode="not-parallel"' "$(lua_steps 1)"
pipeline "$work/w4.xml" 'mode="no-order" workers="2"' '<execution id="tr"><command>tr a-z A-Z</command></execution>'

# Prints "WALL CPU PEAK-KB" of the best (lowest wall) of $runs runs.
best () {
  best_line=""
  r=0
  while [ "$r" -lt "$runs" ]; do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    line=$(awk '{ printf "%.3f %.3f %d\n", $1, $2 + $3, $4 }' "$work/time")
    if [ -z "$best_line" ] || awk -v a="$line" -v b="$best_line" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
      best_line=$line
    fi
    r=$((r + 1))
  done
  echo "$best_line"
}

row () { # NAME ITEMS "WALL CPU KB" TARGET
  echo "$3" | awk -v name="$1" -v n="$2" -v target="$4" '{
    wall = $1 > 0 ? $1 : 0.001
    printf "%-6s %9.0f items/s  %6.3f s wall  %6.2f µs CPU/item  peak RSS %5.1f MB  %s\n", name, n / wall, $1, $2 * 1e6 / n, $3 / 1024, target }'
}
ratio () { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.2f", y[1] / x[1] }'; }
# The same for CPU time (user + system): on a shared machine the firmer one.
cpu_ratio () { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.2f", (x[2] > 0 ? y[2] / x[2] : 0) }'; }

echo "load average: $(cat /proc/loadavg)"
w1=$(best "$sluice_run" -q -i "$work/items.jsonl" -o "$work/w1.jsonl" "$work/w1.xml")
test "$(wc -l < "$work/w1.jsonl")" -eq "$items" || echo "W1: WRONG OUTPUT COUNT"
row W1 "$items" "$w1" "(target ≥ 350000 items/s)"

pass=$(best "$sluice_run" -q -i "$work/items.jsonl" -o "$work/out.jsonl" "$work/pass.xml")
row pass "$items" "$pass" "(target ≥ 600000 items/s)"
if command -v jq >/dev/null 2>&1; then
  jq=$(best sh -c "jq -c . < '$work/items.jsonl' > '$work/jq.jsonl'")
  row "jq -c" "$items" "$jq" "(peer)"
  echo "pass   vs jq -c .: $(ratio "$pass" "$jq")x"
fi

obs=$(best "$sluice_run" -q -i "$work/items.jsonl" -o "$work/out.jsonl" "$work/w1obs.xml")
cmp -s "$work/out.jsonl" "$work/w1.jsonl" || echo "W1obs: OUTPUT DIFFERS FROM W1'S"
row W1obs "$items" "$obs" "(target ≥ 1.0x W1)"
echo "W1obs  vs W1 not-parallel: $(ratio "$obs" "$w1")x (CPU time: $(cpu_ratio "$obs" "$w1")x)"

w4=$(best "$sluice_run" -q -i "$work/w4.jsonl" -o "$work/out.jsonl" "$work/w4.xml")
xargs=$(best sh -c "tr '\\n' '\\0' < '$work/w4.jsonl' | xargs -0 -P2 -n1 sh -c 'printf \"%s\\n\" \"\$0\" | tr a-z A-Z' > /dev/null")
row W4 2000 "$w4" "(target ≥ 1.0x xargs -P2)"
row xargs 2000 "$xargs" "(peer)"
echo "W4     vs xargs -P2: $(ratio "$w4" "$xargs")x"
echo "load average: $(cat /proc/loadavg)"
