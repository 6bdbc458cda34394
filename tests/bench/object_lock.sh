#!/usr/bin/env bash
# Object Lock: what locking costs a night. A locked initial sync into an Object Lock bucket
# (`--object-lock GOVERNANCE --object-lock-days 30`), the plain one beside it, a no-op night, a
# night after a 1% change, and the night an extension pass falls on (forced by writing a
# retention record whose coverage ends tomorrow, as it would 28 days after the last pass).
#   tests/s3/rgw.sh start
#   tests/bench/object_lock.sh [BUILD_DIR]          (SET=large|many|small, N=8)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
set_name=${SET:-large}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/lock-$set_name}
. "$here/measure.sh"

rm -rf "$work"; mkdir -p "$work"
store=$work/store1
make_bench_datastore "$gen" "$set_name" "$store"
for b in bench-lock-plain bench-lock; do "$bench" rm "s3://$b" >/dev/null 2>&1; done
"$bench" mb s3://bench-lock-plain >/dev/null
"$bench" mb-locked s3://bench-lock >/dev/null
conf=$work/pbs.conf
umask 077  # the configuration holds the secret key
{
  echo "STORAGE=s3://bench-lock-plain@plain:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,PREFIX=store1"
  echo "STORAGE=s3://bench-lock@locked:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,PREFIX=store1,OBJECT_LOCK=GOVERNANCE,OBJECT_LOCK_DAYS=30"
} >"$conf"
chmod 600 "$conf"
plain=("$bin" --config "$conf" -j "$n" --progress never -q --output json sync "$store" plain --lock-file "$work/lock-p")
locked=("$bin" --config "$conf" -j "$n" --progress never -q --output json sync "$store" locked --lock-file "$work/lock-l")
measure "plain initial" "${plain[@]}"
BENCH_OUT=$work/initial.json measure "locked initial" "${locked[@]}"
measure "locked no-op" "${locked[@]}"
"$gen" add-snapshots "$store" --change 0.01 --seed 3 >/dev/null
measure "plain after 1% change" "${plain[@]}"
measure "locked after 1% change" "${locked[@]}"

# The night of a pass: the record says the coverage ends in a day (inside the 2-day margin).
mkdir -p "$work/record"
now=$(date +%s)
echo "{\"mode\":\"GOVERNANCE\",\"days\":30,\"covered-until\":$((now + 86400)),\"extended-at\":$((now - 28 * 86400))}" \
  >"$work/record/retention"
"$bench" put "$work/record" s3://bench-lock/store1/.pbs-s3sync >/dev/null
BENCH_OUT=$work/pass.json measure "locked, extension night" "${locked[@]}"
python3 - "$work/initial.json" "$work/pass.json" <<'PY' >&2
import json, sys
init, p = (json.load(open(f)) for f in sys.argv[1:])
objects = init["chunks"]["uploaded"] + init["files"]["uploaded"]
ext = p["object-lock"]["extended"]
print("objects stored by the initial sync: %d; extended on the pass night: %d (PutObjectRetention %d)"
      % (objects, ext, p["requests"]["by-operation"].get("PutObjectRetention", 0)))
print("averaged over the 28 nights between passes (N=30, SYNC_INTERVAL 1 day): %.0f requests/night"
      % (ext / 28))
PY
echo
echo "### Object Lock, SET=$set_name, N=$n"
print_table
