#pragma once

#include <cstdint>
#include <string>

namespace pbs::report {

// "1.5 GiB", "512 B": binary units, one decimal.
std::string human_bytes(std::uint64_t bytes);
// "1h02m03s", "4.2s"
std::string human_duration(double seconds);

}  // namespace pbs::report
