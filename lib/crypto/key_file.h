#pragma once
// PBS key files (KeyConfig, pbs-key-config/src/lib.rs), as `proxmox-backup-client key create` writes them:
//   {"kdf":{"Scrypt":{"n":65536,"r":8,"p":1,"salt":"<base64>"}},"created":"2024-05-01T10:00:00+02:00",
//    "modified":"...","data":"<base64>","fingerprint":"0e:ab:...","hint":"..."}
// `kdf` is null for an unprotected key (then `data` is the raw key), or {"PBKDF2":{"iter":N,"salt":".."}};
// `created`/`modified` are RFC 3339 in local time with offset (or Z), read and written as proxmox-time does
// (util/calendar.h); `fingerprint` and `hint` may be absent. The KDFs themselves are crypto/kdf.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypt_key.h"
#include "util/result.h"
#include "util/sha256.h"

namespace pbs::crypto {

enum class Kdf { none, scrypt, pbkdf2 };

struct KeyFile {  // as parsed; `data` still wrapped when protected
  Kdf kdf = Kdf::none;
  std::uint64_t n = 0, r = 0, p = 0;  // scrypt
  std::uint64_t iter = 0;             // pbkdf2
  std::vector<std::uint8_t> salt;
  std::int64_t created = 0, modified = 0;
  std::vector<std::uint8_t> data;
  std::optional<Digest> fingerprint;
  std::optional<std::string> hint;

  // `data` is the raw key of an unprotected file: wiped when it goes.
  KeyFile() = default;
  ~KeyFile();
  KeyFile(const KeyFile&) = default;
  KeyFile(KeyFile&&) noexcept = default;
  KeyFile& operator=(const KeyFile&);
  KeyFile& operator=(KeyFile&&) noexcept;
};

Result<KeyFile> parse_key_file(std::string_view json);  // Errc::corrupt naming the field that is wrong

// Unwraps (protected: derive with the KDF, AES-256-GCM decrypt data = IV16||TAG16||ct; unprotected: data is the key),
// then recomputes the fingerprint and compares it with the stored one (when there is one, as PBS does).
// Wrong passphrase: Errc::config "wrong passphrase (the key file's key does not decrypt)"; fingerprint
// mismatch: Errc::corrupt; a protected file without a passphrase: Errc::invalid_argument "the key file is
// protected: a passphrase is needed"; a passphrase under 5 bytes: Errc::invalid_argument (PBS refuses it too).
Result<CryptKey> open_key_file(const KeyFile& file, const std::string* passphrase);

// Writes a key file JSON the way proxmox-backup-client writes one (KeyConfig::store: serde_json::to_string,
// compact, no trailing newline), `created`/`modified` = now. Kdf::none (unprotected), Kdf::scrypt (n 65536,
// r 8, p 1) or Kdf::pbkdf2 (65535 iterations), each with a random 32-byte salt and a passphrase of at
// least 5 bytes, else Errc::invalid_argument.
Result<std::string> make_key_file(const CryptKey& key, Kdf kdf, const std::string* passphrase, std::int64_t now,
                                  const std::optional<std::string>& hint = std::nullopt);

}  // namespace pbs::crypto
