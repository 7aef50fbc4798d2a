#!/usr/bin/env bash
# Installs the Debian 12 packages acrawl needs to build and test, if any is missing.
# Idempotent and quiet when everything is present. Uses sudo when not run as root.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libcurl4-openssl-dev libssl-dev nginx libgumbo-dev libcli11-dev libspdlog-dev doctest-dev libpsl-dev libidn2-dev libsqlite3-dev libxxhash-dev sqlite3 libhiredis-dev redis-server zlib1g-dev libexpat1-dev python3
  clang-format clang libclang-rt-14-dev
  python3-prometheus-client
  scdoc man-db groff-base bash-completion zsh dpkg-dev file
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
