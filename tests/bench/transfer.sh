#!/usr/bin/env bash
# Benchmark: the transfer engine against rclone and awscli on the same radosgw in the same run.
# PUT 2000 x 64 KiB and 200 x 4 MiB objects from files, then GET them back into files, at
# N = 4, 8, 16 concurrent requests.
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start     (a bench-sized server)
#   tests/bench/transfer.sh [BUILD_DIR]       -> markdown tables on stdout, progress on stderr
# PARALLEL="4 8 16", TOOLS="pbs-s3sync rclone awscli" and SETS="small large" narrow it;
# REPEAT=3 runs each measurement that often (the tables show medians: this VM is noisy).
# TLS=1 goes through radosgw's TLS listener (pbs-s3sync then sends UNSIGNED-PAYLOAD; with
# PBS_S3BENCH_SIGNED=1 it signs every body, to measure what that costs).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
# Files on tmpfs: the VM disk's kernel time (same for every tool) would only blur the comparison.
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/transfer}
. "$here/measure.sh"
if [ "${TLS:-0}" = 1 ]; then
  export S3_ENDPOINT=$S3_TLS_ENDPOINT RCLONE_CONFIG_RGW_ENDPOINT=$S3_TLS_ENDPOINT AWS_CA_BUNDLE=$S3_CA_FILE
fi

make_set() {  # dir count size
  [ -d "$1" ] && [ "$(ls "$1" | wc -l)" = "$2" ] && return
  rm -rf "$1"; mkdir -p "$1"
  python3 - "$1" "$2" "$3" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with open(os.path.join(d, "obj%05d" % i), "wb") as f:
        f.write(os.urandom(size))
PY
}
make_set "$work/small" 2000 65536
make_set "$work/large" 200 4194304

# rclone 1.60 fails when AWS_CA_BUNDLE is set; awscli reads its own config file.
awscfg=$work/aws-config
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY AWS_DEFAULT_REGION=$S3_REGION \
  AWS_CONFIG_FILE=$awscfg AWS_SHARED_CREDENTIALS_FILE=/dev/null

for n in ${PARALLEL:-4 8 16}; do
  printf '[default]\ns3 =\n  max_concurrent_requests = %s\n' "$n" >"$awscfg"
  for set in ${SETS:-small large}; do
    for tool in ${TOOLS:-pbs-s3sync rclone awscli}; do
      bucket=bench-$set-$n-$(echo "$tool" | tr -cd 'a-z0-9')
      "$bench" mb "s3://$bucket" >/dev/null 2>&1
      for ((r = 1; r <= ${REPEAT:-3}; r++)); do
        out=$work/out-$tool; rm -rf "$out"; mkdir -p "$out"
        case $tool in
          pbs-s3sync)
            measure "$tool put $set N=$n" "$bench" put "$work/$set" "s3://$bucket/d" -j "$n"
            measure "$tool get $set N=$n" "$bench" get "$out" "s3://$bucket/d" -j "$n" ;;
          rclone)
            measure "$tool put $set N=$n" env -u AWS_CA_BUNDLE rclone copy "$work/$set" "rgw:$bucket/d" --transfers "$n" --checkers "$n"
            measure "$tool get $set N=$n" env -u AWS_CA_BUNDLE rclone copy "rgw:$bucket/d" "$out" --transfers "$n" --checkers "$n" ;;
          awscli)
            measure "$tool put $set N=$n" aws --endpoint-url "$S3_ENDPOINT" s3 cp --recursive --only-show-errors "$work/$set" "s3://$bucket/d"
            measure "$tool get $set N=$n" aws --endpoint-url "$S3_ENDPOINT" s3 cp --recursive --only-show-errors "s3://$bucket/d" "$out" ;;
        esac
        count=$(ls "$out" | wc -l)
        [ "$count" = "$(ls "$work/$set" | wc -l)" ] || echo "WARNING: $tool $set N=$n got back $count files" >&2
        cmp -s "$work/$set/obj00001" "$out/obj00001" || echo "WARNING: $tool $set N=$n: obj00001 differs" >&2
        "$bench" rm "s3://$bucket/d" >/dev/null 2>&1
        rm -rf "$out"
      done
    done
  done
done
echo
echo "small = 2000 x 64 KiB (125 MiB), large = 200 x 4 MiB (800 MiB); CPU s/GiB uses each set's size"
for set in small large; do
  bytes=$([ $set = small ] && echo $((2000 * 65536)) || echo $((200 * 4194304)))
  rows=$(mktemp)
  grep " $set " "$BENCH_ROWS" >"$rows"
  echo; echo "### $set"
  BENCH_ROWS=$rows print_table "$bytes"
  rm -f "$rows"
done
