#!/usr/bin/env bash
# Scale check of planning: a synthetic datastore of about ten million chunks (indexes and
# manifests only: ten million chunk files are more than tmpfs holds; digests come from the
# generator's seeds), planned by `sync --dry-run` into an empty bucket: every index read, every
# needed chunk counted and looked up once. Target: <= 30 s and <= 1 GiB peak RSS.
#   tests/s3/rgw.sh start
#   tests/bench/plan_10m.sh [BUILD_DIR]     (VMS=20 DISK_CHUNKS=500000 SNAPSHOTS=3)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/plan-10m}
. "$here/measure.sh"
store=$work/store1
bucket=bench-plan-10m
if [ ! -f "$store.json" ]; then
  rm -rf "$work"; mkdir -p "$work"
  "$gen" create "$store" --vms "${VMS:-20}" --cts 0 --hosts 0 --snapshots "${SNAPSHOTS:-3}" \
    --fixed-chunk-size 4096 --disk-chunks "${DISK_CHUNKS:-500000}" --change 0.01 --no-encrypted \
    --no-extras --no-chunk-files >"$store.json"
fi
print_datastore "$store.json"
conf=$work/pbs.conf
fresh_target "$conf" "$bucket" store1
BENCH_OUT=$work/plan.json measure "sync --dry-run (plan), 10M chunks" \
  "$bin" --config "$conf" --progress never --output json sync "$store" rgw --lock-file "$work/lock" --dry-run
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print("plan: %d objects, %d requests, exit %d" % (j["plan"]["objects"], j["plan"]["requests"], j["exit-code"]), file=sys.stderr)' "$work/plan.json"
echo
echo "### planning ten million chunks"
print_table
