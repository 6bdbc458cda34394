#pragma once
// Which chunks a sync has to look for remotely, and how it looks. Chunks referenced by snapshots
// complete remotely are stored: their manifest went up only after every chunk it names was
// confirmed (see sync_executor.h), and gc keeps what a complete snapshot references. The rest are,
// on a normal night, new: they are sent at once with If-None-Match (one request each; 412 says one
// was stored after all). Chunks with evidence that they may be stored already are checked first:
// those of snapshots stored incompletely remotely (an interrupted run uploads a snapshot's indexes
// before its chunks), and all of them in a prefix that holds chunks but no complete snapshot to go
// by (a first run into a used prefix) or when the provider has no conditional PUT. They are
// checked by HEAD one by one when they are few, or by one listing of `.chunks/` (16 parallel
// listings, a request per 1000 objects) when that costs fewer requests. Full mode always lists,
// with sizes, to repair chunks that differ.

#include <cstdint>
#include <string>
#include <string_view>

#include "datastore/datastore.h"
#include "datastore/digest_map.h"
#include "datastore/digest_set.h"
#include "push/sync_plan.h"
#include "remote/catalog.h"
#include "remote/chunk_listing.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"

namespace pbs::push {

// Flags of a chunk in ChunkKnowledge::listing (full mode).
inline constexpr std::uint8_t kProvenChunk = 1;   // a complete remote snapshot references it
inline constexpr std::uint8_t kCheckedChunk = 2;  // this run found it stored with the local file's size

// How the run looks for its chunks remotely.
enum class PresenceCheck {
  none,       // nothing to check
  put,        // conditional PUT straight away
  head,       // HEAD first for the chunks in `ask_first`, the others straight up
  head_all,   // HEAD first for every chunk
  list,       // the `.chunks/` listing: `present` and `proven` are all there is
  full_list,  // full mode: every listed chunk in `listing`, checked against the local file
};
// As the summary and JSON name it: none, conditional-put, head or list.
std::string_view presence_check_name(PresenceCheck check);

// What is known about remote chunks before uploading. Each digest is held once: a million chunks
// cost tens of megabytes, not hundreds.
struct ChunkKnowledge {
  PresenceCheck check = PresenceCheck::none;
  // Referenced by a complete remote snapshot: gc keeps them (full mode keeps the mark in `listing`).
  datastore::DigestSet proven;
  datastore::DigestSet present;    // listed remotely and not proven (list)
  datastore::DigestSet ask_first;  // head: the chunks that may well be stored already
  // Last-Modified (epoch) of the `present` chunks: old ones get touched against gc.
  datastore::DigestMap<std::int64_t> listed_mtime;
  // full_list: every listed chunk with its size, to repair chunks that differ from the local file;
  // flags kProvenChunk and kCheckedChunk.
  remote::ChunkListing listing;

  bool full() const { return check == PresenceCheck::full_list; }
  // Stored remotely, as far as the run knows without asking (not in full mode, which checks).
  bool stored(const Digest& d) const { return !full() && (proven.contains(d) || present.contains(d)); }
  bool is_proven(const Digest& d) const {
    if (!full()) return proven.contains(d);
    auto slot = listing.find(d);
    return slot && (listing.flags(*slot) & kProvenChunk);
  }
  // Asked about with HEAD before it is sent.
  bool head_first(const Digest& d) const {
    return check == PresenceCheck::head_all || (check == PresenceCheck::head && ask_first.contains(d));
  }
};

struct ChunkPresence {
  ChunkKnowledge known;
  PlanEstimate estimate;  // with `estimate`: the chunks' share of what the run sends (not in full mode)
  std::size_t estimate_sampled = 0;  // the bytes extrapolated from this many chunks' sizes (0: all read)
};

struct PresenceOptions {
  bool full = false;
  bool conditional_put = true;   // the provider takes If-None-Match (IF_NONE_MATCH)
  // The bucket keeps versions: a chunk sent again would be a second version, and If-None-Match is
  // not relied on there. New chunks still go up at once, but only without evidence of stored ones
  // (as below, and: an incomplete remote snapshot that no local one accounts for).
  bool versioned = false;
  // Count what would be sent, bytes too: for a dry run or the progress total.
  bool estimate = false;
  // Every chunk no complete snapshot proves may be stored: looked for before it is sent.
  bool unproven_may_be_stored = false;
};

// The bytes of the chunks to send come from a stat of each, up to kExactEstimateChunks of them;
// beyond, from a stat of 1 in estimate_sample_rate(n), chosen by digest (uniform, so the sample is
// an unbiased one): ten million stats would cost more than the rest of a plan.
inline constexpr std::size_t kExactEstimateChunks = 131072;
std::uint32_t estimate_sample_rate(std::size_t chunks);
bool in_estimate_sample(const Digest& digest, std::uint32_t rate);

// Reads the local indexes of the plan's snapshots (complete remotely: proven; others: needed) and
// chooses the check (above); lists `.chunks/` when that is the one (always in full mode).
Result<ChunkPresence> find_chunk_presence(const datastore::Datastore& store, const Plan& plan,
                                          const remote::RemoteCatalog& catalog, const PresenceOptions& options,
                                          transfer::RequestInterface& requests, const remote::Remote& remote);

}  // namespace pbs::push
