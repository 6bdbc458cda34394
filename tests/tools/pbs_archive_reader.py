#!/usr/bin/env python3
"""An independent reader of one archive of a local PBS datastore, for checking `extract`.

Written from PBS's formats (pbs-datastore: fixed_index.rs, dynamic_index.rs, data_blob.rs,
file_formats.rs), sharing no code with the tool: Python's struct, hashlib and zlib, and the zstd
command-line program for compressed blobs.

  pbs_archive_reader.py DATASTORE SNAPSHOT_DIR ARCHIVE OUTPUT
  (SNAPSHOT_DIR relative to DATASTORE: vm/100/2026-11-01T02:00:00Z; ARCHIVE: drive-scsi0.img.fidx)

Writes the archive's data to OUTPUT and prints one JSON line: size, chunks, zero chunks.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import zlib

UNCOMPRESSED = bytes([66, 171, 56, 7, 190, 131, 112, 161])
COMPRESSED = bytes([49, 185, 88, 66, 111, 182, 163, 127])
FIXED = bytes([47, 127, 65, 237, 145, 253, 15, 205])
DYNAMIC = bytes([28, 145, 78, 165, 25, 186, 179, 205])


def blob_data(raw, what):
    magic, crc = raw[:8], struct.unpack("<I", raw[8:12])[0]
    payload = raw[12:]
    if zlib.crc32(payload) != crc:
        sys.exit(f"{what}: bad CRC")
    if magic == UNCOMPRESSED:
        return payload
    if magic == COMPRESSED:
        return subprocess.run(["zstd", "-d", "-c", "-q"], input=payload, check=True, capture_output=True).stdout
    sys.exit(f"{what}: not a plain blob (encrypted?)")


def entries(index):
    magic = index[:8]
    size, = struct.unpack("<Q", index[64:72])
    if magic == FIXED:
        chunk_size, = struct.unpack("<Q", index[72:80])
        body = index[4096:]
        n = len(body) // 32
        for i in range(n):
            yield body[32 * i:32 * i + 32], min(chunk_size, size - i * chunk_size)
    elif magic == DYNAMIC:
        body = index[4096:]
        start = 0
        for i in range(len(body) // 40):
            end, = struct.unpack("<Q", body[40 * i:40 * i + 8])
            yield body[40 * i + 8:40 * i + 40], end - start
            start = end
    else:
        sys.exit("not an index")


def main():
    store, snap, archive, output = sys.argv[1:5]
    path = os.path.join(store, snap, archive)
    raw = open(path, "rb").read()
    stats = {"size": 0, "chunks": 0, "zero-chunks": 0}
    with open(output, "wb") as out:
        if archive.endswith(".blob"):
            data = blob_data(raw, path)
            out.write(data)
            stats["size"] = len(data)
        else:
            for digest, length in entries(raw):
                hexd = digest.hex()
                chunk = os.path.join(store, ".chunks", hexd[:4], hexd)
                data = blob_data(open(chunk, "rb").read(), chunk)
                if hashlib.sha256(data).digest() != digest or len(data) != length:
                    sys.exit(f"{chunk}: does not match its name or length")
                stats["chunks"] += 1
                stats["zero-chunks"] += data == bytes(length)
                stats["size"] += length
                out.write(data)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
