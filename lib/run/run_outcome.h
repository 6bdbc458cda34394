#pragma once
// What every run reports besides its counts: the errors, each with its object, and how it ended.
// The command line turns this into the exit code (cmd/pbs-s3sync/exit_code.h).

#include <string>

namespace pbs::run {

struct ObjectError {
  std::string object;   // snapshot, key or local file
  std::string message;
  bool local_damage = false;  // the local file failed its check (never uploaded)
};

enum class StopCause {
  none,         // the run went to its end
  interrupted,  // SIGINT/SIGTERM: nothing new started, what was in flight finished
  remote,       // the target refused the run or could not be reached
  local,        // a local fault the run cannot go on with (restore: a full disk)
};

struct RunOutcome {
  StopCause stop = StopCause::none;
  std::string reason;  // why it stopped early, in the words given to the snapshots left behind
};

}  // namespace pbs::run
