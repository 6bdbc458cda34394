#include "transfer/budget_shares.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pbs::transfer {

namespace {

// `slots` among the jobs by weight, none beyond its room; whole numbers, the remainders going to
// the largest fractions (ties to the earlier job).
void water_fill(std::vector<unsigned>& share, const std::vector<unsigned>& room, const std::vector<double>& weight,
                unsigned slots) {
  std::vector<bool> full(share.size());
  for (;;) {
    double total = 0;
    for (std::size_t i = 0; i < share.size(); ++i) total += full[i] ? 0 : weight[i];
    if (total <= 0 || slots == 0) return;
    bool capped = false;
    for (std::size_t i = 0; i < share.size(); ++i) {
      if (full[i] || double(slots) * weight[i] / total < double(room[i])) continue;
      share[i] += room[i];  // its ceiling is below its share: the rest goes to the others
      slots -= room[i];
      full[i] = capped = true;
    }
    if (capped) continue;
    std::vector<std::pair<double, std::size_t>> fraction;
    unsigned given = 0;
    for (std::size_t i = 0; i < share.size(); ++i) {
      if (full[i]) continue;
      double ideal = double(slots) * weight[i] / total;
      unsigned whole = unsigned(std::floor(ideal));
      share[i] += whole;
      given += whole;
      fraction.emplace_back(-(ideal - whole), i);
    }
    std::sort(fraction.begin(), fraction.end());
    for (std::size_t k = 0; given < slots && k < fraction.size(); ++k, ++given) ++share[fraction[k].second];
    return;
  }
}

std::vector<unsigned> in_flight_shares(const std::vector<JobDemand>& jobs, unsigned budget) {
  std::vector<unsigned> share(jobs.size(), 0), room(jobs.size(), 0);
  std::vector<double> weight(jobs.size(), 0);
  unsigned left = budget;
  // One each first, in order, while there are slots: every job that has requests moves.
  for (std::size_t i = 0; i < jobs.size() && left > 0; ++i) {
    if (!jobs[i].active) continue;
    share[i] = 1;
    --left;
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].active || share[i] == 0) continue;
    unsigned cap = jobs[i].cap ? jobs[i].cap : budget;
    room[i] = cap > share[i] ? cap - share[i] : 0;
    weight[i] = std::max(1u, jobs[i].weight);
  }
  water_fill(share, room, weight, left);
  // An idle job gets what it would get if it became active alone with the others: one slot, so that
  // its first request need not wait for a refresh (the host-wide permit still holds the sum).
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].active) share[i] = 1;
  }
  return share;
}

// Max-min fair by weight on what each job can use (see budget_shares.h).
std::vector<double> byte_shares(const std::vector<JobDemand>& jobs, double rate) {
  std::vector<double> out(jobs.size(), 0);
  if (rate <= 0 || jobs.empty()) return out;
  double start = rate / double(8 * jobs.size());  // what an idle or just-started job is given
  std::vector<double> demand(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& j = jobs[i];
    demand[i] = !j.active ? start : j.bytes_bound ? rate : std::max(start, 1.25 * j.bytes_used);
  }
  std::vector<bool> settled(jobs.size());
  double left = rate;
  for (bool again = true; again;) {
    again = false;
    double weights = 0;
    for (std::size_t i = 0; i < jobs.size(); ++i) weights += settled[i] ? 0 : std::max(1u, jobs[i].weight);
    if (weights <= 0) break;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (settled[i] || demand[i] > left * std::max(1u, jobs[i].weight) / weights) continue;
      out[i] = demand[i];  // it cannot use its fair share: the rest goes round again
      left -= demand[i];
      settled[i] = again = true;
    }
    if (again) continue;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      if (!settled[i]) out[i] = left * std::max(1u, jobs[i].weight) / weights;
    }
    left = 0;
  }
  // Every job wants less than it may have (stalled answers, planning): what is left goes to the
  // active ones by weight, or a lone job would be held to what its slow moment moved until it
  // waited for tokens again.
  double active = 0;
  for (const auto& j : jobs) active += j.active ? std::max(1u, j.weight) : 0;
  for (std::size_t i = 0; i < jobs.size() && left > 0 && active > 0; ++i) {
    if (jobs[i].active) out[i] += left * std::max(1u, jobs[i].weight) / active;
  }
  return out;
}

// A rate by weight among the active jobs; an idle one gets what it would with them.
std::vector<double> rate_shares(const std::vector<JobDemand>& jobs, double rate) {
  std::vector<double> out(jobs.size(), 0);
  if (rate <= 0) return out;
  double active = 0;
  for (const auto& j : jobs) active += j.active ? std::max(1u, j.weight) : 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    double w = std::max(1u, jobs[i].weight);
    out[i] = rate * w / (jobs[i].active ? active : active + w);
  }
  return out;
}

}  // namespace

std::vector<JobShare> compute_shares(const std::vector<JobDemand>& jobs, const HostLimits& limits) {
  std::vector<JobShare> out(jobs.size());
  if (limits.max_in_flight) {
    auto slots = in_flight_shares(jobs, limits.max_in_flight);
    for (std::size_t i = 0; i < jobs.size(); ++i) out[i].in_flight = slots[i];
  }
  auto bytes = byte_shares(jobs, limits.bytes_per_second);
  auto requests = rate_shares(jobs, limits.requests_per_second);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    out[i].bytes_per_second = bytes[i];
    out[i].requests_per_second = requests[i];
  }
  return out;
}

}  // namespace pbs::transfer
