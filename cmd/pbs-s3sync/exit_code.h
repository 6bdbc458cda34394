#pragma once
// Exit codes, the contract with cron jobs and monitoring. Decided here and nowhere else.

#include "run/run_outcome.h"
#include "util/error.h"

namespace pbs::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitPartial = 1,       // some snapshots not completed / problems found / interrupted
  kExitUsage = 2,         // usage or configuration error
  kExitLocked = 3,        // lock held by a live run
  kExitRemoteRefused = 4  // the remote side refused the run or could not be reached
};

// A command that could not start (or not finish) because of `error`.
int exit_code_for(const Error& error);
// A run that went to its end or stopped early; `complete`: nothing failed.
int exit_code_for(const run::RunOutcome& outcome, bool complete);
// A check (verify, list, status --check) that looked at everything; `clean`: it found nothing wrong.
int exit_code_for_findings(bool clean);

}  // namespace pbs::cli
