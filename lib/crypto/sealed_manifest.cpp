#include "crypto/sealed_manifest.h"

#include "crypto/encrypted_blob.h"
#include "crypto/manifest_signature.h"
#include "util/base64.h"
#include "util/sha256.h"

namespace pbs::crypto {

using datastore::Manifest;

Result<Manifest> encrypt_manifest(const CryptKey& key, const Manifest& plain, std::span<const std::uint8_t> plain_blob,
                                  std::vector<datastore::ManifestFile> files) {
  Manifest m = plain;
  m.files = std::move(files);
  PBS_ASSIGN(std::string source, manifest_signature(key, plain));
  PBS_ASSIGN(auto sealed, seal_blob(key, plain_blob, key.derive_iv(sha256(plain_blob))));
  m.unprotected["key-fingerprint"] = format_fingerprint(key.fingerprint());
  m.unprotected[std::string(kSyncSourceField)] = source;
  m.unprotected[std::string(kSourceManifestField)] = base64_encode(sealed);
  PBS_ASSIGN(std::string signature, manifest_signature(key, m));
  m.signature = signature;
  return m;
}

Status check_manifest_signature(const CryptKey& key, const Manifest& m) {
  auto fp = m.unprotected.find("key-fingerprint");
  std::string ours = format_fingerprint(key.fingerprint());
  if (fp == m.unprotected.end() || !fp->is_string() || fp->get<std::string>() != ours) {
    return Error(Errc::checksum, "manifest is not encrypted with key " + short_fingerprint(key.fingerprint()));
  }
  PBS_ASSIGN(std::string expected, manifest_signature(key, m));
  if (!m.signature || *m.signature != expected) {
    return Error(Errc::checksum, "manifest signature does not match (the manifest was changed, or signed with another key)");
  }
  return {};
}

std::string signature_or_empty(const CryptKey& key, const Manifest& m) {
  auto s = manifest_signature(key, m);
  return s ? *s : std::string();
}

Result<std::optional<PlainManifest>> plain_manifest_of(const CryptKey& key, const Manifest& sealed) {
  auto field = sealed.unprotected.find(std::string(kSourceManifestField));
  if (field == sealed.unprotected.end()) return std::optional<PlainManifest>{};
  // It claims to be ours: it must prove it, or it is refused (never restored encrypted instead).
  PBS_TRY(check_manifest_signature(key, sealed));
  if (!field->is_string()) return Error(Errc::corrupt, "its " + std::string(kSourceManifestField) + " is not a string");
  auto bytes = base64_decode(field->get<std::string>());
  if (!bytes) return Error(Errc::corrupt, "its " + std::string(kSourceManifestField) + " is not base64");
  PBS_ASSIGN(auto blob, unseal_blob(key, *bytes));
  PBS_ASSIGN(Manifest plain, datastore::parse_manifest_blob(blob));
  // The original must be the manifest the encrypted one was made from.
  PBS_ASSIGN(std::string signature, manifest_signature(key, plain));
  auto source = sealed.unprotected.find(std::string(kSyncSourceField));
  if (source == sealed.unprotected.end() || !source->is_string() || source->get<std::string>() != signature ||
      plain.type != sealed.type || plain.id != sealed.id || plain.time != sealed.time ||
      plain.files.size() != sealed.files.size()) {
    return Error(Errc::checksum, "its plain original is not the manifest it was made from");
  }
  return std::optional(PlainManifest{std::move(blob), std::move(plain)});
}

}  // namespace pbs::crypto
