#include "util/duration.h"

#include <string>

namespace pbs {

Result<std::int64_t> parse_duration(std::string_view text) {
  auto bad = [&] {
    return Error(Errc::invalid_argument, "duration '" + std::string(text) + "' is not like 24h5m, 90m, 30s, 2d or 3600");
  };
  if (text.empty()) return bad();
  std::int64_t total = 0, number = 0;
  bool digits = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (number > (INT64_MAX - 9) / 10) return bad();
      number = number * 10 + (c - '0');
      digits = true;
      continue;
    }
    std::int64_t unit = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 : c == 'd' ? 86400 : 0;
    if (!digits || unit == 0) return bad();
    std::int64_t part = 0;
    if (__builtin_mul_overflow(number, unit, &part) || __builtin_add_overflow(total, part, &total)) return bad();
    number = 0;
    digits = false;
  }
  if (__builtin_add_overflow(total, number, &total)) return bad();
  return total;
}

Result<std::int64_t> parse_outage_budget(std::string_view text) {
  PBS_ASSIGN(std::int64_t seconds, parse_duration(text));
  if (seconds < 1 || seconds > kMaxOutageBudget) {
    return Error(Errc::invalid_argument, "outage budget '" + std::string(text) +
                                             "' must be from 1s to 7d (a run that waits longer would overlap the next)");
  }
  return seconds;
}

}  // namespace pbs
