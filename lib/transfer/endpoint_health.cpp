#include "transfer/endpoint_health.h"

#include <algorithm>
#include <cmath>

namespace pbs::transfer {

namespace {
double seconds(EndpointHealth::Clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

EndpointHealth::EndpointHealth(HealthConfig config, Clock::time_point start)
    : config_(config), last_success_(start), last_success_sent_(start) {}

bool EndpointHealth::success(Clock::time_point now, std::optional<Clock::time_point> started) {
  bool was_out = out(now);
  answered_ = true;
  last_success_ = now;
  last_success_sent_ = std::max(last_success_sent_, started.value_or(now));
  failing_since_.reset();
  probes_failed_ = 0;
  next_probe_ = {};
  return was_out;
}

bool EndpointHealth::out(Clock::time_point now) const {
  // A budget shorter than the quiet time would otherwise be noticed only once the quiet time passed.
  return failing_since_ && seconds(now - last_success_) >= std::min(config_.quiet_seconds, config_.max_outage_seconds);
}

std::optional<EndpointHealth::Clock::time_point> EndpointHealth::outage_deadline() const {
  if (!failing_since_) return std::nullopt;
  return *failing_since_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(config_.max_outage_seconds));
}

double EndpointHealth::out_for(Clock::time_point now) const {
  return out(now) ? seconds(now - *failing_since_) : 0;
}

bool EndpointHealth::may_start(Clock::time_point now, std::size_t running) const {
  if (!out(now)) return true;
  return running == 0 && now >= next_probe_;
}

EndpointHealth::Verdict EndpointHealth::failed(Clock::time_point now, bool throttled, bool connect,
                                               unsigned connect_failures, Clock::time_point first_failure) {
  if (!failing_since_) failing_since_ = now;
  if (connect && !answered_ && connect_failures >= config_.max_connect_attempts) return Verdict::fail_request;
  if (out(now)) {
    if (out_for(now) > config_.max_outage_seconds) return Verdict::fail_all;
    double delay = std::min(config_.probe_cap_seconds, config_.probe_base_seconds * std::ldexp(1.0, int(std::min(probes_failed_, 20u))));
    ++probes_failed_;
    next_probe_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(delay));
    // The last probe goes when the budget ends, not a backoff step after it.
    next_probe_ = std::max(now, std::min(next_probe_, *outage_deadline()));
    return Verdict::retry;
  }
  if (!throttled && last_success_sent_ > first_failure && seconds(now - first_failure) > config_.request_budget_seconds) {
    return Verdict::fail_request;
  }
  return Verdict::retry;
}

}  // namespace pbs::transfer
