#pragma once
// Requests in flight. Under throttling: halve on a throttle answer (429, 503 SlowDown), grow back
// by one per window of successes (AIMD, as TCP does). Answers from requests started before the
// last decrease do not decrease again: a burst of 503s from one overload is one signal, not
// sixteen. Below the ceiling, the window also probes upward while the run is latency-bound: every
// 2 s in which requests waited for a slot, it grows by half as long as completions or bytes per
// second rose by 10% with the last growth; when they did not, it goes back one step and stays.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

namespace pbs::transfer {

class ConcurrencyWindow {
 public:
  using Clock = std::chrono::steady_clock;
  // `initial` 0 or not below `max`: a fixed window of `max` (throttling still lowers it).
  explicit ConcurrencyWindow(unsigned max, unsigned initial = 0)
      : max_(std::max(1u, max)),
        cap_(initial == 0 || initial >= max_ ? max_ : std::max(1u, initial)),
        window_(double(cap_)),
        peak_(cap_),
        probing_(cap_ < max_) {
    limit_ = probing_ ? "probing" : "fixed";
  }

  unsigned allowed() const { return std::min(unsigned(window_), cap_); }
  unsigned max() const { return max_; }
  unsigned peak() const { return peak_; }
  // What held the window where it ended: fixed, ceiling, throughput (growing no longer paid),
  // throttling, probing (the run ended first).
  const std::string& limit() const { return limit_; }

  // True when this throttle answer lowered the window.
  bool on_throttle(Clock::time_point request_started) {
    if (request_started < last_decrease_) return false;
    window_ = std::max(1.0, double(allowed()) / 2);
    last_decrease_ = Clock::now();
    if (probing_) {
      probing_ = false;
      limit_ = "throttling";
    }
    return true;
  }
  void on_success() { window_ = std::min(double(cap_), window_ + 1.0 / window_); }

  // Called as the run goes: `waiting`: requests were ready and found no free slot; the totals of
  // completed requests and bytes moved so far. True when the window's ceiling or limit changed.
  bool sample(Clock::time_point now, bool waiting, std::uint64_t completed, std::uint64_t bytes) {
    if (!probing_) return false;
    // A gap between samples (the run planning between request phases, nothing in flight) says
    // nothing about the window: start measuring afresh.
    if (interval_start_ == Clock::time_point{} || now - last_sample_ > std::chrono::milliseconds(500)) {
      restart(now, completed, bytes);
      last_sample_ = now;
      return false;
    }
    last_sample_ = now;
    ++samples_;
    waiting_samples_ += waiting;
    double span = std::chrono::duration<double>(now - interval_start_).count();
    if (span < 2.0) return false;
    // Most of the interval, a slot was the limit (and enough answers came to tell).
    bool bound = samples_ >= 20 && waiting_samples_ * 10 >= samples_ * 8;
    double rate = double(completed - completed_at_start_) / span;
    double byte_rate = double(bytes - bytes_at_start_) / span;
    restart(now, completed, bytes);
    if (!bound) return false;
    if (previous_cap_ && rate < 1.1 * best_rate_ && byte_rate < 1.1 * best_byte_rate_) {
      cap_ = previous_cap_;  // the last step bought nothing
      window_ = std::min(window_, double(cap_));
      probing_ = false;
      limit_ = "throughput";
      return true;
    }
    best_rate_ = std::max(best_rate_, rate);
    best_byte_rate_ = std::max(best_byte_rate_, byte_rate);
    previous_cap_ = cap_;
    cap_ = std::min(max_, std::max(cap_ + 2, cap_ + cap_ / 2));
    window_ = double(cap_);
    peak_ = std::max(peak_, cap_);
    if (cap_ >= max_) {
      probing_ = false;
      limit_ = "ceiling";
    }
    return true;
  }

 private:
  void restart(Clock::time_point now, std::uint64_t completed, std::uint64_t bytes) {
    interval_start_ = now;
    completed_at_start_ = completed;
    bytes_at_start_ = bytes;
    samples_ = waiting_samples_ = 0;
  }

  unsigned max_;
  unsigned cap_;
  double window_;
  unsigned peak_;
  bool probing_;
  std::string limit_;
  Clock::time_point last_decrease_{};
  Clock::time_point interval_start_{};
  Clock::time_point last_sample_{};
  std::uint64_t completed_at_start_ = 0, bytes_at_start_ = 0;
  std::uint64_t samples_ = 0, waiting_samples_ = 0;
  double best_rate_ = 0, best_byte_rate_ = 0;
  unsigned previous_cap_ = 0;  // before the last growth; 0: it has not grown
};

}  // namespace pbs::transfer
