#pragma once
// The host's budget, shared by every pbs-s3sync process (and every job of one process) with no
// daemon: a small file in the lock directory (/run/lock/pbs-s3sync/host-budget, tmpfs), mapped
// into each process. Each running job holds one slot of it with an open-file-description record
// lock (F_OFD_SETLK) on the slot's first byte: the kernel drops the lock when the job's process
// dies (kill -9, the OOM killer), so a dead job's slot counts for nothing at once and nothing is
// left to clean up. A job publishes its weight, its own ceiling, whether it is transferring, its
// view of the host's limits (MAX_WORKERS, the bandwidth in force, MAX_REQUESTS_PER_SECOND: the
// smallest of the live jobs' counts) and what it moved; every refresh (a few times a second) it
// reads the live slots and takes its share (budget_shares.h).
//
// Requests in flight are held strictly host-wide: a job counts each request it starts in its slot
// first, then adds up the live slots, and takes the request back when the sum is over the budget,
// so the sum of requests in flight never exceeds MAX_WORKERS, however the processes interleave.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transfer/budget_shares.h"
#include "util/result.h"

namespace pbs::transfer {

// What one live job shows of itself (status, and each job's summary).
struct BudgetJob {
  int pid = 0;
  std::string name;  // datastore and target, or the command
  unsigned weight = 1;
  unsigned in_flight = 0;
  JobShare share;
  double bytes_per_second = 0;  // moved over the last seconds
  bool active = false;
  std::int64_t started = 0;     // epoch seconds
};

struct BudgetView {
  HostLimits limits;  // in force (the smallest of the live jobs')
  std::vector<BudgetJob> jobs;
};

class HostBudget {
 public:
  using Clock = std::chrono::steady_clock;
  struct Job {
    std::string name;
    unsigned weight = 1;
    unsigned cap = 0;    // its own -j; 0: none
    HostLimits limits;   // this job's view of the host's limits (its config); rates may change
  };

  // Opens (creating) the file in `dir` and takes a free slot. An error says why (the file cannot be
  // made or mapped, no slot is free): the caller then runs with its own limits and says so.
  static Result<std::unique_ptr<HostBudget>> join(const std::string& dir, Job job);
  ~HostBudget();
  HostBudget(const HostBudget&) = delete;
  HostBudget& operator=(const HostBudget&) = delete;

  // A permit for one more request in flight, host-wide; false: wait. Each must be given back.
  bool try_start();
  void finished();
  // Publishes this job's state and takes its share anew, at most every 200 ms unless `force`;
  // true when it did. `bytes_bound`: its transfers waited for byte tokens since the last refresh;
  // `bytes_moved`: all it moved so far; `bytes_rate_limit`: its own bandwidth now (its timetable).
  bool refresh(Clock::time_point now, bool active, bool bytes_bound, std::uint64_t bytes_moved,
               double bytes_rate_limit, bool force = false);

  const JobShare& share() const { return share_; }
  const HostLimits& limits() const { return limits_; }
  std::size_t jobs() const { return jobs_; }
  const std::string& path() const;

 private:
  struct Impl;
  explicit HostBudget(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  JobShare share_;
  HostLimits limits_;
  std::size_t jobs_ = 1;
};

// The budget file's path in `dir`.
std::string host_budget_path(const std::string& dir);
// The live jobs, for `status`; an empty view when there is no file.
Result<BudgetView> read_host_budget(const std::string& dir);

}  // namespace pbs::transfer
