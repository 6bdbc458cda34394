#!/usr/bin/env bash
# Encryption: what it costs, plain and encrypted side by side on the same datastore and server in
# the same run. R fresh initial syncs of each (wall, client CPU per GiB of chunks, peak RSS,
# requests), then a 1% change: wall, requests, and the local bytes the encrypted run read to name
# new chunks (its JSON `encryption.bytes-read`) against the bytes of the chunks the change added.
#   tests/s3/rgw.sh start
#   tests/bench/encryption.sh [BUILD_DIR]          (SET=large|many|small, N=8, R=3)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
set_name=${SET:-large}
n=${N:-8}
repeats=${R:-3}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/crypt-$set_name}
. "$here/measure.sh"

rm -rf "$work"; mkdir -p "$work"
store=$work/store1
make_bench_datastore "$gen" "$set_name" "$store"
chunk_bytes=$(du -sb "$store/.chunks" | cut -f1)
umask 077  # the configuration holds the secret key, the passphrase file the passphrase
openssl rand -base64 32 >"$work/passphrase"
conf=$work/pbs.conf
{
  echo "STORAGE=s3://bench-crypt-plain@plain:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,PREFIX=store1"
  echo "STORAGE=s3://bench-crypt@crypt:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,PREFIX=store1,ENCRYPTION=true,PASSPHRASE_FILE=$work/passphrase"
} >"$conf"
plain=("$bin" --config "$conf" -j "$n" --progress never -q --output json sync "$store" plain --lock-file "$work/lock-p")
crypt=("$bin" --config "$conf" -j "$n" --progress never -q --output json sync "$store" crypt --lock-file "$work/lock-c")
for ((i = 0; i < repeats; i++)); do
  for b in bench-crypt-plain bench-crypt; do "$bench" rm "s3://$b" >/dev/null 2>&1; "$bench" mb "s3://$b" >/dev/null; done
  measure "plain initial" "${plain[@]}"
  BENCH_OUT=$work/initial.json measure "encrypted initial" "${crypt[@]}"
done
measure "plain no-op" "${plain[@]}"
measure "encrypted no-op" "${crypt[@]}"
before=$(du -sb "$store/.chunks" | cut -f1)
"$gen" add-snapshots "$store" --change 0.01 --seed 3 >/dev/null
added=$(( $(du -sb "$store/.chunks" | cut -f1) - before ))
measure "plain after 1% change" "${plain[@]}"
BENCH_OUT=$work/change.json measure "encrypted after 1% change" "${crypt[@]}"
python3 - "$work/initial.json" "$work/change.json" "$added" <<'PY' >&2
import json, sys
init, change = (json.load(open(f)) for f in sys.argv[1:3])
added = int(sys.argv[3])
e = change["encryption"]
print("initial: %d chunks read to name them (%.1f MiB)" % (init["encryption"]["chunks-read"], init["encryption"]["bytes-read"] / 2**20))
print("1%% change: the change added %.2f MiB of chunk files; the encrypted run read %d chunks, %.2f MiB (%.2fx), "
      "named %d from remote indexes, sent %d chunks" % (added / 2**20, e["chunks-read"], e["bytes-read"] / 2**20,
      e["bytes-read"] / added if added else 0, e["chunks-named-remotely"], change["chunks"]["uploaded"]))
PY
echo
echo "### Encryption, SET=$set_name, N=$n, R=$repeats ($((chunk_bytes / 1048576)) MiB of chunks)"
print_table "$chunk_bytes"
