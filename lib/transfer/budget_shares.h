#pragma once
// How the host's budget (MAX_WORKERS requests in flight, the bandwidth limit, the request rate)
// is shared among the jobs running on the host at one moment: fairly, by weight, and never more
// than the budget together. Pure arithmetic: the shared file (host_budget.h) feeds it.
//
// Requests in flight: every job that has requests gets one, then the rest by weight, water-filled
// (a job capped by its own -j lower than its share gives the difference to the others); the
// shares add up to the budget. Bytes per second: max-min fair by weight, on what each job can use:
// a job its limit held back (its transfers waited for tokens) may use any amount; one that moved
// less than its share (planning, finishing, latency-bound) is given a quarter more than it moved,
// and the rest goes to the others, so the link stays full while any job can fill it; a job that
// is not transferring gets a small start. What no job can use goes to the active ones by weight. Requests per second: by weight among the jobs
// transferring; a job that is not gets what it would get if it were.

#include <vector>

namespace pbs::transfer {

struct JobDemand {
  unsigned weight = 1;
  unsigned cap = 0;     // its own ceiling of requests in flight (-j); 0: none
  bool active = true;   // it has requests to send or in flight
  bool bytes_bound = true;   // its transfers waited for its byte limit lately
  double bytes_used = 0;     // bytes per second it moved lately
};

struct HostLimits {
  unsigned max_in_flight = 0;      // 0: none
  double bytes_per_second = 0;     // 0: none
  double requests_per_second = 0;  // 0: none
};

struct JobShare {
  unsigned in_flight = 0;          // 0 with no limit: the job's own
  double bytes_per_second = 0;     // 0 with no limit
  double requests_per_second = 0;  // 0 with no limit
};

std::vector<JobShare> compute_shares(const std::vector<JobDemand>& jobs, const HostLimits& limits);

}  // namespace pbs::transfer
