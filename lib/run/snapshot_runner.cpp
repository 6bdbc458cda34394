#include "run/snapshot_runner.h"

namespace pbs::run {

SnapshotRunner::SnapshotRunner(transfer::RequestInterface& requests, std::size_t max_active, RunStop stop)
    : requests_(requests), stop_(std::move(stop)), max_active_(max_active) {}

void SnapshotRunner::run_window(std::size_t tasks, const std::function<void()>& tick) {
  count_ = tasks;
  begin_ = end_ = 0;
  pump();
  requests_.run_until([&] {
    if (tick) tick();
    return (begin_ == count_ || stop_.stopping()) && requests_.outstanding() == 0;
  });
  std::string why = stop_.left_behind();
  for (; begin_ < count_; ++begin_) left_behind(begin_, why);
}

// One pass: shared requests, then each active snapshot's, then a new snapshot when there is room,
// then whatever is finished at the front. True when anything moved.
bool SnapshotRunner::step() {
  bool moved = false;
  if (!stop_.stopping()) {
    while (room() && submit_shared()) moved = true;
    for (std::size_t t = begin_; t < end_ && room(); ++t) {
      while (room() && submit_next(t)) moved = true;
    }
    if (room() && end_ < count_ && end_ - begin_ < max_active_) {
      activate(end_++);
      moved = true;
    }
  }
  // Also while stopping: a snapshot whose last request completed during the drain is finished
  // (finish_front starts nothing new then).
  if (std::size_t n = finish_front(begin_, end_)) {
    begin_ += n;
    moved = true;
  }
  return moved;
}

void SnapshotRunner::pump() {
  if (pumping_) {
    again_ = true;
    return;
  }
  pumping_ = true;
  do {
    again_ = false;
    while (step()) {
    }
  } while (again_);
  pumping_ = false;
}

}  // namespace pbs::run
