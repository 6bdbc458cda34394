#pragma once
// The manifest of a snapshot this tool encrypted on the way up, as PBS 4.2's push sync job makes
// it: the plain manifest with its files sealed, signed with the key, carrying PBS's `key-fingerprint` and `sync-source-signature` (the signature of the plain
// manifest it came from) and, in `pbs-s3sync-source-manifest`, the plain manifest blob itself,
// sealed, so that `restore --decrypt` writes the original back byte for byte. PBS keeps unknown
// `unprotected` keys as they are.

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/crypt_key.h"
#include "datastore/manifest.h"
#include "util/result.h"

namespace pbs::crypto {

inline constexpr std::string_view kSourceManifestField = "pbs-s3sync-source-manifest";
inline constexpr std::string_view kSyncSourceField = "sync-source-signature";

// The encrypted manifest of a plain one whose files became `files` (same order, sealed sizes and
// checksums); `plain_blob` is the plain manifest's blob as stored.
Result<datastore::Manifest> encrypt_manifest(const CryptKey& key, const datastore::Manifest& plain,
                                             std::span<const std::uint8_t> plain_blob,
                                             std::vector<datastore::ManifestFile> files);

// A manifest signed with the key, whose fingerprint is the key's; Errc::checksum otherwise.
Status check_manifest_signature(const CryptKey& key, const datastore::Manifest& m);

// The signature of `m` as hex, or "" when it cannot be computed (a manifest that is not valid
// canonical JSON): what `sync-source-signature` is compared with.
std::string signature_or_empty(const CryptKey& key, const datastore::Manifest& m);

struct PlainManifest {
  std::vector<std::uint8_t> blob;  // as the source datastore had it
  datastore::Manifest manifest;
};

// The plain original of an encrypted manifest; nullopt when the snapshot is not one this tool
// encrypted with this key (a snapshot the backup client encrypted is restored as it is).
// Errc::checksum when it claims to be ours but its signature or original do not check.
Result<std::optional<PlainManifest>> plain_manifest_of(const CryptKey& key, const datastore::Manifest& sealed);

}  // namespace pbs::crypto
