// Bandwidth timetables (rclone's syntax) and the token buckets that enforce rates.

#include <cstdlib>
#include <ctime>
#include <vector>

#include "test_support.h"
#include "transfer/congestion.h"
#include "transfer/rate_limiter.h"
#include "util/bandwidth.h"
#include "util/duration.h"
#include "util/calendar.h"

using namespace pbs;

namespace {

// Local time is UTC here, so a moment is written as weekday and time of day.
struct UtcZone {
  UtcZone() {
    setenv("TZ", "UTC0", 1);
    tzset();
  }
};

std::time_t at(int day_after_monday, int hour, int minute) {
  std::int64_t monday = *epoch_from_civil({2026, 11, 30});  // 2026-11-30 is a Monday
  return monday + day_after_monday * 86400 + hour * 3600 + minute * 60;
}

}  // namespace

TEST_CASE("a single rate is a constant limit, and off is none", "[bandwidth]") {
  auto s = BandwidthSchedule::parse("50M");
  REQUIRE(s);
  CHECK_FALSE(s->timetable());
  CHECK(s->rate_at(at(3, 4, 5)) == 50'000'000);
  CHECK(s->describe() == "50M/s");
  auto off = BandwidthSchedule::parse("off");
  REQUIRE(off);
  CHECK(off->unlimited());
  CHECK(off->rate_at(at(0, 0, 0)) == 0);
  CHECK(BandwidthSchedule::parse("1.5Mi").value().rate_at(0) == 1572864);
}

TEST_CASE("a daily timetable: the last slot at or before now, wrapping to the previous day", "[bandwidth]") {
  UtcZone utc;
  auto s = BandwidthSchedule::parse("08:00,512k 19:00,10M 23:00,off");
  REQUIRE(s);
  CHECK(s->timetable());
  CHECK(s->rate_at(at(1, 7, 59)) == 0);  // still yesterday's 23:00 slot
  CHECK(s->rate_at(at(1, 8, 0)) == 512'000);
  CHECK(s->rate_at(at(1, 18, 59)) == 512'000);
  CHECK(s->rate_at(at(1, 19, 0)) == 10'000'000);
  CHECK(s->rate_at(at(1, 23, 30)) == 0);
  CHECK(s->rate_at(at(0, 0, 0)) == 0);  // Monday morning wraps to Sunday 23:00
  CHECK(s->describe() == "08:00,512k 19:00,10M 23:00,off");
}

TEST_CASE("entries may come in any order, and weekday entries cycle over the week", "[bandwidth]") {
  UtcZone utc;
  auto s = BandwidthSchedule::parse("Sun-20:00,off Mon-00:00,512 Fri-23:59,10M  Saturday-10:00,1M");
  REQUIRE(s);
  CHECK(s->rate_at(at(0, 0, 0)) == 512);
  CHECK(s->rate_at(at(4, 23, 58)) == 512);
  CHECK(s->rate_at(at(4, 23, 59)) == 10'000'000);
  CHECK(s->rate_at(at(5, 9, 0)) == 10'000'000);
  CHECK(s->rate_at(at(5, 10, 0)) == 1'000'000);
  CHECK(s->rate_at(at(6, 21, 0)) == 0);
  CHECK(s->describe() == "Mon-00:00,512 Fri-23:59,10M Sat-10:00,1M Sun-20:00,off");
}

TEST_CASE("a weekday entry beats an everyday one at the same minute", "[bandwidth]") {
  UtcZone utc;
  auto s = BandwidthSchedule::parse("08:00,1M Sat-08:00,off 20:00,5M");
  REQUIRE(s);
  CHECK(s->rate_at(at(4, 9, 0)) == 1'000'000);
  CHECK(s->rate_at(at(5, 9, 0)) == 0);
  CHECK(s->rate_at(at(5, 21, 0)) == 5'000'000);
}

TEST_CASE("malformed timetables name the entry that is wrong", "[bandwidth]") {
  auto why = [](const char* text) {
    auto s = BandwidthSchedule::parse(text);
    REQUIRE_FALSE(s);
    return s.error().message();
  };
  CHECK(why("08:00,1M 25:00,off").find("'25:00,off'") != std::string::npos);
  CHECK(why("08:00,1M 25:00,off").find("HH:MM") != std::string::npos);
  CHECK(why("Funday-08:00,1M 9:00,2M").find("'Funday' is not a weekday") != std::string::npos);
  CHECK(why("08:00 09:00,2M").find("is not TIME,RATE") != std::string::npos);
  CHECK(why("08:00,fast 09:00,2M").find("'08:00,fast'") != std::string::npos);
  CHECK(why("08:00,10M:1M 09:00,off").find("upload:download") != std::string::npos);
  CHECK(why("  ").find("empty") != std::string::npos);
  CHECK(why("12Q").find("not a rate") != std::string::npos);
  CHECK(why("-5M").find("not a rate") != std::string::npos);
}

TEST_CASE("a rate of 0 and two entries for one minute are refused, never read as no limit or the last one", "[bandwidth]") {
  auto why = [](const char* text) {
    auto s = BandwidthSchedule::parse(text);
    REQUIRE_FALSE(s);
    CHECK(s.error().code() == Errc::invalid_argument);
    return s.error().message();
  };
  for (const char* zero : {"0", "0M", "0.0001", "08:00,0 19:00,off"}) {
    INFO(zero);
    CHECK_THAT(why(zero), Catch::Contains("no rate") && Catch::Contains("write off for no limit"));
  }
  CHECK_THAT(why("08:00,1M 08:00,2M"), Catch::Contains("two entries for 08:00"));
  CHECK_THAT(why("Sat-08:00,1M 19:00,off Sat-08:00,2M"), Catch::Contains("two entries for Sat-08:00"));
  CHECK(BandwidthSchedule::parse("08:00,1M Sat-08:00,2M"));  // a weekday and an everyday entry: not a duplicate
}

TEST_CASE("an outage budget is a duration from a second to a week", "[bandwidth]") {
  CHECK(*parse_outage_budget("10m") == 600);
  CHECK(*parse_outage_budget("7d") == kMaxOutageBudget);
  for (const char* bad : {"", "0", "0s", "7d1s", "1000000d", "99999999999999999999d", "-5m", "abc"}) {
    INFO(bad);
    CHECK_FALSE(parse_outage_budget(bad));
  }
}

TEST_CASE("a request rate of N spaces attempts 1/N apart: no second holds more than N+1", "[bandwidth]") {
  using Clock = transfer::RateLimiter::Clock;
  transfer::RateLimiter requests(40, 1);
  auto t0 = Clock::now();
  std::vector<double> starts;
  // A caller that starts whenever allowed, polled every millisecond for 3 simulated seconds.
  for (int ms = 0; ms <= 3000; ++ms) {
    auto now = t0 + std::chrono::milliseconds(ms);
    while (requests.wait_for(1, now) == Clock::duration::zero()) {
      requests.take_all(1, now);
      starts.push_back(ms / 1000.0);
    }
  }
  CHECK(starts.size() >= 118);
  CHECK(starts.size() <= 122);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    std::size_t in_window = 0;
    for (std::size_t j = i; j < starts.size() && starts[j] < starts[i] + 1.0; ++j) ++in_window;
    CHECK(in_window <= 41);
  }
}

TEST_CASE("a byte bucket follows a new rate at once and drops what it saved", "[bandwidth]") {
  using Clock = transfer::RateLimiter::Clock;
  auto t0 = Clock::now();
  transfer::RateLimiter bytes(1'000'000);
  CHECK(bytes.take_up_to(1 << 20, t0 + std::chrono::seconds(1)) == 100'000);  // a tenth of a second saved
  bytes.set_rate(10'000, t0 + std::chrono::seconds(1));
  CHECK(bytes.take_up_to(1 << 20, t0 + std::chrono::seconds(2)) == 10'000);
  bytes.set_rate(0, t0 + std::chrono::seconds(2));
  CHECK_FALSE(bytes.limited());
  CHECK(bytes.take_up_to(1 << 20, t0 + std::chrono::seconds(2)) == std::size_t(1) << 20);
}

namespace {

// Drives a window for `seconds` in 100 ms steps; `serve(allowed)` says how many requests complete
// in a step with that many in flight.
template <class Serve>
void drive(transfer::ConcurrencyWindow& w, double seconds, bool waiting, Serve serve) {
  auto t = transfer::ConcurrencyWindow::Clock::now();
  std::uint64_t completed = 0;
  for (int step = 0; step < int(seconds * 10); ++step) {
    t += std::chrono::milliseconds(100);
    completed += serve(w.allowed());
    w.sample(t, waiting, completed, completed * 4096);
  }
}

}  // namespace

TEST_CASE("concurrency: a latency-bound run grows its window to the ceiling", "[congestion]") {
  transfer::ConcurrencyWindow w(64, 8);
  CHECK(w.allowed() == 8);
  drive(w, 60, true, [](unsigned n) { return n * 2; });  // 50 ms a request: completions follow the window
  CHECK(w.allowed() == 64);
  CHECK(w.peak() == 64);
  CHECK(w.limit() == "ceiling");
}

TEST_CASE("concurrency: when more in flight buys nothing (a full link), it goes back one step and stays",
          "[congestion]") {
  transfer::ConcurrencyWindow w(64, 8);
  drive(w, 60, true, [](unsigned n) { return std::min(n, 10u) * 2; });  // the link carries 10 at a time
  CHECK(w.limit() == "throughput");
  CHECK(w.allowed() >= 8);
  CHECK(w.allowed() <= 18);
  CHECK(w.peak() < 64);
}

TEST_CASE("concurrency: no growth while nothing waits for a slot, none when fixed, none after throttling",
          "[congestion]") {
  transfer::ConcurrencyWindow idle(64, 8);
  drive(idle, 30, false, [](unsigned n) { return n * 2; });
  CHECK(idle.allowed() == 8);
  CHECK(idle.limit() == "probing");

  transfer::ConcurrencyWindow fixed(8);
  drive(fixed, 30, true, [](unsigned n) { return n * 2; });
  CHECK(fixed.allowed() == 8);
  CHECK(fixed.limit() == "fixed");

  transfer::ConcurrencyWindow throttled(64, 8);
  CHECK(throttled.on_throttle(transfer::ConcurrencyWindow::Clock::now()));
  CHECK(throttled.allowed() == 4);
  drive(throttled, 30, true, [](unsigned n) { return n * 2; });
  CHECK(throttled.limit() == "throttling");
  CHECK(throttled.allowed() <= 8);
}
