// util/calendar: civil dates <-> epoch seconds, every date-time form the tool reads and writes.

#include <climits>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "test_support.h"
#include "util/calendar.h"

using namespace pbs;

namespace {

// The process's time zone for one test; local times are checked against POSIX TZ rules, which
// need no time zone database.
class LocalZone {
 public:
  explicit LocalZone(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~LocalZone() {
    if (old_) setenv("TZ", old_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

template <class T>
std::optional<T> ok(Result<T> r) {
  if (!r) return std::nullopt;
  return *r;
}

// Refused with Errc::invalid_argument, and the message names the text.
template <class Parse>
void refused(Parse parse, const std::string& text) {
  INFO(text);
  auto r = parse(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::invalid_argument);
  CHECK(r.error().message().find("'" + text + "'") != std::string::npos);
}

CivilTime civil(std::int64_t y, int mo, int d, int h = 0, int mi = 0, int s = 0) { return {y, mo, d, h, mi, s}; }

}  // namespace

TEST_CASE("leap years and month lengths follow the Gregorian rules", "[calendar]") {
  for (std::int64_t y : {2024, 2000, 2400, 1600, 0, -4, -400}) CHECK(is_leap_year(y));
  for (std::int64_t y : {2023, 1900, 2100, 1800, -1, -100}) CHECK_FALSE(is_leap_year(y));
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2000, 2) == 29);
  CHECK(days_in_month(1900, 2) == 28);
  CHECK(days_in_month(2023, 2) == 28);
  CHECK(days_in_month(2023, 4) == 30);
  CHECK(days_in_month(2023, 12) == 31);
  CHECK(days_in_month(2023, 0) == 0);
  CHECK(days_in_month(2023, 13) == 0);
}

TEST_CASE("civil dates convert to epoch seconds and back, at the boundaries too", "[calendar]") {
  CHECK(epoch_from_civil(civil(1970, 1, 1)) == 0);
  CHECK(epoch_from_civil(civil(1969, 12, 31, 23, 59, 59)) == -1);
  CHECK(epoch_from_civil(civil(2000, 2, 29)) == 951782400);
  CHECK(epoch_from_civil(civil(2024, 2, 29, 12)) == 1709208000);
  CHECK(epoch_from_civil(civil(2038, 1, 19, 3, 14, 8)) == 2147483648);  // past 32-bit time_t
  CHECK(epoch_from_civil(civil(0, 1, 1)) == -62167219200);
  CHECK(epoch_from_civil(civil(9999, 12, 31, 23, 59, 59)) == 253402300799);
  CHECK(epoch_from_civil(civil(2005, 12, 31, 23, 59, 60)) == 1136073600);  // a leap second: the next one
  for (std::int64_t e : {0LL, -1LL, 951782400LL, 1709208000LL, -62167219200LL, 253402300799LL, 1136073599LL}) {
    INFO(e);
    CHECK(epoch_from_civil(civil_from_epoch(e)) == e);
  }
  CHECK(civil_from_epoch(-1) == civil(1969, 12, 31, 23, 59, 59));
  CHECK(civil_from_epoch(951782400 + 86399) == civil(2000, 2, 29, 23, 59, 59));
  // Day by day over 800 years, leap days and century rules included.
  auto first = *epoch_from_civil(civil(1600, 1, 1));
  CivilTime previous = civil_from_epoch(first - 86400);
  for (std::int64_t e = first; e < first + 800 * 366LL * 86400; e += 86400) {
    CivilTime c = civil_from_epoch(e);
    bool next_day = c.day == previous.day + 1 && c.month == previous.month && c.year == previous.year;
    bool next_year = c.month == 1 && previous.month == 12 && c.year == previous.year + 1;
    bool next_month = c.day == 1 && previous.day == days_in_month(previous.year, previous.month) &&
                      (c.month == previous.month + 1 || next_year);
    if (!(next_day || next_month) || epoch_from_civil(c) != e) FAIL("day " << e << " does not follow its previous");
    previous = c;
  }
}

TEST_CASE("dates that do not exist are refused, never rolled over", "[calendar]") {
  for (CivilTime bad : {civil(2025, 2, 29), civil(2024, 2, 30), civil(1900, 2, 29), civil(2025, 4, 31),
                        civil(2025, 0, 1), civil(2025, 13, 1), civil(2025, 1, 0), civil(2025, 1, 1, 24),
                        civil(2025, 1, 1, 23, 60), civil(2025, 1, 1, 23, 59, 61), civil(2025, 1, 1, -1),
                        civil(kMaxAbsYear + 1, 1, 1), civil(-kMaxAbsYear - 1, 1, 1)}) {
    INFO(bad.year << "-" << bad.month << "-" << bad.day << " " << bad.hour << ":" << bad.minute << ":" << bad.second);
    CHECK_FALSE(epoch_from_civil(bad));
  }
  // The year limit keeps every second in 64 bits, both ways.
  for (CivilTime edge : {civil(kMaxAbsYear, 12, 31, 23, 59, 59), civil(-kMaxAbsYear, 1, 1)}) {
    auto e = epoch_from_civil(edge);
    REQUIRE(e);
    CHECK(civil_from_epoch(*e) == edge);
  }
  // Any epoch second has a date, at the ends of int64_t too.
  CHECK(civil_from_epoch(LLONG_MAX).year > kMaxAbsYear);
  CHECK(civil_from_epoch(LLONG_MIN).year < -kMaxAbsYear);
  CHECK(format_utc(LLONG_MIN, "%Y-%m-%dT%H:%M:%S").front() == '-');
}

TEST_CASE("RFC 3339: Z, fractions and offsets, a real date and a zone required", "[calendar]") {
  CHECK(ok(parse_rfc3339("2026-11-01T02:00:00Z")) == 1793498400);
  CHECK(ok(parse_rfc3339("2026-11-01T02:00:00.000Z")) == 1793498400);
  CHECK(ok(parse_rfc3339("2026-11-01T02:00:00.999999999Z")) == 1793498400);  // fractions are dropped
  CHECK(ok(parse_rfc3339("2026-11-01t02:00:00z")) == 1793498400);
  CHECK(ok(parse_rfc3339("2026-11-01T03:00:00+01:00")) == 1793498400);
  CHECK(ok(parse_rfc3339("2026-10-31T20:30:00-05:30")) == 1793498400);
  CHECK(ok(parse_rfc3339("2024-02-29T00:00:00Z")) == 1709164800);
  CHECK(ok(parse_rfc3339("2005-12-31T23:59:60Z")) == 1136073600);
  CHECK(ok(parse_rfc3339("0000-01-01T00:00:00Z")) == -62167219200);
  CHECK(ok(parse_rfc3339("9999-12-31T23:59:59Z")) == 253402300799);
  for (std::string bad : {"", "2026-11-01T02:00:00", "2026-11-01 02:00:00Z", "2026-11-01T02:00Z", "2026-11-01",
                          "2026-11-01T02:00:00.Z", "2026-11-01T02:00:00+0100", "2026-11-01T02:00:00+24:00",
                          "2026-11-01T02:00:00+01:60", "2026-11-01T02:00:00Zjunk", " 2026-11-01T02:00:00Z",
                          "2026-1-01T02:00:00Z", "+2026-11-01T02:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-00-10T00:00:00Z",
                          "2026-11-00T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T23:60:00Z",
                          "2026-11-01T23:59:61Z"}) {
    refused(parse_rfc3339, bad);
  }
}

TEST_CASE("proxmox-time's RFC 3339, as PBS reads key files: fixed form, days rolled over as timegm does",
          "[calendar][crypto]") {
  CHECK(ok(parse_proxmox_rfc3339("2020-06-26T13:56:05Z")) == 1593179765);
  CHECK(ok(parse_proxmox_rfc3339("2020-12-30T00:00:00+06:30")) == 1609263000);
  CHECK(ok(parse_proxmox_rfc3339("2020-12-29T11:30:00-06:00")) == 1609263000);
  CHECK(ok(parse_proxmox_rfc3339("1970-01-01T00:00:00Z")) == 0);
  CHECK(ok(parse_proxmox_rfc3339("1969-12-31T23:59:59Z")) == -1);
  CHECK(ok(parse_proxmox_rfc3339("2005-12-31T23:59:60Z")) == 1136073600);
  CHECK(ok(parse_proxmox_rfc3339("0000-01-01T00:00:00Z")) == -62167219200);  // proxmox-time's range test
  CHECK(ok(parse_proxmox_rfc3339("9999-12-31T23:59:59Z")) == 253402300799);
  // PBS opens these (proxmox-time's TmEditor hands each field to timegm, which rolls it over).
  CHECK(parse_proxmox_rfc3339("2021-02-30T00:00:00Z").value() == parse_rfc3339("2021-03-02T00:00:00Z").value());
  CHECK(parse_proxmox_rfc3339("2024-02-31T10:00:00+02:00").value() == parse_rfc3339("2024-03-02T08:00:00Z").value());
  CHECK(parse_proxmox_rfc3339("2021-03-00T00:00:00Z").value() == parse_rfc3339("2021-02-28T00:00:00Z").value());
  CHECK(parse_proxmox_rfc3339("2021-00-15T00:00:00Z").value() == parse_rfc3339("2020-12-15T00:00:00Z").value());
  CHECK(parse_proxmox_rfc3339("2021-00-00T00:00:00Z").value() == parse_rfc3339("2020-11-30T00:00:00Z").value());
  for (std::string bad : {"2020-06-26T13:56:05", "2020-06-26T13:56:05+0200", "2020-13-26T13:56:05Z",
                          "2020-06-26T13:56:05.5Z", "2020-06-32T00:00:00Z", "2020-06-26T24:00:00Z",
                          "2020-06-26T23:60:00Z", "2020-06-26T23:59:61Z", "2020-06-26t13:56:05Z",
                          "2020-06-26T13:56:05z", "2020-06-26 13:56:05Z", "2020-06-26T13:56:05+24:00"}) {
    refused(parse_proxmox_rfc3339, bad);
  }
}

TEST_CASE("a date and time as people write it: local time unless a zone is given", "[calendar]") {
  LocalZone zone("CET-1CEST,M3.5.0,M10.5.0/3");  // Central Europe: +01:00, +02:00 in summer
  CHECK(ok(parse_local_date_time("2026-11-30 22:00")) == *ok(parse_rfc3339("2026-11-30T21:00:00Z")));
  CHECK(ok(parse_local_date_time("2026-11-30T22:00:05.5")) == *ok(parse_rfc3339("2026-11-30T21:00:05Z")));
  CHECK(ok(parse_local_date_time("2026-07-01 12:00:00")) == *ok(parse_rfc3339("2026-07-01T10:00:00Z")));
  CHECK(ok(parse_local_date_time("2026-11-30")) == *ok(parse_rfc3339("2026-11-29T23:00:00Z")));
  CHECK(ok(parse_local_date_time("2024-02-29")) == *ok(parse_rfc3339("2024-02-28T23:00:00Z")));
  // A zone wins over the local one.
  CHECK(ok(parse_local_date_time("2026-11-30T22:00:00Z")) == *ok(parse_rfc3339("2026-11-30T22:00:00Z")));
  CHECK(ok(parse_local_date_time("2026-11-30 22:00-05:00")) == *ok(parse_rfc3339("2026-12-01T03:00:00Z")));
  // mktime would have made March 2nd, 01:00 of the next day and so on of these.
  for (std::string bad : {"2026-02-30", "2025-02-29 10:00", "2026-11-30 25:00", "2026-11-30T23:60", "2026-13-01",
                          "2026-11-31", "2026-11-30T22", "2026-11-30T", "2026-11-30 22:00 CET", "26-11-30",
                          "2026-11-30T22:00:00.", ""}) {
    refused(parse_local_date_time, bad);
  }
}

TEST_CASE("HTTP dates are IMF-fixdate exactly", "[calendar]") {
  CHECK(ok(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT")) == 784111777);
  CHECK(ok(parse_imf_fixdate("Thu, 29 Feb 2024 00:00:00 GMT")) == 1709164800);
  CHECK(ok(parse_imf_fixdate("Mon, 06 Nov 1994 08:49:37 GMT")) == 784111777);  // the day name is not checked
  CHECK(format_imf_fixdate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(format_imf_fixdate(1709164800) == "Thu, 29 Feb 2024 00:00:00 GMT");
  for (std::string bad : {"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 06 Nov 1994 08:49:37 GMT ", "sun, 06 Nov 1994 08:49:37 GMT",
                          "Sun, 06 nov 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
                          "Fri, 29 Feb 2023 00:00:00 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                          "Sun, 31 Apr 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT", ""}) {
    refused(parse_imf_fixdate, bad);
  }
}

TEST_CASE("UTC formats: patterns, RFC 3339, SigV4's amz date, whatever the year", "[calendar]") {
  CHECK(format_rfc3339_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339_utc(1752502802) == "2025-07-14T14:20:02Z");
  CHECK(format_rfc3339_utc(-1) == "1969-12-31T23:59:59Z");
  CHECK(format_amz_date(1440938160) == "20150830T123600Z");
  CHECK(format_utc(1440938160, "%Y-%m-%dT%H:%M:%S.000Z") == "2015-08-30T12:36:00.000Z");
  CHECK(format_utc(0, "%a %b %% %q %") == "Thu Jan % %q %");
  CHECK(format_utc(-62167219200, "%Y") == "0000");
  CHECK(format_utc(-62167219200 - 1, "%Y-%m-%d") == "-0001-12-31");
  CHECK(format_utc(253402300800, "%Y-%m-%d") == "10000-01-01");
  for (std::int64_t e : {0LL, 951782400LL, 1709164800LL, 253402300799LL, -62167219200LL}) {
    INFO(e);
    CHECK(ok(parse_rfc3339(format_rfc3339_utc(e))) == e);
    CHECK(ok(parse_imf_fixdate(format_imf_fixdate(e))) == e);
  }
}

TEST_CASE("RFC 3339 in local time with its offset, as PBS writes key files", "[calendar][crypto]") {
  {
    LocalZone zone("XST-05:30");
    CHECK(format_rfc3339_local(1593179765).value() == "2020-06-26T19:26:05+05:30");
  }
  {
    LocalZone zone("EST5");
    CHECK(format_rfc3339_local(1593179765).value() == "2020-06-26T08:56:05-05:00");
    CHECK(format_rfc3339_local(0).value() == "1969-12-31T19:00:00-05:00");
  }
  LocalZone zone("UTC0");
  CHECK(format_rfc3339_local(1593179765).value() == "2020-06-26T13:56:05+00:00");
  for (std::int64_t e : {1593179765LL, 253402300799LL, -62167219200LL}) {
    auto text = format_rfc3339_local(e);
    REQUIRE(text);
    CHECK(text->size() == 25);
    CHECK(ok(parse_proxmox_rfc3339(*text)) == e);
  }
  for (std::int64_t e : {253402300800LL, -62167219201LL, LLONG_MAX}) {
    auto r = format_rfc3339_local(e);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::invalid_argument);
    CHECK(r.error().message().find(std::to_string(e)) != std::string::npos);
  }
}
