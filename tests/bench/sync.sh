#!/usr/bin/env bash
# Benchmark: `pbs-s3sync sync` against `rclone sync` (with and without --fast-list) on the same
# generated datastore and the same radosgw, in one run: initial sync, no-op rerun, rerun after a
# new snapshot per group with 1% of its chunks changed.
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/sync.sh [BUILD_DIR]          (SET=large|many, N=8, REPEAT=3 initial runs)
# large: 1 MiB chunks (~1 GiB), many: the generator's bench preset (120k+ small chunks).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
set_name=${SET:-large}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/sync-$set_name}
. "$here/measure.sh"

rm -rf "$work"; mkdir -p "$work"
store=$work/store1
make_bench_datastore "$gen" "$set_name" "$store"
find "$store" -type f -exec cat {} + >/dev/null  # warm the page cache for every tool alike

conf=$work/pbs.conf
echo "STORAGE=s3://bench-sync-ours@rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT" >"$conf"
chmod 600 "$conf"
ours=("$bin" sync "$store" rgw --config "$conf" --lock-file "$work/lock" -j "$n" --progress never -q)
rcl=(env -u AWS_CA_BUNDLE rclone sync "$store" "rgw:bench-sync-rclone/store1" --transfers "$n" --checkers "$n" --size-only)
rclfl=("${rcl[@]/bench-sync-rclone/bench-sync-rclonefl}" --fast-list)

# The initial sync is repeated into emptied buckets, rotating which tool goes first, so no tool
# alone pays for a cold radosgw.
tools=(ours rcl rclfl)
declare -A label=([ours]="pbs-s3sync" [rcl]="rclone" [rclfl]="rclone --fast-list")
for ((r = 0; r < ${REPEAT:-3}; r++)); do
  for b in bench-sync-ours bench-sync-rclone bench-sync-rclonefl; do
    "$bench" rm "s3://$b" >/dev/null 2>&1
    "$bench" mb "s3://$b" >/dev/null 2>&1
  done
  for ((i = 0; i < 3; i++)); do
    t=${tools[(i + r) % 3]}
    declare -n cmd=$t
    measure "${label[$t]} initial" "${cmd[@]}"
  done
done
measure "pbs-s3sync no-op" "${ours[@]}"
measure "rclone no-op" "${rcl[@]}"
measure "rclone --fast-list no-op" "${rclfl[@]}"
"$gen" add-snapshots "$store" --change 0.01 --seed 99 >/dev/null
find "$store" -type f -newer "$store.json" -exec cat {} + >/dev/null
measure "pbs-s3sync after 1% change" "${ours[@]}"
measure "rclone after 1% change" "${rcl[@]}"
measure "rclone --fast-list after 1% change" "${rclfl[@]}"
echo
echo "### sync, set $set_name, N=$n"
print_table
