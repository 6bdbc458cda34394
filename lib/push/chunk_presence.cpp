#include "push/chunk_presence.h"

#include <algorithm>
#include <vector>

#include "remote/key_layout.h"
#include "remote/listing.h"
#include "util/file_io.h"

namespace pbs::push {

using namespace datastore;

std::string_view presence_check_name(PresenceCheck check) {
  switch (check) {
    case PresenceCheck::put: return "conditional-put";
    case PresenceCheck::head:
    case PresenceCheck::head_all: return "head";
    case PresenceCheck::list:
    case PresenceCheck::full_list: return "list";
    case PresenceCheck::none: break;
  }
  return "none";
}

namespace {

// Digests of the indexes of `snapshots` (their local copies), but those in `except`. An unreadable
// index is left for the executor, which reports it when that snapshot is worked on.
void collect_digests(const Datastore& store, const std::vector<const datastore::LocalSnapshot*>& snapshots, DigestSet& out,
                     const DigestSet* except = nullptr) {
  for (const datastore::LocalSnapshot* s : snapshots) {
    (void)datastore::for_each_index(store, *s, [&](const std::vector<Digest>& digests) {
      for (const auto& d : digests) {
        if (!except || !except->contains(d)) out.insert(d);
      }
    });
  }
}

// What sending the candidates not found listed costs: one upload each (HEAD + PUT when asked
// about first).
PlanEstimate estimate_chunks(const Datastore& store, const DigestSet& candidates, const ChunkKnowledge& known,
                             std::size_t& sampled) {
  PlanEstimate e;
  ChunkSizes sizes(store);
  std::uint32_t rate = estimate_sample_rate(candidates.size() - known.present.size());
  std::uint64_t sample_bytes = 0;
  sampled = 0;
  candidates.for_each([&](const Digest& d) {
    if (known.present.contains(d)) return;
    ++e.objects;
    e.requests += known.head_first(d) ? 2 : 1;
    if (!in_estimate_sample(d, rate)) return;
    ++sampled;
    sample_bytes += sizes.size(d).value_or(0);
  });
  e.bytes = sampled == e.objects || sampled == 0 ? sample_bytes
                                                 : std::uint64_t(double(sample_bytes) * double(e.objects) / double(sampled));
  if (sampled == e.objects) sampled = 0;
  return e;
}

// Whether the prefix holds any chunk (one key listed).
Result<bool> holds_chunks(transfer::RequestInterface& requests, const remote::Remote& remote) {
  s3::ListOptions o;
  o.prefix = remote.key(remote::kChunksDir);
  o.max_keys = 1;
  PBS_ASSIGN(auto r, requests.execute(s3::list_objects(remote.bucket, o)));
  PBS_ASSIGN(auto page, s3::parse_list_page(r.body_text()));
  return !page.objects.empty();
}

}  // namespace

std::uint32_t estimate_sample_rate(std::size_t chunks) {
  std::uint32_t rate = 1;
  while (rate < 65536 && chunks / rate > kExactEstimateChunks) rate *= 2;
  return rate;
}

bool in_estimate_sample(const Digest& digest, std::uint32_t rate) {
  std::uint32_t low16 = std::uint32_t(digest[0]) << 8 | digest[1];
  return (low16 & (rate - 1)) == 0;
}

Result<ChunkPresence> find_chunk_presence(const Datastore& store, const Plan& plan, const remote::RemoteCatalog& catalog,
                                          const PresenceOptions& options, transfer::RequestInterface& requests,
                                          const remote::Remote& remote) {
  ChunkPresence out;
  std::vector<const datastore::LocalSnapshot*> uploading;
  for (const auto& w : plan.work) {
    if (w.chunks) uploading.push_back(w.snapshot);
  }
  if (uploading.empty()) return out;
  ChunkKnowledge& known = out.known;
  if (options.full) {
    // One sorted listing with sizes and flags: a million chunks stay tens of megabytes.
    known.check = PresenceCheck::full_list;
    PBS_ASSIGN(known.listing, remote::ChunkListing::list(requests, remote, {false, true}));
    for (const auto* s : plan.proven) {
      (void)datastore::for_each_index(store, *s, [&](const std::vector<Digest>& digests) {
        for (const auto& d : digests) {
          if (auto slot = known.listing.find(d)) known.listing.flags(*slot) |= kProvenChunk;
        }
      });
    }
    return out;
  }
  collect_digests(store, plan.proven, known.proven);
  // The chunks the uploading snapshots need that no complete snapshot proves.
  DigestSet candidates;
  collect_digests(store, uploading, candidates, &known.proven);
  if (candidates.empty()) return out;

  bool all_may_be_stored = (!options.conditional_put && !options.versioned) || options.unproven_may_be_stored;
  if (!all_may_be_stored && plan.proven.empty()) {
    PBS_ASSIGN(all_may_be_stored, holds_chunks(requests, remote));
  }
  if (!all_may_be_stored && options.versioned) {
    for (const auto& entry : catalog.snapshots()) {  // not a binding: clang 14 cannot capture those
      const SnapshotRef& ref = entry.first;
      bool accounted = std::any_of(uploading.begin(), uploading.end(), [&](const datastore::LocalSnapshot* s) { return s->ref == ref; });
      if (!entry.second.complete() && !accounted) all_may_be_stored = true;
    }
  }
  DigestSet maybe;  // unless all: the candidates of snapshots stored incompletely remotely
  if (!all_may_be_stored) {
    std::vector<const datastore::LocalSnapshot*> leftovers;
    for (const auto* s : uploading) {
      const remote::RemoteSnapshot* r = catalog.snapshot(s->ref);
      if (r) leftovers.push_back(s);  // incomplete, or complete but sent again: much of it is stored
    }
    collect_digests(store, leftovers, maybe, &known.proven);
  }
  std::size_t to_ask = all_may_be_stored ? candidates.size() : maybe.size();
  if (to_ask > 16 + (known.proven.size() + candidates.size()) / 1000) {
    known.check = PresenceCheck::list;
    // Only what this run may send is kept of the listing: memory follows the night's work.
    PBS_TRY(remote::list_remote(requests, remote, remote::kChunksDir, true, [&](std::string_view rel, const s3::ObjectInfo& o) {
      auto d = remote::parse_chunk_key(rel.substr(remote::kChunksDir.size()));
      if (!d || !candidates.contains(*d)) return;
      known.present.insert(*d);
      known.listed_mtime.emplace(*d, o.last_modified);
    }));
  } else if (to_ask == 0) {
    known.check = PresenceCheck::put;
  } else {
    known.check = all_may_be_stored ? PresenceCheck::head_all : PresenceCheck::head;
    known.ask_first = std::move(maybe);
  }
  if (options.estimate) out.estimate = estimate_chunks(store, candidates, known, out.estimate_sampled);
  return out;
}

}  // namespace pbs::push
