#pragma once
// When to try a failed request again: exponential backoff with full jitter
// (delay = random(0, min(cap, base * 2^attempt))), never sooner than the server's Retry-After.

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "transfer/engine_config.h"

namespace pbs::transfer {

// Retry-After as delta-seconds or HTTP date; nullopt when absent or unparsable.
std::optional<double> parse_retry_after(std::string_view value, std::int64_t now_epoch);

class RetryPolicy {
 public:
  explicit RetryPolicy(const EngineConfig& config, std::uint64_t seed = std::random_device{}());
  // Delay before attempt number `attempt` + 1 (attempt counts from 1).
  double delay_seconds(unsigned attempt, std::optional<double> retry_after);

 private:
  double base_, cap_, retry_after_cap_;
  std::mt19937_64 rng_;
};

}  // namespace pbs::transfer
