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
#include <optional>
#include <string>
#include <vector>

#include "gc/gc_summary.h"
#include "remote/remote.h"
#include "transfer/request_interface.h"

namespace pbs::gc {

inline constexpr std::int64_t kDefaultGraceSeconds = 24 * 3600 + 5 * 60;

struct GcOptions {
  std::int64_t grace_seconds = kDefaultGraceSeconds;
  std::optional<unsigned> min_storage_days;  // MIN_STORAGE_DAYS; default: each class's own (min_storage.h)
  bool dry_run = false;
  std::int64_t lease_seconds = 3600;
  std::string host;
  std::int64_t pid = 0;
  std::function<bool()> interrupted;  // polled between deletion batches: true stops cleanly
};

Result<GcSummary> run_gc(transfer::RequestInterface& requests, const remote::Remote& remote, const GcOptions& options);

}  // namespace pbs::gc
