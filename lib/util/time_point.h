#pragma once
// A point in time as an administrator writes it for --point-in-time: "2026-11-30T22:00:00Z",
// "2026-11-30 22:00" (local time, as `date` shows it, unless a Z or +HH:MM says otherwise),
// "2026-11-30" (local midnight), "@1796000000" (epoch seconds), or a duration ago ("36h", "2d").

#include <cstdint>
#include <string_view>

#include "util/result.h"

namespace pbs {

// How far after `now` a point in time may be (clocks of two hosts differ a little).
inline constexpr std::int64_t kFutureSlackSeconds = 300;

// Epoch seconds; Errc::invalid_argument naming the text when it is none of the forms above, is
// empty, names no real date (2026-02-30, 25:00), overflows (@99999999999999999999), does not come
// after 1970-01-01T00:00:00Z (a duration reaching back further, @0) or lies in the future.
Result<std::int64_t> parse_time_point(std::string_view text, std::int64_t now);

}  // namespace pbs
