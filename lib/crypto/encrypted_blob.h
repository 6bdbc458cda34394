#pragma once
// Encrypted DataBlobs (PBS: pbs-datastore/src/data_blob.rs): AES-256-GCM with a 16-byte IV, empty
// associated data and a 16-byte tag, laid out as MAGIC[8] | CRC32 LE[4] of the ciphertext | IV[16] |
// TAG[16] | ciphertext. Each call uses a cipher context of its own thread, so these run on worker
// threads concurrently.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/blob.h"
#include "util/result.h"

namespace pbs::crypto {

using Iv = std::array<std::uint8_t, 16>;

// A random IV, as PBS gives every chunk it encrypts.
Iv random_iv();

// Re-encodes a plain DataBlob (magic 42ab.. or 31b9.., CRC checked) as an encrypted one, encrypting its payload
// as it is (the zstd frame stays the frame: no recompression), with the given IV. Errc::corrupt/checksum on a bad blob,
// Errc::invalid_argument when it is already encrypted.
Result<std::vector<std::uint8_t>> seal_blob(const CryptKey& key, std::span<const std::uint8_t> plain_blob,
                                            const std::array<std::uint8_t, 16>& iv);

// The inverse: decrypts (CRC and GCM tag checked; a tag mismatch is Errc::checksum with a message saying the key is
// wrong or the data damaged) and rewraps the payload as a plain blob; unseal_blob(seal_blob(b)) == b byte for byte.
// A plain blob is Errc::invalid_argument.
Result<std::vector<std::uint8_t>> unseal_blob(const CryptKey& key, std::span<const std::uint8_t> encrypted_blob);

// Decrypt + decompress to the plaintext data (max_size as in datastore::decode_blob). Plain blobs are decoded as by
// datastore::decode_blob.
Result<std::vector<std::uint8_t>> decode_any_blob(const CryptKey& key, std::span<const std::uint8_t> blob,
                                                   std::size_t max_size = datastore::kMaxBlobSize);

// Encrypts plaintext data as PBS's DataBlob::encode does with a key: zstd level 1 kept when not larger, then AES-GCM.
std::vector<std::uint8_t> encrypt_data(const CryptKey& key, std::span<const std::uint8_t> data, bool compress,
                                       const std::array<std::uint8_t, 16>& iv);

// AES-256-GCM as PBS uses it (16-byte IV, empty AAD), for blob payloads and key-file wrapping alike.
// `out` must have room for in.size() bytes (GCM does not pad). decrypt returns false when the tag does not
// match; `out` then holds garbage the caller must drop.
void gcm_encrypt(const KeyBytes& key, const Iv& iv, std::span<const std::uint8_t> in, std::uint8_t* out,
                 std::array<std::uint8_t, 16>& tag);
bool gcm_decrypt(const KeyBytes& key, const Iv& iv, std::span<const std::uint8_t> in,
                 const std::array<std::uint8_t, 16>& tag, std::uint8_t* out);

}  // namespace pbs::crypto
