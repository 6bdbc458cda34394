#pragma once
// The key of PBS client-side encryption (PBS: pbs-tools/src/crypt_config.rs) and the derivations
// that hang off it: chunk names, the key fingerprint, manifest signatures and blob IVs.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"
#include "util/sha256.h"

namespace pbs::crypto {

using KeyBytes = std::array<std::uint8_t, 32>;

// Overwrites secrets in a way the optimiser may not drop (OPENSSL_cleanse). The string form also
// wipes the bytes between size() and capacity(), which an earlier, longer value may have left.
void wipe(std::span<std::uint8_t> bytes);
void wipe(std::string& text);

// A PBS encryption key (pbs-tools crypt_config.rs): the AES-256 key and the id_key derived from it
// (PBKDF2-HMAC-SHA256(enc_key, salt "_id_key", 10 iterations, 32 bytes)). Both wiped on destruction.
class CryptKey {
 public:
  explicit CryptKey(const KeyBytes& enc_key);
  ~CryptKey();
  CryptKey(const CryptKey&);  // copies wipe too
  CryptKey& operator=(const CryptKey&);

  const KeyBytes& enc_key() const { return enc_key_; }
  const KeyBytes& id_key() const { return id_key_; }

  // SHA-256(SHA-256("Proxmox Backup Encryption Key Fingerprint") || id_key)
  Digest fingerprint() const;
  // The name of an encrypted chunk: SHA-256(plaintext || id_key). `h` has been fed the plaintext; it is reset.
  Digest finish_chunk_digest(Sha256& h) const;
  Digest chunk_digest(std::span<const std::uint8_t> plaintext) const;
  // HMAC-SHA256(id_key, data): the manifest signature primitive.
  Digest sign(std::string_view data) const;
  // A 16-byte IV derived from `what` with a key of its own (HMAC-SHA256(id_key, "pbs-s3sync iv" || what),
  // first 16 bytes): deterministic encryption, so the same plaintext (identified by `what`) always gives the
  // same blob and a re-run never produces a second, different object for it.
  // GCM breaks when one IV encrypts two *different* byte strings (the GHASH key leaks and tags can be
  // forged), so `what` must identify the exact bytes that get encrypted: for a chunk whose zstd frame may
  // differ between two copies of the same plaintext, hash the frame (or the plain blob), not only the
  // plaintext digest.
  std::array<std::uint8_t, 16> derive_iv(std::span<const std::uint8_t> what) const;

  static KeyBytes random_key();  // RAND_bytes

 private:
  KeyBytes enc_key_;
  KeyBytes id_key_;
};

// "0e:ab:d4:..." all 32 bytes; short form = first 8 bytes (as PBS logs it).
std::string format_fingerprint(const Digest& fp);
std::string short_fingerprint(const Digest& fp);
// As PBS's Fingerprint deserializer: colons are ignored, 64 hex digits must remain. Errc::corrupt otherwise.
Result<Digest> parse_fingerprint(std::string_view text);

}  // namespace pbs::crypto
