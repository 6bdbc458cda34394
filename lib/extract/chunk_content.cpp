#include "extract/chunk_content.h"

#include "crypto/encrypted_blob.h"
#include "datastore/blob.h"

namespace pbs::extract {

Result<std::vector<std::uint8_t>> chunk_content(std::span<const std::uint8_t> blob, const Digest& name,
                                                std::uint64_t length, const crypto::CryptKey* key) {
  PBS_ASSIGN(datastore::BlobKind kind, datastore::check_blob(blob));
  if (datastore::is_encrypted(kind) && !key) {
    return Error(Errc::config, "encrypted, and no key was given (--passphrase-file or --keyfile)");
  }
  std::vector<std::uint8_t> data;
  if (key) {
    PBS_ASSIGN(data, crypto::decode_any_blob(*key, blob, datastore::kMaxChunkSize));
  } else {
    PBS_ASSIGN(data, datastore::decode_blob(blob, datastore::kMaxChunkSize));
  }
  // A plain chunk of an encrypted archive, or the other way round, is named differently: both
  // are "not the chunk the index names".
  const crypto::CryptKey* naming = datastore::is_encrypted(kind) ? key : nullptr;
  if (chunk_name(data, naming) != name) {
    return Error(Errc::checksum, "its content does not match its name (damaged, or another chunk stored under it)");
  }
  if (data.size() != length) {
    return Error(Errc::corrupt, "holds " + std::to_string(data.size()) + " bytes where the index says " +
                                    std::to_string(length));
  }
  return data;
}

Digest chunk_name(std::span<const std::uint8_t> data, const crypto::CryptKey* key) {
  return key ? key->chunk_digest(data) : sha256(data);
}

Digest zero_chunk_name(std::uint64_t length, const crypto::CryptKey* key) {
  std::vector<std::uint8_t> zeros(length, 0);
  return chunk_name(zeros, key);
}

}  // namespace pbs::extract
