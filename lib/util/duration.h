#pragma once
// Durations as people write them in options and configuration: "24h5m", "90m", "2d", "30s",
// "3600" (seconds), "0".

#include <cstdint>
#include <string_view>

#include "util/result.h"

namespace pbs {

inline constexpr std::int64_t kDay = 86400;  // seconds

// Seconds; Errc::invalid_argument naming the text when it is not a duration.
Result<std::int64_t> parse_duration(std::string_view text);

// The longest outage a run waits out (MAX_OUTAGE, --max-outage): beyond a week, a nightly run
// would never end before the next one starts.
inline constexpr std::int64_t kMaxOutageBudget = 7 * kDay;
// An outage budget: a duration from 1 s to kMaxOutageBudget.
Result<std::int64_t> parse_outage_budget(std::string_view text);

}  // namespace pbs
