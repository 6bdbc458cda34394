#!/usr/bin/env bash
# Benchmark: walk a datastore with 100k+ referenced chunks and read every index (`list`), then
# the deep local check (`verify`, which also reads and hashes every chunk).
#   tests/bench/datastore_walk.sh [BUILD_DIR] [DATASTORE_DIR]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
store=${2:-/tmp/pbs-s3sync-bench/store-walk}
. "$here/measure.sh"
if [ ! -d "$store/.chunks" ]; then
  mkdir -p "$(dirname "$store")"
  "$build/tests/gen/pbs-datagen" create "$store" --preset bench >/dev/null
fi
"$build/cmd/pbs-s3sync/pbs-s3sync" list "$store" --output json |
  python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print("datastore: %d snapshots, %d unique chunks (%.1f MiB), %.1f MiB logical" % (t["snapshots"], t["unique-chunks"], t["unique-chunk-bytes"]/2**20, t["logical-bytes"]/2**20))'
sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
measure "list (walk + all indexes), cold" "$build/cmd/pbs-s3sync/pbs-s3sync" list "$store"
measure "list (walk + all indexes), warm" "$build/cmd/pbs-s3sync/pbs-s3sync" list "$store"
measure "verify -j1 (indexes + every chunk)" "$build/cmd/pbs-s3sync/pbs-s3sync" verify -j 1 "$store"
measure "verify -j2" "$build/cmd/pbs-s3sync/pbs-s3sync" verify -j 2 "$store"
print_table
