#pragma once
// `pbs-s3sync gc TARGET`: deletes chunk objects that no complete remote snapshot references and
// that are older than the grace period (default 24h05m, PBS's), and the leftovers of snapshots
// that never completed (no manifest) once they are older than the grace period too.
//
// Interlock with sync (which may run on another host): gc publishes a lease in
// `.pbs-s3sync/gc-state` before it lists anything and records when it finished. sync "touches"
// (server-side copy onto itself) every old chunk it reuses without uploading, so the grace period
// protects it, and before writing a manifest that relies on reused chunks it reads gc-state: a
// running gc makes it leave that snapshot for the next run; a gc that finished after the reuse
// makes it check those chunks again (and upload what is gone). A never-complete snapshot never
// names a deleted chunk.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sync/remote.h"
#include "sync/run_outcome.h"
#include "transfer/counters.h"
#include "transfer/request_interface.h"

namespace pbs::sync {

inline constexpr std::int64_t kDefaultGraceSeconds = 24 * 3600 + 5 * 60;

struct GcOptions {
  std::int64_t grace_seconds = kDefaultGraceSeconds;
  bool dry_run = false;
  std::int64_t lease_seconds = 3600;
  std::string host;
  std::int64_t pid = 0;
  std::function<bool()> interrupted;  // polled between deletion batches: true stops cleanly
};

struct GcSummary {
  std::string target;
  bool dry_run = false;
  std::size_t snapshots_referencing = 0;  // complete remote snapshots read
  std::size_t chunks_listed = 0;
  std::size_t chunks_referenced = 0;
  std::size_t chunks_deleted = 0;         // (dry run: would be)
  std::uint64_t bytes_freed = 0;
  std::size_t chunks_young = 0;           // unreferenced but inside the grace period: kept
  std::size_t incomplete_removed = 0;     // snapshots without manifest, older than the grace
  std::size_t incomplete_kept = 0;
  std::size_t objects_deleted = 0;
  // A versioned bucket (gc_versions.h): versions are deleted, not keys.
  bool versioned = false;
  std::size_t chunks_hidden = 0;        // referenced, but hidden by a delete marker: left whole
  std::size_t versions_doomed = 0;      // versions and markers to delete (dry run: would be)
  std::size_t versions_redundant = 0;   // noncurrent copies of referenced chunks
  std::size_t removed_keys_purged = 0;  // `.cnt/` keys hidden by an old delete marker
  std::size_t versions_locked = 0;      // refused: still under retention
  std::int64_t locked_until = 0;        // when the last of those runs out, at the latest (0: unknown)
  bool interrupted = false;  // stopped between batches on request (SIGINT/SIGTERM)
  transfer::Counters counters;
  double duration = 0;
  std::vector<ObjectError> errors;
  std::vector<std::string> warnings;
};

Result<GcSummary> run_gc(transfer::RequestInterface& requests, const Remote& remote, const GcOptions& options);

}  // namespace pbs::sync
