#include "encryption/view_sources.h"

#include <optional>
#include <set>

#include "crypto/sealed_manifest.h"
#include "datastore/index_file.h"
#include "encryption/snapshot_sealing.h"
#include "remote/snapshot_reader.h"
#include "util/file_io.h"

namespace pbs::encryption {

using namespace datastore;

namespace {

// Made from this local manifest with this key: signed with it, naming the local one as its source.
bool made_from(const crypto::CryptKey& key, const Manifest& remote, const Manifest& local) {
  if (!crypto::check_manifest_signature(key, remote)) return false;
  auto source = remote.unprotected.find(std::string(crypto::kSyncSourceField));
  return source != remote.unprotected.end() && source->is_string() &&
         source->get<std::string>() == crypto::signature_or_empty(key, local);
}

// The local index must be the one the source manifest (which the remote one came from) lists.
Status line_up(const Datastore& store, const ViewEntry& e, const ManifestFile& entry,
               std::span<const std::uint8_t> remote_index, DigestMap<Digest>& encrypted_of) {
  PBS_ASSIGN(IndexFile sealed, parse_index(remote_index));
  PBS_ASSIGN(IndexFile plain, store.read_index(e.local->ref, entry.filename));
  const ManifestFile* listed = e.local->manifest.find(entry.filename);
  bool same_shape = listed && listed->csum == plain.compute_csum() && sealed.kind == plain.kind &&
                    sealed.size == plain.size && sealed.chunk_size == plain.chunk_size &&
                    sealed.digests.size() == plain.digests.size() && sealed.ends == plain.ends;
  if (!same_shape) return Error(Errc::corrupt, "remote index does not line up with the local one");
  for (std::size_t i = 0; i < plain.digests.size(); ++i) encrypted_of.emplace(plain.digests[i], sealed.digests[i]);
  return {};
}

}  // namespace

Status read_remote_copies(transfer::RequestInterface& requests, const remote::Remote& remote,
                          const remote::RemoteCatalog& catalog, const crypto::CryptKey& key,
                          const records::SealedManifests& recorded, ViewGroups& groups) {
  std::vector<remote::SnapshotToRead> reads;
  std::vector<ViewEntry*> entries;
  // A copy not this tool's with this key, damaged or gone is made again and its files compared.
  auto take = [&](ViewEntry& e, Result<remote::ManifestRead> m) {
    if (m && made_from(key, m->manifest, e.local->manifest)) {
      e.remote = std::move(m->manifest);
      e.remote_blob = std::move(m->blob);
    }
  };
  for (auto& group : groups) {
    for (auto& e : group) {
      const remote::RemoteSnapshot* rs = catalog.snapshot(e.local->ref);
      if (e.how != Treatment::encrypt || !rs || !rs->complete()) continue;
      // The record's copy when the listing shows that very manifest: no GET for it.
      auto known = recorded.find(e.local->ref.rel_dir());
      const auto& listed = rs->files.at(std::string(kManifestName));
      if (known != recorded.end() && records::is_listed_manifest(listed, known->second)) {
        if (auto m = parse_manifest_blob(known->second)) {
          take(e, remote::ManifestRead{std::move(*m), known->second});
          continue;
        }
      }
      reads.push_back({rs, nullptr});
      entries.push_back(&e);
    }
  }
  auto on_manifest = [&](std::size_t i, Result<remote::ManifestRead> m) -> std::vector<std::string> {
    take(*entries[i], std::move(m));
    return {};
  };
  return remote::read_snapshots(requests, remote, reads, on_manifest,
                                [](std::size_t, const std::string&, Result<std::vector<std::uint8_t>>) {});
}

Status read_sources(transfer::RequestInterface& requests, const remote::Remote& remote,
                    const remote::RemoteCatalog& catalog, const Datastore& store, const std::string& view_root,
                    const ViewGroups& groups, DigestMap<Digest>& encrypted_of) {
  std::set<const ViewEntry*> chosen;
  for (const auto& group : groups) {
    for (const auto& e : group) {
      if (e.build && e.source) chosen.insert(e.source);
    }
  }
  std::vector<remote::SnapshotToRead> reads;
  std::vector<const ViewEntry*> sources(chosen.begin(), chosen.end());
  for (const ViewEntry* src : sources) {
    PBS_TRY(make_dirs(join_path(view_root, src->local->ref.rel_dir()), 0700));
    reads.push_back({catalog.snapshot(src->local->ref), &*src->remote});
  }
  std::optional<Error> write_error;
  auto on_index = [&](std::size_t i, const std::string& name, Result<std::vector<std::uint8_t>> bytes) {
    const ViewEntry& src = *sources[i];
    const ManifestFile* entry = src.remote->find(name);
    // Only an index its signed manifest vouches for names chunks.
    if (!bytes || !check_manifest_file(*entry, *bytes) || !line_up(store, src, *entry, *bytes, encrypted_of)) return;
    auto st = write_view_file(join_path(view_root, src.local->ref.rel_dir() + "/" + name), *bytes);
    if (!st && !write_error) write_error = std::move(st).error();
  };
  PBS_TRY(remote::read_snapshots(
      requests, remote, reads,
      [](std::size_t, Result<remote::ManifestRead> m) { return m ? remote::index_files(m->manifest) : std::vector<std::string>{}; },
      on_index));
  if (write_error) return std::move(*write_error);
  return {};
}

}  // namespace pbs::encryption
