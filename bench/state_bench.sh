#!/usr/bin/env bash
# What --state FILE costs, on loopback:
#   overhead     a recursive crawl with --state against the same crawl in memory, runs taken in
#                turn (A B A B ...), medians and the median of the pairwise wall ratios
#   list-1m      a list of 1,000,000 URLs with --state: wall, peak RSS (against 100,000 URLs:
#                bounded memory means about the same), state bytes per URL
#   frontier-1m  a state whose frontier holds 1,000,000 queued URLs (one page linking to them
#                all, then Ctrl-C): state bytes per URL, and how long the same command takes,
#                resumed, to its first record (time to start fetching)
# The crawl target of `overhead` is START (default: the fixture site of 10,000 pages served by
# build/fixtures/acrawl-fixture-server; give the shared bench's http://127.0.0.1:18080/index.html
# to measure on nginx). Every server is on 127.0.0.1.
#
# Usage: bench/state_bench.sh [-r RUNS] [-w WORKLOAD,...] [-s START_URL] [-b ACRAWL] [-k]
#   -r  runs per side for overhead (default 5)
#   -w  workloads (default overhead,list-1m,frontier-1m)
#   -k  keep the temp directory and print its path
# Needs python3, sqlite3, /usr/bin/time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=5
workloads=overhead,list-1m,frontier-1m
start=""
acrawl=${ACRAWL:-$root/build/src/acrawl}
server_bin=${FIXTURE_SERVER:-$root/build/fixtures/acrawl-fixture-server}
keep=0
while getopts "r:w:s:b:k" opt; do
  case $opt in
    r) runs=$OPTARG ;;
    w) workloads=$OPTARG ;;
    s) start=$OPTARG ;;
    b) acrawl=$OPTARG ;;
    k) keep=1 ;;
    *) sed -n 2,20p "$0" >&2; exit 2 ;;
  esac
done

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ "$keep" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

mkdir -p "$tmp/pages"
python3 - "$tmp/pages/million.html" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("<!doctype html><title>A million links</title>\n")
    for i in range(1_000_000):
        f.write(f'<a href="/site/p/{i % 10000}.html?n={i}">{i}</a>\n')
PY
"$server_bin" --port-file "$tmp/port" --site-pages 10000 --pages "$tmp/pages" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 200); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
[ -n "$start" ] || start="$base/site/p/0.html"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# wall seconds and peak RSS (KB) of a command: "WALL RSS"
timed() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || true; cat "$tmp/time"; }
size_of() { local n=0; for f in "$1" "$1-wal"; do [ -e "$f" ] && n=$((n + $(stat -c %s "$f"))); done; echo $n; }

if [[ ,$workloads, == *,overhead,* ]]; then
  : > "$tmp/mem"; : > "$tmp/state"; : > "$tmp/ratio"
  crawl=("$acrawl" "$start" --depth 1000 --scope host -c 50 -q)
  timed "${crawl[@]}" -o "$tmp/warm.tsv" >/dev/null
  for _ in $(seq "$runs"); do
    m=$(timed "${crawl[@]}" -o "$tmp/mem.tsv")
    rm -f "$tmp/o.db" "$tmp/o.db-wal" "$tmp/o.db-shm"
    s=$(timed "${crawl[@]}" --state "$tmp/o.db" -o "$tmp/state.tsv")
    echo "${m% *}" >> "$tmp/mem"; echo "${s% *}" >> "$tmp/state"
    awk -v a="${s% *}" -v b="${m% *}" 'BEGIN {print a / b}' >> "$tmp/ratio"
  done
  pages=$(wc -l < "$tmp/state.tsv")
  [ "$pages" = "$(wc -l < "$tmp/mem.tsv")" ] || echo "overhead: page counts differ" >&2
  echo "## overhead: recursive crawl of $start ($pages pages), -c 50, $runs runs each"
  echo
  echo "| | wall s (median) | min-max |"
  echo "|---|---|---|"
  echo "| in memory | $(median < "$tmp/mem") | $(sort -g "$tmp/mem" | head -1)-$(sort -g "$tmp/mem" | tail -1) |"
  echo "| --state | $(median < "$tmp/state") | $(sort -g "$tmp/state" | head -1)-$(sort -g "$tmp/state" | tail -1) |"
  echo
  echo "--state / in memory, median of pairwise wall ratios: **$(median < "$tmp/ratio")** (target <= 1.10)"
  echo
fi

if [[ ,$workloads, == *,list-1m,* ]]; then
  echo "## list-1m: lists of $base/site/p/N.html with --state, -c 50"
  echo
  echo "| URLs | wall s | peak RSS MB | state bytes | bytes per URL |"
  echo "|---|---|---|---|---|"
  for n in 100000 1000000; do
    python3 -c "import sys
for i in range($n): print(f'$base/site/p/{i % 10000}.html?n={i}')" > "$tmp/list.txt"
    rm -f "$tmp/l.db"*
    r=$(timed "$acrawl" "$tmp/list.txt" -c 50 -q --state "$tmp/l.db" -o "$tmp/list.tsv")
    got=$(wc -l < "$tmp/list.tsv")
    [ "$got" = "$n" ] || echo "list-1m: $got records for $n URLs" >&2
    bytes=$(size_of "$tmp/l.db")
    echo "| $n | ${r% *} | $(awk -v k="${r#* }" 'BEGIN {printf "%.1f", k / 1024}') | $bytes | $(awk -v b="$bytes" -v n="$n" 'BEGIN {printf "%.0f", b / n}') |"
  done
  echo
fi

if [[ ,$workloads, == *,frontier-1m,* ]]; then
  f="$tmp/f.db"
  rm -f "$f"*
  # One page, a million links; then one request an hour per host, so nothing else is fetched.
  args=("$base/pages/million.html" --depth 1 --ignore-robots --max-bytes 200000000 --state "$f" -q)
  "$acrawl" "${args[@]}" --per-host 1 --delay 3600000 >/dev/null 2>"$tmp/err" &
  pid=$!
  until [ "$(sqlite3 "$f" 'SELECT count(*) FROM queue' 2>/dev/null || echo 0)" -ge 1000000 ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
    sleep 0.5
  done
  kill -INT "$pid"; wait "$pid" || true
  queued=$(sqlite3 "$f" 'SELECT count(*) FROM queue')
  bytes=$(size_of "$f")
  # The same command again (politeness is not part of the crawl): time to its first record.
  first=$(python3 - "$acrawl" "${args[@]}" <<'PY'
import subprocess, sys, time, signal
t = time.monotonic()
p = subprocess.Popen(sys.argv[1:] + ["-c", "50"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
p.stdout.readline()
print(f"{time.monotonic() - t:.2f}")
p.send_signal(signal.SIGINT)
p.wait()
PY
)
  echo "## frontier-1m: a state with $queued URLs queued"
  echo
  echo "| state bytes | bytes per URL | resumed: first record after |"
  echo "|---|---|---|"
  echo "| $bytes | $(awk -v b="$bytes" -v n="$queued" 'BEGIN {printf "%.0f", b / n}') | **$first s** (target < 2 s) |"
  echo
fi
