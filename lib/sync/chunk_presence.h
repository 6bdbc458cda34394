#pragma once
// Which chunks a sync has to look for remotely, and how it looks. Chunks referenced by snapshots
// complete remotely are stored: their manifest went up only after every chunk it names was
// confirmed (see sync_executor.h), and gc keeps what a complete snapshot references. The rest are
// checked by HEAD one by one when they are few, or by one listing of `.chunks/` (16 parallel
// listings, a request per 1000 objects) when that costs fewer requests. Full mode always lists,
// with sizes, to repair chunks that differ.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "datastore/datastore.h"
#include "datastore/digest_set.h"
#include "sync/remote.h"
#include "sync/sync_plan.h"
#include "transfer/request_interface.h"

namespace pbs::sync {

// What is known about remote chunks before uploading.
struct ChunkKnowledge {
  datastore::DigestSet present;  // stored remotely (proven by complete snapshots, or listed)
  datastore::DigestSet proven;   // referenced by a complete remote snapshot: gc keeps them
  bool listed = false;           // `present` holds the whole remote .chunks/ listing
  // Last-Modified of listed chunks not proven (incremental list mode): old ones get touched.
  std::unordered_map<std::string, std::int64_t> listed_mtime;  // chunk key rel -> epoch
  // Full mode: remote sizes, to repair chunks that differ from the local file.
  std::unordered_map<std::string, std::uint64_t> sizes;  // key rel -> size

  bool full_listing() const { return listed && !sizes.empty(); }
};

enum class ChunkCheck { none, head, list };
std::string_view chunk_check_name(ChunkCheck check);

struct ChunkPresence {
  ChunkKnowledge known;
  ChunkCheck check = ChunkCheck::none;
  PlanEstimate estimate;  // with `estimate`: the chunks' share of a dry run's estimate
};

// Reads the local indexes of the plan's snapshots (complete remotely: proven; others: needed) and
// lists `.chunks/` when that is the cheaper check (always in full mode).
Result<ChunkPresence> find_chunk_presence(const datastore::Datastore& store, const Plan& plan, bool full,
                                          bool estimate, transfer::RequestInterface& requests,
                                          const Remote& remote);

}  // namespace pbs::sync
