#include "s3/http_date.h"

#include <ctime>

#include "util/utc_time.h"

namespace pbs::s3 {

std::optional<std::int64_t> parse_http_date(std::string_view value) {
  std::string s(value);
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end) return std::nullopt;
  return std::int64_t(timegm(&tm));
}

std::string format_http_date(std::int64_t epoch) { return format_utc(epoch, "%a, %d %b %Y %H:%M:%S GMT"); }

std::int64_t server_time(const Response& response, std::int64_t fallback) {
  if (auto d = response.header("date")) {
    if (auto t = parse_http_date(*d)) return *t;
  }
  return fallback;
}

}  // namespace pbs::s3
