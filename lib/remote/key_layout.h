#pragma once
// PBS 4.x's own S3 object layout (pbs-datastore/src/s3.rs), relative to the target prefix, so a
// PBS 4.2 host can attach the bucket as an S3 datastore:
//   .chunks/<4 hex>/<64 hex>              chunk files
//   .cnt/<datastore-relative path>        owner, notes, snapshot files (index.json.blob last)
//   .cnt/ns/a/ns/b/.namespace             namespace markers
//   .pbs-s3sync/...                       this tool's own small objects
// Parsing goes the other way and validates every component, because a bucket's keys are
// untrusted input that later becomes local paths (restore).

#include <optional>
#include <string>
#include <string_view>

#include "datastore/blob.h"
#include "datastore/names.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::remote {

inline constexpr std::string_view kChunksDir = ".chunks/";
inline constexpr std::string_view kContentDir = ".cnt/";
inline constexpr std::string_view kToolDir = ".pbs-s3sync/";
inline constexpr std::string_view kInUseMarker = ".in-use";
inline constexpr std::string_view kNamespaceMarker = ".namespace";

// The largest objects a download takes into memory, by kind: a bucket's objects are untrusted and
// must not make us allocate without bound.
inline constexpr std::uint64_t kMaxChunkObjectSize = datastore::kMaxChunkSize + datastore::kEncryptedBlobHeaderSize + 4096;
inline constexpr std::uint64_t kMaxManifestObjectSize = datastore::kMaxBlobSize + 4096;
inline constexpr std::uint64_t kMaxSnapshotFileSize = std::uint64_t(1) << 32;  // indexes, blobs

std::string chunk_rel_key(const Digest& digest);
// ".cnt/" + a path relative to the datastore root ("vm/100/owner", "ns/a/vm/1/T/x.fidx").
std::string content_rel_key(std::string_view datastore_rel);
std::string namespace_marker_rel_key(const datastore::Namespace& ns);
std::string snapshot_file_rel_key(const datastore::SnapshotRef& snapshot, std::string_view file);
std::string group_file_rel_key(const datastore::GroupRef& group, std::string_view file);

// What a key under ".cnt/" is. `rel` is the part after ".cnt/".
struct ContentKey {
  enum class Kind { namespace_marker, group_file, snapshot_file };
  Kind kind = Kind::snapshot_file;
  datastore::Namespace ns;
  datastore::GroupRef group;
  datastore::SnapshotRef snapshot;
  std::string file;  // owner/notes or the snapshot file name
};
Result<ContentKey> parse_content_key(std::string_view rel);

// The digest of a key under ".chunks/" (`rel` is the part after ".chunks/"): "abcd/<64 hex>"
// whose directory matches the digest. nullopt for anything else (.bad copies, strays).
std::optional<Digest> parse_chunk_key(std::string_view rel);

}  // namespace pbs::remote
