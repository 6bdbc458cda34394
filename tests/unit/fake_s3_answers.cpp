#include "fake_s3_answers.h"

#include <map>

#include "s3/uri_encode.h"
#include "s3/xml.h"
#include "util/calendar.h"
#include "util/hex.h"
#include "util/md5.h"

namespace pbs::test::fake {

std::optional<std::string> query_value(const s3::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string> header_value(const s3::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

bool has_header(const s3::Request& r, std::string_view name) { return header_value(r, name).has_value(); }

s3::Response status(long code) {
  s3::Response r;
  r.status = code;
  return r;
}

std::string error_message(std::string_view code) {
  // The texts AWS sends (radosgw sends most of them too, or none).
  static const std::map<std::string_view, std::string_view> kTexts = {
      {"AccessDenied", "Access Denied"},
      {"InternalError", "We encountered an internal error. Please try again."},
      {"InvalidArgument", "Invalid Argument"},
      {"MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema"},
      {"MethodNotAllowed", "The specified method is not allowed against this resource."},
      {"NoSuchBucket", "The specified bucket does not exist"},
      {"NoSuchKey", "The specified key does not exist."},
      {"NoSuchVersion", "The specified version does not exist."},
      {"NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration"},
      {"ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"},
      {"PreconditionFailed", "At least one of the pre-conditions you specified did not hold"},
      {"SlowDown", "Please reduce your request rate."},
  };
  auto it = kTexts.find(code);
  return it == kTexts.end() ? std::string("scripted by the fake") : std::string(it->second);
}

void set_body(s3::Response& r, std::string_view text) { r.body.assign(text.begin(), text.end()); }

s3::Response error_document(long code, std::string_view s3_code, std::string_view message) {
  s3::Response r = status(code);
  std::string text = message.empty() ? error_message(s3_code) : std::string(message);
  set_body(r, std::string(kXmlHead) + "<Error><Code>" + std::string(s3_code) + "</Code><Message>" +
                  s3::xml_escape(text) + "</Message><RequestId>fake</RequestId></Error>");
  return r;
}

std::string iso8601_ms(std::int64_t epoch) { return format_utc(epoch, "%Y-%m-%dT%H:%M:%S.000Z"); }

std::string quoted_etag(const std::vector<std::uint8_t>& body) {
  Md5 md5;
  md5.update(body);
  return "\"" + to_hex(md5.final()) + "\"";
}

std::string listed_text(std::string_view text, bool url) {
  return url ? s3::uri_encode(text, true) : s3::xml_escape(text);
}

}  // namespace pbs::test::fake
