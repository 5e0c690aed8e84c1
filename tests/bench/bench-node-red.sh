#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# W1 against its peer named in issue 9, Node-RED 4.1.15 (figures, not a test):
#   tests/bench/bench-node-red.sh [BUILDDIR] [ITEMS]
# Installs node-red@4.1.15 with npm into ~/.cache/sluice-bench/node-red
# the first time (never part of the build or CI; needs node and the npm
# registry), then runs the same W1 in both on the same ITEMS (default
# 200,000) items {"id","value","tag"}:
#   Sluice    sluice-run -q -i FILE -o FILE w1.xml: 10 Lua steps value+1,
#             not-parallel
#   Node-RED  a headless flow: file in (lines) → json → 10 function nodes
#             `msg.payload.value += 1` → json → file out; timed inside the
#             flow from the read's start until the last line is written
#             (Node-RED's start-up not counted)
# and prints items/s of each with the ratio, the load average, and each
# one's CPU time per item (Node-RED's includes its start-up).
set -eu
build=${1:-_build}
items=${2:-200000}
runs=${SLUICE_BENCH_RUNS:-3}
version=4.1.15
root=$(cd "$(dirname "$0")/../.." && pwd)
sluice_run=$root/$build/src/runner/sluice-run
cache=${SLUICE_BENCH_CACHE:-$HOME/.cache/sluice-bench}/node-red
red=$cache/node_modules/node-red/red.js
work=$(mktemp -d /tmp/sluice-bench-node-red-XXXXXX)
red_pid=""
cleanup () {
  if [ -n "$red_pid" ]; then kill "$red_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

command -v node >/dev/null 2>&1 || { echo "bench-node-red: node is not installed" >&2; exit 1; }
if ! grep -qs "\"version\": \"$version\"" "$cache/node_modules/node-red/package.json"; then
  command -v npm >/dev/null 2>&1 || { echo "bench-node-red: npm is not installed" >&2; exit 1; }
  echo "installing node-red@$version into $cache …"
  mkdir -p "$cache"
  npm install --no-audit --no-fund --prefix "$cache" "node-red@$version" >"$work/npm.log" 2>&1 \
    || { cat "$work/npm.log" >&2; exit 1; }
fi

awk -v n="$items" 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\": %d, \"value\": %d, \"tag\": \"%s\"}\n", i, i, (i % 2 ? "b" : "a") }' > "$work/items.jsonl"

# Sluice's W1, as in bench-items.sh.
steps=""
i=0
while [ "$i" -lt 10 ]; do
  steps="$steps<execution id=\"m$i\"><lua>item.value = item.value + 1</lua></execution>"
  i=$((i + 1))
done
printf '<pipeline format="1" id="bench"><controller id="c" mode="not-parallel"><phase id="p">%s</phase></controller></pipeline>\n' "$steps" > "$work/w1.xml"

# Node-RED's W1: one flow, wired in a line. The "count" node sits after
# the file node, which passes a message on once its line is written; at
# the last item it writes the elapsed milliseconds to done.txt.
mkdir -p "$work/user"
node - "$work" "$items" <<'NODE'
const [work, items] = process.argv.slice(2);
const nodes = [{ id: "tab", type: "tab", label: "W1" }];
let n = 0;
const add = (node) => {
  node.id = "n" + (n++);
  node.z = "tab";
  node.wires = node.wires || [[]];
  if (nodes.length > 1 && !nodes[nodes.length - 1].last)
    nodes[nodes.length - 1].wires[0].push(node.id);
  nodes.push(node);
  return node;
};
add({ type: "inject", once: true, onceDelay: 0.5, repeat: "", topic: "", payload: "", payloadType: "date", props: [{ p: "payload" }] });
add({ type: "function", name: "t0", func: "global.set('t0', Date.now());\nreturn msg;", outputs: 1 });
add({ type: "file in", filename: work + "/items.jsonl", filenameType: "str", format: "lines", chunk: false, sendError: false, encoding: "none", allProps: false });
add({ type: "json", property: "payload", action: "obj", pretty: false });
for (let i = 0; i < 10; i++)
  add({ type: "function", name: "m" + i, func: "msg.payload.value = msg.payload.value + 1;\nreturn msg;", outputs: 1 });
add({ type: "json", property: "payload", action: "str", pretty: false });
add({ type: "file", filename: work + "/out.jsonl", filenameType: "str", appendNewline: true, createDir: false, overwriteFile: "false", encoding: "none" });
const count = add({ type: "function", name: "count", outputs: 2, wires: [[], []],
  func: "const n = (context.get('n') || 0) + 1;\ncontext.set('n', n);\n" +
        "if (n === " + items + ") return [null, { payload: String(Date.now() - global.get('t0')) }];\nreturn null;" });
count.last = true;
const done = { id: "done", z: "tab", type: "file", filename: work + "/done.txt", filenameType: "str", appendNewline: true, createDir: false, overwriteFile: "true", encoding: "none", wires: [] };
count.wires[1].push("done");
nodes.push(done);
for (const node of nodes) delete node.last;
require("fs").writeFileSync(work + "/user/flows.json", JSON.stringify(nodes));
NODE

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/settings.js" <<EOF_SETTINGS
module.exports = {
  uiHost: "127.0.0.1",
  uiPort: $port,
  httpAdminRoot: false,
  httpNodeRoot: false,
  flowFile: "flows.json",
  credentialSecret: false,
  logging: { console: { level: "warn", metrics: false, audit: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
};
EOF_SETTINGS

# Best (lowest wall) of $runs runs of sluice-run: "WALL CPU".
best_sluice () {
  best_line=""
  r=0
  while [ "$r" -lt "$runs" ]; do
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$sluice_run" -q -i "$work/items.jsonl" -o "$work/sluice.jsonl" "$work/w1.xml"
    line=$(awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$work/time")
    if [ -z "$best_line" ] || awk -v a="$line" -v b="$best_line" 'BEGIN { split(a, x, " "); split(b, y, " "); exit !(x[1] < y[1]) }'; then
      best_line=$line
    fi
    r=$((r + 1))
  done
  echo "$best_line"
}

# One Node-RED run (it is slow enough that one says enough): "WALL CPU".
run_node_red () {
  rm -f "$work/out.jsonl" "$work/done.txt"
  /usr/bin/time -f "%e %U %S" -o "$work/red-time" node "$red" --settings "$work/settings.js" --userDir "$work/user" \
    >"$work/red.log" 2>&1 &
  red_pid=$!
  while [ ! -s "$work/done.txt" ]; do
    if ! kill -0 "$red_pid" 2>/dev/null; then
      echo "bench-node-red: Node-RED ended before writing every item:" >&2
      cat "$work/red.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  # Stop node itself, so that time(1) (whose pid $! is) reports on it.
  node_pid=$(cat "/proc/$red_pid/task/$red_pid/children" 2>/dev/null || true)
  kill ${node_pid:-$red_pid} 2>/dev/null || true
  wait "$red_pid" 2>/dev/null || true
  red_pid=""
  test "$(wc -l < "$work/out.jsonl")" -eq "$items" || { echo "bench-node-red: Node-RED wrote $(wc -l < "$work/out.jsonl") lines, not $items" >&2; exit 1; }
  # time(1) says first that the command was killed; its figures come last.
  awk -v ms="$(head -1 "$work/done.txt")" 'NF == 3 && $1 ~ /^[0-9.]+$/ { cpu = $2 + $3 } END { printf "%.3f %.3f\n", ms / 1000, cpu }' "$work/red-time"
}

echo "load average: $(cat /proc/loadavg)"
sluice=$(best_sluice)
red_result=$(run_node_red)
# Same items out: Node-RED's JSON node keeps key order, Sluice sorts keys;
# compare the values.
awk 'NR <= 3' "$work/out.jsonl" > "$work/red-head"
awk 'NR <= 3' "$work/sluice.jsonl" > "$work/sluice-head"
if ! node -e '
  const fs = require("fs");
  const a = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const b = fs.readFileSync(process.argv[2], "utf8").trim().split("\n").map(JSON.parse);
  process.exit(JSON.stringify(a.map(o => [o.id, o.value, o.tag])) === JSON.stringify(b.map(o => [o.id, o.value, o.tag])) ? 0 : 1);
' "$work/red-head" "$work/sluice-head"; then
  echo "bench-node-red: Node-RED and Sluice disagree on the outputs" >&2
  exit 1
fi

printf '%s\n%s\n' "$sluice" "$red_result" | awk -v n="$items" '
  NR == 1 { sw = $1 > 0 ? $1 : 0.001; sc = $2 }
  NR == 2 { rw = $1 > 0 ? $1 : 0.001; rc = $2 }
  END {
    printf "Sluice W1    %9.0f items/s  %6.3f s wall  %6.2f µs CPU/item\n", n / sw, sw, sc * 1e6 / n
    printf "Node-RED W1  %9.0f items/s  %6.3f s wall  %6.2f µs CPU/item (start-up included)\n", n / rw, rw, rc * 1e6 / n
    printf "Sluice vs Node-RED 4.1.15: %.1fx (target 100x)\n", rw / sw
  }'
echo "load average: $(cat /proc/loadavg)"
