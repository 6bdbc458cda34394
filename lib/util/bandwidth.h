#pragma once
// Bandwidth as people write it: a rate ("50M" = 50 MB/s) or rclone's timetable of rates by time
// of day and weekday ("08:00,512k 19:00,10M 23:00,off", "Mon-08:00,1M Sat-00:00,off"). The slot
// in force at a moment is the last entry at or before it, wrapping around the day (or the week
// when weekdays are named), as rclone's --bwlimit does.

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pbs {

// Bytes per second: K, M, G (10^3) and Ki, Mi, Gi (2^10); optional trailing "B" and "/s".
Result<std::uint64_t> parse_rate(std::string_view text);

class BandwidthSchedule {
 public:
  BandwidthSchedule() = default;  // unlimited
  static BandwidthSchedule constant(std::uint64_t bytes_per_second);
  // One rate, or a timetable: entries separated by spaces, each `[DAY-]HH:MM,RATE` with RATE a
  // rate or "off". Errc::invalid_argument naming the entry that is wrong.
  static Result<BandwidthSchedule> parse(std::string_view text);

  bool timetable() const { return slots_.size() > 1 || (!slots_.empty() && slots_[0].minute_of_week != 0); }
  bool unlimited() const;  // no slot limits anything
  // Bytes per second in force at `when` (local time); 0: unlimited.
  std::uint64_t rate_at(std::time_t when) const;
  // As written for people: "50 MB/s", "08:00 512 kB/s, 19:00 10 MB/s, 23:00 off", "none".
  std::string describe() const;

 private:
  struct Slot {
    int minute_of_week;  // 0 = Monday 00:00
    std::uint64_t rate;  // 0: off
    bool weekly;         // written with a weekday
  };
  std::vector<Slot> slots_;  // sorted by minute_of_week
};

}  // namespace pbs
