#pragma once
// A job's place in the host's budget (transfer/host_budget.h): joined before its engine is made,
// named for `status`, weighted by --weight or the STORAGE entry's WEIGHT. A host where the budget
// file cannot be used (a read-only /run, no permission) runs the job with its own limits, and says
// so once.

#include <memory>
#include <string>

#include "cli.h"
#include "transfer/host_budget.h"

namespace pbs::cli {

struct Job;

// The budget file lives in the lock directory, or in $PBS_S3SYNC_BUDGET_DIR (the tests give each
// run its own). Null when the job runs with its own limits: PBS_S3SYNC_BUDGET_DIR=off, or the file
// cannot be used (then a warning on stderr unless quiet).
std::shared_ptr<transfer::HostBudget> join_host_budget(const Job& job, const GlobalOptions& global);

// Where the budget file is ("" when PBS_S3SYNC_BUDGET_DIR=off).
std::string budget_directory();

}  // namespace pbs::cli
