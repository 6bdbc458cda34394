#pragma once
// S3 Object Lock on a target, and retention that follows the data. Every object a locked run
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
// instead of answering 412: a run into one never relies on it (chunk_presence lists or asks).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3/request.h"
#include "sync/remote.h"
#include "sync/remote_catalog.h"
#include "transfer/request_interface.h"
#include "util/result.h"

namespace pbs::sync {

inline constexpr std::string_view kRetentionKey = ".pbs-s3sync/retention";
inline constexpr std::int64_t kDay = 86400;

struct LockPolicy {
  std::string mode;                // GOVERNANCE or COMPLIANCE
  unsigned days = 0;
  std::int64_t sync_interval = kDay;  // how often runs come (SYNC_INTERVAL)

  std::int64_t period() const { return std::int64_t(days) * kDay; }
  // A pass runs when `covered-until` is closer than this: the next run may come an interval
  // late, plus a day of slack.
  std::int64_t margin() const { return sync_interval + kDay; }
};
// kopia's rule: N at least twice the interval plus a day, so that retention never runs out
// between two runs even when one is missed.
Status check_lock_policy(const LockPolicy& policy);

// Not an error, but costly: a retention so short that nearly every run is a pass. "" when fine.
std::string lock_policy_warning(const LockPolicy& policy);

// The bucket's Object Lock configuration; a bucket without it is Errc::config, with how to make
// one.
Status check_bucket_lock(transfer::RequestInterface& requests, const Remote& remote);
// Versioning enabled or suspended (a suspended bucket keeps its old versions). A bucket that may
// not be asked (403) or a provider without versioning (405, 501) counts as unversioned.
Result<bool> bucket_versioned(transfer::RequestInterface& requests, const Remote& remote);

struct RetentionRecord {
  std::string mode;
  unsigned days = 0;
  std::int64_t covered_until = 0;
  std::int64_t extended_at = 0;  // when the last pass ran (0: never: the prefix was empty)
};
Result<RetentionRecord> parse_retention_record(std::string_view text);
std::string format_retention_record(const RetentionRecord& record);
// nullopt when there is none, or it does not parse (a pass makes it good again).
Result<std::optional<RetentionRecord>> read_retention_record(transfer::RequestInterface& requests,
                                                             const Remote& remote);

struct RetentionReport {
  bool pass = false;           // a pass ran (dry run: would run)
  std::string reason;          // why it ran
  std::size_t objects = 0;     // extended (dry run: to extend)
  std::size_t failures = 0;       // refused: the record stays, the next run tries again
  std::size_t missing = 0;        // needed by a complete snapshot but gone remotely
  std::size_t already_longer = 0;  // refused, but locked at least as long already
  std::size_t hidden = 0;         // its current version a delete marker: the last real one extended
  std::int64_t covered_until = 0;  // what the record says after this run
  std::vector<std::string> errors;  // the first few failures, each naming its object
  std::vector<std::string> unreadable;  // manifests or indexes of complete snapshots that could not be read
};

// Reads the record and extends what needs it (see above). `start` is the run's start by the
// server's clock: the retain-until of this run's PUTs is start + N. Failures of single objects
// (a chunk gone remotely) are reported and leave the record where it was, so the next run tries
// again; a refusal of the target stops the run. `encrypted`: the prefix's key record
// (prefix_key.h) is extended too: without it the snapshots cannot be decrypted.
Result<RetentionReport> keep_retention(transfer::RequestInterface& requests, const Remote& remote,
                                       const LockPolicy& policy, const RemoteCatalog& catalog, std::int64_t start,
                                       bool dry_run, bool encrypted = false);

}  // namespace pbs::sync
