#pragma once
// Exit codes (DESIGN.md §9), the contract with cron jobs and monitoring.

#include "util/error.h"

namespace pbs::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitPartial = 1,      // some snapshots not completed / problems found
  kExitUsage = 2,        // usage or configuration error
  kExitLocked = 3,       // lock held by a live run
  kExitRemoteRefused = 4 // auth, bucket, permissions
};

// The exit code for a run that failed with `error` before finishing.
int exit_code_for(const Error& error);

}  // namespace pbs::cli
