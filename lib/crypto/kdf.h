#pragma once
// The two key derivation functions of PBS key files (KeyDerivationConfig::derive_key in
// pbs-key-config): scrypt and PBKDF2-HMAC-SHA256, each deriving a 32-byte key from a passphrase.

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/crypt_key.h"
#include "util/result.h"

namespace pbs::crypto {

// Each derives into `out` (the caller owns, and wipes, the secret: a Result<KeyBytes> would leave
// copies behind). Parameters come from a key file, so any that OpenSSL refuses, or that need more
// than PBS's 1025 MiB scrypt memory cap, are Errc::corrupt naming the parameter.
Status derive_scrypt(std::string_view passphrase, std::span<const std::uint8_t> salt, std::uint64_t n,
                     std::uint64_t r, std::uint64_t p, KeyBytes& out);
Status derive_pbkdf2(std::string_view passphrase, std::span<const std::uint8_t> salt, std::uint64_t iter,
                     KeyBytes& out);

}  // namespace pbs::crypto
