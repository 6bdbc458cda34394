#include "datastore/inventory.h"

#include "datastore/digest_set.h"
#include "util/file_io.h"

namespace pbs::datastore {

Result<Inventory> build_inventory(const Datastore& store, const InventoryOptions& options) {
  Inventory inv;
  inv.root = store.root();
  DigestSet chunks;

  WalkVisitor visitor;
  visitor.on_namespace = [&](const Namespace& ns) -> Status {
    inv.namespaces.push_back(ns);
    return {};
  };
  visitor.on_group = [&](const GroupRef& group, std::vector<SnapshotInfo>&& snaps) -> Status {
    GroupSummary g;
    g.ref = group;
    PBS_ASSIGN(g.owner, store.owner(group));
    PBS_ASSIGN(auto notes, stat_path(store.path(group.rel_dir() + "/notes")));
    g.has_notes = notes.has_value();
    for (const auto& snap : snaps) {
      if (!snap.finished) {
        ++g.unfinished;
        continue;
      }
      auto manifest = store.read_manifest(snap.ref);
      if (!manifest) {
        inv.problems.push_back(manifest.error().message());
        continue;
      }
      SnapshotSummary s;
      s.ref = snap.ref;
      s.is_protected = snap.is_protected;
      s.encrypted = manifest->encrypted();
      s.verify_state = manifest->verify_state();
      for (const auto& f : manifest->files) {
        s.files.push_back(f.filename);
        auto kind = snapshot_file_kind(f.filename);
        if (!kind || !is_index_kind(*kind)) continue;
        auto index = store.read_index(snap.ref, f.filename);
        if (!index) {
          inv.problems.push_back(index.error().message());
          continue;
        }
        s.logical_size += index->size;
        s.chunk_refs += index->chunk_count();
        for (const auto& d : index->digests) chunks.insert(d);
      }
      inv.logical_bytes += s.logical_size;
      g.snapshots.push_back(std::move(s));
    }
    inv.snapshots += g.snapshots.size();
    inv.unfinished_snapshots += g.unfinished;
    inv.groups.push_back(std::move(g));
    return {};
  };
  PBS_TRY(store.walk(options.anchor, options.max_depth, visitor));

  Status st;
  chunks.for_each([&](const Digest& d) {
    if (!st) return;
    auto s = stat_path(store.chunk_path(d));
    if (!s) {
      st = std::move(s).error();
      return;
    }
    if (*s && (*s)->is_regular && (*s)->size > 0) {
      ++inv.unique_chunks;
      inv.unique_chunk_bytes += (*s)->size;
    } else {
      ++inv.missing_chunks;
    }
  });
  if (!st) return std::move(st).error();
  return inv;
}

}  // namespace pbs::datastore
