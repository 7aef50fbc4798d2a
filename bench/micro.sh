#!/usr/bin/env bash
# Runs the runtime micro-benchmarks and, in the same run, the asyncio/uvloop ones they mirror
# (../shared/bench/micro_asyncio.py, or $MICRO_ASYNCIO), and prints both tables plus the
# speed-up of acrawl's runtime over uvloop per operation.
# Usage: bench/micro.sh [BUILD_DIR] [--trials N]
set -euo pipefail
build=${1:-build}
shift || true
trials=${TRIALS:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
asyncio_script=${MICRO_ASYNCIO:-$root/../shared/bench/micro_asyncio.py}

ours=$("$build/bench/micro_runtime" --trials "$trials")
echo "$ours"
echo
if [ ! -f "$asyncio_script" ] || ! /usr/bin/python3 -c 'import uvloop' 2>/dev/null; then
  echo "(asyncio comparison skipped: needs $asyncio_script and python3-uvloop)"
  exit 0
fi
theirs=$(/usr/bin/python3 "$asyncio_script" --trials "$trials")
echo "$theirs"
echo
echo "| benchmark | acrawl best ns/op | uvloop best ns/op | speed-up |"
echo "|---|---|---|---|"
ns() { awk -F'|' -v name="$1" -v col="$2" '$2 ~ name {gsub(/[ ,]/, "", $col); print $col; exit}'; }
for pair in "yield:sleep0" "spawn\\+gather:spawn\\+gather" "queue:queue"; do
  mine=${pair%%:*}
  peer=${pair##*:}
  a=$(echo "$ours" | ns "$mine" 4)
  u=$(echo "$theirs" | grep uvloop | ns "$peer" 5)
  awk -v n="$mine" -v a="$a" -v u="$u" 'BEGIN { printf "| %s | %s | %s | %.0fx |\n", n, a, u, u / a }' | sed 's/\\//g'
done
