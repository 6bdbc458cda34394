#include "s3/http_date.h"

#include <ctime>

namespace pbs::s3 {

std::optional<std::int64_t> parse_http_date(std::string_view value) {
  std::string s(value);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end) return std::nullopt;
  return std::int64_t(timegm(&tm));
}

std::string format_http_date(std::int64_t epoch) {
  std::time_t t = epoch;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace pbs::s3
