#!/usr/bin/env bash
# The web's shapes on loopback: acrawl against `curl --parallel` in the same run, so that a
# regression in TLS, HTTP/2 or many-host handling shows as a changed ratio.
#
# Starts its own nginx (Debian's /usr/sbin/nginx, prefix and config in a mktemp -d directory)
# with a CA and server certificates made here by the openssl CLI (nothing from the system trust
# store), serves a generated static site (N pages of 10-30 KB HTML, distinct titles, links),
# and fetches these URL lists with both tools:
#   https-h1     N pages over TLS, HTTP/1.1-only listener         https://127.0.0.1:P1/...
#   https-h2     N pages over TLS, HTTP/2 listener                https://127.0.0.1:P2/...
#   https-hosts  1,000 pages, each on its own TLS host            https://127.2.X.Y:P4/...
#   hosts-5k     5,000 pages, each on its own plain-HTTP host     http://127.1.X.Y:P3/...
#   hosts-20k    20,000 pages, each on its own plain-HTTP host    http://127.1.X.Y:P3/...
# Only 127.0.0.0/8 is ever contacted (Linux routes all of it to lo); the listeners on 0.0.0.0
# also refuse any client outside 127.0.0.0/8.
#
# Per run: wall, CPU (user+sys) and peak RSS (/usr/bin/time), connections and requests the
# server saw (distinct $connection in nginx's access log), pages answered 200 as the tool
# reports them. Prints one Markdown table per shape, medians of R runs (min-max of wall), the
# acrawl/curl wall ratio, and the hosts-20k/hosts-5k wall ratio (4.0 = linear in hosts).
#
# Usage: bench/web_shapes.sh [-n PAGES] [-r RUNS] [-c CONCURRENCY] [-w SHAPE,...] [-b ACRAWL] [-k]
#   -n  pages of the site and of https-h1/https-h2 (default 5000; env PAGES)
#   -r  runs per tool and shape (default 3; env RUNS)
#   -c  transfers in flight for both tools (default 50; env CONCURRENCY)
#   -w  shapes, comma-separated (default all five; env SHAPES)
#   -b  acrawl binary (default build/src/acrawl; env ACRAWL)
#   -k  keep the temp directory (site, certs, logs, per-run outputs) and print its path
# Needs nginx with http_ssl and http_v2 (1.22 syntax), openssl, curl, python3, /usr/bin/time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
pages=${PAGES:-5000}
runs=${RUNS:-3}
conc=${CONCURRENCY:-50}
shapes=${SHAPES:-https-h1,https-h2,https-hosts,hosts-5k,hosts-20k}
acrawl=${ACRAWL:-$root/build/src/acrawl}
nginx_bin=${NGINX:-/usr/sbin/nginx}
keep=0

usage() { sed -n '/^# Usage:/,/^# Needs/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts 'n:r:c:w:b:kh' opt; do
  case $opt in
    n) pages=$OPTARG ;;
    r) runs=$OPTARG ;;
    c) conc=$OPTARG ;;
    w) shapes=$OPTARG ;;
    b) acrawl=$OPTARG ;;
    k) keep=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
for v in "$pages" "$runs" "$conc"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "web_shapes: not a positive number: $v" >&2; exit 2; }
done
IFS=, read -r -a shape_list <<< "$shapes"
for s in "${shape_list[@]}"; do
  case $s in
    https-h1 | https-h2 | https-hosts | hosts-5k | hosts-20k) ;;
    *) echo "web_shapes: unknown shape '$s'" >&2; exit 2 ;;
  esac
done
for t in "$nginx_bin" /usr/bin/time; do
  [ -x "$t" ] || { echo "web_shapes: $t not found" >&2; exit 2; }
done
for t in openssl curl python3; do
  command -v "$t" > /dev/null || { echo "web_shapes: $t not found" >&2; exit 2; }
done
[ -x "$acrawl" ] || { echo "web_shapes: no acrawl binary at $acrawl (build it first)" >&2; exit 2; }

# As many descriptors as the hard limit allows (nginx inherits them too).
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
ulimit -n "$hard" 2> /dev/null || true

tmp=$(mktemp -d "${TMPDIR:-/tmp}/web_shapes.XXXXXX")
nginx_pid=""
tool_pid="" # /usr/bin/time of the run in progress, started in the background so that a
            # signal is handled at once, not when the run ends
cleanup() {
  if [ -n "$tool_pid" ]; then
    pkill -TERM -P "$tool_pid" 2> /dev/null || true
    wait "$tool_pid" 2> /dev/null || true
  fi
  if [ -n "$nginx_pid" ]; then
    kill -TERM "$nginx_pid" 2> /dev/null || true
    wait "$nginx_pid" 2> /dev/null || true
  fi
  if [ "$keep" = 1 ]; then echo "web_shapes: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "web_shapes: $*" >&2; }

# Every run uses one snapshot of the binary, even if it is rebuilt meanwhile; the header names
# the commit checked out when the run started and says whether the tree had other edits.
commit=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain -- . ':!bench' 2> /dev/null)" ]; then
  commit="$commit + uncommitted changes"
fi
built=$(date -u -r "$acrawl" '+%Y-%m-%d %H:%M UTC')
cp "$acrawl" "$tmp/acrawl"
"$tmp/acrawl" --version > /dev/null 2>&1 || { log "$acrawl does not run (being rebuilt?)"; exit 1; }

# --- ports: four free ones below the ephemeral range, free on every address ---------------
read -r p_h1 p_h2 p_plain p_hosts < <(python3 - << 'EOF'
import random, socket
found = []
start = random.randrange(20000, 30000)
for port in list(range(start, 32000)) + list(range(20000, start)):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("0.0.0.0", port))
        found.append(port)
    except OSError:
        pass
    finally:
        s.close()
    if len(found) == 4:
        break
print(*found)
EOF
)
[ -n "$p_hosts" ] || { log "no free ports"; exit 1; }

# --- CA and server certificates (EC P-256), made here ------------------------------------
# Host I of a many-host shape is PREFIX.(I/250).(I%250+1): https-hosts uses
# 127.2.0.1..127.2.3.250 (all 1,000 in one certificate), hosts-* use 127.1.0.1..127.1.79.250.
log "certificates"
cat > "$tmp/req.cnf" << 'EOF'
[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = acrawl web_shapes bench CA
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
ca=$tmp/ca.pem
openssl req -x509 -new -config "$tmp/req.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -nodes -keyout "$tmp/ca.key" -out "$ca" -days 2 2> /dev/null
make_cert() { # NAME [IP...]: signed by the CA, for 127.0.0.1, localhost and the IPs
  local name=$1
  shift
  {
    echo "basicConstraints = CA:FALSE"
    echo "keyUsage = critical,digitalSignature"
    echo "extendedKeyUsage = serverAuth"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
    echo "subjectAltName = @alt"
    echo "[alt]"
    echo "IP.1 = 127.0.0.1"
    echo "DNS.1 = localhost"
    local i=2
    for ip in "$@"; do
      echo "IP.$i = $ip"
      i=$((i + 1))
    done
  } > "$tmp/$name.ext"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/$name.key" 2> /dev/null
  openssl req -new -config "$tmp/req.cnf" -key "$tmp/$name.key" -subj "/CN=$name" \
    -out "$tmp/$name.csr" 2> /dev/null
  openssl x509 -req -in "$tmp/$name.csr" -CA "$ca" -CAkey "$tmp/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$tmp/$name.ext" \
    -out "$tmp/$name.pem" 2> /dev/null
}
make_cert server
hosts_ips=()
for ((i = 0; i < 1000; i++)); do hosts_ips+=("127.2.$((i / 250)).$((i % 250 + 1))"); done
make_cert hosts "${hosts_ips[@]}" # one certificate naming the 1,000 IPs of https-hosts

# --- the site ----------------------------------------------------------------------------
log "site: $pages pages"
python3 - "$tmp/site" "$pages" << 'EOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261202)
words = ("crawler fetch origin host title link page index archive network socket stream "
         "request response header body cache proxy server client queue frontier parser "
         "token element anchor document charset encoding latency throughput").split()
paras = ["<p>" + " ".join(rng.choice(words) for _ in range(rng.randint(40, 120))) + "</p>\n"
         for _ in range(200)]
os.makedirs(os.path.join(root, "p"))
for k in range(n):
    size = rng.randint(10 * 1024, 30 * 1024)
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
             f'<title>Shapes page {k}</title></head>\n<body><h1>Page {k}</h1>\n<ul>']
    for _ in range(12):
        parts.append(f'<li><a href="/p/{rng.randrange(n)}.html">page {rng.randrange(n)}</a></li>')
    parts.append("</ul>\n")
    length = sum(map(len, parts))
    while length < size - 300:
        p = rng.choice(paras)
        parts.append(p)
        length += len(p)
    parts.append(f'<p><a href="/p/{(k + 1) % n}.html">next</a></p></body></html>\n')
    with open(os.path.join(root, "p", f"{k}.html"), "w") as f:
        f.write("".join(parts))
with open(os.path.join(root, "index.html"), "w") as f:
    f.write('<!DOCTYPE html><title>Shapes site</title><a href="/p/0.html">start</a>\n')
EOF

# --- nginx --------------------------------------------------------------------------------
mkdir -p "$tmp/nginx-tmp"
user_line=""
if [ "$(id -u)" = 0 ]; then
  # Workers drop to an unprivileged user: let it reach the site (mktemp -d is 0700).
  chmod 711 "$tmp"
  group=nogroup
  getent group nogroup > /dev/null || group=nobody
  user_line="user nobody $group;"
fi
cat > "$tmp/nginx.conf" << EOF
$user_line
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events { worker_connections 4096; }
http {
  types { text/html html; }
  default_type application/octet-stream;
  log_format shapes '\$connection \$connection_requests \$server_port \$server_protocol \$status \$body_bytes_sent';
  access_log $tmp/access.log shapes;
  client_body_temp_path $tmp/nginx-tmp/body;
  proxy_temp_path $tmp/nginx-tmp/proxy;
  fastcgi_temp_path $tmp/nginx-tmp/fastcgi;
  uwsgi_temp_path $tmp/nginx-tmp/uwsgi;
  scgi_temp_path $tmp/nginx-tmp/scgi;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 75s;
  ssl_protocols TLSv1.2 TLSv1.3;
  root $tmp/site;
  allow 127.0.0.0/8;
  deny all;
  server {  # (1) TLS, HTTP/1.1 only
    listen 127.0.0.1:$p_h1 ssl;
    ssl_certificate $tmp/server.pem;
    ssl_certificate_key $tmp/server.key;
  }
  server {  # (2) TLS with HTTP/2
    listen 127.0.0.1:$p_h2 ssl http2;
    ssl_certificate $tmp/server.pem;
    ssl_certificate_key $tmp/server.key;
  }
  server {  # (3) plain HTTP for every 127.x.y.z
    listen $p_plain;
  }
  server {  # (4) TLS with HTTP/2 for 1,000 hosts 127.2.x.y
    listen $p_hosts ssl http2;
    ssl_certificate $tmp/hosts.pem;
    ssl_certificate_key $tmp/hosts.key;
  }
}
EOF
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" -t > /dev/null 2>&1 || {
  "$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" -t >&2 || true
  exit 1
}
"$nginx_bin" -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" > /dev/null 2>&1 &
nginx_pid=$!
ready=0
for _ in $(seq 100); do
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p_plain/index.html" &&
    curl -s -o /dev/null --max-time 1 --cacert "$ca" "https://127.0.0.1:$p_h1/index.html" &&
    curl -s -o /dev/null --max-time 1 --cacert "$ca" "https://127.0.0.1:$p_h2/index.html" &&
    curl -s -o /dev/null --max-time 1 --cacert "$ca" "https://127.2.0.1:$p_hosts/index.html"; then
    ready=1
    break
  fi
  kill -0 "$nginx_pid" 2> /dev/null || break
  sleep 0.1
done
[ "$ready" = 1 ] || { log "nginx did not come up:"; cat "$tmp/error.log" >&2; exit 1; }
log "nginx on 127.0.0.1:$p_h1 (TLS h1), :$p_h2 (TLS h2), *:$p_plain (HTTP), *:$p_hosts (TLS hosts)"

# --- URL lists (acrawl) and curl configs ---------------------------------------------------
make_list() { # SHAPE -> $tmp/SHAPE.urls and $tmp/SHAPE.curl
  local shape=$1
  case $shape in
    https-h1) awk -v n="$pages" -v b="https://127.0.0.1:$p_h1" \
      'BEGIN { for (i = 0; i < n; i++) print b "/p/" i ".html" }' ;;
    https-h2) awk -v n="$pages" -v b="https://127.0.0.1:$p_h2" \
      'BEGIN { for (i = 0; i < n; i++) print b "/p/" i ".html" }' ;;
    https-hosts | hosts-5k | hosts-20k)
      local count scheme prefix port
      case $shape in
        https-hosts) count=1000 scheme=https prefix=127.2 port=$p_hosts ;;
        hosts-5k) count=5000 scheme=http prefix=127.1 port=$p_plain ;;
        *) count=20000 scheme=http prefix=127.1 port=$p_plain ;;
      esac
      awk -v n="$count" -v pages="$pages" -v s="$scheme" -v pre="$prefix" -v port="$port" \
        'BEGIN { for (i = 0; i < n; i++)
                   printf "%s://%s.%d.%d:%d/p/%d.html\n", s, pre, int(i / 250), i % 250 + 1, port, i % pages }' ;;
  esac > "$tmp/$shape.urls"
  awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$tmp/$shape.urls" > "$tmp/$shape.curl"
}

# --- one run --------------------------------------------------------------------------------
results=$tmp/results.tsv
: > "$results"
run_one() { # SHAPE TOOL RUN
  local shape=$1 tool=$2 run=$3 rc=0 out=$tmp/out.$1.$2.$3 ok
  : > "$tmp/access.log" # nginx appends (O_APPEND): truncating in place starts a fresh log
  case $tool in
    acrawl)
      /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
        "$tmp/acrawl" "$tmp/$shape.urls" --concurrency "$conc" --no-progress --cacert "$ca" \
        > "$out" 2> "$out.err" &
      tool_pid=$!
      wait "$tool_pid" || rc=$?
      ok=$(awk -F'\t' '$2 == 200' "$out" | wc -l) ;;
    curl) # -s alone still draws curl 7.88's parallel meter on stderr: --no-progress-meter
      /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
        curl -s --no-progress-meter --parallel --parallel-max "$conc" --cacert "$ca" -K "$tmp/$shape.curl" \
        -w '%{http_code}\n' > "$out" 2> "$out.err" &
      tool_pid=$!
      wait "$tool_pid" || rc=$?
      ok=$(grep -cx 200 "$out" || true) ;;
  esac
  tool_pid=""
  sleep 0.5 # let the last log lines land and the closed connections settle
  local wall user sys rss conns reqs proto
  read -r wall user sys rss < <(tail -n 1 "$tmp/time")
  conns=$(awk '{ print $1 }' "$tmp/access.log" | sort -u | wc -l)
  reqs=$(wc -l < "$tmp/access.log")
  proto=$(awk '{ c[$4]++ } END { for (p in c) if (c[p] > best) { best = c[p]; bp = p } print bp }' \
    "$tmp/access.log")
  proto=${proto#HTTP/}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$shape" "$tool" "$run" "$wall" \
    "$(echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }')" \
    "$(echo "$rss" | awk '{ printf "%.1f", $1 / 1024 }')" "$conns" "$reqs" "$ok" "${proto:--}" \
    "$rc" >> "$results"
  log "$shape $tool run $run: wall $wall s, CPU $user+$sys s, RSS $((rss / 1024)) MB," \
    "$conns connections, $reqs requests, $ok x 200, exit $rc"
  [ "$rc" = 0 ] || tail -n 3 "$out.err" >&2 || true
  [ "$keep" = 1 ] || rm -f "$out" "$out.err"
}

for shape in "${shape_list[@]}"; do
  make_list "$shape"
  for ((r = 1; r <= runs; r++)); do
    # Alternate which tool goes first, so neither always runs on a warmer machine.
    if ((r % 2)); then order="acrawl curl"; else order="curl acrawl"; fi
    for tool in $order; do
      run_one "$shape" "$tool" "$r"
      sleep 1
    done
  done
done

# --- tables -------------------------------------------------------------------------------
echo "# web_shapes: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; acrawl: HEAD $commit," \
  "binary built $built"
echo "# -n $pages -c $conc, median of $runs runs; $(curl --version | head -n 1 | cut -d' ' -f1-3);" \
  "$("$nginx_bin" -v 2>&1 | sed 's/.*: //')"
describe() {
  case $1 in
    https-h1) echo "$pages pages over TLS, HTTP/1.1-only listener" ;;
    https-h2) echo "$pages pages over TLS, HTTP/2 listener" ;;
    https-hosts) echo "1,000 pages, each on its own TLS host (HTTP/2 offered)" ;;
    hosts-5k) echo "5,000 pages, each on its own plain-HTTP host" ;;
    hosts-20k) echo "20,000 pages, each on its own plain-HTTP host" ;;
  esac
}
# median of the values of column COL for SHAPE/TOOL
median() {
  awk -F'\t' -v s="$1" -v t="$2" -v c="$3" '$1 == s && $2 == t { print $c }' "$results" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m }'
}
range() {
  awk -F'\t' -v s="$1" -v t="$2" '$1 == s && $2 == t { print $4 }' "$results" | sort -g |
    awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f–%.2f", lo, hi }'
}
declare -A wall_med
for shape in "${shape_list[@]}"; do
  echo
  echo "### $shape: $(describe "$shape")"
  echo
  echo "| tool | wall s (min–max) | CPU s | peak RSS MB | connections | requests | pages 200 | HTTP | acrawl/curl wall |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for tool in acrawl curl; do
    wall=$(median "$shape" "$tool" 4)
    wall_med[$shape.$tool]=$wall
    ratio="–"
    [ "$tool" = acrawl ] && ratio=$(awk -v a="$wall" -v b="$(median "$shape" curl 4)" \
      'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
    name=$tool
    [ "$tool" = curl ] && name="curl --parallel"
    proto=$(awk -F'\t' -v s="$shape" -v t="$tool" '$1 == s && $2 == t { print $10 }' "$results" |
      sort -u | paste -sd/)
    printf '| %s | %.2f (%s) | %.2f | %.1f | %s | %s | %s | %s | %s |\n' "$name" "$wall" \
      "$(range "$shape" "$tool")" "$(median "$shape" "$tool" 5)" "$(median "$shape" "$tool" 6)" \
      "$(median "$shape" "$tool" 7)" "$(median "$shape" "$tool" 8)" "$(median "$shape" "$tool" 9)" \
      "$proto" "$ratio"
  done
done
if [ -n "${wall_med[hosts-5k.acrawl]:-}" ] && [ -n "${wall_med[hosts-20k.acrawl]:-}" ]; then
  echo
  for tool in acrawl curl; do
    awk -v a="${wall_med[hosts-20k.$tool]}" -v b="${wall_med[hosts-5k.$tool]}" -v t="$tool" \
      'BEGIN { printf "hosts-20k / hosts-5k wall, %s: %.2f (4.00 = linear in hosts)\n", t, (b > 0) ? a / b : 0 }'
  done
fi
failed=$(awk -F'\t' '$11 != 0' "$results" | wc -l)
if [ "$failed" -gt 0 ]; then
  echo
  echo "($failed runs exited non-zero: acrawl 1 = some page not 2xx; see stderr)"
fi
