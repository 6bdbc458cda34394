#include "sync/snapshot_decryption.h"

#include "crypto/encrypted_blob.h"
#include "crypto/manifest_signature.h"
#include "datastore/blob.h"
#include "datastore/index_file.h"
#include "sync/encrypted_view.h"
#include "util/base64.h"

namespace pbs::sync {

using namespace datastore;

Result<std::optional<PlainManifest>> plain_manifest_of(const crypto::CryptKey& key, const Manifest& sealed) {
  auto field = sealed.unprotected.find(std::string(kSourceManifestField));
  if (field == sealed.unprotected.end()) return std::optional<PlainManifest>{};
  // It claims to be ours: it must prove it, or it is refused (never restored encrypted instead).
  PBS_TRY(check_manifest_signature(key, sealed));
  if (!field->is_string()) return Error(Errc::corrupt, "its " + std::string(kSourceManifestField) + " is not a string");
  auto bytes = base64_decode(field->get<std::string>());
  if (!bytes) return Error(Errc::corrupt, "its " + std::string(kSourceManifestField) + " is not base64");
  PBS_ASSIGN(auto blob, crypto::unseal_blob(key, *bytes));
  PBS_ASSIGN(Manifest plain, parse_manifest_blob(blob));
  // The original must be the manifest the encrypted one was made from.
  PBS_ASSIGN(std::string signature, crypto::manifest_signature(key, plain));
  auto source = sealed.unprotected.find(std::string(kSyncSourceField));
  if (source == sealed.unprotected.end() || !source->is_string() || source->get<std::string>() != signature ||
      plain.type != sealed.type || plain.id != sealed.id || plain.time != sealed.time ||
      plain.files.size() != sealed.files.size()) {
    return Error(Errc::checksum, "its plain original is not the manifest it was made from");
  }
  return std::optional(PlainManifest{std::move(blob), std::move(plain)});
}

Result<PlainChunk> decrypt_chunk(const crypto::CryptKey& key, const Digest& name, std::span<const std::uint8_t> sealed) {
  PlainChunk out;
  PBS_ASSIGN(out.blob, crypto::unseal_blob(key, sealed));
  Sha256 plain, named;
  PBS_TRY(decode_blob_stream(out.blob, kMaxChunkSize, [&](std::span<const std::uint8_t> piece) {
    plain.update(piece);
    named.update(piece);
  }));
  out.digest = plain.final();
  if (key.finish_chunk_digest(named) != name) {
    return Error(Errc::checksum, "its plaintext does not have its name (SHA-256(plaintext || id_key)): the chunk "
                                 "was replaced or damaged");
  }
  return out;
}

Result<std::vector<std::uint8_t>> decrypt_snapshot_file(const crypto::CryptKey& key, std::string_view name,
                                                        std::span<const std::uint8_t> sealed,
                                                        const DigestMap<Digest>& plain_of, const ManifestFile* entry) {
  std::vector<std::uint8_t> out;
  auto kind = snapshot_file_kind(name);
  if (kind && is_index_kind(*kind)) {
    PBS_ASSIGN(IndexFile index, parse_index(sealed));
    for (auto& d : index.digests) {
      const Digest* p = plain_of.find(d);
      if (!p) return Error(Errc::corrupt, "chunk " + digest_hex(d) + " was not decrypted");
      d = *p;
    }
    PBS_ASSIGN(out, encode_index(index));
  } else if (kind == FileKind::blob) {
    PBS_ASSIGN(out, crypto::unseal_blob(key, sealed));
  } else {
    out.assign(sealed.begin(), sealed.end());
  }
  if (entry) {
    if (auto st = check_manifest_file(*entry, out); !st) {
      return Error(Errc::checksum, "decrypted, it does not match its plain manifest entry: " + st.error().message());
    }
  }
  return out;
}

}  // namespace pbs::sync
