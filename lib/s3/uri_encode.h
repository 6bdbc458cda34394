#pragma once
// AWS UriEncode: RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~) stay, every other byte
// becomes %XX with upper-case hex; '/' stays only in paths. S3 object keys are encoded exactly
// once, and the canonical URI is the wire path itself (no normalisation).

#include <string>
#include <string_view>

namespace pbs::s3 {

std::string uri_encode(std::string_view text, bool keep_slash);
// Decodes %XX sequences (and nothing else; '+' stays '+'). Malformed escapes stay as they are.
std::string uri_decode(std::string_view text);

}  // namespace pbs::s3
