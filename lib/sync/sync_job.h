#pragma once
// `pbs-s3sync sync`: preflight (bucket reachable, prefix not a live PBS datastore), scan the local
// datastore, list the remote `.cnt/` tree, plan, find which chunks are missing as cheaply as
// possible, and carry the plan out. A run with nothing new costs the preflight and one listing
// request per 1000 `.cnt/` objects.

#include <functional>
#include <optional>

#include "datastore/datastore.h"
#include "sync/local_scan.h"
#include "sync/remote_catalog.h"
#include "sync/sync_executor.h"
#include "sync/sync_summary.h"
#include "transfer/engine.h"

namespace pbs::sync {

enum class SyncMode { incremental, full };

struct SyncOptions {
  SyncMode mode = SyncMode::incremental;
  ScanOptions scope;
  bool remove_vanished = false;
  std::optional<std::size_t> max_delete;
  bool dry_run = false;
  bool force_in_use = false;  // write into a prefix that PBS marked as in use
  UploadOptions upload;
  std::function<void(const SyncProgress&)> on_progress;
};

// Errors before anything is sent (credentials, bucket, listing, a live PBS prefix) come back as an
// Error; per-snapshot failures are in the summary.
Result<SyncSummary> run_sync(const datastore::Datastore& store, transfer::Engine& engine,
                             const Remote& remote, const SyncOptions& options, SyncSummary summary);

// One listing of the remote `.cnt/` tree.
Result<RemoteCatalog> load_catalog(transfer::Engine& engine, const Remote& remote);

// Lists every object under `rel_prefix` (relative to the target prefix), in `ways` parallel
// listings split on the next hex digit when `split_hex`.
Status list_remote(transfer::Engine& engine, const Remote& remote, const std::string& rel_prefix,
                   bool split_hex, const std::function<void(std::string_view rel, const s3::ObjectInfo&)>& each);

}  // namespace pbs::sync
