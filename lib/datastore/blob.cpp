#include "datastore/blob.h"

#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "util/crc32.h"
#include "util/endian.h"
#include "util/hex.h"

namespace pbs::datastore {

namespace {

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};

// One context per thread: creating a zstd context per chunk costs more than decoding it.
ZSTD_DCtx* thread_dctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> ctx(ZSTD_createDCtx());
  ZSTD_DCtx_reset(ctx.get(), ZSTD_reset_session_only);
  return ctx.get();
}
ZSTD_CCtx* thread_cctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}

bool magic_is(std::span<const std::uint8_t> bytes, const Magic& magic) {
  return std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

std::size_t header_size(BlobKind kind) {
  return is_encrypted(kind) ? kEncryptedBlobHeaderSize : kBlobHeaderSize;
}

// Streams the zstd frame(s) of `payload` through `sink` in bounded pieces.
template <class Sink>
Status zstd_stream(std::span<const std::uint8_t> payload, std::size_t max_size, Sink&& sink) {
  ZSTD_DCtx* dctx = thread_dctx();
  thread_local std::vector<std::uint8_t> buffer(ZSTD_DStreamOutSize());
  ZSTD_inBuffer in{payload.data(), payload.size(), 0};
  std::size_t total = 0;
  std::size_t last = 1;
  while (in.pos < in.size || last != 0) {
    ZSTD_outBuffer out{buffer.data(), buffer.size(), 0};
    last = ZSTD_decompressStream(dctx, &out, &in);
    if (ZSTD_isError(last)) {
      return Error(Errc::corrupt, std::string("zstd payload does not decode: ") +
                                      ZSTD_getErrorName(last));
    }
    total += out.pos;
    if (total > max_size) {
      return Error(Errc::corrupt,
                   "decoded data is larger than the limit of " + std::to_string(max_size) + " bytes");
    }
    sink(std::span<const std::uint8_t>(buffer.data(), out.pos));
    if (in.pos == in.size && out.pos == 0 && last != 0) {
      return Error(Errc::corrupt, "zstd payload is truncated");
    }
  }
  return {};
}

}  // namespace

Result<BlobKind> check_blob(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kBlobHeaderSize) {
    return Error(Errc::corrupt, "blob is " + std::to_string(bytes.size()) +
                                    " bytes, shorter than the 12-byte header");
  }
  BlobKind kind;
  if (magic_is(bytes, kUncompressedBlobMagic)) {
    kind = BlobKind::uncompressed;
  } else if (magic_is(bytes, kCompressedBlobMagic)) {
    kind = BlobKind::compressed;
  } else if (magic_is(bytes, kEncryptedBlobMagic)) {
    kind = BlobKind::encrypted;
  } else if (magic_is(bytes, kEncrCompressedBlobMagic)) {
    kind = BlobKind::encrypted_compressed;
  } else {
    return Error(Errc::corrupt, "not a blob: unknown magic " + to_hex(bytes.first(8)));
  }
  std::size_t hs = header_size(kind);
  if (bytes.size() < hs) {
    return Error(Errc::corrupt, "encrypted blob is " + std::to_string(bytes.size()) +
                                    " bytes, shorter than the 44-byte header");
  }
  std::uint32_t stored = load_le32(bytes.data() + 8);
  std::uint32_t actual = crc32(bytes.subspan(hs));
  if (stored != actual) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "CRC-32 mismatch (header %08x, data %08x)", stored, actual);
    return Error(Errc::checksum, buf);
  }
  return kind;
}

Status decode_blob_into(std::span<const std::uint8_t> bytes, std::vector<std::uint8_t>& out,
                        std::size_t max_size) {
  PBS_ASSIGN(BlobKind kind, check_blob(bytes));
  out.clear();
  if (is_encrypted(kind)) {
    return Error(Errc::unsupported, "blob is encrypted; it cannot be decoded without the key");
  }
  auto payload = bytes.subspan(kBlobHeaderSize);
  if (kind == BlobKind::uncompressed) {
    if (payload.size() > max_size) {
      return Error(Errc::corrupt, "blob data is larger than the limit of " +
                                      std::to_string(max_size) + " bytes");
    }
    out.assign(payload.begin(), payload.end());
    return {};
  }
  return zstd_stream(payload, max_size,
                     [&](std::span<const std::uint8_t> piece) {
                       out.insert(out.end(), piece.begin(), piece.end());
                     });
}

Result<std::vector<std::uint8_t>> decode_blob(std::span<const std::uint8_t> bytes,
                                              std::size_t max_size) {
  std::vector<std::uint8_t> out;
  PBS_TRY(decode_blob_into(bytes, out, max_size));
  return out;
}

std::vector<std::uint8_t> encode_blob(std::span<const std::uint8_t> data, bool compress) {
  std::vector<std::uint8_t> out(kBlobHeaderSize + data.size());
  const Magic* magic = &kUncompressedBlobMagic;
  std::size_t payload_size = data.size();
  if (compress && !data.empty()) {
    // Destination exactly the raw size, as PBS does: "does not fit" means "keep it raw".
    std::size_t n = ZSTD_compressCCtx(thread_cctx(), out.data() + kBlobHeaderSize, data.size(),
                                      data.data(), data.size(), 1);
    if (!ZSTD_isError(n)) {
      magic = &kCompressedBlobMagic;
      payload_size = n;
    }
  }
  if (magic == &kUncompressedBlobMagic && !data.empty()) {
    std::memcpy(out.data() + kBlobHeaderSize, data.data(), data.size());
  }
  out.resize(kBlobHeaderSize + payload_size);
  std::memcpy(out.data(), magic->data(), magic->size());
  store_le32(out.data() + 8, crc32(std::span(out).subspan(kBlobHeaderSize)));
  return out;
}

namespace {
// The payload of a checked, unencrypted blob, decoded.
Result<std::uint64_t> decode_payload(std::span<const std::uint8_t> bytes, BlobKind kind, std::size_t max_size,
                                     const std::function<void(std::span<const std::uint8_t>)>& sink) {
  auto payload = bytes.subspan(kBlobHeaderSize);
  if (kind == BlobKind::uncompressed) {
    if (payload.size() > max_size) {
      return Error(Errc::corrupt, "data is larger than the limit of " + std::to_string(max_size) + " bytes");
    }
    sink(payload);
    return std::uint64_t(payload.size());
  }
  std::uint64_t total = 0;
  PBS_TRY(zstd_stream(payload, max_size, [&](std::span<const std::uint8_t> piece) {
    total += piece.size();
    sink(piece);
  }));
  return total;
}
}  // namespace

Result<std::uint64_t> decode_blob_stream(std::span<const std::uint8_t> bytes, std::size_t max_size,
                                         const std::function<void(std::span<const std::uint8_t>)>& sink) {
  PBS_ASSIGN(BlobKind kind, check_blob(bytes));
  if (is_encrypted(kind)) {
    return Error(Errc::unsupported, "blob is encrypted; it cannot be decoded without the key");
  }
  return decode_payload(bytes, kind, max_size, sink);
}

Result<ChunkCheck> check_chunk(std::span<const std::uint8_t> bytes, const Digest& digest) {
  PBS_ASSIGN(BlobKind kind, check_blob(bytes));
  if (is_encrypted(kind)) return ChunkCheck{kind, 0};
  thread_local Sha256 hasher;
  auto raw_size = decode_payload(bytes, kind, kMaxChunkSize, [&](std::span<const std::uint8_t> piece) { hasher.update(piece); });
  Digest actual = hasher.final();  // also resets the context for the next chunk on this thread
  if (!raw_size) return std::move(raw_size).error();
  if (actual != digest) {
    return Error(Errc::checksum, "SHA-256 of the decoded data is " + digest_hex(actual) +
                                     ", not the chunk's name " + digest_hex(digest));
  }
  return ChunkCheck{kind, *raw_size};
}

}  // namespace pbs::datastore
