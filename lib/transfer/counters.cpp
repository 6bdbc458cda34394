#include "transfer/counters.h"

namespace pbs::transfer {

std::uint64_t Counters::total_requests() const {
  std::uint64_t n = 0;
  for (const auto& [op, c] : requests) n += c;
  return n;
}

std::uint64_t Counters::total_retries() const {
  std::uint64_t n = 0;
  for (const auto& [cause, c] : retries) n += c;
  return n;
}

}  // namespace pbs::transfer
