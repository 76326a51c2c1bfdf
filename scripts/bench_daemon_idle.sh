#!/usr/bin/env bash
# Idle cost of `synctrack run` over a bucket of ~100,000 objects with nothing new:
# CPU and RSS per cycle, and warehouse operations per cycle, read from /metrics.
# Usage: scripts/bench_daemon_idle.sh [WORKDIR] [CYCLES]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/synctrack-idle}
cycles=${2:-30}
mkdir -p "$work"
go build -o "$work/synctrack" ./cmd/synctrack
st="$work/synctrack"
if [ ! -d "$work/bucket" ]; then
  # 2 orgs x 10 syncs x 50 runs x (99 records files + metadata.json) + facts = 100,006 objects
  "$st" generate --out "$work/bucket" --orgs 2 --syncs 10 --runs 50 --files 99 --rows 2
fi
echo "objects: $(find "$work/bucket" -type f | wc -l)"
if [ ! -f "$work/w.duckdb" ]; then
  /usr/bin/time -f "initial load: %e s, max RSS %M KB" "$st" load --bucket "file://$work/bucket" --warehouse "duckdb://$work/w.duckdb" --progress=false
fi
"$st" run --bucket "file://$work/bucket" --warehouse "duckdb://$work/w.duckdb" \
  --schedule '@every 1s' --listen 127.0.0.1:9464 --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
metric() { curl -s 127.0.0.1:9464/metrics | awk -v m="$1" '$1 ~ "^"m {s+=$2} END {printf "%.6f\n", s}'; }
# Wait for the startup cycle (it sets up the schema and sweeps run state).
until [ "$(metric 'synctrack_last_success_timestamp_seconds')" != "0.000000" ]; do sleep 0.5; done
sleep 2
c0=$(metric 'synctrack_load_duration_seconds_count'); cpu0=$(metric 'process_cpu_seconds_total')
led0=$(metric 'synctrack_warehouse_ops_total.*op="ledger_read"')
ops0=$(metric 'synctrack_warehouse_ops_total')
# Sample RSS (total and file-backed: the binary's own pages) through the window.
( while kill -0 $pid 2>/dev/null; do
    awk '/^VmRSS/ {r=$2} /^RssFile/ {f=$2} END {print r, f}' /proc/$pid/status
    sleep 0.25
  done ) > "$work/rss.samples" 2>/dev/null &
sampler=$!
sleep "$cycles"
kill $sampler 2>/dev/null || true
c1=$(metric 'synctrack_load_duration_seconds_count'); cpu1=$(metric 'process_cpu_seconds_total')
led1=$(metric 'synctrack_warehouse_ops_total.*op="ledger_read"')
ops1=$(metric 'synctrack_warehouse_ops_total')
rss=$(metric 'process_resident_memory_bytes')
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
dur=$(curl -s 127.0.0.1:9464/metrics | awk '/^synctrack_load_duration_seconds_sum/ {s+=$2} END {print s}')
n=$(echo "$c1 - $c0" | bc)
echo "idle cycles: $n"
echo "CPU per idle cycle: $(echo "scale=3; ($cpu1 - $cpu0) / $n" | bc) s"
echo "warehouse ops per idle cycle: $(echo "scale=2; ($ops1 - $ops0) / $n" | bc) (ledger reads: $(echo "scale=2; ($led1 - $led0) / $n" | bc))"
echo "RSS now: $(echo "$rss / 1048576" | bc) MiB; peak RSS (VmHWM, startup cycle included): $((hwm / 1024)) MiB"
sort -n "$work/rss.samples" | awk '{r[NR]=$1; f+=$2} END {printf "RSS over the window (every 0.25 s): min %d, median %d, max %d MiB; file-backed (binary pages) %d MiB\n", r[1]/1024, r[int((NR+1)/2)]/1024, r[NR]/1024, f/NR/1024}'
kill -TERM $pid; wait $pid; echo "exit $?"
