#include "sync/chunk_presence.h"

#include <vector>

#include "sync/remote_layout.h"
#include "sync/remote_listing.h"
#include "util/file_io.h"

namespace pbs::sync {

using namespace datastore;

std::string_view chunk_check_name(ChunkCheck check) {
  switch (check) {
    case ChunkCheck::put: return "conditional-put";
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

// A dry run's count: each needed chunk not known present is one upload (HEAD + PUT when asked first).
PlanEstimate estimate_chunks(const Datastore& store, const DigestSet& needed, const ChunkKnowledge& known) {
  PlanEstimate e;
  needed.for_each([&](const Digest& d) {
    if (known.present.contains(d)) return;
    auto st = stat_path(store.chunk_path(d));
    ++e.objects;
    e.bytes += st && *st ? (*st)->size : 0;
    e.requests += !known.listed && (known.ask_all || known.ask_first.contains(d)) ? 2 : 1;
  });
  return e;
}

// Whether the prefix holds any chunk (one key listed).
Result<bool> holds_chunks(transfer::RequestInterface& requests, const Remote& remote) {
  s3::ListOptions o;
  o.prefix = remote.key(kChunksDir);
  o.max_keys = 1;
  PBS_ASSIGN(auto r, requests.execute(s3::list_objects(remote.bucket, o)));
  PBS_ASSIGN(auto page, s3::parse_list_page(r.body_text()));
  return !page.objects.empty();
}

}  // namespace

Result<ChunkPresence> find_chunk_presence(const Datastore& store, const Plan& plan, const RemoteCatalog& catalog,
                                          const PresenceOptions& options, transfer::RequestInterface& requests,
                                          const Remote& remote) {
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
  if (options.full) {
    PBS_TRY(list(true));
    return out;
  }
  known.proven.for_each([&](const Digest& d) { known.present.insert(d); });
  DigestSet needed;
  collect_digests(store, uploading, needed);
  DigestSet candidates;  // needed, not known present
  needed.for_each([&](const Digest& d) {
    if (!known.present.contains(d)) candidates.insert(d);
  });
  if (candidates.empty()) {
    out.check = ChunkCheck::none;
  } else {
    bool all_may_be_stored = !options.conditional_put;
    if (!all_may_be_stored && plan.proven.empty()) {
      PBS_ASSIGN(all_may_be_stored, holds_chunks(requests, remote));
    }
    std::vector<const LocalSnapshot*> leftovers;  // stored incompletely remotely
    for (const auto* s : uploading) {
      const RemoteSnapshot* r = catalog.snapshot(s->ref);
      if (r && !r->complete()) leftovers.push_back(s);
    }
    DigestSet maybe;
    if (all_may_be_stored) {
      maybe = candidates;
    } else {
      DigestSet theirs;
      collect_digests(store, leftovers, theirs);
      theirs.for_each([&](const Digest& d) {
        if (candidates.contains(d)) maybe.insert(d);
      });
    }
    if (maybe.size() > 16 + (known.present.size() + candidates.size()) / 1000) {
      PBS_TRY(list(false));
    } else if (maybe.empty()) {
      out.check = ChunkCheck::put;
    } else {
      out.check = ChunkCheck::head;
      known.ask_all = all_may_be_stored;
      if (!all_may_be_stored) known.ask_first = std::move(maybe);
    }
  }
  out.estimate = estimate_chunks(store, needed, known);
  return out;
}

}  // namespace pbs::sync
