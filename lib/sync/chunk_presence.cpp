#include "sync/chunk_presence.h"

#include <vector>

#include "sync/remote_layout.h"
#include "sync/remote_listing.h"
#include "util/file_io.h"

namespace pbs::sync {

using namespace datastore;

std::string_view chunk_check_name(ChunkCheck check) {
  switch (check) {
    case ChunkCheck::head: return "head";
    case ChunkCheck::list: return "list";
    case ChunkCheck::none: break;
  }
  return "none";
}

namespace {

// Digests of the indexes of `snapshots` (their local copies). An unreadable index is left for the
// executor, which reports it when that snapshot is worked on.
void collect_digests(const Datastore& store, const std::vector<const LocalSnapshot*>& snapshots, DigestSet& out) {
  for (const LocalSnapshot* s : snapshots) {
    for (const auto& f : s->manifest.files) {
      auto kind = snapshot_file_kind(f.filename);
      if (!kind || !is_index_kind(*kind)) continue;
      auto ix = store.read_index(s->ref, f.filename);
      if (!ix) continue;
      for (const auto& d : ix->digests) out.insert(d);
    }
  }
}

// A dry run's count: each needed chunk not known present is one upload (HEAD + PUT unless listed).
PlanEstimate estimate_chunks(const Datastore& store, const DigestSet& needed, const ChunkKnowledge& known) {
  PlanEstimate e;
  needed.for_each([&](const Digest& d) {
    if (known.present.contains(d)) return;
    auto st = stat_path(store.chunk_path(d));
    ++e.objects;
    e.bytes += st && *st ? (*st)->size : 0;
    e.requests += known.listed ? 1 : 2;
  });
  return e;
}

}  // namespace

Result<ChunkPresence> find_chunk_presence(const Datastore& store, const Plan& plan, bool full, bool estimate,
                                          transfer::RequestInterface& requests, const Remote& remote) {
  ChunkPresence out;
  std::vector<const LocalSnapshot*> uploading;
  for (const auto& w : plan.work) {
    if (w.chunks) uploading.push_back(w.snapshot);
  }
  if (uploading.empty()) return out;
  ChunkKnowledge& known = out.known;
  collect_digests(store, plan.proven, known.proven);

  auto list = [&](bool sizes) {
    known.listed = true;
    out.check = ChunkCheck::list;
    return list_remote(requests, remote, kChunksDir, true, [&](std::string_view rel, const s3::ObjectInfo& o) {
      auto d = parse_chunk_key(rel.substr(kChunksDir.size()));
      if (!d) return;
      known.present.insert(*d);
      if (sizes) {
        known.sizes[std::string(rel)] = o.size;
      } else if (!known.proven.contains(*d)) {
        known.listed_mtime[std::string(rel)] = o.last_modified;
      }
    });
  };
  if (full) {
    PBS_TRY(list(true));
    return out;
  }
  known.proven.for_each([&](const Digest& d) { known.present.insert(d); });
  DigestSet needed;
  collect_digests(store, uploading, needed);
  std::size_t candidates = 0;
  needed.for_each([&](const Digest& d) { candidates += !known.present.contains(d); });
  std::size_t list_cost = 16 + (known.present.size() + candidates) / 1000;
  if (candidates > list_cost) {
    PBS_TRY(list(false));
  } else {
    out.check = candidates ? ChunkCheck::head : ChunkCheck::none;
  }
  if (estimate) out.estimate = estimate_chunks(store, needed, known);
  return out;
}

}  // namespace pbs::sync
