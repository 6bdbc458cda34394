// Faults a real server will not produce on demand, injected by tests/s3/fault_proxy.py between the
// engine and radosgw: each is retried and counted, and the objects end up byte-identical.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <numeric>

#include "s3/request.h"
#include "s3_support.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;

namespace {

struct Rig {
  FaultProxy proxy;
  std::string bucket = unique_bucket("fault");
  std::unique_ptr<transfer::Engine> direct = make_engine(4);
  std::unique_ptr<transfer::Engine> engine;
  explicit Rig(unsigned parallelism = 4, long stall_seconds = 60, bool hedge = true) {
    create_bucket(*direct, bucket);
    auto c = engine_config(parallelism, proxy.endpoint());
    c.stall_seconds = stall_seconds;
    c.hedge = hedge;
    engine = make_engine(c);
  }
  // The object as radosgw holds it, fetched without the proxy.
  std::vector<std::uint8_t> stored(const std::string& key) {
    auto r = direct->execute(s3::get_object(bucket, key));
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return r->body;
  }
};
// Forty small objects read through the proxy, each checked; `done` counts the answers.
struct FortyReads {
  Rig& rig;
  std::size_t done = 0;
  explicit FortyReads(Rig& r) : rig(r) {
    for (int i = 0; i < 40; ++i) REQUIRE(rig.direct->execute(s3::put_object(rig.bucket, "h/" + std::to_string(i), random_body(1000, i))));
  }
  void get_all() {
    for (int i = 0; i < 40; ++i) {
      rig.engine->submit(s3::get_object(rig.bucket, "h/" + std::to_string(i)), [this, i](Result<s3::Response> r) {
        REQUIRE(r);
        CHECK(r->body == *random_body(1000, i));
        ++done;
      });
    }
    rig.engine->run();
  }
};
}  // namespace

TEST_CASE("503 SlowDown with Retry-After: retried after the delay, counted, throttled", "[s3][faults]") {
  Rig rig;
  rig.proxy.rule("mode=status&status=503&code=SlowDown&retry_after=1&count=2&method=PUT");
  auto body = random_body(300000, 1);
  auto r = rig.engine->execute(s3::put_object(rig.bucket, "slow", body));
  REQUIRE(r);
  CHECK(r->status == 200);
  const auto& c = rig.engine->counters();
  CHECK(c.retries.at("throttled") == 2);
  CHECK(c.throttle_events == 2);
  CHECK(c.requests_of("PutObject") == 3);
  auto stats = rig.proxy.stats();
  REQUIRE(stats.times.size() == 3);
  // Retry-After: 1 is honoured although the configured backoff would retry sooner.
  CHECK(stats.times[1] - stats.times[0] >= 0.95);
  CHECK(stats.times[2] - stats.times[1] >= 0.95);
  CHECK(rig.stored("slow") == *body);
}

TEST_CASE("429 Too Many Requests is retried", "[s3][faults]") {
  Rig rig;
  rig.proxy.rule("mode=status&status=429&code=TooManyRequests&count=1");
  auto r = rig.engine->execute(s3::list_objects(rig.bucket, {}));
  REQUIRE(r);
  CHECK(rig.engine->counters().retries.at("throttled") == 1);
  CHECK(rig.engine->counters().requests_of("ListObjectsV2") == 2);
}

TEST_CASE("a connection reset mid-upload is retried on a fresh connection", "[s3][faults]") {
  Rig rig;
  rig.proxy.rule("mode=reset&count=1&method=PUT&reset_after=65536");
  auto body = random_body(2 << 20, 2);
  auto r = rig.engine->execute(s3::put_object(rig.bucket, "reset", body));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(rig.engine->counters().retries.at("connection-reset") == 1);
  CHECK(rig.proxy.stats().requests == 2);
  CHECK(rig.stored("reset") == *body);
}

TEST_CASE("a stalled response body is abandoned and fetched again", "[s3][faults]") {
  Rig rig(2, /*stall_seconds=*/2, /*hedge=*/false);  // the stall timeout alone (a hedge would race it)
  auto body = random_body(1 << 20, 3);
  REQUIRE(rig.direct->execute(s3::put_object(rig.bucket, "stall", body)));
  rig.proxy.rule("mode=stall&count=1&method=GET&stall_seconds=30");
  auto t0 = std::chrono::steady_clock::now();
  auto r = rig.engine->execute(s3::get_object(rig.bucket, "stall"));
  double secs = seconds_since(t0);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == *body);
  CHECK(rig.engine->counters().retries.at("stalled") == 1);
  CHECK(secs < 10);
}

TEST_CASE("a burst of server errors over parallel uploads: all retried, all stored", "[s3][faults]") {
  Rig rig(8);
  rig.proxy.rule("mode=status&status=500&code=InternalError&count=6&method=PUT");
  std::vector<s3::Bytes> bodies;
  int ok = 0;
  for (int i = 0; i < 12; ++i) {
    bodies.push_back(random_body(100000 + i, 10 + i));
    rig.engine->submit(s3::put_object(rig.bucket, "burst/" + std::to_string(i), bodies.back()),
                       [&](Result<s3::Response> r) {
                         REQUIRE(r);
                         ok += r->status == 200;
                       });
  }
  rig.engine->run();
  CHECK(ok == 12);
  CHECK(rig.engine->counters().retries.at("server-error") == 6);
  CHECK(rig.engine->counters().requests_of("PutObject") == 18);
  for (int i = 0; i < 12; ++i) CHECK(rig.stored("burst/" + std::to_string(i)) == *bodies[i]);
}

TEST_CASE("throttling halves concurrency and success grows it back", "[s3][faults]") {
  Rig rig(8);
  rig.proxy.rule("mode=status&status=503&code=SlowDown&count=8&method=PUT");
  int ok = 0;
  // Enough requests after the refusals for the window to grow back even when they all come late
  // (a loaded machine delays some of the first eight past the first halving): 4 to 8 takes 22.
  for (int i = 0; i < 100; ++i) {
    rig.engine->submit(s3::put_object(rig.bucket, "t/" + std::to_string(i), random_body(1000, i)),
                       [&](Result<s3::Response> r) { ok += r && r->status == 200; });
  }
  rig.engine->run();
  CHECK(ok == 100);
  const auto& c = rig.engine->counters();
  CHECK(c.throttle_events == 8);
  CHECK(c.min_window < 8);  // lowered at least once
  CHECK(rig.engine->window() > c.min_window);  // and recovered
}

TEST_CASE("throttling is never failed by an attempt count", "[s3][faults]") {
  Rig rig;
  auto c = engine_config(4, rig.proxy.endpoint());
  c.backoff_cap_seconds = 0.3;
  auto engine = make_engine(c);
  rig.proxy.rule("mode=status&status=503&code=SlowDown&count=15");
  auto r = engine->execute(s3::head_object(rig.bucket, "x"));
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(engine->counters().requests_of("HeadObject") == 16);
  CHECK(engine->counters().retries.at("throttled") == 15);
}

TEST_CASE("throttling that never ends fails after the outage budget, saying how long", "[s3][faults]") {
  Rig rig;
  auto c = engine_config(4, rig.proxy.endpoint());
  c.health.max_outage_seconds = 3;
  c.health.quiet_seconds = 1;
  auto engine = make_engine(c);
  REQUIRE(engine->execute(s3::head_bucket(rig.bucket)));  // the endpoint answered once
  rig.proxy.rule("mode=status&status=503&code=SlowDown&count=100000");
  auto t0 = std::chrono::steady_clock::now();
  auto r = engine->execute(s3::head_object(rig.bucket, "x"));
  double secs = seconds_since(t0);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::network);
  CHECK_THAT(r.error().message(), Catch::Contains("has not answered for"));
  CHECK_THAT(r.error().message(), Catch::Contains("--max-outage"));
  CHECK_THAT(r.error().message(), Catch::Contains("slow down"));
  CHECK(secs >= 3);
  CHECK(secs < 6);  // the budget, and not a backoff step or a quiet time past it
  CHECK(engine->counters().outages == 1);
  // The summary's outage figure is the one the message gives, though the outage never ended.
  CHECK(engine->counters().outage_seconds >= 3);
}

namespace {
// An interrupt that arrives `after` seconds from now, as SIGTERM would set the flag.
std::function<bool()> interrupt_after(double after) {
  auto at = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                     std::chrono::duration<double>(after));
  return [at] { return std::chrono::steady_clock::now() >= at; };
}
}  // namespace

TEST_CASE("an interrupt ends the requests waiting out an outage at once, and one sent after it gets one attempt",
          "[s3][faults][interrupt]") {
  Rig rig;
  auto c = engine_config(4, rig.proxy.endpoint());
  c.health.max_outage_seconds = 600;
  c.interrupted = interrupt_after(1.5);
  auto engine = make_engine(c);
  rig.proxy.rule("mode=status&status=503&code=ServiceUnavailable&count=100000000");
  std::vector<Result<s3::Response>> results;
  for (int i = 0; i < 6; ++i) {
    engine->submit(s3::put_object(rig.bucket, "i/" + std::to_string(i), random_body(1000, i)),
                   [&](Result<s3::Response> r) { results.push_back(std::move(r)); });
  }
  auto t0 = std::chrono::steady_clock::now();
  engine->run();
  double secs = seconds_since(t0);
  REQUIRE(results.size() == 6);
  for (const auto& r : results) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::interrupted);
  }
  CHECK(secs < 1.5 + 1.5);  // the flag is polled at least once a second
  auto before = engine->counters().total_requests();
  auto closing = engine->execute(s3::put_object(rig.bucket, "i/closing-record", random_body(10, 9)));
  REQUIRE_FALSE(closing);
  CHECK(closing.error().code() == Errc::interrupted);
  CHECK_THAT(closing.error().message(), Catch::Contains("not retried"));
  CHECK(engine->counters().total_requests() == before + 1);
  rig.proxy.clear();
  CHECK(engine->execute(s3::put_object(rig.bucket, "i/answered", random_body(10, 9)))->status == 200);
}

TEST_CASE("an interrupt abandons a stalled transfer when its grace is over", "[s3][faults][interrupt]") {
  Rig rig(2, /*stall_seconds=*/60);
  auto body = random_body(1 << 20, 5);
  REQUIRE(rig.direct->execute(s3::put_object(rig.bucket, "stalled", body)));
  auto c = engine_config(2, rig.proxy.endpoint());
  c.interrupted = interrupt_after(0.5);
  c.interrupt_grace_seconds = 1;
  auto engine = make_engine(c);
  rig.proxy.rule("mode=stall&count=1&method=GET&stall_seconds=30");
  auto t0 = std::chrono::steady_clock::now();
  auto r = engine->execute(s3::get_object(rig.bucket, "stalled"));
  double secs = seconds_since(t0);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::interrupted);
  CHECK_THAT(r.error().message(), Catch::Contains("abandoned in flight"));
  CHECK(secs < 0.5 + 1 + 1);
  CHECK(engine->counters().requests_of("GetObject") == 1);
}

TEST_CASE("a read whose answer is held back is hedged on a fresh connection: the first answer wins", "[s3][faults][hedge]") {
  Rig rig(4, 60, /*hedge=*/true);
  // Warm: the kind's usual latency is learned from answers that come at once.
  FortyReads reads(rig);
  auto get_all = [&] { reads.get_all(); };
  auto& done = reads.done;
  get_all();
  CHECK(rig.engine->counters().hedges == 0);  // no fault: no extra request
  rig.proxy.rule("mode=delay&stall_seconds=30&count=3&method=GET");
  auto t0 = std::chrono::steady_clock::now();
  get_all();
  double took = seconds_since(t0);
  INFO("took " << took << " s");
  CHECK(done == 80);
  CHECK(took < 15);  // not the 30 s the held answers take
  const auto& c = rig.engine->counters();
  CHECK(c.hedges == 3);
  CHECK(c.hedges_won == 3);
  CHECK(c.hedge_waited_seconds >= 3 * 1.0);  // each waited at least the floor before its hedge went
  CHECK(c.requests_of("GetObject") == 83);
}

TEST_CASE("a hedge held back in its turn is hedged again and holds back no other request's hedge", "[s3][faults][hedge]") {
  Rig rig(4, 60, /*hedge=*/true);
  FortyReads reads(rig);
  auto get_all = [&] { reads.get_all(); };
  auto& done = reads.done;
  get_all();  // the usual latency, learned
  // h/7's first attempt and its first two hedges are held; two other reads are held once.
  rig.proxy.rule("mode=delay&stall_seconds=30&count=3&method=GET&path_contains=h/7");
  rig.proxy.rule("mode=delay&stall_seconds=30&count=1&method=GET&path_contains=h/12");
  rig.proxy.rule("mode=delay&stall_seconds=30&count=1&method=GET&path_contains=h/25");
  auto t0 = std::chrono::steady_clock::now();
  get_all();
  double took = seconds_since(t0);
  INFO("took " << took << " s");
  CHECK(done == 80);
  CHECK(took < 15);  // not the 30 s a held answer takes
  const auto& c = rig.engine->counters();
  CHECK(c.hedges == 3 + 1 + 1);
  CHECK(c.hedges_won == 3);
  CHECK(c.requests_of("GetObject") == 80 + 5);
}

TEST_CASE("hedges go out even when every connection is held by a stalled request", "[s3][faults][hedge]") {
  Rig rig(2, 60, /*hedge=*/true);
  for (int i = 0; i < 2; ++i) REQUIRE(rig.direct->execute(s3::put_object(rig.bucket, "s/" + std::to_string(i), random_body(100, i))));
  rig.proxy.rule("mode=delay&stall_seconds=30&count=2&method=GET");
  auto t0 = std::chrono::steady_clock::now();
  int ok = 0;
  for (int i = 0; i < 2; ++i) {
    rig.engine->submit(s3::get_object(rig.bucket, "s/" + std::to_string(i)), [&](Result<s3::Response> r) { ok += r && r->status == 200; });
  }
  rig.engine->run();
  CHECK(ok == 2);
  CHECK(seconds_since(t0) < 15);
  CHECK(rig.engine->counters().hedges == 2);
}

TEST_CASE("a PUT whose answer is lost is hedged, and the object is stored as sent", "[s3][faults][hedge]") {
  Rig rig(4, 60, /*hedge=*/true);
  s3::PutOptions conditional;
  conditional.if_none_match = true;
  auto body = random_body(5000, 7);
  // The usual latency of small PUTs first.
  for (int i = 0; i < 20; ++i) REQUIRE(rig.engine->execute(s3::put_object(rig.bucket, "w/" + std::to_string(i), body, conditional)));
  rig.proxy.rule("mode=drop&stall_seconds=30&count=1&method=PUT");
  auto t0 = std::chrono::steady_clock::now();
  auto r = rig.engine->execute(s3::put_object(rig.bucket, "w/lost", body, conditional));
  REQUIRE(r);
  CHECK(seconds_since(t0) < 15);
  CHECK((r->status == 200 || r->status == 412));  // stored by the first attempt, or by the hedge
  CHECK(rig.stored("w/lost") == *body);
  CHECK(rig.engine->counters().hedges == 1);
  // An unconditional one too: the same body under the same key, stored as it is.
  auto other = random_body(5000, 8);
  rig.proxy.rule("mode=drop&stall_seconds=30&count=1&method=PUT");
  t0 = std::chrono::steady_clock::now();
  REQUIRE(rig.engine->execute(s3::put_object(rig.bucket, "w/plain", other)));
  CHECK(seconds_since(t0) < 15);
  CHECK(rig.stored("w/plain") == *other);
  CHECK(rig.engine->counters().hedges == 2);
  // Deletes are not hedged: a second one in a versioned bucket would add a delete marker.
  rig.proxy.rule("mode=delay&stall_seconds=4&count=1&method=POST");
  REQUIRE(rig.engine->execute(s3::delete_objects(rig.bucket, {"w/0"}, {})));
  CHECK(rig.engine->counters().hedges == 2);
}

TEST_CASE("auth errors are not retried through the proxy either", "[s3][faults]") {
  FaultProxy proxy;
  auto c = engine_config(2, proxy.endpoint());
  c.credentials.secret_key = "definitely-not-the-secret-0000000000000";
  auto engine = make_engine(c);
  auto r = engine->execute(s3::list_objects("any-bucket", {}));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::auth);
  CHECK(proxy.stats().requests == 1);
}

TEST_CASE("a skewed local clock is corrected from the server's Date and retried once", "[s3]") {
  auto c = engine_config(2);
  c.clock_offset_seconds = -3600;  // signs as if it were an hour ago
  auto engine = make_engine(c);
  std::string bucket = unique_bucket("skew");
  auto r = engine->execute(s3::create_bucket(bucket, ""));
  REQUIRE(r);
  CHECK(engine->counters().retries.at("clock-skew") == 1);
  CHECK(std::abs(engine->clock_offset()) < 120);
  auto again = engine->execute(s3::head_bucket(bucket));
  REQUIRE(again);
  CHECK(engine->counters().retries.at("clock-skew") == 1);
}

TEST_CASE("a refusal for the clock from a node whose own clock is wrong does not decide the offset", "[s3]") {
  FaultProxy proxy;
  // One answer says the request is 20 minutes off, with a Date 20 minutes ahead; radosgw's clock
  // (and this machine's) is right.
  proxy.rule("mode=status&status=403&code=RequestTimeTooSkewed&date_offset=1200&count=1");
  auto c = engine_config(2, proxy.endpoint());
  auto engine = make_engine(c);
  std::string bucket = unique_bucket("skewnode");
  auto r = engine->execute(s3::create_bucket(bucket, ""));
  INFO((r ? "" : r.error().message()));
  REQUIRE(r);
  CHECK(engine->counters().retries.at("clock-skew") == 2);  // adopted +20 min, refused for it, back to 0
  CHECK(std::abs(engine->clock_offset()) < 120);
  REQUIRE(engine->execute(s3::head_bucket(bucket)));
  CHECK(engine->counters().retries.at("clock-skew") == 2);
}

TEST_CASE("a global bandwidth limit holds across parallel uploads and downloads", "[s3][bandwidth]") {
  auto direct = make_engine(4);
  std::string bucket = unique_bucket("bw");
  create_bucket(*direct, bucket);
  auto c = engine_config(4);
  c.bandwidth = BandwidthSchedule::constant(1 << 20);  // 1 MiB/s for everything together
  auto engine = make_engine(c);
  const std::size_t each = 1 << 20;
  std::vector<s3::Bytes> bodies;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    bodies.push_back(random_body(each, 40 + i));
    engine->submit(s3::put_object(bucket, "bw/" + std::to_string(i), bodies.back()),
                   [](Result<s3::Response> r) { REQUIRE(r); });
  }
  engine->run();
  double up = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    engine->submit(s3::get_object(bucket, "bw/" + std::to_string(i)), [&, i](Result<s3::Response> r) {
      REQUIRE(r);
      CHECK(r->body == *bodies[i]);
    });
  }
  engine->run();
  double down = seconds_since(t0);
  INFO("upload " << up << " s, download " << down << " s; expected 4.0 s each");
  CHECK(up == Approx(4.0).epsilon(0.10));
  CHECK(down == Approx(4.0).epsilon(0.10));
}

namespace {

// Local time shifted by whole seconds (POSIX TZ offsets take seconds), so that the next minute
// starts `in_seconds` from now: a timetable slot boundary the test can wait for.
struct ShiftedZone {
  int boundary_minute;  // minute of the day the new slot starts, local
  explicit ShiftedZone(int in_seconds) {
    std::time_t now = std::time(nullptr);
    int shift = int((60 - (now + in_seconds) % 60) % 60);
    setenv("TZ", ("XYZ-0:00:" + std::to_string(shift)).c_str(), 1);
    tzset();
    boundary_minute = int(((now + shift + in_seconds) / 60) % 1440);
  }
  ~ShiftedZone() {
    unsetenv("TZ");
    tzset();
  }
  static std::string hhmm(int minute) {
    minute = (minute + 1440) % 1440;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
    return buf;
  }
};

}  // namespace

TEST_CASE("a bandwidth timetable's next slot changes the rate of a running transfer within 2 s",
          "[s3][bandwidth]") {
  auto direct = make_engine(4);
  std::string bucket = unique_bucket("tt");
  create_bucket(*direct, bucket);
  const int objects = 160;
  const std::size_t each = 64 * 1024;
  auto body = random_body(each, 7);
  for (int i = 0; i < objects; ++i) {
    direct->submit(s3::put_object(bucket, "tt/" + std::to_string(i), body), [](Result<s3::Response> r) { REQUIRE(r); });
  }
  direct->run();

  ShiftedZone zone(3);
  auto t0 = std::chrono::steady_clock::now();
  auto boundary = t0 + std::chrono::seconds(3);
  auto c = engine_config(4);
  c.bandwidth = must(BandwidthSchedule::parse(ShiftedZone::hhmm(zone.boundary_minute - 1) + ",200k " +
                                              ShiftedZone::hhmm(zone.boundary_minute) + ",4M"));
  auto engine = make_engine(c);
  std::vector<double> done;  // seconds after the boundary each object completed
  for (int i = 0; i < objects; ++i) {
    engine->submit(s3::get_object(bucket, "tt/" + std::to_string(i)), [&](Result<s3::Response> r) {
      REQUIRE(r);
      REQUIRE(r->body.size() == each);
      done.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - boundary).count());
    });
  }
  engine->run();
  auto rate_between = [&](double from, double to) {
    double n = double(std::count_if(done.begin(), done.end(), [&](double t) { return t >= from && t < to; }));
    return n * double(each) / (to - from);
  };
  double before = rate_between(-2.0, 0.0), after = rate_between(1.0, 2.0);
  INFO("before the slot change " << before << " B/s, 1-2 s after it " << after << " B/s");
  CHECK(before <= 300'000);
  CHECK(after >= 2'000'000);
  CHECK(engine->counters().bandwidth_changes == 1);
}
