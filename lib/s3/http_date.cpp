#include "s3/http_date.h"

#include "util/calendar.h"

namespace pbs::s3 {

std::optional<std::int64_t> parse_http_date(std::string_view value) {
  auto epoch = parse_imf_fixdate(value);
  if (!epoch) return std::nullopt;
  return *epoch;
}

std::string format_http_date(std::int64_t epoch) { return format_imf_fixdate(epoch); }

std::int64_t server_time(const Response& response, std::int64_t fallback) {
  if (auto d = response.header("date")) {
    if (auto t = parse_http_date(*d)) return *t;
  }
  return fallback;
}

}  // namespace pbs::s3
