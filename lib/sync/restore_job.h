#pragma once
// `pbs-s3sync restore TARGET DATASTORE`: brings complete remote snapshots back into a datastore
// PBS accepts (created as PBS creates one, or added to an existing one), holding a shared lock on
// <datastore>/.lock so PBS garbage collection cannot start meanwhile. The plan (restore_plan.h)
// picks the snapshots; the executor (restore_executor.h) fetches only chunks missing locally,
// checks everything before it is written, and writes each manifest last. A killed restore rerun
// fetches only what is still missing.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "crypto/crypt_key.h"
#include "sync/remote.h"
#include "sync/restore_plan.h"
#include "sync/run_outcome.h"
#include "sync/run_progress.h"
#include "transfer/counters.h"
#include "transfer/request_interface.h"

namespace pbs::sync {

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
  RunOutcome outcome;
};

struct RestoreOptions {
  RestoreSelection selection;
  bool dry_run = false;
  std::function<void(const RunProgress&)> on_progress;
  std::function<bool()> interrupted;  // polled: true asks the run to stop cleanly
  std::shared_ptr<const crypto::CryptKey> decrypt;  // --decrypt: write the plain originals back
};

Result<RestoreSummary> run_restore(transfer::RequestInterface& requests, const Remote& remote,
                                   const std::string& datastore_path, const RestoreOptions& options);

}  // namespace pbs::sync
