#!/usr/bin/env bash
# Scale check: every command on a synthetic datastore of about a million chunks (tiny chunks, so
# it fits in tmpfs): dry run, initial sync, no-op, sync after a 1% change, full mode, remote list
# and verify, gc dry run, restore. Reports wall, CPU, peak RSS, requests and exit code per step.
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/million.sh [BUILD_DIR]    (VMS=17 DISK_CHUNKS=100000 N=16; RESTORE=0 skips restore)
# The initial sync and the restore are bound by radosgw's small-object rate on this VM (tens of
# minutes); the other steps take seconds.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
n=${N:-16}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/million}
. "$here/measure.sh"
store=$work/store1
bucket=bench-million
if [ ! -f "$store.json" ]; then
  rm -rf "$work"; mkdir -p "$work"
  "$gen" create "$store" --vms "${VMS:-17}" --cts 0 --hosts 0 --snapshots 3 --fixed-chunk-size 512 \
    --disk-chunks "${DISK_CHUNKS:-100000}" --no-encrypted >"$store.json"
fi
print_datastore "$store.json"
conf=$work/pbs.conf
fresh_target "$conf" "$bucket" store1
ours=("$bin" --config "$conf" -j "$n" --progress never -q)
sync=("${ours[@]}" sync "$store" rgw --lock-file "$work/lock")
measure "sync --dry-run (plan)" "${sync[@]}" --dry-run
measure "sync initial" "${sync[@]}"
measure "sync no-op" "${sync[@]}"
"$gen" add-snapshots "$store" --change 0.01 --seed 7 >/dev/null
measure "sync after 1% change" "${sync[@]}"
measure "sync --mode full (nothing to send)" "${sync[@]}" --mode full
measure "list (remote)" "${ours[@]}" list rgw
measure "verify (remote, listing mode)" "${ours[@]}" verify rgw
measure "gc --dry-run" "${ours[@]}" gc rgw --dry-run
if [ "${RESTORE:-1}" = 1 ]; then
  measure "restore (empty datastore)" "${ours[@]}" restore rgw "$work/restored"
  measure "restore again (nothing to do)" "${ours[@]}" restore rgw "$work/restored"
  rm -rf "$work/restored"
fi
echo
echo "### every command on $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unique-chunks"])' "$store.json") chunks, N=$n"
print_table
