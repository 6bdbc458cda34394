#include "transfer/latency_tracker.h"

#include <algorithm>
#include <vector>

namespace pbs::transfer {

int LatencyTracker::size_class(std::uint64_t bytes) {
  if (bytes < (64u << 10)) return 0;
  if (bytes < (1u << 20)) return 1;
  if (bytes < (8u << 20)) return 2;
  return 3;
}

void LatencyTracker::record(s3::Op op, std::uint64_t bytes, double seconds) {
  Ring& r = rings_[{int(op), size_class(bytes)}];
  r.seconds[r.next] = seconds;
  r.next = (r.next + 1) % kSamples;
  r.count = std::min(r.count + 1, kSamples);
}

std::optional<double> LatencyTracker::typical(s3::Op op, std::uint64_t bytes) const {
  auto it = rings_.find({int(op), size_class(bytes)});
  if (it == rings_.end() || it->second.count < kMinSamples) return std::nullopt;
  std::vector<double> v(it->second.seconds.begin(), it->second.seconds.begin() + long(it->second.count));
  auto median = v.begin() + long(v.size() / 2);
  std::nth_element(v.begin(), median, v.end());
  return *median;
}

}  // namespace pbs::transfer
