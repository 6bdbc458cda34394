#pragma once
// What gc deletes, decided once for plain and versioned buckets alike from each key's history
// (remote/key_history.h: in a plain bucket a key's only version, in a versioned one its versions
// and delete markers, where deleting a key would only hide it and free nothing):
// - a chunk no complete snapshot references: every version and marker, once the newest is older
//   than the grace period (default 24h05m, PBS's);
// - a referenced chunk: noncurrent versions that are copies of the current one (same ETag) past
//   the grace; a referenced chunk whose current version is a delete marker is left whole (an
//   attack or a mistake: restore --point-in-time needs it) and reported;
// - under `.cnt/`: every version of a key hidden by a delete marker older than the grace (a
//   snapshot removed by --remove-vanished), and the files of incomplete snapshots (no manifest)
//   older than the grace.
// What is referenced comes from the snapshots as the newest real version of each `.cnt/` key
// says, so a manifest hidden by a marker younger than the grace still keeps its chunks (a
// --remove-vanished of yesterday, or an attack: restore --point-in-time still works).
// The server refuses versions still under Object Lock retention (AccessDenied per key): they
// stay, are counted, and a later gc removes them. Noncurrent versions of live `.cnt/` keys
// (older manifests) are left to the bucket's NoncurrentVersionExpiration rule.

#include <cstdint>
#include <string>
#include <vector>

#include "gc/gc_summary.h"
#include "gc/min_storage.h"
#include "remote/catalog.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::gc {

struct Doomed {
  std::vector<std::string> keys;         // full keys
  std::vector<std::string> version_ids;  // one per key ("" in a plain bucket)
  std::int64_t newest = 0;               // the latest Last-Modified among them, for what stays locked
};

// The files (keys relative to the prefix) of snapshots without a manifest whose newest file is
// older than `cutoff`; counts removed and kept ones.
std::vector<std::string> incomplete_snapshot_keys(const remote::RemoteCatalog& catalog, std::int64_t cutoff,
                                                  GcSummary& summary);

// Lists `.cnt/` (the snapshots, which decide what is referenced) and `.chunks/`, and says which
// versions go. A chunk version still inside its class's minimum storage duration stays (with
// every version of its key), counted.
Status decide_deletions(transfer::RequestInterface& requests, const remote::Remote& remote, std::int64_t cutoff,
                        const MinStorage& minimum, bool versioned, GcSummary& summary, Doomed& out);

}  // namespace pbs::gc
