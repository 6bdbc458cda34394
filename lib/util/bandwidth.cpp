#include "util/bandwidth.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "util/text.h"

namespace pbs {

namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::array<std::string_view, 7> kWeekdays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

std::string hh_mm(int minute_of_day) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return text;
}

char upper(char c) { return char(std::toupper(static_cast<unsigned char>(c))); }

bool equal_nocase(std::string_view a, std::string_view b) { return to_lower(a) == to_lower(b); }

// Monday 0 .. Sunday 6; -1 when `name` is no weekday ("Mon" or "Monday", any case).
int weekday(std::string_view name) {
  static constexpr std::array<std::string_view, 7> names{"monday", "tuesday", "wednesday", "thursday",
                                                         "friday", "saturday", "sunday"};
  for (int i = 0; i < 7; ++i) {
    if (equal_nocase(name, names[i]) || equal_nocase(name, names[i].substr(0, 3))) return i;
  }
  return -1;
}

// "HH:MM" as minutes of the day; -1 when it is not a time.
int time_of_day(std::string_view t) {
  auto colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || t.size() - colon != 3) return -1;
  int h = 0, m = 0;
  for (char c : t.substr(0, colon)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    h = h * 10 + (c - '0');
  }
  for (char c : t.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return -1;
    m = m * 10 + (c - '0');
  }
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

Result<std::uint64_t> slot_rate(std::string_view text, std::string_view entry) {
  if (equal_nocase(text, "off")) return std::uint64_t(0);
  if (text.find(':') != std::string_view::npos) {
    return Error(Errc::invalid_argument, "bandwidth timetable entry '" + std::string(entry) +
                                             "': separate upload:download rates are not supported; one rate limits both");
  }
  auto r = parse_rate(text);
  if (!r) return Error(Errc::invalid_argument, "bandwidth timetable entry '" + std::string(entry) + "': " + r.error().message());
  return r;
}

}  // namespace

Result<std::uint64_t> parse_rate(std::string_view text) {
  std::string t(text);
  if (t.ends_with("/s")) t.resize(t.size() - 2);
  if (t.ends_with("B") || t.ends_with("b")) t.pop_back();
  double mult = 1;
  if (t.ends_with("i") && t.size() >= 2) {
    char u = upper(t[t.size() - 2]);
    mult = u == 'K' ? 1024.0 : u == 'M' ? 1048576.0 : u == 'G' ? 1073741824.0 : 0;
    t.resize(t.size() - 2);
  } else if (!t.empty() && std::isalpha(static_cast<unsigned char>(t.back()))) {
    char u = upper(t.back());
    mult = u == 'K' ? 1e3 : u == 'M' ? 1e6 : u == 'G' ? 1e9 : 0;
    t.pop_back();
  }
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || *end || mult == 0 || v < 0 || !std::isfinite(v) || v * mult > 1e15) {
    return Error(Errc::invalid_argument, "bandwidth '" + std::string(text) + "' is not a rate such as 50M (50 MB/s) or 800K");
  }
  if (std::uint64_t(v * mult) == 0) {
    return Error(Errc::invalid_argument, "bandwidth '" + std::string(text) + "' is no rate: a transfer cannot run at 0 "
                                         "(write off for no limit)");
  }
  return std::uint64_t(v * mult);
}

BandwidthSchedule BandwidthSchedule::constant(std::uint64_t bytes_per_second) {
  BandwidthSchedule s;
  s.slots_.push_back({0, bytes_per_second, false});
  return s;
}

Result<BandwidthSchedule> BandwidthSchedule::parse(std::string_view text) {
  std::vector<std::string_view> entries;
  for (std::size_t i = 0; i < text.size();) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    entries.push_back(text.substr(i, j - i));
    i = j;
  }
  if (entries.empty()) return Error(Errc::invalid_argument, "bandwidth: empty; give a rate such as 10M or a timetable such as \"08:00,512k 23:00,off\"");
  if (entries.size() == 1 && entries[0].find(',') == std::string_view::npos) {
    if (equal_nocase(entries[0], "off")) return BandwidthSchedule{};
    PBS_ASSIGN(auto rate, parse_rate(entries[0]));
    return constant(rate);
  }
  BandwidthSchedule s;
  for (auto entry : entries) {
    auto comma = entry.rfind(',');
    if (comma == std::string_view::npos) {
      return Error(Errc::invalid_argument, "bandwidth timetable entry '" + std::string(entry) +
                                               "' is not TIME,RATE (such as 08:00,512k or Mon-08:00,off)");
    }
    std::string_view when = entry.substr(0, comma);
    int day = -1;
    if (auto dash = when.find('-'); dash != std::string_view::npos) {
      day = weekday(when.substr(0, dash));
      if (day < 0) {
        return Error(Errc::invalid_argument, "bandwidth timetable entry '" + std::string(entry) + "': '" +
                                                 std::string(when.substr(0, dash)) + "' is not a weekday (Mon..Sun)");
      }
      when = when.substr(dash + 1);
    }
    int minute = time_of_day(when);
    if (minute < 0) {
      return Error(Errc::invalid_argument, "bandwidth timetable entry '" + std::string(entry) + "': '" +
                                               std::string(when) + "' is not a time HH:MM (00:00 to 23:59)");
    }
    PBS_ASSIGN(auto rate, slot_rate(entry.substr(comma + 1), entry));
    if (day >= 0) {
      s.slots_.push_back({day * kMinutesPerDay + minute, rate, true});
    } else {
      for (int d = 0; d < 7; ++d) s.slots_.push_back({d * kMinutesPerDay + minute, rate, false});
    }
  }
  // At one minute a weekday entry beats an everyday one; two entries of one kind for one minute are refused.
  std::stable_sort(s.slots_.begin(), s.slots_.end(), [](const Slot& a, const Slot& b) {
    return a.minute_of_week != b.minute_of_week ? a.minute_of_week < b.minute_of_week : a.weekly < b.weekly;
  });
  for (std::size_t i = 1; i < s.slots_.size(); ++i) {
    const Slot &a = s.slots_[i - 1], &b = s.slots_[i];
    if (a.minute_of_week == b.minute_of_week && a.weekly == b.weekly) {
      return Error(Errc::invalid_argument, "bandwidth timetable '" + std::string(text) + "': two entries for " +
                                               (b.weekly ? std::string(kWeekdays[std::size_t(b.minute_of_week / kMinutesPerDay)]) + "-" : "") +
                                               hh_mm(b.minute_of_week % kMinutesPerDay) + "; keep one");
    }
  }
  std::vector<Slot> unique;
  for (const auto& slot : s.slots_) {
    if (!unique.empty() && unique.back().minute_of_week == slot.minute_of_week) {
      unique.back() = slot;
    } else {
      unique.push_back(slot);
    }
  }
  s.slots_ = std::move(unique);
  return s;
}

bool BandwidthSchedule::unlimited() const {
  return std::all_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.rate == 0; });
}

std::uint64_t BandwidthSchedule::rate_at(std::time_t when) const {
  if (slots_.empty()) return 0;
  std::tm local{};
  localtime_r(&when, &local);
  int minute = ((local.tm_wday + 6) % 7) * kMinutesPerDay + local.tm_hour * 60 + local.tm_min;
  auto it = std::upper_bound(slots_.begin(), slots_.end(), minute,
                             [](int m, const Slot& s) { return m < s.minute_of_week; });
  return it == slots_.begin() ? slots_.back().rate : std::prev(it)->rate;
}

std::string BandwidthSchedule::describe() const {
  auto rate = [](std::uint64_t r) {
    if (r == 0) return std::string("off");
    if (r % 1000000 == 0) return std::to_string(r / 1000000) + "M";
    if (r % 1000 == 0) return std::to_string(r / 1000) + "k";
    return std::to_string(r);
  };
  if (unlimited()) return "none";
  if (!timetable()) return rate(slots_[0].rate) + "/s";
  std::string out;
  bool daily = std::none_of(slots_.begin(), slots_.end(), [](const Slot& s) { return s.weekly; });
  for (const auto& s : slots_) {
    if (daily && s.minute_of_week >= kMinutesPerDay) break;
    if (!out.empty()) out += ' ';
    if (!daily) out += std::string(kWeekdays[std::size_t(s.minute_of_week / kMinutesPerDay)]) + "-";
    out += hh_mm(s.minute_of_week % kMinutesPerDay) + "," + rate(s.rate);
  }
  return out;
}

}  // namespace pbs
