#include "extract/snapshot_files.h"

#include "extract/archive_pick.h"
#include "remote/key_layout.h"
#include "remote/listing.h"

namespace pbs::extract {

namespace {

Result<std::vector<std::uint8_t>> fetch_file(transfer::RequestInterface& requests, const remote::Remote& remote,
                                             const remote::RemoteSnapshot& snap, std::string_view name,
                                             std::uint64_t max_size) {
  std::string rel = remote::snapshot_file_rel_key(snap.ref, name);
  PBS_ASSIGN(s3::Response r, requests.execute(remote::remote_get(remote, rel, snap.version(name)),
                                              transfer::Sink::in_memory(max_size)));
  if (r.status != 200) return Error(Errc::remote, remote.key(rel) + ": missing remotely");
  return std::move(r.body);
}

}  // namespace

std::string SnapshotFiles::name() const {
  const auto& ns = snapshot->ref.group.ns;
  return (ns.is_root() ? "" : ns.name() + ":") + snapshot->ref.name();
}

Result<std::unique_ptr<SnapshotFiles>> open_snapshot(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                     const datastore::Namespace& ns, std::string_view spec) {
  auto slash = spec.rfind('/');
  auto group = datastore::parse_group(ns, spec.substr(0, slash == std::string_view::npos ? 0 : slash));
  if (!group) {
    return Error(Errc::invalid_argument, std::string(spec) + ": not a snapshot (TYPE/ID/TIME such as "
                                                             "vm/100/2026-11-01T02:00:00Z, or TYPE/ID/latest)");
  }
  auto out = std::make_unique<SnapshotFiles>();
  PBS_ASSIGN(out->catalog, remote::load_group_catalog(requests, remote, *group));
  PBS_ASSIGN(out->snapshot, pick_snapshot(out->catalog, ns, spec));
  const auto& ref = out->snapshot->ref;
  std::string key = remote.key(remote::snapshot_file_rel_key(ref, datastore::kManifestName));
  PBS_ASSIGN(auto blob, fetch_file(requests, remote, *out->snapshot, datastore::kManifestName,
                                   remote::kMaxManifestObjectSize));
  auto manifest = datastore::parse_manifest_blob(blob);
  if (!manifest) return std::move(manifest).error().context(key + ": damaged remotely");
  if (manifest->type != ref.group.type || manifest->id != ref.group.id || manifest->time != ref.time) {
    return Error(Errc::corrupt, key + ": damaged remotely: the manifest names another snapshot");
  }
  out->manifest = std::move(*manifest);
  return out;
}

Result<std::vector<std::uint8_t>> fetch_checked(transfer::RequestInterface& requests, const remote::Remote& remote,
                                                const SnapshotFiles& snap, const datastore::ManifestFile& entry) {
  PBS_ASSIGN(auto bytes, fetch_file(requests, remote, *snap.snapshot, entry.filename, remote::kMaxSnapshotFileSize));
  if (auto st = datastore::check_manifest_file(entry, bytes); !st) {
    return std::move(st).error().context(remote.key(remote::snapshot_file_rel_key(snap.snapshot->ref, entry.filename)) +
                                         ": damaged remotely");
  }
  return bytes;
}

}  // namespace pbs::extract
