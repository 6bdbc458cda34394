#include "util/utc_time.h"

#include <ctime>

namespace pbs {

std::string format_utc(std::int64_t epoch, const char* strftime_format) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, strftime_format, &tm);
  return std::string(buf, n);
}

}  // namespace pbs
