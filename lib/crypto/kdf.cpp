#include "crypto/kdf.h"

#include <openssl/evp.h>

#include <climits>
#include <string>

namespace pbs::crypto {

namespace {

// The maxmem PBS passes to scrypt: a key file asking for more does not open in PBS either.
constexpr std::uint64_t kScryptMaxMem = 1025ull * 1024 * 1024;

Error refused(std::string_view what) { return Error(Errc::corrupt, std::string(what)); }

}  // namespace

Status derive_scrypt(std::string_view passphrase, std::span<const std::uint8_t> salt, std::uint64_t n,
                     std::uint64_t r, std::uint64_t p, KeyBytes& out) {
  if (n < 2 || (n & (n - 1)) != 0) return refused("scrypt's n " + std::to_string(n) + " is not a power of two above 1");
  if (r == 0 || p == 0) return refused("scrypt's r and p must be positive");
  // OpenSSL's own estimate (kdf_scrypt.c): 128*r*p for B plus 128*r*(N+2) for V. The bounds first keep
  // the product from overflowing.
  if (r > kScryptMaxMem / 128 || p > kScryptMaxMem || n > kScryptMaxMem || 128 * r * (p + n + 2) > kScryptMaxMem) {
    return refused("scrypt parameters need more than PBS's limit of 1025 MiB");
  }
  std::uint64_t need = 128 * r * (p + n + 2);
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt.data(), salt.size(), n, r, p, need + (1u << 20),
                     out.data(), out.size()) != 1) {
    wipe(out);
    return refused("scrypt parameters are refused by OpenSSL");
  }
  return {};
}

Status derive_pbkdf2(std::string_view passphrase, std::span<const std::uint8_t> salt, std::uint64_t iter,
                     KeyBytes& out) {
  if (iter == 0 || iter > INT_MAX) {
    return refused("PBKDF2's iteration count " + std::to_string(iter) + " is outside 1..2^31-1");
  }
  if (passphrase.size() > INT_MAX || salt.size() > INT_MAX) return refused("PBKDF2's salt or passphrase is too long");
  if (PKCS5_PBKDF2_HMAC(passphrase.data(), int(passphrase.size()), salt.data(), int(salt.size()), int(iter),
                        EVP_sha256(), int(out.size()), out.data()) != 1) {
    wipe(out);
    return refused("PBKDF2 failed");
  }
  return {};
}

}  // namespace pbs::crypto
