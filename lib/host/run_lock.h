#pragma once
// One run per (datastore, target) at a time: flock(2) on a lock file, so the kernel releases it
// when the process dies and a killed run never blocks the next one. The file holds
// JSON: the current holder (PID, host, start time, command) and the last run's and last
// successful run's summaries, which `status` reads with no resident process.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/file_io.h"
#include "util/result.h"

namespace pbs::host {

struct LockHolder {
  std::int64_t pid = 0;
  std::string host;
  std::int64_t started = 0;  // epoch seconds
  std::string command;
  std::string datastore;
  std::string target;
};

struct RunRecord {
  std::int64_t started = 0;
  std::int64_t finished = 0;
  int exit_code = 0;
  std::string summary_json;  // the run's JSON summary
};

struct LockState {
  std::optional<LockHolder> holder;  // only while a live process holds the lock
  std::optional<LockHolder> stale_holder;  // recorded by a process that is gone
  std::optional<RunRecord> last_run;
  std::optional<RunRecord> last_success;
  // Records of the file that did not read (a field of the wrong type), each "the <record>
  // record: <why>"; such a record is absent above.
  std::vector<std::string> unreadable;
};

class RunLock {
 public:
  // Errc::locked, naming the holder, when a live run holds it.
  static Result<RunLock> acquire(const std::string& path, LockHolder holder);
  // Records a finished run (and, with exit code 0, the last success) and clears the holder
  // record: the run is over (the flock itself goes with the process).
  Status record(const RunRecord& run);
  const std::string& path() const { return path_; }

 private:
  RunLock(std::string path, UniqueFd fd, LockHolder holder, LockState previous)
      : path_(std::move(path)), fd_(std::move(fd)), holder_(std::move(holder)),
        state_(std::move(previous)) {}
  Status write_state(bool with_holder);

  std::string path_;
  UniqueFd fd_;
  LockHolder holder_;
  LockState state_;
};

// The state as `status` shows it; a missing file is an empty state.
Result<LockState> read_lock_state(const std::string& path);
// Removes the holder record of a dead run (its flock is already gone). Errc::locked when the
// holder is alive.
Status clear_stale_lock(const std::string& path);

// /run/lock/pbs-s3sync/<datastore>--<bucket>--<prefix>.lock, or under $XDG_RUNTIME_DIR / /tmp
// when /run/lock is not writable.
std::string default_lock_path(const std::string& datastore_path, const std::string& target_url);
std::string lock_directory();

}  // namespace pbs::host
