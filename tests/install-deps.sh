#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need, from Debian 12's packages.
# Idempotent; needs root. PBS_DEPS=build skips the S3 server and the peer tools.
set -euo pipefail
build_pkgs=(cmake g++ make pkg-config python3 libcli11-dev libfmt-dev libpugixml-dev nlohmann-json3-dev
  libcurl4-openssl-dev libssl-dev libzstd-dev zlib1g-dev catch2 clang libclang-rt-14-dev
  dpkg-dev mandoc systemd)
server_pkgs=(radosgw ceph-mon ceph-osd ceph-common curl openssl rclone awscli time)
pkgs=("${build_pkgs[@]}")
[ "${PBS_DEPS:-all}" = build ] || pkgs+=("${server_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing packages: ${missing[*]}; run as root (apt-get install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
