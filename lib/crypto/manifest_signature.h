#pragma once
// Manifest signatures (PBS: BackupManifest::signature, pbs-datastore/src/manifest.rs) and the canonical
// JSON they are computed over (proxmox-serde/src/json.rs, to_canonical_json).

#include <nlohmann/json.hpp>

#include <string>

#include "crypto/crypt_key.h"
#include "datastore/manifest.h"
#include "util/result.h"

namespace pbs::crypto {

// Canonical JSON as proxmox-serde's to_canonical_json writes it: object keys sorted bytewise, no whitespace, null refused.
// Strings and numbers are written as serde_json writes them (only '"', '\\' and control characters escaped;
// floats in ryu's shortest form, "1e20", "1.0"). Errc::corrupt for null and for strings that are not UTF-8.
Result<std::string> canonical_json(const nlohmann::json& value);

// HMAC-SHA256(id_key, canonical JSON of the manifest without `unprotected` and `signature`), as 64 hex digits.
// Built from datastore::manifest_to_json(m) so the field spelling is PBS's.
Result<std::string> manifest_signature(const CryptKey& key, const datastore::Manifest& m);

}  // namespace pbs::crypto
