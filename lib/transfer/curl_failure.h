#pragma once
// What a transfer that failed below HTTP (a libcurl result code) means for its request: try it
// again, count it against reaching the endpoint at all, or give up with an error that says what to
// check. Codes are libcurl's CURLcode values; curl.h stays in the .cpp.

#include <string_view>

#include "util/error.h"

namespace pbs::transfer {

enum class TransportFailure { retry, connect, fatal };

TransportFailure classify_transport(int curl_code);
// The retry counter's name for it: "stalled", "connect" or "connection-reset".
const char* transport_cause(int curl_code);
// What a failure on an endpoint that has not answered yet says when it is a scheme that does not
// match the port: https:// to a plain HTTP server ("wrong version number") or http:// to a TLS
// port (no answer, or bytes that are not HTTP). Empty when it says nothing of the kind.
std::string scheme_mismatch(int curl_code, std::string_view detail, bool https);
// The error once no attempt is left: `where` names the request and endpoint, `detail` is curl's.
Error transport_error(int curl_code, std::string_view detail, std::string_view where);

}  // namespace pbs::transfer
