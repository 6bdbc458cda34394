#!/usr/bin/env bash
# Builds pbs-s3sync and runs it on an example: starts a local S3 server (Ceph radosgw), generates
# a sample PBS datastore, lists and verifies it, syncs it to the server, syncs again (nothing to
# do), shows the job's status, verifies the remote copy, restores it and verifies the result.
set -euo pipefail
cd "$(dirname "$0")/.."
tests/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target pbs-s3sync pbs-datagen pbs-s3bench
bin=build/release/cmd/pbs-s3sync/pbs-s3sync
work=${EXAMPLE_DIR:-/tmp/pbs-s3sync-example}
rm -rf "$work"; mkdir -p "$work"

echo "== starting radosgw on 127.0.0.1:7480"
eval "$(tests/s3/rgw.sh start | sed 's/^/export /')"
S3_ENDPOINT=$S3_ENDPOINT S3_ACCESS_KEY=$S3_ACCESS_KEY S3_SECRET_KEY=$S3_SECRET_KEY S3_REGION=$S3_REGION \
  build/release/tests/bench/pbs-s3bench mb s3://pbs-offsite >/dev/null 2>&1 || true

echo "== a sample datastore"
build/release/tests/gen/pbs-datagen create "$work/store1" >/dev/null
$bin list "$work/store1"
$bin verify "$work/store1"

cat >"$work/pbs.conf" <<EOT
STORAGE=s3://pbs-offsite@local-rgw:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,TLS_VERIFY=false
STORAGE=s3://pbs-offsite-encrypted@encrypted:AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY,AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY,ENDPOINT=$S3_ENDPOINT,TLS_VERIFY=false,PREFIX=store1,ENCRYPTION=true,PASSPHRASE_FILE=$work/passphrase
MAX_WORKERS=8
SYNC_INTERVAL=3600
EOT
chmod 600 "$work/pbs.conf"
common=(--config "$work/pbs.conf" --lock-file "$work/sync.lock")
echo "== sync"
$bin sync "$work/store1" local-rgw "${common[@]}"
echo "== sync again: nothing new"
$bin sync "$work/store1" local-rgw "${common[@]}"
echo "== status"
$bin status "${common[@]}"
echo "== verify the remote copy"
$bin verify local-rgw --config "$work/pbs.conf"
echo "== restore it into a new datastore and check that"
$bin restore local-rgw "$work/restored/store1" --config "$work/pbs.conf"
$bin verify "$work/restored/store1"
echo "== an encrypted copy in PBS's own format, then the plain originals back with the passphrase"
(umask 077; openssl rand -base64 32 >"$work/passphrase")
# A bucket of its own, fresh: a prefix is plain or encrypted, and the passphrase is new each time.
S3_ENDPOINT=$S3_ENDPOINT S3_ACCESS_KEY=$S3_ACCESS_KEY S3_SECRET_KEY=$S3_SECRET_KEY S3_REGION=$S3_REGION \
  build/release/tests/bench/pbs-s3bench rm s3://pbs-offsite-encrypted >/dev/null 2>&1 || true
S3_ENDPOINT=$S3_ENDPOINT S3_ACCESS_KEY=$S3_ACCESS_KEY S3_SECRET_KEY=$S3_SECRET_KEY S3_REGION=$S3_REGION \
  build/release/tests/bench/pbs-s3bench mb s3://pbs-offsite-encrypted >/dev/null
enc=(--config "$work/pbs.conf" --lock-file "$work/sync-enc.lock")
$bin sync "$work/store1" encrypted "${enc[@]}"
$bin key show encrypted --config "$work/pbs.conf"
$bin restore encrypted "$work/decrypted/store1" --config "$work/pbs.conf" --decrypt
$bin verify "$work/decrypted/store1"
