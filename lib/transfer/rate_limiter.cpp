#include "transfer/rate_limiter.h"

#include <algorithm>

namespace pbs::transfer {

RateLimiter::RateLimiter(std::uint64_t bytes_per_second)
    : rate_(double(bytes_per_second)),
      // A tenth of a second of burst keeps the average exact without starving small reads.
      capacity_(std::max(16384.0, double(bytes_per_second) / 10)),
      tokens_(0),
      last_(Clock::now()) {}

void RateLimiter::refill(Clock::time_point now) {
  double dt = std::chrono::duration<double>(now - last_).count();
  if (dt > 0) {
    tokens_ = std::min(capacity_, tokens_ + dt * rate_);
    last_ = now;
  }
}

std::size_t RateLimiter::take_up_to(std::size_t wanted, Clock::time_point now) {
  if (!limited()) return wanted;
  refill(now);
  if (tokens_ < 1) return 0;
  auto n = std::min<std::size_t>(wanted, std::size_t(tokens_));
  tokens_ -= double(n);
  return n;
}

bool RateLimiter::take_all(std::size_t n, Clock::time_point now) {
  if (!limited()) return true;
  refill(now);
  if (tokens_ <= 0) return false;
  tokens_ -= double(n);
  return true;
}

RateLimiter::Clock::duration RateLimiter::wait_for(std::size_t bytes, Clock::time_point now) {
  if (!limited()) return Clock::duration::zero();
  refill(now);
  double missing = double(bytes) - tokens_;
  if (missing <= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(missing / rate_));
}

}  // namespace pbs::transfer
