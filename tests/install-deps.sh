#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need, from Debian 12's packages.
# Idempotent; needs root. PBS_DEPS picks a part:
#   compile  what the Release build needs (tests/run.sh starts building while the rest installs)
#   build    compile, plus clang and the packaging tools: everything but the S3 server and peer tools
#   rest     everything but compile
#   all      everything (the default)
set -euo pipefail
compile_pkgs=(cmake g++ make pkg-config python3 libcli11-dev libfmt-dev libpugixml-dev nlohmann-json3-dev
  libcurl4-openssl-dev libssl-dev libzstd-dev zlib1g-dev catch2)
tool_pkgs=(clang libclang-rt-14-dev dpkg-dev mandoc systemd)
server_pkgs=(radosgw ceph-mon ceph-osd ceph-common curl openssl rclone awscli time zstd)
case "${PBS_DEPS:-all}" in
  compile) pkgs=("${compile_pkgs[@]}") ;;
  build) pkgs=("${compile_pkgs[@]}" "${tool_pkgs[@]}") ;;
  rest) pkgs=("${tool_pkgs[@]}" "${server_pkgs[@]}") ;;
  all) pkgs=("${compile_pkgs[@]}" "${tool_pkgs[@]}" "${server_pkgs[@]}") ;;
  *) echo "PBS_DEPS: compile, build, rest or all" >&2; exit 2 ;;
esac

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
# One update per machine and hour is enough: the second part of a split install skips it.
stamp=/var/lib/apt/lists/pbs-s3sync-updated
if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
  apt-get update -qq
  touch "$stamp"
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
