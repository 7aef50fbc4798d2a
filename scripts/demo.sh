#!/usr/bin/env bash
# make demo: starts the fixture server on loopback, crawls the demo URL list with
# --concurrency 50 (charset pages, a generated site, and the hostile routes), prints the
# records on stdout and the summary on stderr, then stops the server.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
server_bin="$build/fixtures/acrawl-fixture-server"
acrawl_bin="$build/src/acrawl"

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

printf 'User-agent: *\nDisallow: /site/p/9\nCrawl-delay: 0\n' > "$tmp/robots.txt"
"$server_bin" --port-file "$tmp/port" --site-pages 1000 --robots-file "$tmp/robots.txt" >/dev/null &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
[ -s "$tmp/port" ] || { echo "demo: the fixture server did not start" >&2; exit 1; }
base="http://127.0.0.1:$(cat "$tmp/port")"

{
  echo "# Pages in many charsets, with known titles (fixtures/pages/manifest.tsv)"
  tail -n +2 "$root/fixtures/pages/manifest.tsv" | cut -f1 | sed "s|^|$base/pages/|"
  echo "# A generated site"
  for n in $(seq 0 299); do echo "$base/site/p/$n.html"; done
  echo "# The hostile web: each gets a record saying what happened"
  cat <<URLS
$base/delay/300/site/p/1.html
$base/status/404
$base/status/503
$base/reset
$base/truncated
$base/redirect/3
$base/redirect-loop
$base/redirect-to?url=file%3A%2F%2F%2Fetc%2Fpasswd
$base/huge/50000000
$base/binary
file:///etc/passwd
not a url
URLS
} > "$tmp/urls.txt"

echo "demo: acrawl $tmp/urls.txt --concurrency 50   (server: $base)" >&2
status=0
"$acrawl_bin" "$tmp/urls.txt" --concurrency 50 || status=$?
# Exit status 1 only says that some pages failed, which the hostile routes make sure of.
if [ "$status" -gt 1 ]; then
  echo "demo: acrawl failed with exit status $status" >&2
  exit "$status"
fi
echo "demo: done (acrawl exit status $status: the hostile routes fail on purpose)" >&2

# Part two: a recursive crawl of the site from its index, obeying its robots.txt (which
# disallows /site/p/9*): every reachable page once, disallowed ones recorded, not fetched.
echo >&2
echo "demo: acrawl $base/site/ --depth 3 --links-file $tmp/links.tsv   (robots.txt: Disallow: /site/p/9)" >&2
status=0
"$acrawl_bin" "$base/site/" --depth 3 --links-file "$tmp/links.tsv" > "$tmp/crawl.tsv" || status=$?
if [ "$status" -gt 1 ]; then
  echo "demo: acrawl failed with exit status $status" >&2
  exit "$status"
fi
head -n 5 "$tmp/crawl.tsv"
echo "..."
grep -m 3 robots_disallowed "$tmp/crawl.tsv" || true
echo "demo: $(wc -l < "$tmp/crawl.tsv") pages within 3 links of the index ($(grep -c robots_disallowed "$tmp/crawl.tsv") refused by robots.txt), $(wc -l < "$tmp/links.tsv") links" >&2
