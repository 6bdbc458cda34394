#include "encryption/view_entries.h"

#include "crypto/sealed_manifest.h"

namespace pbs::encryption {

using namespace datastore;

Treatment treatment(const Manifest& m) {
  std::size_t encrypted = 0;
  for (const auto& f : m.files) encrypted += f.crypt_mode == "encrypt";
  if (encrypted == 0) return Treatment::encrypt;  // none and sign-only: plain chunks, sealed here
  return encrypted == m.files.size() ? Treatment::as_stored : Treatment::partial;
}

ViewGroups make_entries(const LocalScan& scan, std::vector<std::string>& warnings) {
  ViewGroups groups(scan.groups.size());
  for (std::size_t g = 0; g < scan.groups.size(); ++g) {
    for (const auto& s : scan.groups[g].snapshots) {
      ViewEntry e;
      e.local = &s;
      e.how = treatment(s.manifest);
      if (e.how == Treatment::partial) {
        warnings.push_back("snapshot " + s.ref.rel_dir() + " is partially encrypted: not synced (PBS refuses "
                           "to re-encrypt such snapshots too)");
      }
      groups[g].push_back(std::move(e));
    }
  }
  return groups;
}

namespace {

// Its remote copy is what it would be made now. A local manifest that cannot be read or sealed
// again is made again (and fails there, with the reason).
bool remote_copy_current(const Datastore& store, const crypto::CryptKey& key, const ViewEntry& e) {
  std::vector<std::uint8_t> plain;
  if (!store.read_snapshot_file(e.local->ref, kManifestName, plain)) return false;
  auto again = crypto::encrypt_manifest(key, e.local->manifest, plain, e.remote->files);
  return again && encode_manifest_blob(*again) == e.remote_blob;
}

void choose_source(std::vector<ViewEntry>& group, ViewEntry& e) {
  if (e.remote) {
    e.source = &e;
    return;
  }
  const ViewEntry* newest = nullptr;
  for (std::size_t j = group.size(); j-- > 0 && !e.source;) {
    if (!group[j].remote) continue;
    if (!newest) newest = &group[j];
    if (group[j].local->ref.time < e.local->ref.time) e.source = &group[j];
  }
  if (!e.source) e.source = newest;
}

}  // namespace

void choose_work(const Datastore& store, const crypto::CryptKey& key, bool full, ViewGroups& groups) {
  for (auto& group : groups) {
    for (auto& e : group) {
      if (e.how != Treatment::encrypt) continue;
      e.build = full || !e.remote || !remote_copy_current(store, key, e);
    }
    for (auto& e : group) {
      if (e.build) choose_source(group, e);
    }
  }
}

}  // namespace pbs::encryption
