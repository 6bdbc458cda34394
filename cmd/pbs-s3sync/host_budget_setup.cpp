#include "host_budget_setup.h"

#include <fmt/core.h>

#include <cstdlib>
#include <ctime>

#include "host/run_lock.h"
#include "job_setup.h"

namespace pbs::cli {

std::string budget_directory() {
  const char* env = std::getenv("PBS_S3SYNC_BUDGET_DIR");
  if (env && std::string_view(env) == "off") return "";
  return env && *env ? env : host::lock_directory();
}

std::shared_ptr<transfer::HostBudget> join_host_budget(const Job& job, const GlobalOptions& global) {
  std::string dir = budget_directory();
  if (dir.empty()) return nullptr;
  transfer::HostBudget::Job me;
  std::string datastore = job.datastore_name.empty() ? job.datastore_path : job.datastore_name;
  me.name = global.command + ": " + job.target.url() + (datastore.empty() ? "" : " (" + datastore + ")");
  me.weight = global.weight ? *global.weight : job.target.options.weight;
  me.cap = job.parallelism_source == "--parallelism" ? job.parallelism : 0;
  me.limits.max_in_flight = job.conf.max_workers.value_or(0);
  me.limits.bytes_per_second = double(job.bandwidth.rate_at(std::time(nullptr)));
  me.limits.requests_per_second = job.requests_per_second;
  auto budget = transfer::HostBudget::join(dir, std::move(me));
  if (!budget) {
    if (global.verbosity >= 0) {
      fmt::print(stderr, "pbs-s3sync: warning: the host's budget cannot be shared ({}): this job runs with its own "
                         "limits\n", budget.error().message());
    }
    return nullptr;
  }
  return std::shared_ptr<transfer::HostBudget>(std::move(*budget));
}

}  // namespace pbs::cli
