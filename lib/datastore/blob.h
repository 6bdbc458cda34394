#pragma once
// DataBlob: the container of every chunk file and every *.blob file (PBS: pbs-datastore/src/
// data_blob.rs, file_formats.rs).
// 8-byte magic, CRC-32 (LE) of the bytes after the header, then the payload; encrypted blobs
// carry IV and GCM tag in a 44-byte header and are checked (CRC) but not decrypted here.

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "util/result.h"
#include "util/sha256.h"

namespace pbs::datastore {

enum class BlobKind { uncompressed, compressed, encrypted, encrypted_compressed };

using Magic = std::array<std::uint8_t, 8>;
inline constexpr Magic kUncompressedBlobMagic = {66, 171, 56, 7, 190, 131, 112, 161};
inline constexpr Magic kCompressedBlobMagic = {49, 185, 88, 66, 111, 182, 163, 127};
inline constexpr Magic kEncryptedBlobMagic = {123, 103, 133, 190, 34, 45, 76, 240};
inline constexpr Magic kEncrCompressedBlobMagic = {230, 89, 27, 191, 11, 191, 216, 11};

inline constexpr std::size_t kBlobHeaderSize = 12;
inline constexpr std::size_t kEncryptedBlobHeaderSize = 44;
inline constexpr std::size_t kMaxBlobSize = 128u << 20;  // MAX_BLOB_SIZE (decoded)
inline constexpr std::size_t kMaxChunkSize = 16u << 20;  // chunk upload API limit (decoded)

inline bool is_encrypted(BlobKind k) {
  return k == BlobKind::encrypted || k == BlobKind::encrypted_compressed;
}

// Checks magic, minimum size and CRC. The error says what is wrong, without a path: callers
// add it with Error::context.
Result<BlobKind> check_blob(std::span<const std::uint8_t> bytes);

// Checks and decodes an unencrypted blob into `out` (capacity reused). Refuses decoded data
// larger than max_size. Encrypted blobs give Errc::unsupported.
Status decode_blob_into(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& out,
                        std::size_t max_size = kMaxBlobSize);
Result<std::vector<std::uint8_t>> decode_blob(std::span<const std::uint8_t> bytes,
                                              std::size_t max_size = kMaxBlobSize);

// Checks an unencrypted blob and hands its decoded data to `sink` in bounded pieces; returns the
// decoded size. Encrypted blobs give Errc::unsupported.
Result<std::uint64_t> decode_blob_stream(std::span<const std::uint8_t> bytes, std::size_t max_size,
                                         const std::function<void(std::span<const std::uint8_t>)>& sink);

// Encodes unencrypted data; with `compress`, zstd level 1 is kept when it is no larger than the
// raw data (PBS's rule).
std::vector<std::uint8_t> encode_blob(std::span<const std::uint8_t> data, bool compress = true);

struct ChunkCheck {
  BlobKind kind;
  std::uint64_t raw_size;  // decoded size; 0 for encrypted chunks (not decoded)
};
// A chunk is valid when its blob is valid and, unless encrypted, SHA-256 of the decoded data
// equals its digest. Decodes in a streaming way: no buffer of the chunk's decoded size.
Result<ChunkCheck> check_chunk(std::span<const std::uint8_t> bytes, const Digest& digest);

}  // namespace pbs::datastore
