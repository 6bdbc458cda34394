#pragma once
// A token bucket for the whole process. Bytes: every transfer, upload or download, takes its
// bytes from one bucket, so N connections together stay under the limit (per-handle limits would
// give N times). Requests: every attempt takes one token from another, so retries count too.

#include <chrono>
#include <cstdint>

namespace pbs::transfer {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate 0: unlimited. burst 0: a tenth of a second of the rate (at least 16 KiB), which keeps
  // a byte rate's average exact without starving small reads.
  explicit RateLimiter(double rate, double burst = 0);

  bool limited() const { return rate_ > 0; }
  double rate() const { return rate_; }
  // A new rate from now on (a timetable's next slot, a new share of the host's budget): what the
  // old rate earned so far is kept, up to the new bucket's size.
  void set_rate(double rate, Clock::time_point now = Clock::now());
  // Units that may move now, at most `wanted`; they are taken from the bucket. 0: wait.
  std::size_t take_up_to(std::size_t wanted, Clock::time_point now = Clock::now());
  // Takes all `n` units (the bucket may go into debt, repaid before anything else moves);
  // false when nothing may move now.
  bool take_all(std::size_t n, Clock::time_point now = Clock::now());
  // Time until at least `n` tokens are available.
  Clock::duration wait_for(std::size_t n, Clock::time_point now = Clock::now());
  // Units taken so far, limited or not: what moved, as it moves (the host's budget shares by it).
  std::uint64_t taken() const { return taken_; }

 private:
  void refill(Clock::time_point now);
  double rate_;
  double burst_;
  double capacity_;
  double tokens_;
  Clock::time_point last_;
  std::uint64_t taken_ = 0;
};

}  // namespace pbs::transfer
