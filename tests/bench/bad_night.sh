#!/usr/bin/env bash
# Benchmark: a bad night, through the fault proxy (tests/s3/fault_proxy.py) in front of radosgw.
# The same initial sync with no fault, then with 30% 503 SlowDown (Retry-After: 1) and 5%
# connection resets: wall, requests sent (ours, every attempt), retries. Then the client's CPU
# while the endpoint refuses every connection for 60 s in the middle of a sync (target: < 1 s).
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/bad_night.sh [BUILD_DIR]        (SET=small|large, N=8)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
set_name=${SET:-small}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/night-$set_name}
. "$here/measure.sh"
rm -rf "$work"; mkdir -p "$work"
store=$work/store1
make_bench_datastore "$gen" "$set_name" "$store"

start_fault_proxy "$work"
proxy_requests() { curl -s "$proxy/__fault__/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
conf=$work/pbs.conf
echo "STORAGE=s3://bench-night@rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$proxy" >"$conf"
chmod 600 "$conf"
ours=("$bin" sync "$store" rgw --config "$conf" --lock-file "$work/lock" -j "$n" --progress never --output json)
fresh() { "$bench" rm s3://bench-night >/dev/null 2>&1; "$bench" mb s3://bench-night >/dev/null 2>&1; ctl clear; }
json_field() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

declare -A notes
for case in "no fault" "30% 503 + 5% resets"; do
  fresh
  if [ "$case" != "no fault" ]; then
    ctl "rule?mode=status&status=503&code=SlowDown&retry_after=1&percent=30&count=100000000"
    ctl "rule?mode=reset&percent=5&count=100000000"
  fi
  BENCH_OUT=$work/out.json measure "sync, $case" "${ours[@]}"
  notes[$case]="exit $(json_field "$work/out.json" 'j["exit-code"]'), requests sent $(json_field "$work/out.json" 'j["requests"]["total"]'), retries $(json_field "$work/out.json" 'j["retries"]["by-cause"]'), throttle events $(json_field "$work/out.json" 'j["throttle-events"]')"
done

# 60 s of refused connections in the middle of a (slowed) sync; the client's CPU meanwhile.
fresh
"${ours[@]}" --bandwidth-limit 2M >"$work/outage.json" 2>/dev/null &
pid=$!
while [ "$(proxy_requests)" -lt 60 ]; do sleep 0.05; done
tick=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu); ctl "refuse?seconds=60"; sleep 60; c1=$(cpu)
wait $pid
outage_cpu=$(awk -v a="$c0" -v b="$c1" -v t="$tick" 'BEGIN { printf "%.2f", (b - a) / t }')

echo
echo "### a bad night, set $set_name, N=$n (requests column: what reached radosgw)"
print_table
echo
for case in "no fault" "30% 503 + 5% resets"; do echo "- sync, $case: ${notes[$case]}"; done
echo "- 60 s of refused connections mid-sync: client CPU during the outage ${outage_cpu} s; run exit $(json_field "$work/outage.json" 'j["exit-code"]'), outages $(json_field "$work/outage.json" 'j["outages"]'), $(json_field "$work/outage.json" 'round(j["outage-seconds"])') s waited"
