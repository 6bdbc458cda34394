#include "encryption/snapshot_sealing.h"

#include <fcntl.h>

#include "crypto/encrypted_blob.h"
#include "crypto/sealed_manifest.h"
#include "datastore/index_file.h"
#include "util/file_io.h"
#include "util/hex.h"

namespace pbs::encryption {

using namespace datastore;

Status write_view_file(const std::string& path, std::span<const std::uint8_t> bytes) {
  PBS_ASSIGN(UniqueFd fd, open_file(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  return write_all(fd.get(), bytes, path);
}

namespace {

// An index with the encrypted names of its chunks.
Result<std::vector<std::uint8_t>> seal_index(const Datastore& store, const LocalSnapshot& s, ManifestFile& entry,
                                             const ChunkNames& names, DigestMap<Digest>& aliases) {
  PBS_ASSIGN(IndexFile index, store.read_index(s.ref, entry.filename));
  for (auto& d : index.digests) {
    if (auto bad = names.unreadable.find(d); bad != names.unreadable.end()) return Error(Errc::corrupt, bad->second);
    const Digest* name = names.encrypted_of.find(d);
    if (!name) return Error(Errc::corrupt, "chunk " + digest_hex(d) + " has no encrypted name");
    aliases.emplace(*name, d);
    d = *name;
  }
  entry.csum = index.compute_csum();
  return encode_index(index);
}

Result<std::vector<std::uint8_t>> seal_file(const Datastore& store, const LocalSnapshot& s, const std::string& name,
                                            const crypto::CryptKey& key) {
  std::vector<std::uint8_t> bytes;
  PBS_TRY(store.read_snapshot_file(s.ref, name, bytes));
  return crypto::seal_blob(key, bytes, key.derive_iv(sha256(bytes)));
}

}  // namespace

Result<Manifest> seal_snapshot(const Datastore& store, const LocalSnapshot& s, const crypto::CryptKey& key,
                               const ChunkNames& names, const std::string& dir, DigestMap<Digest>& aliases) {
  PBS_TRY(make_dirs(dir, 0700));
  std::vector<ManifestFile> files;
  for (const auto& f : s.manifest.files) {
    ManifestFile sealed = f;
    sealed.crypt_mode = "encrypt";
    std::vector<std::uint8_t> bytes;
    auto kind = snapshot_file_kind(f.filename);
    if (kind && is_index_kind(*kind)) {
      PBS_ASSIGN(bytes, seal_index(store, s, sealed, names, aliases));
    } else {
      PBS_ASSIGN(bytes, seal_file(store, s, f.filename, key));
      sealed.size = bytes.size();
      sealed.csum = sha256(bytes);
    }
    PBS_TRY(write_view_file(dir + "/" + f.filename, bytes));
    files.push_back(std::move(sealed));
  }
  // The files the manifest does not list: the client log is sealed too, .protected is a marker.
  for (const auto& name : s.files) {
    if (name == kManifestName || s.manifest.find(name)) continue;
    std::vector<std::uint8_t> bytes;
    if (name != kProtectedName) {
      PBS_ASSIGN(bytes, seal_file(store, s, name, key));
    }
    PBS_TRY(write_view_file(dir + "/" + name, bytes));
  }
  std::vector<std::uint8_t> plain;
  PBS_TRY(store.read_snapshot_file(s.ref, kManifestName, plain));
  PBS_ASSIGN(Manifest m, crypto::encrypt_manifest(key, s.manifest, plain, std::move(files)));
  PBS_TRY(write_view_file(dir + "/" + std::string(kManifestName), encode_manifest_blob(m)));
  return m;
}

}  // namespace pbs::encryption
