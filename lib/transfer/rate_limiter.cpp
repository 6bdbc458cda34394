#include "transfer/rate_limiter.h"

#include <algorithm>

namespace pbs::transfer {

RateLimiter::RateLimiter(double rate, double burst) : rate_(0), burst_(burst), capacity_(0), tokens_(0) {
  set_rate(rate, Clock::now());
}

void RateLimiter::set_rate(double rate, Clock::time_point now) {
  if (rate_ > 0) refill(now);  // what the old rate earned until now is not lost
  rate_ = std::max(0.0, rate);
  capacity_ = burst_ > 0 ? burst_ : std::max(16384.0, rate_ / 10);
  tokens_ = std::min(tokens_, capacity_);  // no burst beyond the new bucket; a debt is still repaid
  last_ = now;
}

void RateLimiter::refill(Clock::time_point now) {
  double dt = std::chrono::duration<double>(now - last_).count();
  if (dt > 0) {
    tokens_ = std::min(capacity_, tokens_ + dt * rate_);
    last_ = now;
  }
}

std::size_t RateLimiter::take_up_to(std::size_t wanted, Clock::time_point now) {
  if (!limited()) {
    taken_ += wanted;
    return wanted;
  }
  refill(now);
  if (tokens_ < 1) return 0;
  auto n = std::min<std::size_t>(wanted, std::size_t(tokens_));
  tokens_ -= double(n);
  taken_ += n;
  return n;
}

bool RateLimiter::take_all(std::size_t n, Clock::time_point now) {
  if (limited()) {
    refill(now);
    if (tokens_ <= 0) return false;
    tokens_ -= double(n);
  }
  taken_ += n;
  return true;
}

RateLimiter::Clock::duration RateLimiter::wait_for(std::size_t n, Clock::time_point now) {
  if (!limited()) return Clock::duration::zero();
  refill(now);
  double missing = double(n) - tokens_;
  if (missing <= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(missing / rate_));
}

}  // namespace pbs::transfer
