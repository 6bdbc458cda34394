#pragma once
// Requests in flight under throttling: halve on a throttle answer (429, 503 SlowDown), grow back
// by one per window of successes, never above the configured parallelism (AIMD, as TCP does).
// Answers from requests started before the last decrease do not decrease again: a burst of 503s
// from one overload is one signal, not sixteen.

#include <algorithm>
#include <chrono>

namespace pbs::transfer {

class ConcurrencyWindow {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ConcurrencyWindow(unsigned max) : max_(std::max(1u, max)), window_(double(max_)) {}

  unsigned allowed() const { return unsigned(window_); }
  unsigned max() const { return max_; }

  // True when this throttle answer lowered the window.
  bool on_throttle(Clock::time_point request_started) {
    if (request_started < last_decrease_) return false;
    window_ = std::max(1.0, window_ / 2);
    last_decrease_ = Clock::now();
    return true;
  }
  void on_success() { window_ = std::min(double(max_), window_ + 1.0 / window_); }

 private:
  unsigned max_;
  double window_;
  Clock::time_point last_decrease_{};
};

}  // namespace pbs::transfer
