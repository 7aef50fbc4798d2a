#!/usr/bin/env bash
# Soak: N URLs (default 100,000) against the fixture server on 127.0.0.1 with 5 % resets,
# 5 % HTTP 500, 2 % slow bodies, 1 % huge bodies and 5 % redirects, at --concurrency C
# (default 500). Checks exactly one record per URL and reports RSS over the run.
# Usage: bench/soak.sh [BUILD_DIR] [N] [C] [extra acrawl options...]
set -euo pipefail
build=${1:-build}
n=${2:-100000}
c=${3:-500}
shift 3 2>/dev/null || shift $#
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

"$build/fixtures/acrawl-fixture-server" --port-file "$tmp/port" --site-pages 10000 >/dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"

# Every URL is distinct (?i=k), so "one record per URL" is checkable.
awk -v n="$n" -v b="$base" 'BEGIN {
  for (i = 0; i < n; i++) {
    r = i % 100;
    if (r < 5) p = "/reset";
    else if (r < 10) p = "/status/500";
    else if (r < 12) p = "/slow/20000/1000/100";
    else if (r < 13) p = "/huge/20000000";
    else if (r < 18) p = "/redirect/2";
    else p = "/site/p/" (i % 10000) ".html";
    print b p "?i=" i;
  }
}' > "$tmp/urls.txt"

"$build/src/acrawl" "$tmp/urls.txt" --concurrency "$c" --no-progress --stats-json "$tmp/stats.json" \
  "$@" > "$tmp/out.tsv" 2> "$tmp/err.txt" &
pid=$!
samples=()
start=$(date +%s.%N)
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && samples+=("$rss")
  sleep 0.5
done
status=0
wait "$pid" || status=$?
end=$(date +%s.%N)

records=$(wc -l < "$tmp/out.tsv")
distinct=$(cut -f1 "$tmp/out.tsv" | sort -u | wc -l)
count=${#samples[@]}
pick() { [ "$count" -gt 0 ] && echo "${samples[$1]}" || echo 0; }
echo "soak: $n URLs at concurrency $c: exit $status, $records records, $distinct distinct URLs," \
  "wall $(echo "$end - $start" | bc) s"
echo "soak: RSS KB start/middle/end/peak: $(pick 0) / $(pick $((count / 2))) /" \
  "$(pick $((count - 1))) / $(printf '%s\n' "${samples[@]:-0}" | sort -n | tail -1)" \
  "($count samples)"
echo "soak: statuses: $(cut -f2 "$tmp/out.tsv" | sort | uniq -c | sort -rn | awk '{printf "%s %s, ", $2, $1}')"
tail -n 3 "$tmp/err.txt"
[ "$records" -eq "$n" ] && [ "$distinct" -eq "$n" ] && [ "$status" -le 1 ]
