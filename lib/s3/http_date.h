#pragma once
// HTTP dates (RFC 7231 IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"): the Date, Last-Modified and
// Retry-After headers of S3 answers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "s3/response.h"

namespace pbs::s3 {

// Epoch seconds; nullopt when the text is not an IMF-fixdate (util/calendar.h): a header that is no
// date is as good as absent.
std::optional<std::int64_t> parse_http_date(std::string_view value);
std::string format_http_date(std::int64_t epoch);

// The server's clock when it answered (its Date header), else `fallback`.
std::int64_t server_time(const Response& response, std::int64_t fallback);

}  // namespace pbs::s3
