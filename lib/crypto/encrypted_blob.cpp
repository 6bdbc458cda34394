#include "crypto/encrypted_blob.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "util/crc32.h"
#include "util/endian.h"

namespace pbs::crypto {

Iv random_iv() {
  Iv iv{};
  if (RAND_bytes(iv.data(), int(iv.size())) != 1) throw std::runtime_error("OpenSSL: no random bytes for an IV");
  return iv;
}

namespace {

using datastore::BlobKind;
using datastore::kBlobHeaderSize;
using datastore::kEncryptedBlobHeaderSize;

struct CipherDeleter {
  void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};
struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// Fetched once: OpenSSL 3 otherwise looks the implementation up again for every chunk.
const EVP_CIPHER* aes_256_gcm() {
  static const std::unique_ptr<EVP_CIPHER, CipherDeleter> cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (!cipher) throw std::runtime_error("OpenSSL: AES-256-GCM is not available");
  return cipher.get();
}

// One context per thread, reused across chunks; the guard resets it after every message so the expanded
// key does not stay in memory between uses (reset frees the provider context, which cleanses it).
class ThreadCipher {
 public:
  ThreadCipher() : ctx_(thread_ctx()) {}
  ~ThreadCipher() { EVP_CIPHER_CTX_reset(ctx_); }
  ThreadCipher(const ThreadCipher&) = delete;
  ThreadCipher& operator=(const ThreadCipher&) = delete;
  EVP_CIPHER_CTX* get() const { return ctx_; }

 private:
  static EVP_CIPHER_CTX* thread_ctx() {
    thread_local std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("OpenSSL: cannot allocate a cipher context");
    return ctx.get();
  }
  EVP_CIPHER_CTX* ctx_;
};

[[noreturn]] void openssl_failure(const char* what) {
  throw std::runtime_error(std::string("OpenSSL: AES-256-GCM ") + what + " failed");
}

// PBS uses 16-byte IVs; GCM's default is 12, and the length must be set before the key and IV, or
// OpenSSL would take only the first 12 bytes and compute a different J0.
void gcm_init(EVP_CIPHER_CTX* ctx, const KeyBytes& key, const Iv& iv, int enc) {
  if (EVP_CipherInit_ex(ctx, aes_256_gcm(), nullptr, nullptr, nullptr, enc) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, int(iv.size()), nullptr) != 1 ||
      EVP_CipherInit_ex(ctx, nullptr, nullptr, key.data(), iv.data(), enc) != 1) {
    openssl_failure("initialisation");
  }
}

// EVP takes int lengths; pieces keep any span size safe.
void gcm_update(EVP_CIPHER_CTX* ctx, std::span<const std::uint8_t> in, std::uint8_t* out) {
  constexpr std::size_t kPiece = std::size_t(1) << 30;
  while (!in.empty()) {
    std::size_t n = std::min(in.size(), kPiece);
    int written = 0;
    if (EVP_CipherUpdate(ctx, out, &written, in.data(), int(n)) != 1 || std::size_t(written) != n) {
      openssl_failure("update");
    }
    in = in.subspan(n);
    out += n;
  }
}

std::vector<std::uint8_t> seal_payload(const CryptKey& key, bool compressed, std::span<const std::uint8_t> payload,
                                       const Iv& iv) {
  std::vector<std::uint8_t> out(kEncryptedBlobHeaderSize + payload.size());
  const auto& magic = compressed ? datastore::kEncrCompressedBlobMagic : datastore::kEncryptedBlobMagic;
  std::memcpy(out.data(), magic.data(), magic.size());
  std::array<std::uint8_t, 16> tag{};
  gcm_encrypt(key.enc_key(), iv, payload, out.data() + kEncryptedBlobHeaderSize, tag);
  std::memcpy(out.data() + 12, iv.data(), iv.size());
  std::memcpy(out.data() + 28, tag.data(), tag.size());
  store_le32(out.data() + 8, crc32(std::span(out).subspan(kEncryptedBlobHeaderSize)));
  return out;
}

// The payload of a checked encrypted blob, decrypted, after `headroom` bytes left for a plain header.
Result<std::vector<std::uint8_t>> decrypt_payload(const CryptKey& key, std::span<const std::uint8_t> blob,
                                                  std::size_t headroom) {
  Iv iv;
  std::array<std::uint8_t, 16> tag;
  std::memcpy(iv.data(), blob.data() + 12, iv.size());
  std::memcpy(tag.data(), blob.data() + 28, tag.size());
  auto ciphertext = blob.subspan(kEncryptedBlobHeaderSize);
  std::vector<std::uint8_t> out(headroom + ciphertext.size());
  if (!gcm_decrypt(key.enc_key(), iv, ciphertext, tag, out.data() + headroom)) {
    return Error(Errc::checksum,
                 "AES-GCM tag mismatch: the blob was encrypted with another key, or its data is damaged");
  }
  return out;
}

// A checked encrypted blob as the plain blob it was sealed from.
Result<std::vector<std::uint8_t>> unseal_checked(const CryptKey& key, std::span<const std::uint8_t> blob,
                                                 BlobKind kind) {
  PBS_ASSIGN(auto out, decrypt_payload(key, blob, kBlobHeaderSize));
  const auto& magic =
      kind == BlobKind::encrypted_compressed ? datastore::kCompressedBlobMagic : datastore::kUncompressedBlobMagic;
  std::memcpy(out.data(), magic.data(), magic.size());
  store_le32(out.data() + 8, crc32(std::span(out).subspan(kBlobHeaderSize)));
  return out;
}

}  // namespace

void gcm_encrypt(const KeyBytes& key, const Iv& iv, std::span<const std::uint8_t> in, std::uint8_t* out,
                 std::array<std::uint8_t, 16>& tag) {
  ThreadCipher c;
  gcm_init(c.get(), key, iv, 1);
  gcm_update(c.get(), in, out);
  int last = 0;
  if (EVP_CipherFinal_ex(c.get(), out + in.size(), &last) != 1 || last != 0 ||
      EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_GET_TAG, int(tag.size()), tag.data()) != 1) {
    openssl_failure("finalisation");
  }
}

bool gcm_decrypt(const KeyBytes& key, const Iv& iv, std::span<const std::uint8_t> in,
                 const std::array<std::uint8_t, 16>& tag, std::uint8_t* out) {
  ThreadCipher c;
  gcm_init(c.get(), key, iv, 0);
  gcm_update(c.get(), in, out);
  // SET_TAG takes a non-const pointer but only reads it.
  std::array<std::uint8_t, 16> expected = tag;
  if (EVP_CIPHER_CTX_ctrl(c.get(), EVP_CTRL_GCM_SET_TAG, int(expected.size()), expected.data()) != 1) {
    openssl_failure("tag setup");
  }
  int last = 0;
  return EVP_CipherFinal_ex(c.get(), out + in.size(), &last) == 1;
}

Result<std::vector<std::uint8_t>> seal_blob(const CryptKey& key, std::span<const std::uint8_t> plain_blob,
                                            const std::array<std::uint8_t, 16>& iv) {
  PBS_ASSIGN(BlobKind kind, datastore::check_blob(plain_blob));
  if (datastore::is_encrypted(kind)) {
    return Error(Errc::invalid_argument, "blob is already encrypted");
  }
  return seal_payload(key, kind == BlobKind::compressed, plain_blob.subspan(kBlobHeaderSize), iv);
}

Result<std::vector<std::uint8_t>> unseal_blob(const CryptKey& key, std::span<const std::uint8_t> encrypted_blob) {
  PBS_ASSIGN(BlobKind kind, datastore::check_blob(encrypted_blob));
  if (!datastore::is_encrypted(kind)) {
    return Error(Errc::invalid_argument, "blob is not encrypted");
  }
  return unseal_checked(key, encrypted_blob, kind);
}

Result<std::vector<std::uint8_t>> decode_any_blob(const CryptKey& key, std::span<const std::uint8_t> blob,
                                                   std::size_t max_size) {
  PBS_ASSIGN(BlobKind kind, datastore::check_blob(blob));
  if (!datastore::is_encrypted(kind)) return datastore::decode_blob(blob, max_size);
  if (kind == BlobKind::encrypted && blob.size() - kEncryptedBlobHeaderSize > max_size) {
    // Refused before decrypting: GCM does not change the size, so this is the data's size.
    return Error(Errc::corrupt,
                 "blob data is larger than the limit of " + std::to_string(max_size) + " bytes");
  }
  if (kind == BlobKind::encrypted) return decrypt_payload(key, blob, 0);
  // Rewrapped as a plain blob so decode_blob applies the same zstd and size rules to both kinds; the
  // extra CRC pass is cheap next to AES and zstd.
  PBS_ASSIGN(auto plain, unseal_checked(key, blob, kind));
  return datastore::decode_blob(plain, max_size);
}

std::vector<std::uint8_t> encrypt_data(const CryptKey& key, std::span<const std::uint8_t> data, bool compress,
                                       const std::array<std::uint8_t, 16>& iv) {
  // encode_blob applies PBS's compression rule (zstd level 1, kept when not larger); its CRC is wasted.
  auto plain = datastore::encode_blob(data, compress);
  bool compressed = std::memcmp(plain.data(), datastore::kCompressedBlobMagic.data(), 8) == 0;
  return seal_payload(key, compressed, std::span(plain).subspan(kBlobHeaderSize), iv);
}

}  // namespace pbs::crypto
