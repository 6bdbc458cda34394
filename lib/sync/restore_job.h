#pragma once
// `pbs-s3sync restore TARGET DATASTORE`: brings complete remote snapshots back into a datastore
// PBS accepts (created as PBS creates one, or added to an existing one), holding a shared lock on
// <datastore>/.lock so PBS garbage collection cannot start meanwhile. Only chunks missing locally
// are fetched; each is checked before it is written (blob CRC, and SHA-256 of the data for
// unencrypted chunks); indexes and blobs must match the manifest; the manifest is written last.
// Remote keys are validated before they become paths: a hostile bucket cannot write outside
// DATASTORE. A killed restore rerun fetches only what is still missing.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "datastore/names.h"
#include "sync/sync_executor.h"
#include "sync/sync_summary.h"
#include "transfer/engine.h"

namespace pbs::sync {

struct RestoreSelection {
  datastore::Namespace anchor;
  std::optional<std::size_t> max_depth;
  std::optional<datastore::GroupRef> group;        // --group vm/100 (in the anchor namespace)
  std::optional<datastore::SnapshotRef> snapshot;  // --snapshot vm/100/2026-...
  bool latest = false;                             // newest complete snapshot per group
};

struct RestoreSummary {
  std::string target;
  std::string datastore;
  bool created = false;  // the datastore did not exist before
  std::size_t snapshots_selected = 0;
  std::size_t snapshots_restored = 0;
  std::size_t snapshots_present = 0;  // already complete locally with the same manifest
  std::size_t snapshots_failed = 0;
  std::size_t chunks_fetched = 0;
  std::size_t chunks_present = 0;
  std::uint64_t chunk_bytes = 0;
  std::size_t files_written = 0;
  transfer::Counters counters;
  double duration = 0;
  std::vector<ObjectError> errors;
  std::vector<std::string> notices;
  bool complete() const { return snapshots_failed == 0 && errors.empty(); }
  // Why the run stopped early because of the remote side (see run_stop.h); empty: it did not.
  std::string remote_stop;
  bool interrupted = false;  // stopped early on request (SIGINT/SIGTERM)
};

struct RestoreOptions {
  RestoreSelection selection;
  bool dry_run = false;
  std::function<void(const SyncProgress&)> on_progress;
  std::function<bool()> interrupted;  // polled: true asks the run to stop cleanly
};

Result<RestoreSummary> run_restore(transfer::Engine& engine, const Remote& remote,
                                   const std::string& datastore_path, const RestoreOptions& options);

}  // namespace pbs::sync
