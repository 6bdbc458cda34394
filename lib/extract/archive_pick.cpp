#include "extract/archive_pick.h"

#include <algorithm>
#include <array>
#include <vector>

namespace pbs::extract {

using datastore::kManifestName;

namespace {

// The newest few snapshots of a group, for the message that says the asked one is not there.
std::string group_snapshots(const remote::RemoteCatalog& catalog, const datastore::GroupRef& group) {
  std::vector<std::string> times;
  for (const auto& [ref, snap] : catalog.snapshots()) {
    if (ref.group == group && snap.complete()) times.push_back(ref.time_string());
  }
  if (times.empty()) return "the bucket holds no complete snapshot of " + group.name();
  std::string out = "its complete snapshots: ";
  constexpr std::size_t kShown = 5;
  std::size_t from = times.size() > kShown ? times.size() - kShown : 0;
  if (from > 0) out += "(" + std::to_string(from) + " older) ";
  for (std::size_t i = from; i < times.size(); ++i) out += (i > from ? ", " : "") + times[i];
  return out;
}

}  // namespace

Result<const remote::RemoteSnapshot*> pick_snapshot(const remote::RemoteCatalog& catalog, const datastore::Namespace& ns,
                                                    std::string_view spec) {
  auto slash = spec.rfind('/');
  if (slash != std::string_view::npos && spec.substr(slash + 1) == "latest") {
    PBS_ASSIGN(datastore::GroupRef group, datastore::parse_group(ns, spec.substr(0, slash)));
    const remote::RemoteSnapshot* newest = nullptr;
    for (const auto& [ref, snap] : catalog.snapshots()) {
      if (ref.group == group && snap.complete()) newest = &snap;  // the map is in time order
    }
    if (!newest) return Error(Errc::invalid_argument, group_snapshots(catalog, group));
    return newest;
  }
  auto ref = datastore::parse_snapshot(ns, spec);
  if (!ref) {
    return Error(Errc::invalid_argument, std::string(spec) + ": not a snapshot (TYPE/ID/TIME such as "
                                         "vm/100/2026-11-01T02:00:00Z, or TYPE/ID/latest): " + ref.error().message());
  }
  const remote::RemoteSnapshot* snap = catalog.snapshot(*ref);
  if (!snap) return Error(Errc::invalid_argument, ref->name() + ": no such snapshot remotely; " + group_snapshots(catalog, ref->group));
  if (!snap->complete()) {
    return Error(Errc::invalid_argument, ref->name() + ": not complete remotely (no manifest: a sync did not finish it); " +
                                             group_snapshots(catalog, ref->group));
  }
  return snap;
}

Result<const datastore::ManifestFile*> pick_archive(const datastore::Manifest& manifest, std::string_view archive) {
  // As PBS names archives (drive-scsi0.img, root.pxar), and the last word spared (drive-scsi0, root).
  static constexpr std::array<std::string_view, 6> kSuffixes{"", ".fidx", ".didx", ".blob", ".img.fidx", ".pxar.didx"};
  if (archive != kManifestName) {
    for (auto suffix : kSuffixes) {
      if (const auto* file = manifest.find(std::string(archive) + std::string(suffix))) return file;
    }
  }
  return Error(Errc::invalid_argument, std::string(archive) + ": no such archive in the snapshot; it has: " +
                                           describe_archives(manifest));
}

std::string describe_archives(const datastore::Manifest& manifest) {
  std::string out;
  for (const auto& f : manifest.files) {
    if (f.filename == kManifestName) continue;
    out += (out.empty() ? "" : ", ") + f.filename;
  }
  return out.empty() ? "no archives" : out;
}

}  // namespace pbs::extract
