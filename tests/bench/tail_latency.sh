#!/usr/bin/env bash
# Benchmark: tail latency (issue 25). A sync of ~40 MB in ~1,200 objects at 2 MB/s through the
# fault proxy (tests/s3/fault_proxy.py): clean; then with 5% of answers held back 40 s and 10% of
# write answers lost after radosgw stored them, with hedged requests and without
# (PBS_S3SYNC_HEDGE=0). Wall, requests, hedges; each mirror checked by a remote verify.
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/tail_latency.sh [BUILD_DIR]      (N=8; NO_HEDGE=0 skips the run without hedges)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/tail}
. "$here/measure.sh"
rm -rf "$work"; mkdir -p "$work"
store=$work/store1
"$gen" create "$store" --vms 6 --cts 1 --hosts 0 --snapshots 2 --fixed-chunk-size 65536 --disk-chunks 300 \
  --archive-chunks 80 --no-namespaces --no-encrypted --no-extras >"$store.json" || exit 1
print_datastore "$store.json"

start_fault_proxy "$work"
conf=$work/pbs.conf
{
  echo "STORAGE=s3://bench-tail@rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$proxy"
  echo "STORAGE=s3://bench-tail@direct:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT"
} >"$conf"
chmod 600 "$conf"
ours=("$bin" sync "$store" rgw --config "$conf" --lock-file "$work/lock" -j "$n" --bandwidth-limit 2M --progress never --output json)
fresh() { "$bench" rm s3://bench-tail >/dev/null 2>&1; "$bench" mb s3://bench-tail >/dev/null 2>&1; ctl clear; }
faults() {
  ctl "rule?mode=delay&stall_seconds=40&percent=5&count=100000000"
  ctl "rule?mode=drop&stall_seconds=40&percent=10&method=PUT&count=100000000"
}
summary() {
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); h=j["requests"]["hedges"]; print("exit %d, %d requests sent, %d retries, hedges %d sent / %d won (replaced attempts had waited %.0f s)" % (j["exit-code"], j["requests"]["total"], j["retries"]["total"], h["sent"], h["won"], h["replaced-waiting-seconds"]))' "$1"
}
verify() { "$bin" verify direct --config "$conf" -q >/dev/null 2>&1 && echo "verify: clean" || echo "verify: FAILED (exit $?)"; }

declare -a notes
fresh
BENCH_OUT=$work/clean.json measure "sync, clean" "${ours[@]}"
notes+=("clean: $(summary "$work/clean.json"); $(verify)")
fresh; faults
BENCH_OUT=$work/hedged.json measure "sync, 5% held 40 s + 10% writes lost, hedged" "${ours[@]}"
notes+=("hedged: $(summary "$work/hedged.json"); $(verify)")
if [ "${NO_HEDGE:-1}" = 1 ]; then
  fresh; faults
  BENCH_OUT=$work/plain.json measure "sync, same faults, no hedging" env PBS_S3SYNC_HEDGE=0 "${ours[@]}"
  notes+=("no hedging: $(summary "$work/plain.json"); $(verify)")
fi
echo
echo "### tail latency, N=$n, 2 MB/s (requests column: what reached radosgw)"
print_table
echo
for note in "${notes[@]}"; do echo "- $note"; done
"$bench" rm s3://bench-tail >/dev/null 2>&1
rm -rf "$work"
