#pragma once
// Retention that follows the data. Every object a locked run
// writes carries the mode and a retain-until of the run's start + N days. What keeps objects
// still needed locked without a HEAD per object and without a state file on the host is the
// record `<prefix>/.pbs-s3sync/retention`: its `covered-until` is a time up to which every object
// of every complete remote snapshot (its files, its chunks, its group's files) is locked. It
// stays true by construction: a run into an empty prefix records start + N before writing
// anything, and everything written after that is locked at least as long; when `covered-until`
// comes within a margin (SYNC_INTERVAL + 1 day) of now, one pass extends every such object to
// now + N (one PutObjectRetention each) and only then moves the record. Chunks a run reuses
// without a complete snapshot proving them (leftovers of an interrupted run) are extended as they
// are reused. Objects no complete snapshot needs are not extended, and run out; gc then removes
// their versions.
//
// Cost: one pass every N - margin days, one request per object of the complete snapshots: for a
// datastore of C chunks and F snapshot files, (C + F) / (N - margin) requests a night on average.
//
// Versioned buckets (locked or not) ignore If-None-Match on radosgw, which stores a new version
// instead of answering 412: a run into one never relies on it (push/chunk_presence.h lists or asks).

#include <cstdint>
#include <string>
#include <vector>

#include "remote/catalog.h"
#include "remote/remote.h"
#include "retention/lock_policy.h"
#include "retention/retention_extension.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::retention {

struct RetentionReport : ExtensionCounts {
  bool pass = false;               // a pass ran (dry run: would run); `objects`: extended (dry run: to extend)
  std::string reason;              // why it ran
  std::int64_t covered_until = 0;  // what the record says after this run
  std::vector<std::string> unreadable;  // manifests or indexes of complete snapshots that could not be read
};

// Reads the record and extends what needs it (see above). `start` is the run's start by the
// server's clock: the retain-until of this run's PUTs is start + N. Failures of single objects
// (a chunk gone remotely) are reported and leave the record where it was, so the next run tries
// again; a refusal of the target stops the run. `encrypted`: the prefix's key record is extended
// too: without it the snapshots cannot be decrypted.
Result<RetentionReport> keep_retention(transfer::RequestInterface& requests, const remote::Remote& remote,
                                       const LockPolicy& policy, const remote::RemoteCatalog& catalog,
                                       std::int64_t start, bool dry_run, bool encrypted = false);

}  // namespace pbs::retention
