#include "datastore/local_scan.h"

#include <algorithm>

#include "util/file_io.h"

namespace pbs::datastore {

Result<LocalScan> scan_local(const Datastore& store, const ScanOptions& options) {
  LocalScan scan;
  WalkVisitor v;
  v.on_namespace = [&](const Namespace& ns) -> Status {
    scan.namespaces.push_back(ns);
    return {};
  };
  v.on_group = [&](const GroupRef& group, std::vector<SnapshotInfo>&& snaps) -> Status {
    if (!group_selected(options.filters, group)) return {};
    LocalGroup g;
    g.ref = group;
    PBS_ASSIGN(auto owner, stat_path(store.path(group.rel_dir() + "/owner")));
    PBS_ASSIGN(auto notes, stat_path(store.path(group.rel_dir() + "/notes")));
    g.has_owner = owner && owner->is_regular;
    g.has_notes = notes && notes->is_regular;
    std::vector<LocalSnapshot> selected;
    for (auto& s : snaps) {
      g.all_times.insert(s.ref.time);
      if (!s.finished) {
        ++scan.unfinished;
        continue;
      }
      auto manifest = store.read_manifest(s.ref);
      if (!manifest) {
        if (manifest.error().code() == Errc::not_found) continue;  // pruned while we looked
        scan.problems.push_back({s.ref.rel_dir(), manifest.error().message()});
        continue;
      }
      if ((options.encrypted_only && !manifest->encrypted()) ||
          (options.verified_only && manifest->verify_state() != std::optional<std::string>("ok"))) {
        ++scan.filtered;
        continue;
      }
      selected.push_back(LocalSnapshot{s.ref, std::move(s.files), std::move(*manifest), s.is_protected});
    }
    if (options.transfer_last && selected.size() > *options.transfer_last) {
      std::size_t drop = selected.size() - *options.transfer_last;
      scan.filtered += drop;
      selected.erase(selected.begin(), selected.begin() + long(drop));
    }
    g.snapshots = std::move(selected);
    scan.groups.push_back(std::move(g));
    return {};
  };
  PBS_TRY(store.walk(options.anchor, options.max_depth, v));
  return scan;
}

std::optional<IndexFault> for_each_index(const Datastore& store, const LocalSnapshot& snapshot,
                                         const std::function<void(const std::vector<Digest>&)>& each) {
  for (const auto& f : snapshot.manifest.files) {
    auto kind = snapshot_file_kind(f.filename);
    if (!kind || !is_index_kind(*kind)) continue;
    auto ix = store.read_index(snapshot.ref, f.filename);
    if (!ix) return IndexFault{f.filename, std::move(ix).error()};
    each(ix->digests);
  }
  return std::nullopt;
}

}  // namespace pbs::datastore
