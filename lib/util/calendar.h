#pragma once
// Dates and times as text, in one place: civil date <-> epoch seconds, the date-time forms the tool
// reads (RFC 3339 from S3 and snapshot names, proxmox-time's dialect in key files, --point-in-time's
// local forms, HTTP dates) and the forms it writes.
//
// Civil dates are proleptic Gregorian and never normalised: a Feb 30 or a 25:00 is refused, where
// libc's timegm/mktime would roll it over into another, valid-looking time. Only local time (text
// without a zone, a key file's local offset) asks the C library, for the time zone's rules.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pbs {

struct CivilTime {
  std::int64_t year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..days_in_month
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59; 60 is a leap second as text may carry one, read as the next second
  bool operator==(const CivilTime&) const = default;
};

// Years epoch_from_civil takes: far beyond any real date, near enough that seconds fit in 64 bits.
inline constexpr std::int64_t kMaxAbsYear = 100'000'000;

bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);  // 0 for a month outside 1..12

// Epoch seconds (UTC) of a real date and time; nullopt for a field out of its range (Feb 30, 24:00,
// 12:60) or a year beyond kMaxAbsYear.
std::optional<std::int64_t> epoch_from_civil(const CivilTime& time);
// The UTC date and time of any epoch second.
CivilTime civil_from_epoch(std::int64_t epoch);

// Each parser's error is Errc::invalid_argument naming the text.

// RFC 3339 as S3 and PBS's snapshot names write it: "2026-11-01T02:00:00Z",
// "2026-11-01T02:00:00.000Z", "2026-11-01T03:00:00+01:00" (T or t, Z or z). A fraction of a second
// is dropped; the zone is required.
Result<std::int64_t> parse_rfc3339(std::string_view text);

// RFC 3339 as proxmox-time's parse_rfc3339 reads a PBS key file's created/modified: exactly
// "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS+hh:mm", no fraction. Its month 00..12 and day
// 00..31 roll over as libc's timegm rolls them (PBS opens a key file created on 2021-02-30 as of
// March 2nd), so a key file PBS opens opens here too; hours up to 23, minutes 59, seconds 60.
Result<std::int64_t> parse_proxmox_rfc3339(std::string_view text);

// A date and time as people write it: "2026-11-30T22:00:00Z", "2026-11-30 22:00" (seconds and a
// fraction optional), "2026-11-30" (midnight), with Z or +HH:MM, or without a zone in local time as
// `date` shows it (a time skipped by a daylight saving change is moved on as mktime moves it).
Result<std::int64_t> parse_local_date_time(std::string_view text);

// IMF-fixdate, the HTTP date (RFC 9110 5.6.7): exactly "Sun, 06 Nov 1994 08:49:37 GMT". The day name
// must be one of the seven but is not checked against the date (RFC 9110 does not ask for it).
Result<std::int64_t> parse_imf_fixdate(std::string_view text);

// Like strftime in UTC and the C locale, whatever the process's locale: %Y (four digits at least,
// a sign when negative), %m %d %H %M %S, %a and %b (English names) and %%; any other character is
// copied as it is.
std::string format_utc(std::int64_t epoch, std::string_view pattern);
std::string format_rfc3339_utc(std::int64_t epoch);  // "2026-11-01T02:00:00Z"
std::string format_imf_fixdate(std::int64_t epoch);  // "Sun, 01 Nov 2026 02:00:00 GMT"
std::string format_amz_date(std::int64_t epoch);     // "20261101T020000Z", SigV4's X-Amz-Date

// Local time with its offset, as PBS writes key files: "2026-11-01T03:00:00+01:00".
// Errc::invalid_argument outside the years 0..9999, which proxmox-time could not read back.
Result<std::string> format_rfc3339_local(std::int64_t epoch);

}  // namespace pbs
