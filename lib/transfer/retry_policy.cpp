#include "transfer/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string>

#include "s3/http_date.h"

namespace pbs::transfer {

std::optional<double> parse_retry_after(std::string_view value, std::int64_t now_epoch) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    double v = 0;
    for (char c : value) {
      if (c < '0' || c > '9') break;
      v = v * 10 + (c - '0');
    }
    return v;
  }
  if (auto t = s3::parse_http_date(value)) return std::max<double>(0, double(*t - now_epoch));
  return std::nullopt;
}

RetryPolicy::RetryPolicy(const EngineConfig& config, std::uint64_t seed)
    : base_(config.backoff_base_seconds),
      cap_(config.backoff_cap_seconds),
      retry_after_cap_(config.retry_after_cap_seconds),
      rng_(seed) {}

double RetryPolicy::delay_seconds(unsigned attempt, std::optional<double> retry_after) {
  double ceiling = std::min(cap_, base_ * std::ldexp(1.0, int(std::min(attempt, 30u))));
  double delay = std::uniform_real_distribution<double>(0, ceiling)(rng_);
  if (retry_after) delay = std::max(delay, std::min(*retry_after, retry_after_cap_));
  return delay;
}

}  // namespace pbs::transfer
