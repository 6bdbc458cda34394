#!/usr/bin/env bash
# Benchmark: two builds of pbs-s3sync side by side on the same datastore and the same radosgw, in
# one run (a refactoring must not change what is sent, nor cost more): initial sync (REPEAT times,
# rotating which build goes first), no-op rerun, rerun after a new snapshot per group with 1% of
# its chunks changed, a dry run of the initial sync, and remote verify and list.
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/before_after.sh OLD_BUILD_DIR [NEW_BUILD_DIR]   (SET=large|many, N=8, REPEAT=3)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
old=$(cd "$1" && pwd)
build=${2:-$here/../../build/release}
set_name=${SET:-large}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/before-after-$set_name}
. "$here/measure.sh"
old_bin=$old/cmd/pbs-s3sync/pbs-s3sync
[ -x "$old_bin" ] || { echo "no pbs-s3sync in $old" >&2; exit 2; }

rm -rf "$work"; mkdir -p "$work"
make_bench_datastore "$gen" "$set_name" "$work/store1"
find "$work/store1" -type f -exec cat {} + >/dev/null
declare -A exe=([before]="$old_bin" [after]="$bin")
run() {  # run LABEL WHICH ARGS...: WHICH's binary against its own bucket
  local label=$1 which=$2; shift 2
  measure "$which $label" "${exe[$which]}" --config "$work/$which.conf" -j "$n" --progress never -q "$@"
}
for which in before after; do fresh_target "$work/$which.conf" "bench-ba-$which" store1; done
sync_args() { echo sync "$work/store1" rgw --lock-file "$work/$1.lock"; }
for which in before after; do run "dry run" "$which" $(sync_args "$which") --dry-run; done
for ((r = 0; r < ${REPEAT:-3}; r++)); do
  order=(before after); ((r % 2)) && order=(after before)
  for which in "${order[@]}"; do
    fresh_target "$work/$which.conf" "bench-ba-$which" store1
    run initial "$which" $(sync_args "$which")
  done
done
for which in before after; do run no-op "$which" $(sync_args "$which"); done
"$gen" add-snapshots "$work/store1" --change 0.01 --seed 99 >/dev/null
for which in before after; do run "after 1% change" "$which" $(sync_args "$which"); done
for which in before after; do run "verify (remote)" "$which" verify rgw; done
for which in before after; do run "list (remote)" "$which" list rgw; done
echo
echo "### before ($old) and after ($build), set $set_name, N=$n"
print_table
