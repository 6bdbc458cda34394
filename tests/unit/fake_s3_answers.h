#pragma once
// The pieces every answer of the in-memory bucket (fake_s3.h) is made of: statuses, error
// documents with S3's own messages, the forms S3 writes dates and ETags in. Internal to the fake.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3/request.h"
#include "s3/response.h"

namespace pbs::test::fake {

inline constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";
inline constexpr std::string_view kXmlHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

std::optional<std::string> query_value(const s3::Request& r, std::string_view name);
std::optional<std::string> header_value(const s3::Request& r, std::string_view name);
bool has_header(const s3::Request& r, std::string_view name);

s3::Response status(long code);
// An S3 <Error> document with the message S3 sends for `code` (its own text for the common ones).
s3::Response error_document(long code, std::string_view s3_code, std::string_view message = {});
std::string error_message(std::string_view s3_code);
void set_body(s3::Response& r, std::string_view text);

// "2026-12-01T00:00:00.000Z", as listings write LastModified.
std::string iso8601_ms(std::int64_t epoch);
// The quoted MD5 hex of the body: the ETag of a single-part upload.
std::string quoted_etag(const std::vector<std::uint8_t>& body);
// `text` URL-encoded when the listing asked for encoding-type=url, else XML-escaped.
std::string listed_text(std::string_view text, bool url);

}  // namespace pbs::test::fake
