// A bad night, through the fault proxy in front of radosgw: throttling and resets all run long,
// half a minute without the endpoint in the middle of a run, an outage longer than the budget. The
// real binary must come back with an exact mirror and a byte-identical restore, and say so.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "datagen.h"
#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;

namespace {

testgen::GenConfig night_datastore() {
  testgen::GenConfig cfg;
  cfg.vms = 1, cfg.cts = 1, cfg.hosts = 1, cfg.snapshots = 2;
  cfg.disk_chunks = 24, cfg.archive_chunks = 16;
  return cfg;
}

// The rig's binary, talking to radosgw through the proxy.
struct NightRig {
  SyncRig rig;
  FaultProxy proxy;
  explicit NightRig(const testgen::GenConfig& cfg = night_datastore()) : rig(cfg) {}
  std::vector<std::string> env() const { return rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()}); }
  CommandResult sync(const std::vector<std::string>& extra = {}) const { return run_command(rig.argv(extra), env()); }
  std::vector<std::string> restore_argv(const std::string& into, const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> a{s3sync_bin(), "restore", rig.target(), into, "--config", rig.conf, "--output", "json"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  CommandResult restore(const std::string& into) const { return run_command(restore_argv(into), env()); }
  // Waits until the proxy has seen `n` more requests than `since` (the run is under way).
  void wait_for_requests(int since, int n) {
    for (int i = 0; i < 600 && proxy.stats().requests < since + n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
};

// Longer than the backoff's cap (20 s) and the outage probes' spacing: the run must wait, probe
// and come back, not just retry once.
constexpr int kWindowSeconds = 30;

// Starts the command, lets it make `requests` requests, then opens the fault window.
CommandResult run_through_window(NightRig& night, const std::vector<std::string>& argv, const std::string& fault,
                                 double& took) {
  int before = night.proxy.stats().requests;
  auto t0 = std::chrono::steady_clock::now();
  BackgroundCommand run(argv, night.env());
  night.wait_for_requests(before, 40);
  if (fault == "refuse") {
    night.proxy.refuse(kWindowSeconds);
  } else {
    night.proxy.rule(fault + "&seconds=" + std::to_string(kWindowSeconds) + "&count=100000000");
  }
  auto r = run.wait();
  took = seconds_since(t0);
  return r;
}

}  // namespace

TEST_CASE("30% 503 SlowDown and 5% resets all night: sync and restore exit 0, exact, five runs in a row",
          "[faults][night]") {
  for (int run = 1; run <= 5; ++run) {
    INFO("run " << run);
    NightRig night;
    night.proxy.rule("mode=status&status=503&code=SlowDown&retry_after=1&percent=30&count=100000000");
    night.proxy.rule("mode=reset&percent=5&count=100000000");
    auto s = night.sync({"-j", "8"});
    INFO(s.err);
    REQUIRE(s.exit_code == 0);
    auto j = parse_summary(s);
    CHECK(j["retries"]["by-cause"].value("throttled", 0) > 0);
    // Every fault the proxy injected was one retried attempt, counted by its cause.
    CHECK(j["retries"]["total"] == night.proxy.stats().faults);
    check_exact_mirror(night.rig);
    std::string into = night.rig.tmp.sub("restored");
    auto r = night.restore(into);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    check_restored_identical(night.rig.root, into);
    CHECK(run_command({s3sync_bin(), "verify", into}).exit_code == 0);
  }
}

namespace {
// Half a minute of `fault` in the middle of a sync, then in the middle of a restore: both ride it out.
void ride_out(const std::string& fault) {
  NightRig night;
  double took = 0;
  auto s = run_through_window(night, night.rig.argv({"--bandwidth-limit", "200K"}), fault, took);
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(took >= kWindowSeconds);
  auto j = parse_summary(s);
  CHECK(j["retries"]["total"].get<int>() > 0);
  CHECK(j["outages"] >= 1);
  check_exact_mirror(night.rig);
  std::string into = night.rig.tmp.sub("restored");
  auto r = run_through_window(night, night.restore_argv(into, {"--bandwidth-limit", "200K"}), fault, took);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(took >= kWindowSeconds);
  check_restored_identical(night.rig.root, into);
}
}  // namespace

TEST_CASE("half a minute of 503s in the middle of a run is waited out: sync and restore exit 0, exact", "[faults][night][waits]") {
  ride_out("mode=status&status=503&code=SlowDown");
}

TEST_CASE("half a minute of refused connections in the middle of a run is waited out: exit 0, exact", "[faults][night][waits]") {
  ride_out("refuse");
}

TEST_CASE("half a minute of connection resets in the middle of a run is waited out: exit 0, exact", "[faults][night][waits]") {
  ride_out("mode=reset");
}

TEST_CASE("SIGTERM during an outage ends the run within seconds with exit 1 and its summary, and the rerun completes",
          "[faults][night]") {
  NightRig night;
  BackgroundCommand run(night.rig.argv({"--bandwidth-limit", "200K"}), night.env());
  night.wait_for_requests(0, 40);
  night.proxy.rule("mode=status&status=503&code=ServiceUnavailable&seconds=120&count=100000000");
  std::this_thread::sleep_for(std::chrono::seconds(4));  // into the outage: every request waits for a retry
  auto t0 = std::chrono::steady_clock::now();
  run.kill(SIGTERM);
  auto r = run.wait();
  double took = seconds_since(t0);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(took < 6);  // the outage would have held it for two minutes
  auto j = parse_summary(r);
  CHECK(j["interrupted"] == true);
  CHECK(j["exit-code"] == 1);
  CHECK_THAT(j["errors"].dump(), Catch::Contains("interrupted"));
  check_no_incomplete_manifest(night.rig);
  night.proxy.clear();
  auto again = night.sync();
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  check_exact_mirror(night.rig);
}

TEST_CASE("an outage longer than --max-outage stops the run with exit 4 in time, and the rerun sends nothing twice",
          "[faults][night]") {
  NightRig night;
  std::string metrics = night.rig.tmp.sub("metrics.prom");
  auto t0 = std::chrono::steady_clock::now();
  BackgroundCommand run(night.rig.argv({"--bandwidth-limit", "200K", "--max-outage", "5s", "--metrics-file", metrics}),
                        night.env());
  night.wait_for_requests(0, 40);
  auto refused_at = seconds_since(t0);
  night.proxy.refuse(40);
  auto r = run.wait();
  double stopped_after = seconds_since(t0) - refused_at;
  INFO(r.err);
  CHECK(r.exit_code == 4);
  CHECK(stopped_after < 5 + 15);
  auto j = parse_summary(r);
  CHECK(j["exit-code"] == 4);
  CHECK_THAT(j["errors"].dump(), Catch::Contains("has not answered for"));
  std::ifstream in(metrics);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK_THAT(text, Catch::Contains("pbs_s3sync_exit_code{"));
  CHECK_THAT(text, Catch::Contains("} 4\n"));
  check_no_incomplete_manifest(night.rig);

  while (seconds_since(t0) < refused_at + 41) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::size_t stored = 0;
  for (const auto& [k, o] : night.rig.remote()) stored += k.starts_with(".chunks/");
  auto again = night.sync();
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  auto a = parse_summary(again);
  std::size_t chunks = 0;
  for (const auto& [k, p] : expected_objects(night.rig.root)) chunks += k.starts_with(".chunks/");
  CHECK(a["chunks"]["uploaded"].get<std::size_t>() == chunks - stored);
  check_exact_mirror(night.rig);
}
