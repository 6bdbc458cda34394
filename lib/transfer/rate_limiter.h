#pragma once
// One token bucket for the whole process: every transfer, upload or download, takes its bytes
// from it, so N connections together stay under the limit (per-handle limits would give N times).

#include <chrono>
#include <cstdint>

namespace pbs::transfer {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // bytes_per_second 0: unlimited.
  explicit RateLimiter(std::uint64_t bytes_per_second);

  bool limited() const { return rate_ > 0; }
  // Bytes that may move now, at most `wanted`; they are taken from the bucket. 0: wait.
  std::size_t take_up_to(std::size_t wanted, Clock::time_point now = Clock::now());
  // Takes all `n` bytes (the bucket may go into debt, repaid before anything else moves);
  // false when nothing may move now.
  bool take_all(std::size_t n, Clock::time_point now = Clock::now());
  // Time until at least `bytes` tokens are available.
  Clock::duration wait_for(std::size_t bytes, Clock::time_point now = Clock::now());

 private:
  void refill(Clock::time_point now);
  double rate_;
  double capacity_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace pbs::transfer
