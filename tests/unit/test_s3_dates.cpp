// The dates S3 answers carry: LastModified and RetainUntilDate in XML (RFC 3339), Date and
// Last-Modified headers (IMF-fixdate).

#include <string>

#include "s3/http_date.h"
#include "s3/request.h"
#include "s3/xml.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::s3;

namespace {

std::string listing(const std::string& entry) {
  return "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key>" + entry +
         "<ETag>\"e\"</ETag><Size>5</Size></Contents></ListBucketResult>";
}

}  // namespace

TEST_CASE("LastModified is read as RFC 3339, and one that is no date fails the page rather than pass for 1970",
          "[s3][calendar]") {
  auto page = parse_list_page(listing("<LastModified>2026-11-01T02:00:00.000Z</LastModified>"));
  REQUIRE(page);
  CHECK(page->objects.at(0).last_modified == 1793498400);
  auto offset = parse_list_page(listing("<LastModified>2026-11-01T03:00:00+01:00</LastModified>"));
  CHECK(offset->objects.at(0).last_modified == 1793498400);
  CHECK(parse_list_page(listing(""))->objects.at(0).last_modified == 0);  // absent
  for (std::string bad : {"yesterday", "2026-02-30T02:00:00.000Z", "2026-11-01T02:00:00", ""}) {
    INFO(bad);
    auto r = parse_list_page(listing("<LastModified>" + bad + "</LastModified>"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::remote);
    CHECK(r.error().message().find("'" + bad + "'") != std::string::npos);
  }
}

TEST_CASE("RetainUntilDate reads back what iso8601 writes", "[s3][calendar]") {
  auto xml = [](const std::string& until) {
    return "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>" + until + "</RetainUntilDate></Retention>";
  };
  CHECK(iso8601(1798761600) == "2027-01-01T00:00:00Z");
  CHECK(parse_object_retention(xml(iso8601(1798761600)))->until == 1798761600);
  auto bad = parse_object_retention(xml("2027-02-29T00:00:00Z"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("2027-02-29T00:00:00Z") != std::string::npos);
}

TEST_CASE("HTTP date headers: IMF-fixdate, anything else ignored", "[s3][calendar]") {
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
  CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK_FALSE(parse_http_date("Sun, 30 Feb 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("120"));  // Retry-After in seconds is not a date
  Response r;
  r.headers.emplace_back("date", "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(server_time(r, 5) == 784111777);
  r.headers.back().second = "Sunday, 06-Nov-94 08:49:37 GMT";
  CHECK(server_time(r, 5) == 5);
}
