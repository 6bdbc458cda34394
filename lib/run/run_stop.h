#pragma once
// When a sync or restore stops before its end, and what it tells the snapshots it leaves behind.
// A run stops for one of three causes: an interrupt (SIGINT/SIGTERM), the remote side (a refusal
// or a lost endpoint: every further request would fail the same way), or a local fault that the
// run's policy says stops it (restore: a full disk). Once stopping, nothing new is submitted and
// what is in flight drains; the first cause is the one reported.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "run/run_outcome.h"
#include "util/error.h"

namespace pbs::run {

// What a local fault (a file that cannot be read or written) does to the run. Sync fails the
// snapshots that need the file and goes on with the others; restore stops, because every further
// write to a full or read-only disk would fail the same way after downloading its data.
enum class LocalFaultPolicy { fail_snapshots, stop_run };

// Which run this is: the words its messages use.
enum class RunKind { sync, restore, extract };

// Errors about the target rather than one object (access denied, bad credentials, bucket gone,
// endpoint unreachable after the engine's retries). nullopt for an error about one object.
std::optional<std::string> remote_stop_reason(const Error& error);

class RunStop {
 public:
  RunStop(RunKind kind, LocalFaultPolicy policy, std::function<bool()> interrupted,
          std::vector<ObjectError>& errors);

  // Polls the interrupt; true once the run is stopping for any cause.
  bool stopping();
  // The message of a failed request; an error about the target stops the run.
  std::string remote_error(const Error& error);
  // A local fault at `object`. Under stop_run it stops the run and is recorded as the run's error
  // (once); returns true then. Under fail_snapshots nothing happens here: the caller fails the
  // snapshots that need the object.
  bool local_fault(const std::string& object, const std::string& message);

  const RunOutcome& outcome() const { return outcome_; }
  // "not completed: <why>" for a snapshot the run did not get to finish.
  std::string left_behind() const;

 private:
  void stop(StopCause cause, std::string reason);

  RunKind kind_;
  LocalFaultPolicy policy_;
  std::function<bool()> interrupted_;
  std::vector<ObjectError>& errors_;
  RunOutcome outcome_;
};

}  // namespace pbs::run
