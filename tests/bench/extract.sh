#!/usr/bin/env bash
# Benchmark: `pbs-s3sync extract` of one VM disk (4 MiB chunks, a quarter of them zero), next to
# `restore --snapshot` of the same snapshot and `rclone copy` of the chunk objects the disk needs,
# same radosgw, same run: wall, CPU per GiB, peak memory, requests and bytes received.
#   CEPH_STORE=bluestore CEPH_FAST=1 tests/s3/rgw.sh start
#   tests/bench/extract.sh [BUILD_DIR]        (DISK_CHUNKS=640: a 2.5 GiB disk; N=8)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build/release}
n=${N:-8}
work=${BENCH_WORK:-/dev/shm/pbs-s3sync-bench/extract}
. "$here/measure.sh"
bucket=bench-extract

rm -rf "$work"; mkdir -p "$work"
store=$work/store1
"$gen" create "$store" --vms 1 --cts 0 --hosts 0 --snapshots 1 --fixed-chunk-size 4194304 \
  --disk-chunks "${DISK_CHUNKS:-640}" --no-encrypted --no-namespaces >"$store.json" || exit 1
print_datastore "$store.json"
snap=$(cd "$store" && ls -d vm/100/*/ | head -1); snap=${snap%/}
size=$(python3 -c 'import struct,sys; print(struct.unpack("<Q", open(sys.argv[1],"rb").read()[64:72])[0])' "$store/$snap/drive-scsi0.img.fidx")
conf=$work/pbs.conf
fresh_target "$conf" "$bucket" store1
"$bin" sync "$store" rgw --config "$conf" --lock-file "$work/lock" -j "$n" -q --progress never || exit 1
python3 "$here/../tools/pbs_archive_reader.py" "$store" "$snap" drive-scsi0.img.fidx "$work/reference.raw" >&2 || exit 1
# The chunk objects the disk needs, for rclone (it cannot read an index: given the list).
python3 - "$store/$snap/drive-scsi0.img.fidx" >"$work/chunks.txt" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()[4096:]
for d in sorted({b[i:i + 32].hex() for i in range(0, len(b), 32)}):
    print(".chunks/%s/%s" % (d[:4], d))
PY

for r in 1 2; do
  rm -rf "$work/disk.raw" "$work/restored" "$work/rclone"
  BENCH_OUT=$work/extract.json measure "pbs-s3sync extract (disk image)" \
    "$bin" extract rgw "$snap" drive-scsi0.img "$work/disk.raw" --config "$conf" -j "$n" --progress never --output json
  cmp "$work/disk.raw" "$work/reference.raw" || echo "EXTRACTED IMAGE DIFFERS" >&2
  measure "pbs-s3sync restore --snapshot" "$bin" restore rgw "$work/restored" --snapshot "$snap" --config "$conf" -j "$n" -q --progress never
  measure "rclone copy --files-from (the disk's chunks)" env -u AWS_CA_BUNDLE rclone copy "rgw:$bucket/store1" "$work/rclone" \
    --files-from "$work/chunks.txt" --transfers "$n" --checkers "$n" --no-traverse
done
python3 - "$work/extract.json" <<'PY' >&2
import json, sys
j = json.load(open(sys.argv[1]))
print("extract: %d chunks, %d fetched, %d zero (not fetched), %d repeated; %.1f MiB received; %d MiB written of %d MiB; allocated as the file says below"
      % (j["chunks"]["total"], j["chunks"]["fetched"], j["chunks"]["zero"], j["chunks"]["repeated"],
         j["bytes-received"] / 2**20, j["bytes-written"] / 2**20, j["size"] / 2**20))
PY
du -h --apparent-size "$work/disk.raw" >&2; du -h "$work/disk.raw" >&2
echo
echo "### extract of one $((size >> 20)) MiB disk, N=$n"
print_table "$size"
rm -rf "$work"
"$bench" rm "s3://$bucket" >/dev/null 2>&1
