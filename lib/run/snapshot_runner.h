#pragma once
// The machinery sync and restore share. Snapshots are worked on a few at a time, in plan order
// (the window), and finished strictly in that order, so manifests land oldest first and a crash
// leaves only the newest snapshots unfinished. Requests are kept submitted up to the request
// interface's submit depth. One RunStop decides when nothing new may start; the snapshots not
// finished when a run stops are told why.
//
// A derived executor says what a snapshot does when it becomes active, what it submits next, and
// how many snapshots at the front of the window are finished; pump() does the rest whenever
// anything changed. A snapshot becomes active only when the active ones have nothing left to
// submit, which bounds memory (an active snapshot holds its chunk list).

#include <cstddef>
#include <functional>
#include <string>

#include "run/run_stop.h"
#include "transfer/request_interface.h"

namespace pbs::run {

class SnapshotRunner {
 public:
  SnapshotRunner(transfer::RequestInterface& requests, std::size_t max_active, RunStop stop);
  virtual ~SnapshotRunner() = default;
  SnapshotRunner(const SnapshotRunner&) = delete;
  SnapshotRunner& operator=(const SnapshotRunner&) = delete;

 protected:
  // Runs `tasks` snapshots until every one is finished, or the run stopped and nothing is in flight;
  // `tick` is called between events. Snapshots not finished then get left_behind().
  void run_window(std::size_t tasks, const std::function<void()>& tick);
  // Submits, activates and finishes what it can. Call it whenever something changed (every
  // completion); a call from inside a running pump is folded into it.
  void pump();

  virtual void activate(std::size_t task) = 0;
  // Moves the task on by one step (usually: submits one request); false when it has nothing to do
  // until a request completes.
  virtual bool submit_next(std::size_t task) = 0;
  // Requests that belong to no snapshot (group files), before any snapshot's; false: none now.
  virtual bool submit_shared() { return false; }
  // How many snapshots from `first`, the front of the window, up to `end` are finished now. Also
  // called while the run is stopping: it must then submit nothing (no manifest goes up after a
  // refusal or an interrupt) and only record what already completed.
  virtual std::size_t finish_front(std::size_t first, std::size_t end) = 0;
  // The run ended before this snapshot was finished; `why` is RunStop::left_behind().
  virtual void left_behind(std::size_t task, const std::string& why) = 0;

  // Follows the engine's window as it grows or shrinks: bodies loaded ahead stay few.
  bool room() const { return requests_.outstanding() < transfer::submit_depth(requests_); }
  std::size_t finished() const { return begin_; }
  std::size_t total() const { return count_; }

  transfer::RequestInterface& requests_;
  RunStop stop_;

 private:
  bool step();

  std::size_t max_active_;
  std::size_t count_ = 0;
  std::size_t begin_ = 0;  // first snapshot not finished
  std::size_t end_ = 0;    // first snapshot not activated
  bool pumping_ = false;
  bool again_ = false;
};

}  // namespace pbs::run
