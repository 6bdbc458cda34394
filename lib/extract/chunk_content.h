#pragma once
// What one chunk of an archive holds, trusted only once checked: the blob's CRC, its decoding
// (decrypted with the key when it is encrypted), its name derived again from the data (SHA-256 of
// the plaintext, keyed with the id_key when encrypted) and its length as the index says.

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/crypt_key.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::extract {

// Errc::checksum / corrupt when the chunk is damaged or not the one named; Errc::config when it is
// encrypted and no key was given.
Result<std::vector<std::uint8_t>> chunk_content(std::span<const std::uint8_t> blob, const Digest& name,
                                                std::uint64_t length, const crypto::CryptKey* key);

// The name of `data` as a chunk (with the key: an encrypted chunk's name).
Digest chunk_name(std::span<const std::uint8_t> data, const crypto::CryptKey* key);

// The name of a chunk of `length` zero bytes: a disk's unwritten regions, never fetched.
Digest zero_chunk_name(std::uint64_t length, const crypto::CryptKey* key);

}  // namespace pbs::extract
