#include "crypto/crypt_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "crypto/kdf.h"
#include "util/hex.h"

namespace pbs::crypto {

namespace {

// SHA-256("Proxmox Backup Encryption Key Fingerprint"), FINGERPRINT_INPUT in crypt_config.rs.
constexpr Digest kFingerprintInput = {110, 208, 239, 119, 71,  31,  255, 77, 85, 199, 168,
                                      254, 74,  157, 182, 33,  97,  64,  127, 19, 76, 114,
                                      93,  223, 48,  153, 45,  37,  236, 69,  237, 38};

constexpr std::string_view kIvLabel = "pbs-s3sync iv";

KeyBytes derive_id_key(const KeyBytes& enc_key) {
  KeyBytes id{};
  static constexpr std::string_view kSalt = "_id_key";
  std::string_view secret(reinterpret_cast<const char*>(enc_key.data()), enc_key.size());
  if (!derive_pbkdf2(secret, std::span(reinterpret_cast<const std::uint8_t*>(kSalt.data()), kSalt.size()), 10, id)) {
    // Only an allocation failure inside OpenSSL gets here; there is no key to fall back to.
    throw std::runtime_error("OpenSSL: PBKDF2 failed deriving the id key");
  }
  return id;
}

std::string colon_hex(std::span<const std::uint8_t> bytes) {
  std::string hex = to_hex(bytes);
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out.append(hex, i, 2);
  }
  return out;
}

}  // namespace

void wipe(std::span<std::uint8_t> bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
}

void wipe(std::string& text) {
  text.resize(text.capacity());
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
  text.clear();
}

CryptKey::CryptKey(const KeyBytes& enc_key) : enc_key_(enc_key), id_key_(derive_id_key(enc_key)) {}

CryptKey::~CryptKey() {
  wipe(enc_key_);
  wipe(id_key_);
}

CryptKey::CryptKey(const CryptKey& other) = default;
CryptKey& CryptKey::operator=(const CryptKey& other) = default;

Digest CryptKey::fingerprint() const {
  Sha256 h;
  h.update(kFingerprintInput);
  return finish_chunk_digest(h);
}

Digest CryptKey::finish_chunk_digest(Sha256& h) const {
  // id_key goes last, as PBS does, so the digest is not open to length extension.
  h.update(id_key_);
  return h.final();
}

Digest CryptKey::chunk_digest(std::span<const std::uint8_t> plaintext) const {
  thread_local Sha256 h;
  h.update(plaintext);
  return finish_chunk_digest(h);
}

Digest CryptKey::sign(std::string_view data) const { return hmac_sha256(id_key_, as_bytes(data)); }

std::array<std::uint8_t, 16> CryptKey::derive_iv(std::span<const std::uint8_t> what) const {
  // The label keeps these MACs apart from manifest signatures made with the same id_key: no
  // manifest's canonical JSON starts with it (they start with '{').
  std::vector<std::uint8_t> input;
  input.reserve(kIvLabel.size() + what.size());
  input.insert(input.end(), kIvLabel.begin(), kIvLabel.end());
  input.insert(input.end(), what.begin(), what.end());
  Digest mac = hmac_sha256(id_key_, input);
  std::array<std::uint8_t, 16> iv;
  std::copy_n(mac.begin(), iv.size(), iv.begin());
  return iv;
}

KeyBytes CryptKey::random_key() {
  KeyBytes key{};
  if (RAND_bytes(key.data(), int(key.size())) != 1) {
    throw std::runtime_error("OpenSSL: no random bytes for a new key");
  }
  return key;
}

std::string format_fingerprint(const Digest& fp) { return colon_hex(fp); }

std::string short_fingerprint(const Digest& fp) { return colon_hex(std::span(fp).first(8)); }

Result<Digest> parse_fingerprint(std::string_view text) {
  std::string hex;
  hex.reserve(64);
  for (char c : text) {
    if (c == ':') continue;
    if (hex.size() == 64) return Error(Errc::corrupt, "fingerprint is longer than 32 bytes");
    hex += c;
  }
  Digest out{};
  if (hex.size() != 64 || !from_hex(hex, out)) {
    return Error(Errc::corrupt, "fingerprint is not 32 bytes of colon-separated hex");
  }
  return out;
}

}  // namespace pbs::crypto
