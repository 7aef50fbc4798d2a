#!/usr/bin/env bash
# Runs every libFuzzer target for a fixed time: scripts/fuzz.sh BUILD_DIR SECONDS.
# Seeds: fuzz/seeds/<target> and, for the HTML and charset targets, fixtures/pages and
# fixtures/links. A crash stops with the input saved under BUILD_DIR/artifacts/; turn it into a
# regression test.
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts"
for target in url robots html charset sitemap; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  seeds=()
  [ -d "$root/fuzz/seeds/$target" ] && seeds+=("$root/fuzz/seeds/$target")
  if [ "$target" = html ] || [ "$target" = charset ]; then
    seeds+=("$root/fixtures/pages" "$root/fixtures/links")
  fi
  echo "fuzz: $target for ${seconds}s" >&2
  "$build/fuzz/fuzz_$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" \
    -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target-" 2> "$build/fuzz-$target.log" || {
    tail -n 40 "$build/fuzz-$target.log" >&2
    echo "fuzz: $target failed; input in $build/artifacts/" >&2
    exit 1
  }
  grep -E '^stat::number_of_executed_units' "$build/fuzz-$target.log" | sed "s/^/fuzz: $target /" >&2
done
