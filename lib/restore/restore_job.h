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
#include "remote/remote.h"
#include "restore/restore_plan.h"
#include "restore/restore_summary.h"
#include "restore/restore_thaw.h"
#include "run/run_progress.h"
#include "transfer/request_interface.h"

namespace pbs::restore {

struct RestoreOptions {
  RestoreSelection selection;
  bool dry_run = false;
  std::function<void(const run::RunProgress&)> on_progress;
  std::function<bool()> interrupted;  // polled: true asks the run to stop cleanly
  std::shared_ptr<const crypto::CryptKey> decrypt;  // --decrypt: write the plain originals back
  ThawChoice thaw;  // chunks in an archive class
};

Result<RestoreSummary> run_restore(transfer::RequestInterface& requests, const remote::Remote& remote,
                                   const std::string& datastore_path, const RestoreOptions& options);

}  // namespace pbs::restore
