#pragma once
// What came back for a request, and what it means when it is not an answer the request accepts:
// a typed Error that says what failed, on which object, and what to do about it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/request.h"
#include "util/result.h"

namespace pbs::s3 {

struct Response {
  long status = 0;
  std::vector<Header> headers;  // names lower-cased
  std::vector<std::uint8_t> body;  // empty when the body went to a file

  std::optional<std::string> header(std::string_view name) const;
  std::string_view body_text() const {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
};

// Why a failed exchange may succeed when repeated.
enum class RetryCause { none, throttled, server_error, request_timeout, clock_skew };
RetryCause retry_cause(long status, std::string_view error_code);

// The error for a response `req` does not accept. `endpoint` is shown for bucket errors.
Error response_error(const Request& req, const Response& resp, std::string_view endpoint);

}  // namespace pbs::s3
