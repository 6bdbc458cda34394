#pragma once
// How long requests of one kind usually take, from the last successful ones: what hedging calls
// slow (engine.h). A kind is an operation and a size class of what it moves (a 4 MiB upload is not
// late where a HEAD would be).

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "s3/request.h"

namespace pbs::transfer {

class LatencyTracker {
 public:
  void record(s3::Op op, std::uint64_t bytes, double seconds);
  // The median latency of the recent requests of this kind (a median: when one answer in six is
  // late, a 90th percentile is the late answers' own latency and nothing looks slow any more);
  // nullopt while fewer than kMinSamples are known.
  std::optional<double> typical(s3::Op op, std::uint64_t bytes) const;

  static constexpr std::size_t kMinSamples = 16;

 private:
  static constexpr std::size_t kSamples = 64;
  struct Ring {
    std::array<double, kSamples> seconds{};
    std::size_t count = 0;
    std::size_t next = 0;
  };
  static int size_class(std::uint64_t bytes);
  std::map<std::pair<int, int>, Ring> rings_;
};

}  // namespace pbs::transfer
