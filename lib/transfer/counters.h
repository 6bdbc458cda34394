#pragma once
// What the engine did, for summaries, JSON and metrics: requests by operation (each attempt is a
// billed request), bytes each way, retries by cause, throttle events, latency.

#include <cstdint>
#include <map>
#include <string>

namespace pbs::transfer {

struct Counters {
  std::map<std::string, std::uint64_t> requests;  // by operation name, every attempt
  std::map<std::string, std::uint64_t> retries;   // by cause
  std::uint64_t bytes_up = 0;
  std::uint64_t bytes_down = 0;
  std::uint64_t throttle_events = 0;
  std::uint64_t failures = 0;  // requests that ended in an error after their retries
  std::uint64_t completed = 0;
  double latency_sum = 0;      // seconds, successful attempts
  double latency_max = 0;
  unsigned min_window = 0;     // lowest concurrency the throttle control went down to
  unsigned peak_window = 0;    // highest it went to (probing while latency-bound, congestion.h)
  std::string window_limit;    // what held it: fixed, ceiling, throughput, throttling, probing
  std::uint64_t outages = 0;   // times every request failed for a while (endpoint_health.h)
  double outage_seconds = 0;   // how long those outages lasted, together
  // Hedges (engine_config.h): sent, answered first, and how long the attempts they replaced had
  // been waiting when the hedge's answer came (a lower bound of the time they saved).
  std::uint64_t hedges = 0;
  std::uint64_t hedges_won = 0;
  std::uint64_t unsigned_payloads = 0;  // attempts whose body went as UNSIGNED-PAYLOAD (https)
  double hedge_waited_seconds = 0;
  std::uint64_t bandwidth_changes = 0;  // bandwidth timetable slots that changed the rate mid-run
  // The host's budget (host_budget.h), while this job was transferring: how many jobs shared it at
  // most, and the least and most of it this job had. 0 jobs: no shared budget.
  std::uint64_t host_jobs_peak = 0;
  unsigned share_in_flight_min = 0, share_in_flight_max = 0;
  double share_bytes_min = 0, share_bytes_max = 0;

  std::uint64_t total_requests() const;
  std::uint64_t requests_of(const std::string& op) const {
    auto it = requests.find(op);
    return it == requests.end() ? 0 : it->second;
  }
  std::uint64_t total_retries() const;
  double latency_mean() const { return completed ? latency_sum / double(completed) : 0; }
};

}  // namespace pbs::transfer
