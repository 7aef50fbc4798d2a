#!/usr/bin/env bash
# Does a Prometheus scraper slow the crawl? The same crawl of the fixture site, run without
# --metrics, with --metrics unscraped, and with a scraper reading /metrics and /status every
# INTERVAL seconds (default 0.1), interleaved R times; prints the medians, their ratios to the
# plain crawl and the scrapes made. Only 127.0.0.1 is contacted.
#
# Usage: bench/metrics_overhead.sh [-n PAGES] [-r RUNS] [-c CONCURRENCY] [-m MODE] [-i INTERVAL]
#   defaults: 50000 pages, 5 runs, 50 in flight, async, 0.1 s; env ACRAWL, FIXTURE_SERVER
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
acrawl=${ACRAWL:-$root/build/src/acrawl}
server=${FIXTURE_SERVER:-$root/build/fixtures/acrawl-fixture-server}
pages=50000 runs=5 conc=50 mode=async interval=0.1
while getopts 'n:r:c:m:i:' opt; do
  case $opt in
    n) pages=$OPTARG ;; r) runs=$OPTARG ;; c) conc=$OPTARG ;; m) mode=$OPTARG ;;
    i) interval=$OPTARG ;; *) sed -n '/^# Usage/,/^#   defaults/p' "$0" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$server" --site-pages "$pages" --port-file "$tmp/port" >/dev/null 2>&1 &
server_pid=$!
while [ ! -s "$tmp/port" ]; do sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
seq 0 $((pages - 1)) | sed "s|^|$base/site/p/|; s|$|.html|" > "$tmp/urls.txt"

# Prints the wall seconds of one crawl, as acrawl measures it (--stats-json), in one of three
# variants: plain; "served" (--metrics, nobody scraping); "scraped" (--metrics and
# bench/metrics_scraper.py, one keep-alive connection like Prometheus's, whose scrape count
# goes to $tmp/scrapes).
crawl() {
  local args=("$tmp/urls.txt" -c "$conc" --mode "$mode" --no-progress --stats-json "$tmp/stats")
  : > "$tmp/err"
  case $1 in
    plain) "$acrawl" "${args[@]}" > "$tmp/out" 2> "$tmp/err" || true ;;
    served) "$acrawl" "${args[@]}" --metrics 127.0.0.1:0 > "$tmp/out" 2> "$tmp/err" || true ;;
    scraped)
      /usr/bin/python3 "$root/bench/metrics_scraper.py" "$tmp/err" "$interval" >> "$tmp/scrapes" &
      local scraper=$!
      "$acrawl" "${args[@]}" --metrics 127.0.0.1:0 > "$tmp/out" 2> "$tmp/err" || true
      wait "$scraper"
      ;;
  esac
  [ "$(wc -l < "$tmp/out")" -eq "$pages" ] || { echo "a crawl lost records" >&2; exit 1; }
  grep -o '"wall_seconds":[0-9.]*' "$tmp/stats" | cut -d: -f2
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

crawl plain > /dev/null  # warm-up: page cache, the server's first connections
for _ in $(seq "$runs"); do
  for v in plain served scraped; do crawl $v >> "$tmp/$v"; done
done
p=$(median < "$tmp/plain")
echo "| crawl of $pages pages, $mode, -c $conc | median wall (s), $runs runs | ratio to plain | all runs |"
echo "|---|---|---|---|"
for v in plain served scraped; do
  m=$(median < "$tmp/$v")
  printf '| %s | %s | %.3f | %s|\n' "$v" "$m" "$(echo "$m / $p" | bc -l)" "$(tr '\n' ' ' < "$tmp/$v")"
done
echo "scrapes per scraped crawl (every ${interval}s, /metrics and /status): $(tr '\n' ' ' < "$tmp/scrapes")"
