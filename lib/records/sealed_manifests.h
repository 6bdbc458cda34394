#pragma once
// The record `<prefix>/.pbs-s3sync/sealed-manifests`: the manifests an encrypted run left in the
// prefix, byte for byte, so that the next run learns which local manifest each remote snapshot
// came from (its signed `sync-source-signature`) in one GET instead of one per snapshot.
//
// A cache, never trusted over the data: an entry stands for a remote manifest only while the
// listing shows that manifest with the entry's size and MD5 as its ETag, and what it says is
// checked as the manifest itself would be (its signature with the key). A manifest written since,
// a crash before the record was written, or an ETag that is no MD5 (SSE-KMS, SSE-C) only means
// that manifest is read itself. Stored as a PBS blob (CRC checked, zstd when smaller) of a magic
// line and, per snapshot, its directory and manifest each after a 32-bit little-endian length:
// sealed manifests hardly compress (signatures, the sealed original), so no text encoding is added
// to them (600 snapshots: ~0.5 MiB).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/catalog.h"
#include "remote/remote.h"
#include "s3/request.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::records {

// Snapshot directory (remote::SnapshotRef::rel_dir()) -> its manifest blob as stored.
using SealedManifests = std::map<std::string, std::vector<std::uint8_t>>;

// Larger than the other records: a manifest is about 1 KiB (15,000 snapshots).
inline constexpr std::uint64_t kMaxSealedManifestsSize = std::uint64_t(16) << 20;

std::string format_sealed_manifests(const SealedManifests& manifests);
// Errc::corrupt when the bytes are not such a record.
Result<SealedManifests> parse_sealed_manifests(std::string_view bytes);

// What the prefix holds; empty when there is no record or it does not read (a cache: the
// manifests are then read one by one).
SealedManifests read_sealed_manifests(transfer::RequestInterface& requests, const remote::Remote& remote);
// Writes it, unless it would pass the record size limit (then the next run reads the manifests).
Status write_sealed_manifests(transfer::RequestInterface& requests, const remote::Remote& remote,
                              const SealedManifests& manifests, const s3::PutOptions& options);

// The blob is the remote manifest the listing shows: same size, and its ETag is the blob's MD5.
bool is_listed_manifest(const remote::RemoteFile& listed, const std::vector<std::uint8_t>& blob);

}  // namespace pbs::records
