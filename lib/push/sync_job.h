#pragma once
// `pbs-s3sync sync`: preflight (bucket reachable, prefix not a live PBS datastore), scan the local
// datastore, list the remote `.cnt/` tree, plan, find which chunks are missing as cheaply as
// possible (chunk_presence.h), and carry the plan out (sync_executor.h) or, in a dry run, say what
// it would cost. A run with nothing new costs the preflight (bucket, .in-use), the source record
// and one listing request per 1000 `.cnt/` objects.

#include <functional>
#include <optional>

#include "datastore/datastore.h"
#include "datastore/local_scan.h"
#include "encryption/prefix_key.h"
#include "push/sync_executor.h"
#include "push/sync_summary.h"
#include "records/source_record.h"
#include "remote/remote.h"
#include "retention/lock_policy.h"
#include "run/run_progress.h"
#include "transfer/request_interface.h"

namespace pbs::push {

enum class SyncMode { incremental, full };

struct SyncOptions {
  SyncMode mode = SyncMode::incremental;
  datastore::ScanOptions scope;
  bool remove_vanished = false;
  std::optional<std::size_t> max_delete;
  bool dry_run = false;
  bool force_in_use = false;  // write into a prefix that PBS marked as in use
  records::SourceRecord source;        // this sync's source: host, datastore name (default: the directory's)
  bool take_over = false;     // write into a prefix another source owns, and own it from now on
  UploadOptions upload;
  std::optional<retention::LockPolicy> lock;  // OBJECT_LOCK: the bucket must have Object Lock
  bool lock_off = false;  // OBJECT_LOCK=off: a prefix that was locked is no longer, on purpose
  std::optional<encryption::KeySource> encryption;  // ENCRYPTION / --encrypt: the prefix is encrypted
  std::function<void(const run::RunProgress&)> on_progress;
};

// Errors before anything is sent (credentials, bucket, listing, a live PBS prefix) come back as an
// Error; per-snapshot failures are in the summary.
Result<SyncSummary> run_sync(const datastore::Datastore& store, transfer::RequestInterface& requests,
                             const remote::Remote& remote, const SyncOptions& options, SyncSummary summary);

}  // namespace pbs::push
