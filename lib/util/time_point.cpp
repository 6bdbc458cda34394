#include "util/time_point.h"

#include <cctype>
#include <string>

#include "util/calendar.h"
#include "util/duration.h"

namespace pbs {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The digits after '@', refused rather than clamped when they overflow.
std::optional<std::int64_t> epoch_seconds(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::int64_t v = 0;
  for (char c : digits) {
    if (!is_digit(c) || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) {
      return std::nullopt;
    }
  }
  return v;
}

bool starts_like_a_date(std::string_view text) {
  return text.size() > 4 && is_digit(text[0]) && is_digit(text[1]) && is_digit(text[2]) && is_digit(text[3]) &&
         text[4] == '-';
}

}  // namespace

Result<std::int64_t> parse_time_point(std::string_view text, std::int64_t now) {
  auto bad = [&](std::string_view why) {
    return Error(Errc::invalid_argument, "'" + std::string(text) + "' is not a point in time" + std::string(why) +
                                             " (use 2026-11-30T22:00:00Z, 2026-11-30 22:00 in local time, @EPOCH, "
                                             "or a duration ago such as 36h)");
  };
  if (text.empty()) return bad(": it is empty");
  std::int64_t t = 0;
  if (text.front() == '@') {
    auto v = epoch_seconds(text.substr(1));
    if (!v) return bad(": @ takes epoch seconds, digits up to 9223372036854775807");
    t = *v;
  } else if (starts_like_a_date(text)) {
    PBS_ASSIGN(t, parse_local_date_time(text));
  } else {
    // A bare number is refused: seconds ago and epoch seconds would be too easy to mix up.
    if (!std::isalpha(static_cast<unsigned char>(text.back()))) return bad("");
    auto ago = parse_duration(text);
    if (!ago || *ago <= 0 || __builtin_sub_overflow(now, *ago, &t)) return bad("");
  }
  // Remote::as_of 0 means "now": a point in time must come after it.
  if (t < 1) return bad(": it is not after 1970-01-01T00:00:00Z");
  // A future time reads the bucket as it is now: almost surely a typo in a recovery (a year off).
  if (t > now + kFutureSlackSeconds) return bad(": it is in the future");
  return t;
}

}  // namespace pbs
