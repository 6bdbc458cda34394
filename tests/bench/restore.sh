#!/usr/bin/env bash
# Benchmark: `pbs-s3sync restore` next to `rclone copy` of the same prefix, same radosgw, same run;
# then remote `verify` in listing mode (requests and time, scaled per 100k chunks).
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/restore.sh [BUILD_DIR]        (SET=large|many, N=8)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
set_name=${SET:-large}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/restore-$set_name}
. "$here/measure.sh"
bucket=bench-restore-$set_name

rm -rf "$work"; mkdir -p "$work"
store=$work/store1
make_bench_datastore "$gen" "$set_name" "$store"
chunks=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unique-chunks"])' "$store.json")
conf=$work/pbs.conf
echo "STORAGE=s3://$bucket@rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,PREFIX=store1" >"$conf"
chmod 600 "$conf"
"$bench" rm "s3://$bucket" >/dev/null 2>&1
"$bench" mb "s3://$bucket" >/dev/null 2>&1
"$bin" sync "$store" rgw --config "$conf" --lock-file "$work/lock" -j "$n" -q --progress never || exit 1
rm -rf "$store"  # the disaster

for r in 1 2; do
  rm -rf "$work/ours" "$work/rclone"
  measure "pbs-s3sync restore" "$bin" restore rgw "$work/ours/store1" --config "$conf" -j "$n" -q --progress never
  measure "rclone copy" env -u AWS_CA_BUNDLE rclone copy "rgw:$bucket/store1" "$work/rclone" --transfers "$n" --checkers "$n"
done
"$bin" verify "$work/ours/store1" -q >/dev/null && echo "restored datastore verifies clean" >&2
for r in 1 2 3; do
  measure "pbs-s3sync verify (listing mode)" "$bin" verify rgw --config "$conf" -j "$n" -q
done
echo
echo "### restore and verify, set $set_name ($chunks chunks), N=$n"
print_table
python3 - "$BENCH_ROWS" "$chunks" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1]) if l.startswith("pbs-s3sync verify")]
wall = statistics.median(float(r[1]) for r in rows)
req = statistics.median(int(r[5]) for r in rows)
n = int(sys.argv[2])
print("\nremote verify per 100k chunks: %.0f requests, %.1f s wall" % (req * 100000 / n, wall * 100000 / n))
PY
