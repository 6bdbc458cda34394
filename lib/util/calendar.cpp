#include "util/calendar.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <ctime>

#include "util/duration.h"

namespace pbs {

namespace {

constexpr std::array<std::string_view, 7> kDayNames{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonthNames{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Howard Hinnant's days_from_civil and civil_from_days: exact for every proleptic Gregorian date,
// with no time zone database and no normalisation involved. `month` and `day` must be valid.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t days, CivilTime& out) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  out.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  out.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out.year = static_cast<std::int64_t>(yoe) + era * 400 + (out.month <= 2);
}

// Days since 1970-01-01 and the second of that day, rounding towards the past (no overflow at the
// ends of int64_t, which epoch / kDay * kDay would have).
std::int64_t day_of(std::int64_t epoch, std::int64_t& second_of_day) {
  std::int64_t days = epoch / kDay;
  second_of_day = epoch % kDay;
  if (second_of_day < 0) {
    second_of_day += kDay;
    --days;
  }
  return days;
}

int weekday_of(std::int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }  // 1970-01-01: Thu

// Reads text left to right; each step either consumes what it expects or reports false.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  bool end() const { return at_ == text_.size(); }
  char peek() const { return end() ? '\0' : text_[at_]; }
  bool skip(char c) {
    if (end() || text_[at_] != c) return false;
    ++at_;
    return true;
  }
  bool skip(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  template <class Int>
  bool digits(std::size_t width, Int& out) {  // exactly `width` decimal digits
    if (text_.size() - at_ < width) return false;
    out = 0;
    for (std::size_t i = 0; i < width; ++i) {
      char c = text_[at_ + i];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    at_ += width;
    return true;
  }
  bool some_digits() {  // one or more
    std::size_t from = at_;
    while (!end() && text_[at_] >= '0' && text_[at_] <= '9') ++at_;
    return at_ > from;
  }
  template <std::size_t N>
  bool name(const std::array<std::string_view, N>& names, int& index) {
    for (std::size_t i = 0; i < N; ++i) {
      if (skip(names[i])) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

// "YYYY-MM-DD[(T|t| )HH:MM[:SS[.f+]]][Z|z|(+|-)HH:MM]" as written, fields not yet range-checked.
struct Written {
  CivilTime civil;
  char separator = 0;  // before the time of day; 0 for a date alone
  bool seconds = false;
  bool fraction = false;
  char zone = 0;       // 'Z', 'z', '+', '-', or 0 for none
  int offset = 0;      // seconds east of UTC
};

bool read_zone(Reader& in, Written& w) {
  char z = in.peek();
  if (z == 'Z' || z == 'z') {
    w.zone = z;
    return in.skip(z);
  }
  if (z != '+' && z != '-') return true;
  int hours = 0, minutes = 0;
  in.skip(z);
  if (!in.digits(2, hours) || !in.skip(':') || !in.digits(2, minutes) || hours > 23 || minutes > 59) return false;
  w.zone = z;
  w.offset = (hours * 3600 + minutes * 60) * (z == '+' ? 1 : -1);
  return true;
}

std::optional<Written> scan_iso(std::string_view text) {
  Reader in(text);
  Written w;
  CivilTime& c = w.civil;
  if (!in.digits(4, c.year) || !in.skip('-') || !in.digits(2, c.month) || !in.skip('-') || !in.digits(2, c.day)) {
    return std::nullopt;
  }
  char sep = in.peek();
  if (sep == 'T' || sep == 't' || sep == ' ') {
    in.skip(sep);
    w.separator = sep;
    if (!in.digits(2, c.hour) || !in.skip(':') || !in.digits(2, c.minute)) return std::nullopt;
    if (in.skip(':')) {
      if (!in.digits(2, c.second)) return std::nullopt;
      w.seconds = true;
      if (in.skip('.')) {
        if (!in.some_digits()) return std::nullopt;
        w.fraction = true;
      }
    }
  }
  if (!read_zone(in, w) || !in.end()) return std::nullopt;
  return w;
}

Error not_a(std::string_view text, std::string_view form) {
  return Error(Errc::invalid_argument, "'" + std::string(text) + "' is not " + std::string(form));
}

Error no_such_time(std::string_view text) {
  return Error(Errc::invalid_argument, "'" + std::string(text) + "' is no real date and time "
                                                                  "(no such day of the month, hour, minute or second)");
}

Result<std::int64_t> zoned_epoch(const Written& w, std::string_view text) {
  auto utc = epoch_from_civil(w.civil);
  if (!utc) return no_such_time(text);
  return *utc - w.offset;
}

// mktime, after the date was found real: it would roll a Feb 30 over, and refuses nothing.
Result<std::int64_t> local_epoch(const CivilTime& c, std::string_view text) {
  if (!epoch_from_civil(c)) return no_such_time(text);
  std::tm tm{};
  tm.tm_year = static_cast<int>(c.year - 1900);
  tm.tm_mon = c.month - 1;
  tm.tm_mday = c.day;
  tm.tm_hour = c.hour;
  tm.tm_min = c.minute;
  tm.tm_sec = c.second;
  tm.tm_isdst = -1;  // the zone's rules say whether daylight saving time applies
  return static_cast<std::int64_t>(std::mktime(&tm));
}

void append_padded(std::string& out, std::int64_t value, std::size_t width) {
  if (value < 0) out += '-';
  std::string digits = std::to_string(value < 0 ? -value : value);
  if (digits.size() < width) out.append(width - digits.size(), '0');
  out += digits;
}

std::string format_civil(const CivilTime& c, int weekday, std::string_view pattern) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 == pattern.size()) {
      out += pattern[i];
      continue;
    }
    switch (char conversion = pattern[++i]) {
      case 'Y': append_padded(out, c.year, 4); break;
      case 'm': append_padded(out, c.month, 2); break;
      case 'd': append_padded(out, c.day, 2); break;
      case 'H': append_padded(out, c.hour, 2); break;
      case 'M': append_padded(out, c.minute, 2); break;
      case 'S': append_padded(out, c.second, 2); break;
      case 'a': out += kDayNames[static_cast<std::size_t>(weekday)]; break;
      case 'b': out += kMonthNames[static_cast<std::size_t>(c.month - 1)]; break;
      case '%': out += '%'; break;
      default:
        out += '%';
        out += conversion;
    }
  }
  return out;
}

}  // namespace

bool is_leap_year(std::int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int days_in_month(std::int64_t year, int month) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && is_leap_year(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

std::optional<std::int64_t> epoch_from_civil(const CivilTime& t) {
  if (t.year < -kMaxAbsYear || t.year > kMaxAbsYear || t.day < 1 || t.day > days_in_month(t.year, t.month) ||
      t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 || t.second > 60) {
    return std::nullopt;
  }
  return days_from_civil(t.year, unsigned(t.month), unsigned(t.day)) * kDay + t.hour * 3600 + t.minute * 60 +
         t.second;
}

CivilTime civil_from_epoch(std::int64_t epoch) {
  std::int64_t second_of_day = 0;
  CivilTime out;
  civil_from_days(day_of(epoch, second_of_day), out);
  out.hour = static_cast<int>(second_of_day / 3600);
  out.minute = static_cast<int>(second_of_day / 60 % 60);
  out.second = static_cast<int>(second_of_day % 60);
  return out;
}

Result<std::int64_t> parse_rfc3339(std::string_view text) {
  auto w = scan_iso(text);
  if (!w || (w->separator != 'T' && w->separator != 't') || !w->seconds || !w->zone) {
    return not_a(text, "an RFC 3339 time (YYYY-MM-DDTHH:MM:SSZ, with a fraction or +HH:MM if need be)");
  }
  return zoned_epoch(*w, text);
}

Result<std::int64_t> parse_proxmox_rfc3339(std::string_view text) {
  auto w = scan_iso(text);
  if (!w || w->separator != 'T' || !w->seconds || w->fraction || !w->zone || w->zone == 'z') {
    return not_a(text, "an RFC 3339 time as PBS writes it (YYYY-MM-DDTHH:MM:SSZ or +hh:mm)");
  }
  CivilTime c = w->civil;
  if (c.month > 12 || c.day > 31 || c.hour > 23 || c.minute > 59 || c.second > 60) return no_such_time(text);
  // timegm's roll-over, as proxmox-time's TmEditor gets it: month 00 is the December before, and
  // the day counts on from the month's first (day 00 is the last day of the month before).
  if (c.month == 0) {
    c.month = 12;
    --c.year;
  }
  std::int64_t days = days_from_civil(c.year, unsigned(c.month), 1) + c.day - 1;
  return days * kDay + c.hour * 3600 + c.minute * 60 + c.second - w->offset;
}

Result<std::int64_t> parse_local_date_time(std::string_view text) {
  auto w = scan_iso(text);
  if (!w) return not_a(text, "a date and time like 2026-11-30T22:00:00Z, 2026-11-30 22:00 or 2026-11-30");
  if (w->zone) return zoned_epoch(*w, text);
  return local_epoch(w->civil, text);
}

Result<std::int64_t> parse_imf_fixdate(std::string_view text) {
  Reader in(text);
  CivilTime c;
  int weekday = 0, month = 0;
  if (!in.name(kDayNames, weekday) || !in.skip(", ") || !in.digits(2, c.day) || !in.skip(' ') ||
      !in.name(kMonthNames, month) || !in.skip(' ') || !in.digits(4, c.year) || !in.skip(' ') ||
      !in.digits(2, c.hour) || !in.skip(':') || !in.digits(2, c.minute) || !in.skip(':') ||
      !in.digits(2, c.second) || !in.skip(" GMT") || !in.end()) {
    return not_a(text, "an HTTP date (Sun, 06 Nov 1994 08:49:37 GMT)");
  }
  c.month = month + 1;
  auto epoch = epoch_from_civil(c);
  if (!epoch) return no_such_time(text);
  return *epoch;
}

std::string format_utc(std::int64_t epoch, std::string_view pattern) {
  std::int64_t second_of_day = 0;
  return format_civil(civil_from_epoch(epoch), weekday_of(day_of(epoch, second_of_day)), pattern);
}

std::string format_rfc3339_utc(std::int64_t epoch) { return format_utc(epoch, "%Y-%m-%dT%H:%M:%SZ"); }
std::string format_imf_fixdate(std::int64_t epoch) { return format_utc(epoch, "%a, %d %b %Y %H:%M:%S GMT"); }
std::string format_amz_date(std::int64_t epoch) { return format_utc(epoch, "%Y%m%dT%H%M%SZ"); }

Result<std::string> format_rfc3339_local(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  if (!localtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
    return Error(Errc::invalid_argument,
                 "the time @" + std::to_string(epoch) + " is outside the years 0..9999 in local time");
  }
  CivilTime c{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec};
  long gmtoff = tm.tm_gmtoff;
  // Real offsets stay within a day; the bound keeps the text the 25 bytes proxmox-time reads back.
  long offset = std::min(std::labs(gmtoff), 86399L);
  std::string out = format_civil(c, tm.tm_wday, "%Y-%m-%dT%H:%M:%S");
  out += gmtoff < 0 ? '-' : '+';
  append_padded(out, offset / 3600, 2);
  out += ':';
  append_padded(out, offset / 60 % 60, 2);
  return out;
}

}  // namespace pbs
