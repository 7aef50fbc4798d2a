#!/usr/bin/env bash
# Redis memory of a crawl's seen set: starts its own redis-server on 127.0.0.1 (no persistence),
# seeds N URLs (default 1,000,000) with the crawl's own script, prints bytes per URL.
# Usage: bench/redis_seen.sh [N] [BUILD_DIR]
set -euo pipefail
n=${1:-1000000}
build=${2:-build}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
  --logfile "$dir/log" --daemonize no &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
"$build/bench/redis_seen" "$port" "$n"
