#pragma once
// What a sync run did, as plain data: the report module prints it (text, JSON, metrics).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bill/price_table.h"
#include "run/run_outcome.h"
#include "transfer/counters.h"

namespace pbs::push {

struct SyncSummary {
  std::string datastore;
  std::string target;  // s3://bucket/prefix
  std::string mode;    // incremental | full
  bool dry_run = false;
  std::optional<bill::PriceTable> prices;  // the target's: what the run cost
  std::string chunk_class;                 // STORAGE_CLASS of the chunks ("" STANDARD)

  std::size_t snapshots_in_scope = 0;     // finished local snapshots after filters
  std::size_t snapshots_uploaded = 0;     // completed remotely by this run
  std::size_t snapshots_unchanged = 0;    // already complete, nothing to do
  std::size_t snapshots_updated = 0;      // complete, mutable files refreshed or repaired
  std::size_t snapshots_failed = 0;
  std::size_t snapshots_vanished = 0;     // pruned locally during the run
  std::size_t snapshots_removed = 0;      // --remove-vanished
  std::size_t snapshots_not_removed = 0;  // over --max-delete
  std::size_t snapshots_unfinished = 0;   // local, not finished: skipped

  std::size_t chunks_checked = 0;        // unique chunks not proven present by a complete snapshot
  std::size_t chunks_uploaded = 0;
  std::size_t chunks_present = 0;        // found remotely (listing, HEAD or 412)
  std::size_t chunks_touched = 0;        // reused old chunks renewed against gc (server-side copy)
  std::size_t chunks_reuploaded = 0;     // deleted by a concurrent gc, sent again before the manifest
  std::uint64_t chunk_bytes_uploaded = 0;
  std::size_t files_uploaded = 0;        // indexes, blobs, manifests, owner, notes, markers
  std::uint64_t file_bytes_uploaded = 0;
  std::size_t objects_deleted = 0;
  std::uint64_t logical_bytes = 0;       // logical size of the snapshots completed by this run
  std::string chunk_check;               // none | conditional-put | head | list (chunk_presence.h)
  bool versioned = false;                // the bucket keeps versions: If-None-Match not relied on

  // Encryption (encrypted_view.h): empty fingerprint when the run does not encrypt.
  std::string key_fingerprint;           // the short form, as PBS logs it
  std::size_t encrypted_snapshots = 0;   // encrypted by this run (new or changed)
  std::size_t encrypt_chunks_read = 0;   // plain chunks read to learn their encrypted names
  std::uint64_t encrypt_bytes_read = 0;
  std::size_t encrypt_chunks_named = 0;  // named by remote indexes, not read

  // Object Lock (object_lock.h): empty mode when the run does not lock.
  std::string lock_mode;
  unsigned lock_days = 0;
  std::int64_t lock_until = 0;           // retain-until of this run's writes
  bool retention_pass = false;           // extended what complete snapshots need
  std::size_t retention_extended = 0;    // objects (dry run: would be)
  std::size_t retention_failures = 0;
  std::int64_t retention_covered_until = 0;
  // The prefix's retention record says it is locked and this run does not lock: what it says
  // ("GOVERNANCE for 30 days"), empty otherwise; `lock_off` when that was asked for.
  std::string lock_lapsed;
  bool lock_off = false;

  // --dry-run: what would be sent.
  std::size_t planned_objects = 0;
  std::uint64_t planned_bytes = 0;
  std::size_t planned_requests = 0;

  unsigned parallelism = 0;
  std::string parallelism_source;  // --parallelism | MAX_WORKERS | default
  std::uint64_t bandwidth_limit = 0;  // in force at the start; 0: none
  std::string bandwidth_timetable;    // the timetable, when one was given
  double requests_per_second = 0;     // --tps-limit; 0: none
  transfer::Counters counters;
  double duration = 0;
  std::vector<run::ObjectError> errors;
  std::vector<std::string> notices;
  std::vector<std::string> warnings;

  double dedup_ratio() const {
    std::uint64_t sent = chunk_bytes_uploaded + file_bytes_uploaded;
    return sent ? double(logical_bytes) / double(sent) : 0.0;
  }
  double throughput() const {  // bytes sent per second
    return duration > 0 ? double(counters.bytes_up) / duration : 0.0;
  }
  bool complete() const { return snapshots_failed == 0 && errors.empty(); }
  run::RunOutcome outcome;
};

}  // namespace pbs::push
