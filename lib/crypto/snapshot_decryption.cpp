#include "crypto/snapshot_decryption.h"

#include "crypto/encrypted_blob.h"
#include "datastore/blob.h"
#include "datastore/index_file.h"

namespace pbs::crypto {

using namespace datastore;

Result<PlainChunk> decrypt_chunk(const CryptKey& key, const Digest& name, std::span<const std::uint8_t> sealed) {
  PlainChunk out;
  PBS_ASSIGN(out.blob, unseal_blob(key, sealed));
  Sha256 plain, named;
  PBS_TRY(decode_blob_stream(out.blob, kMaxChunkSize, [&](std::span<const std::uint8_t> piece) {
    plain.update(piece);
    named.update(piece);
  }));
  out.digest = plain.final();
  if (key.finish_chunk_digest(named) != name) {
    return Error(Errc::checksum, "its plaintext does not have its name (SHA-256(plaintext || id_key)): the chunk "
                                 "was replaced or damaged");
  }
  return out;
}

Result<std::vector<std::uint8_t>> decrypt_snapshot_file(const CryptKey& key, std::string_view name,
                                                        std::span<const std::uint8_t> sealed,
                                                        const DigestMap<Digest>& plain_of, const ManifestFile* entry) {
  std::vector<std::uint8_t> out;
  auto kind = snapshot_file_kind(name);
  if (kind && is_index_kind(*kind)) {
    PBS_ASSIGN(IndexFile index, parse_index(sealed));
    for (auto& d : index.digests) {
      const Digest* p = plain_of.find(d);
      if (!p) return Error(Errc::corrupt, "chunk " + digest_hex(d) + " was not decrypted");
      d = *p;
    }
    PBS_ASSIGN(out, encode_index(index));
  } else if (kind == FileKind::blob) {
    PBS_ASSIGN(out, unseal_blob(key, sealed));
  } else {
    out.assign(sealed.begin(), sealed.end());
  }
  if (entry) {
    if (auto st = check_manifest_file(*entry, out); !st) {
      return Error(Errc::checksum, "decrypted, it does not match its plain manifest entry: " + st.error().message());
    }
  }
  return out;
}

}  // namespace pbs::crypto
