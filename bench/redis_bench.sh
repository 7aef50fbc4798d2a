#!/usr/bin/env bash
# What --state redis:// costs, on loopback, against a redis-server of its own:
#   overhead   a recursive crawl by one worker sharing its state through Redis, against the
#              same crawl in memory, runs taken in turn (A B A B ...): medians and the median
#              of the pairwise wall ratios (target <= 1.5)
#   workers3   three workers started together on one crawl: wall, and whether `acrawl export`
#              holds exactly the in-memory crawl's records
# The crawl target is START (default: the fixture site of 10,000 pages served by
# build/fixtures/acrawl-fixture-server; give the shared bench's http://127.0.0.1:18080/index.html
# to measure on nginx). Every server is on 127.0.0.1.
#
# Usage: bench/redis_bench.sh [-r RUNS] [-w WORKLOAD,...] [-s START_URL] [-b ACRAWL]
# Needs redis-server, /usr/bin/time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=5
workloads=overhead,workers3
start=""
acrawl=${ACRAWL:-$root/build/src/acrawl}
server_bin=${FIXTURE_SERVER:-$root/build/fixtures/acrawl-fixture-server}
while getopts "r:w:s:b:" opt; do
  case $opt in
    r) runs=$OPTARG ;;
    w) workloads=$OPTARG ;;
    s) start=$OPTARG ;;
    b) acrawl=$OPTARG ;;
    *) sed -n 2,13p "$0" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" \
  >"$tmp/redis.log" 2>&1 &
pids+=($!)
until grep -q "Ready to accept connections" "$tmp/redis.log"; do sleep 0.05; done
redis="redis://127.0.0.1:$port"

if [ -z "$start" ]; then
  "$server_bin" --port-file "$tmp/port" --site-pages 10000 >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  start="http://127.0.0.1:$(cat "$tmp/port")/site/p/0.html"
fi

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() { /usr/bin/time -f "%e" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || true; cat "$tmp/time"; }
crawl=("$acrawl" "$start" --depth 1000 --scope host -c 50 -q)
timed "${crawl[@]}" -o "$tmp/mem.tsv" >/dev/null
sort "$tmp/mem.tsv" > "$tmp/expected.tsv"
pages=$(wc -l < "$tmp/expected.tsv")

if [[ ,$workloads, == *,overhead,* ]]; then
  : > "$tmp/m"; : > "$tmp/r"; : > "$tmp/ratio"
  for i in $(seq "$runs"); do
    m=$(timed "${crawl[@]}" -o "$tmp/mem.tsv")
    r=$(timed "${crawl[@]}" --state "$redis" --crawl-id "one$i" -o "$tmp/redis.tsv")
    [ "$(wc -l < "$tmp/redis.tsv")" = "$pages" ] || echo "overhead: $(wc -l < "$tmp/redis.tsv") records, not $pages" >&2
    echo "$m" >> "$tmp/m"; echo "$r" >> "$tmp/r"
    awk -v a="$r" -v b="$m" 'BEGIN {print a / b}' >> "$tmp/ratio"
  done
  echo "## overhead: recursive crawl of $start ($pages pages), -c 50, $runs runs each"
  echo
  echo "| | wall s (median) | min-max |"
  echo "|---|---|---|"
  echo "| in memory | $(median < "$tmp/m") | $(sort -g "$tmp/m" | head -1)-$(sort -g "$tmp/m" | tail -1) |"
  echo "| one worker, --state redis:// | $(median < "$tmp/r") | $(sort -g "$tmp/r" | head -1)-$(sort -g "$tmp/r" | tail -1) |"
  echo
  echo "Redis / in memory, median of pairwise wall ratios: **$(median < "$tmp/ratio")** (target <= 1.5)"
  echo
fi

if [[ ,$workloads, == *,workers3,* ]]; then
  t0=$(date +%s.%N)
  for w in 1 2 3; do
    "${crawl[@]}" --state "$redis" --crawl-id three -o "$tmp/w$w.tsv" 2>"$tmp/w$w.err" &
    pids+=($!)
  done
  for w in 1 2 3; do wait "${pids[-1]}" || echo "worker exit $?" >&2; unset 'pids[-1]'; done
  t1=$(date +%s.%N)
  "$acrawl" export "$redis" --crawl-id three | sort > "$tmp/export.tsv"
  same=no; cmp -s "$tmp/export.tsv" "$tmp/expected.tsv" && same=yes
  echo "## workers3: three workers on one crawl of $start"
  echo
  echo "| wall s | records exported | equal to the in-memory crawl | records per worker |"
  echo "|---|---|---|---|"
  echo "| $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}') | $(wc -l < "$tmp/export.tsv") | $same | $(wc -l < "$tmp/w1.tsv") / $(wc -l < "$tmp/w2.tsv") / $(wc -l < "$tmp/w3.tsv") |"
  echo
fi
