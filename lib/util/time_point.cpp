#include "util/time_point.h"

#include <cctype>
#include <ctime>
#include <string>

#include "util/duration.h"

namespace pbs {

namespace {

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<std::int64_t> parse_calendar(std::string_view s) {
  std::tm tm{};
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  std::size_t at = 10;
  if (at < s.size() && (s[at] == 'T' || s[at] == ' ')) {
    if (!digits(s, at + 1, 2, h) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, mi)) {
      return std::nullopt;
    }
    at += 6;
    if (at < s.size() && s[at] == ':') {
      if (!digits(s, at + 1, 2, sec)) return std::nullopt;
      at += 3;
      if (at < s.size() && s[at] == '.') {
        ++at;
        while (at < s.size() && std::isdigit(static_cast<unsigned char>(s[at]))) ++at;
      }
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::string_view zone = s.substr(at);
  if (zone.empty()) {
    tm.tm_isdst = -1;
    return std::int64_t(std::mktime(&tm));
  }
  std::int64_t utc = std::int64_t(timegm(&tm));
  if (zone == "Z" || zone == "z") return utc;
  int zh, zm;
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2, zh) && zone[3] == ':' &&
      digits(zone, 4, 2, zm) && zh <= 23 && zm <= 59) {
    std::int64_t offset = (zh * 3600 + zm * 60) * (zone[0] == '+' ? 1 : -1);
    return utc - offset;
  }
  return std::nullopt;
}

}  // namespace

Result<std::int64_t> parse_time_point(std::string_view text, std::int64_t now) {
  auto bad = [&] {
    return Error(Errc::invalid_argument, "'" + std::string(text) + "' is not a point in time (use 2026-11-30T22:00:00Z, "
                                         "2026-11-30 22:00 in local time, @EPOCH, or a duration ago such as 36h)");
  };
  if (text.empty()) return bad();
  if (text.front() == '@') {
    std::string n(text.substr(1));
    char* end = nullptr;
    long long v = std::strtoll(n.c_str(), &end, 10);
    if (n.empty() || *end || v <= 0) return bad();
    return std::int64_t(v);
  }
  if (auto t = parse_calendar(text)) return *t;
  bool has_unit = std::isalpha(static_cast<unsigned char>(text.back()));
  if (has_unit) {
    if (auto d = parse_duration(text); d && *d > 0) return now - *d;
  }
  return bad();
}

}  // namespace pbs
