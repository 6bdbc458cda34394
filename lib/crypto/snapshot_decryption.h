#pragma once
// `restore --decrypt`: a snapshot this tool encrypted back into the plain original, byte for
// byte (its manifest: sealed_manifest.h). Each chunk is unsealed
// into the very plain chunk blob it was made from, its name checked against the plaintext (a
// chunk swapped or damaged in the bucket is refused); each index gets the plain names back; each
// blob is unsealed; every result is checked against the plain manifest.

#include <span>
#include <utility>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/digest_map.h"
#include "datastore/manifest.h"
#include "util/result.h"

namespace pbs::crypto {

struct PlainChunk {
  Digest digest;                   // SHA-256 of the plaintext: the plain chunk's name
  std::vector<std::uint8_t> blob;  // the plain chunk file
};
// `name` is the encrypted chunk's name: SHA-256(plaintext || id_key) must equal it.
Result<PlainChunk> decrypt_chunk(const CryptKey& key, const Digest& name, std::span<const std::uint8_t> sealed);

// A snapshot file back to plain: an index with the plain names of its chunks (`plain_of`: every
// chunk it names, decrypted), a blob unsealed. `entry`: its plain manifest entry, checked (null
// for the client log).
Result<std::vector<std::uint8_t>> decrypt_snapshot_file(const CryptKey& key, std::string_view name,
                                                        std::span<const std::uint8_t> sealed,
                                                        const datastore::DigestMap<Digest>& plain_of,
                                                        const datastore::ManifestFile* entry);

}  // namespace pbs::crypto
