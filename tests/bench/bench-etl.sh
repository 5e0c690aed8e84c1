#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The ETL benchmark (one command; figures, not a test):
#   tests/bench/bench-etl.sh [BUILDDIR] [ROWS]
# 1. ROWS (default 1,000,000) CSV rows → file-extract → convert →
#    columns → file-load (gzip JSON lines): rows/s by wall and by CPU
#    time, CPU µs per row and peak RSS, against
#    `mlr --icsv --ojsonl cat | gzip` on the same file, with the ratios.
#    RUNS (default 3, env) runs of each, alternated; the median is shown.
# 2. sql-load into SQLite and into a PostgreSQL 15 started here (as
#    nobody when root, stopped at the end), and the clickhouse loader
#    into a clickhouse-server started here: rows/s (wall and CPU) and
#    peak RSS at batch sizes 1, 100 and 10,000.
# PARTS (env, default "file sqlite postgres clickhouse") picks parts.
# SLUICE_RUN (env) runs another sluice-run binary (a before/after pair).
# Each loader line ends with the server's own CPU seconds in that load.
# The machine may be shared: the load average is printed; compare by
# CPU time when it is above the number of cores.
set -eu
build=${1:-_build}
rows=${2:-1000000}
root=$(cd "$(dirname "$0")/../.." && pwd)
sluice_run=${SLUICE_RUN:-$root/$build/src/runner/sluice-run}   # SLUICE_RUN: another binary (before/after)
pg_bin=${SLUICE_PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d /tmp/sluice-bench-etl-XXXXXX)
pg_pid_dir=""
ch_pid=""
parts=${PARTS:-file sqlite postgres clickhouse}

cleanup () {
  if [ -n "$pg_pid_dir" ]; then
    $as_pg "$pg_bin/pg_ctl" stop -D "$pg_pid_dir/data" -m immediate >/dev/null 2>&1 || true
  fi
  if [ -n "$ch_pid" ]; then
    kill "$ch_pid" 2>/dev/null || true
    wait "$ch_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

as_pg=""
if [ "$(id -u)" = 0 ]; then
  as_pg="setpriv --reuid=nobody --regid=nogroup --clear-groups"
  chown nobody:nogroup "$work"
fi

# wall seconds, peak kB, CPU seconds (user + system) of a command (GNU
# time): on a shared machine CPU time is the fairer comparison.
measure () {
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time"
}

runs=${RUNS:-3}
echo "load average: $(cat /proc/loadavg)"
python3 - "$work/in.csv" "$rows" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
with open(path, 'w') as f:
    f.write('id,name,price,qty,sold_at,paid\n')
    for i in range(rows):
        f.write(f'{i},item {i},{i * 0.25:.2f},{i % 100},2024-01-{i % 28 + 1:02d}T10:00:00,{"true" if i % 2 else "false"}\n')
PY
case " $parts " in *" file "*)
echo "== File: $rows CSV rows → convert → columns → gzip JSON lines ($runs runs each, median)"
cat > "$work/etl.xml" <<'XML'
<pipeline format="1" id="bench-etl">
  <controller id="c" mode="not-parallel">
    <phase id="p">
      <execution id="read"><use tool="file-extract"><param name="path">in.csv</param></use></execution>
      <execution id="types"><use tool="convert"><param name="fields">id:int, price:float, qty:int, sold_at:timestamp, paid:bool</param></use></execution>
      <execution id="shape"><use tool="columns">
        <param name="rename">name=label</param>
        <param name="compute">total = item.price * item.qty</param>
      </use></execution>
      <execution id="save"><use tool="file-load"><param name="path">out.jsonl.gz</param><param name="batch-size">10000</param></use></execution>
    </phase>
  </controller>
</pipeline>
XML
# Alternated runs; "wall KB CPU" lines, then the median of each column.
: > "$work/sluice.runs"
: > "$work/mlr.runs"
i=0
while [ $i -lt "$runs" ]; do
  measure "$sluice_run" -q "$work/etl.xml" >> "$work/sluice.runs"
  measure sh -c "mlr --icsv --ojsonl cat '$work/in.csv' | gzip > '$work/mlr.jsonl.gz'" >> "$work/mlr.runs"
  i=$((i + 1))
done
median () {   # file column
  sort -n -k "$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}
sluice_s=$(median "$work/sluice.runs" 1) sluice_kb=$(median "$work/sluice.runs" 2) sluice_cpu=$(median "$work/sluice.runs" 3)
mlr_s=$(median "$work/mlr.runs" 1) mlr_kb=$(median "$work/mlr.runs" 2) mlr_cpu=$(median "$work/mlr.runs" 3)
lines=$(zcat "$work/out.jsonl.gz" | wc -l)
awk -v r="$rows" -v s="$sluice_s" -v m="$mlr_s" -v sk="$sluice_kb" -v mk="$mlr_kb" -v l="$lines" \
    -v sc="$sluice_cpu" -v mc="$mlr_cpu" 'BEGIN {
  printf "%-8s %8s %10s %8s %12s %11s %9s\n", "", "wall s", "rows/s", "CPU s", "rows/CPU-s", "µs CPU/row", "peak MB"
  printf "%-8s %8.2f %10.0f %8.2f %12.0f %11.2f %9.0f  (%d lines written)\n", "sluice", s, r / s, sc, r / sc, sc * 1e6 / r, sk / 1024, l
  printf "%-8s %8.2f %10.0f %8.2f %12.0f %11.2f %9.0f  (mlr | gzip; peak of the larger)\n", "mlr", m, r / m, mc, r / mc, mc * 1e6 / r, mk / 1024
  printf "ratio sluice/mlr (above 1: sluice faster or smaller): %.2f by wall time, %.2f by CPU time, %.2f by peak memory\n", m / s, mc / sc, mk / sk
}'
;; esac

load () {   # database label batch rows
  if [ "$2" = ClickHouse ]; then
    store="<use tool=\"clickhouse\"><param name=\"url\">$1</param><param name=\"table\">bench_$3</param>
        <param name=\"create\">true</param><param name=\"key\">id</param><param name=\"batch-size\">$3</param>
        <param name=\"columns\">id String
name String
price String
qty String
sold_at String
paid String</param></use>"
  else
    store="<use tool=\"sql-load\">
        <param name=\"database\">$1</param><param name=\"table\">bench_$3</param>
        <param name=\"create\">true</param><param name=\"batch-size\">$3</param>
      </use>"
  fi
  cat > "$work/load.xml" <<XML
<pipeline format="1" id="bench-load">
  <controller id="c" mode="not-parallel">
    <phase id="p">
      <execution id="read"><use tool="file-extract"><param name="path">load.csv</param></use></execution>
      <execution id="store">$store</execution>
    </phase>
  </controller>
</pipeline>
XML
  head -n $(($4 + 1)) "$work/in.csv" > "$work/load.csv"
  server_before=$(server_cpu "$2")
  set -- "$2" "$3" $(($(wc -l < "$work/load.csv") - 1)) $(measure "$sluice_run" -q "$work/load.xml")
  sleep 0.3   # the backend's exit reaches its postmaster's count
  server_after=$(server_cpu "$1")
  awk -v label="$1" -v b="$2" -v r="$3" -v s="$4" -v k="$5" -v c="$6" -v sv="$server_before" -v sa="$server_after" \
    'BEGIN { printf "%-10s batch %6d: %7d rows in %6.2f s = %8.0f rows/s; %.2f s CPU = %8.0f rows/CPU-s; peak %.0f MB; server %.2f s CPU\n",
             label, b, r, s, r / s, c, r / c, k / 1024, sa - sv }'
}

# CPU seconds the database server started here has used so far: the
# PostgreSQL postmaster with its backends (those that ended count in its
# children's time), or clickhouse-server; 0 for SQLite.
server_cpu () {
  case $1 in
    PostgreSQL)
      pm=$(head -n 1 "$work/pg/data/postmaster.pid")
      { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
        for child in $(pgrep -P "$pm"); do awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || true; done
      } | awk -v hz="$(getconf CLK_TCK)" '{ t += $1 } END { printf "%.2f\n", t / hz }' ;;
    ClickHouse)
      awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' "/proc/$ch_pid/stat" ;;
    *) echo 0 ;;
  esac
}

case " $parts " in *" sqlite "*)
echo "== SQLite loader"
load "sqlite:$work/bench.db" SQLite 1 2000
load "sqlite:$work/bench.db" SQLite 100 100000
load "sqlite:$work/bench.db" SQLite 10000 $rows
;; esac

case " $parts " in *" postgres "*)
echo "== PostgreSQL loader"
if [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL 15 is missing ($pg_bin/initdb)" >&2
  exit 1
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$work/pg"
[ -n "$as_pg" ] && chown nobody:nogroup "$work/pg"
$as_pg "$pg_bin/initdb" -D "$work/pg/data" -U sluice --auth=trust -E UTF8 --no-sync --no-instructions >/dev/null
$as_pg "$pg_bin/pg_ctl" start -D "$work/pg/data" -w -l "$work/pg/log" \
  -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -F" >/dev/null
pg_pid_dir=$work/pg
uri="postgresql://sluice@127.0.0.1:$port/postgres"
load "$uri" PostgreSQL 1 2000
load "$uri" PostgreSQL 100 100000
load "$uri" PostgreSQL 10000 $rows
;; esac

case " $parts " in *" clickhouse "*)
echo "== ClickHouse loader"
ch_server=/usr/sbin/clickhouse-server
if [ ! -x "$ch_server" ]; then
  echo "ClickHouse is missing ($ch_server)" >&2
  exit 1
fi
free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
ch_http=$(free_port) ch_tcp=$(free_port) ch_inter=$(free_port)
mkdir -p "$work/ch/tmp" "$work/ch/user_files" "$work/ch/format_schemas"
"$ch_server" --config-file=/etc/clickhouse-server/config.xml -- \
  --path="$work/ch/" --tmp_path="$work/ch/tmp/" --user_files_path="$work/ch/user_files/" \
  --format_schema_path="$work/ch/format_schemas/" --logger.log="$work/ch/server.log" \
  --logger.errorlog="$work/ch/server.err.log" --logger.console=0 \
  --http_port="$ch_http" --tcp_port="$ch_tcp" --interserver_http_port="$ch_inter" \
  --listen_host=127.0.0.1 >"$work/ch/out" 2>&1 &
ch_pid=$!
i=0
until curl -fs "http://127.0.0.1:$ch_http/ping" >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 300 ] || ! kill -0 "$ch_pid" 2>/dev/null; then
    echo "clickhouse-server did not start:" >&2
    tail -5 "$work/ch/server.err.log" >&2 || true
    exit 1
  fi
  sleep 0.2
done
ch_url="http://127.0.0.1:$ch_http/"
load "$ch_url" ClickHouse 1 2000
load "$ch_url" ClickHouse 100 100000
load "$ch_url" ClickHouse 10000 $rows
;; esac
