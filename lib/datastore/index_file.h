#pragma once
// Fixed (.fidx) and dynamic (.didx) index files (PBS: pbs-datastore/src/fixed_index.rs,
// dynamic_index.rs): a 4096-byte header
// (magic, uuid, ctime, SHA-256 of the entry region) followed by 32-byte digests (fixed) or
// 40-byte (end offset, digest) entries (dynamic). Digests are kept in one flat vector.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "datastore/blob.h"
#include "datastore/names.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::datastore {

inline constexpr std::size_t kIndexHeaderSize = 4096;
inline constexpr Magic kFixedIndexMagic = {0x2f, 0x7f, 0x41, 0xed, 0x91, 0xfd, 0x0f, 0xcd};
inline constexpr Magic kDynamicIndexMagic = {0x1c, 0x91, 0x4e, 0xa5, 0x19, 0xba, 0xb3, 0xcd};

struct IndexFile {
  FileKind kind = FileKind::fixed_index;  // fixed_index or dynamic_index
  std::array<std::uint8_t, 16> uuid{};
  std::int64_t ctime = 0;
  Digest csum{};                 // as stored in the header
  std::uint64_t size = 0;        // logical data size
  std::uint64_t chunk_size = 0;  // fixed only
  std::vector<Digest> digests;
  std::vector<std::uint64_t> ends;  // dynamic only: exclusive end offset of each chunk

  std::size_t chunk_count() const { return digests.size(); }
  // Decoded length of chunk i.
  std::uint64_t chunk_length(std::size_t i) const;
  // SHA-256 of the entry region as PBS computes it (what `csum` must equal).
  Digest compute_csum() const;
};

// Parses and validates: magic, sizes, at least one entry, monotonic ends, and the header checksum.
Result<IndexFile> parse_index(std::span<const std::uint8_t> bytes);

// Serialises an index; the header checksum is computed, not taken from `csum`.
// Refuses (Errc::invalid_argument) an index without entries: PBS cannot read those.
Result<std::vector<std::uint8_t>> encode_index(const IndexFile& index);

// Builders that fill the derived fields (size, ends) from the chunk list.
IndexFile make_fixed_index(std::uint64_t size, std::uint64_t chunk_size,
                           std::vector<Digest> digests, std::int64_t ctime,
                           const std::array<std::uint8_t, 16>& uuid);
IndexFile make_dynamic_index(std::vector<std::uint64_t> ends, std::vector<Digest> digests,
                             std::int64_t ctime, const std::array<std::uint8_t, 16>& uuid);

}  // namespace pbs::datastore
