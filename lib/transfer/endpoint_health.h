#pragma once
// Whether the endpoint answers, and what a failed attempt means for its request. A request that
// keeps failing while others succeed has a problem of its own: it fails once it has failed for
// longer than the request budget. Throttling (429, 503 SlowDown) is the server asking to slow
// down and never fails a request by itself. When nothing succeeds for a few seconds while
// requests fail, the endpoint is out: one request at a time goes as a probe, spaced by backoff,
// until one succeeds (the run resumes where it was) or the outage outlasts its budget (then every
// request fails and the run stops). An endpoint that never answered at all is given a few connect
// attempts only: that is a wrong ENDPOINT more often than an outage.

#include <chrono>
#include <optional>

namespace pbs::transfer {

struct HealthConfig {
  double max_outage_seconds = 600;      // an outage longer than this stops the run
  double request_budget_seconds = 600;  // one request failing (not throttled) for longer fails
  double quiet_seconds = 5;             // failures with no success for this long: an outage
  double probe_base_seconds = 0.5;      // probe spacing grows from this ...
  double probe_cap_seconds = 10;        // ... to this
  unsigned max_connect_attempts = 3;    // before the endpoint ever answered
};

class EndpointHealth {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Verdict { retry, fail_request, fail_all };

  EndpointHealth(HealthConfig config, Clock::time_point start);

  // An accepted answer to a request sent at `started` (default: now). True when it ended an outage.
  bool success(Clock::time_point now, std::optional<Clock::time_point> started = std::nullopt);
  // A failed attempt: what to do with its request. `first_failure`: when that request first failed.
  Verdict failed(Clock::time_point now, bool throttled, bool connect, unsigned connect_failures,
                 Clock::time_point first_failure);

  bool out(Clock::time_point now) const;
  // Seconds since the outage began (the first failure after the last success); 0 when not out.
  double out_for(Clock::time_point now) const;
  bool answered() const { return answered_; }
  // In an outage only one request travels at a time, and not before the next probe is due.
  bool may_start(Clock::time_point now, std::size_t running) const;
  Clock::time_point next_probe() const { return next_probe_; }
  // When the outage budget of the current failures ends (none while nothing fails).
  std::optional<Clock::time_point> outage_deadline() const;
  const HealthConfig& config() const { return config_; }

 private:
  HealthConfig config_;
  Clock::time_point last_success_;
  // When the latest-sent request that succeeded was sent: a request only fails on its own while
  // requests sent after its first failure succeed (not a straggler sent before the endpoint died).
  Clock::time_point last_success_sent_;
  std::optional<Clock::time_point> failing_since_;
  Clock::time_point next_probe_{};
  unsigned probes_failed_ = 0;
  bool answered_ = false;
};

}  // namespace pbs::transfer
