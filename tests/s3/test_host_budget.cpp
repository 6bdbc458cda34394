// The host's budget against radosgw: three sync processes at once through the counting proxy hold
// MAX_WORKERS and the bandwidth limit together, status shows their shares, and a job killed with
// SIGKILL gives its share back; sync --all runs every datastore of datastore.cfg as parallel jobs.
#include <signal.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <thread>

#include "sync_rig.h"

using namespace pbs;
using namespace pbs::test;
using json = nlohmann::json;

namespace {

testgen::GenConfig one_vm(std::uint64_t seed) {
  testgen::GenConfig c;
  c.seed = seed;
  c.vms = 1, c.cts = 0, c.hosts = 0, c.snapshots = 1, c.disk_chunks = 48, c.namespaces = false;
  c.encrypted_group = false, c.extras = false;
  return c;
}

// The host budget as `status --output json` shows it, with the shared budget directory.
json budget_of(const SyncRig& rig, const std::string& dir) {
  auto r = run_command({s3sync_bin(), "status", "--output", "json", "--config", rig.conf, "--lock-file", rig.lock},
                       rig.env({"PBS_S3SYNC_BUDGET_DIR=" + dir}));
  auto j = parse_summary(r);
  REQUIRE(j.contains("host-budget"));
  return j["host-budget"];
}

// Polls status until `pred` holds (a few seconds at most); returns the last view.
template <class Pred>
json wait_for(const SyncRig& rig, const std::string& dir, Pred pred, double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  json b = budget_of(rig, dir);
  while (!pred(b) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    b = budget_of(rig, dir);
  }
  return b;
}

// n jobs, all transferring and held back by the limit, each with `slots` requests in flight and
// an n-th of the bytes as its share (the shares settle at each job's next refresh after the last
// one joined or left).
bool settled(const json& b, std::size_t n, unsigned slots, double bytes) {
  if (b["jobs"].size() != n) return false;
  for (const auto& j : b["jobs"]) {
    if (!j["active"].get<bool>() || j["share"]["requests-in-flight"] != slots) return false;
    if (std::abs(j["share"]["bytes-per-second"].get<double>() - bytes / double(n)) > 2) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("three syncs at once hold MAX_WORKERS and the bandwidth limit together, and a killed one gives its share back",
          "[s3][budget]") {
  FaultProxy proxy;
  TempDir shared;
  std::vector<std::unique_ptr<SyncRig>> rigs;
  for (std::uint64_t i = 0; i < 3; ++i) {
    rigs.push_back(std::make_unique<SyncRig>(one_vm(100 + i)));
    std::ofstream(rigs.back()->conf) << "MAX_WORKERS=6\nBANDWIDTH_LIMIT_MBS=1\n";
  }
  // No hedges: an attempt abandoned for its hedge gives its permit back at once, while the proxy
  // holds the request open until the server answers it, so the proxy's count would not be the
  // budget's.
  std::vector<std::string> env{"PBS_S3SYNC_BUDGET_DIR=" + shared.path(), "AWS_ENDPOINT_URL=" + proxy.endpoint(),
                               "PBS_S3SYNC_HEDGE=0"};
  std::vector<std::unique_ptr<BackgroundCommand>> jobs;
  for (auto& rig : rigs) jobs.push_back(std::make_unique<BackgroundCommand>(rig->argv({}), rig->env(env)));

  json b = wait_for(*rigs[0], shared.path(), [](const json& v) { return settled(v, 3, 2, 1e6); }, 10);
  INFO(b.dump(2));
  REQUIRE(settled(b, 3, 2, 1e6));
  CHECK(b["limits"]["requests-in-flight"] == 6);
  CHECK(b["limits"]["bytes-per-second"] == 1e6);
  for (const auto& j : b["jobs"]) {
    CHECK(j["share"]["requests-in-flight"] == 2);
    CHECK(j["share"]["bytes-per-second"].get<double>() == Approx(1e6 / 3));
  }

  // Requests in flight at the proxy while all three run (after the kill, the dead job's requests
  // stay open at the proxy until the server answers them, though its permits are back).
  CHECK(proxy.stats().in_flight_peak <= 6);
  jobs[2]->kill(SIGKILL);
  auto killed = jobs[2]->wait();
  CHECK(killed.exit_code != 0);  // it was still running: killed mid-run
  // The other two take the freed share at their next refresh: three requests and half the bytes each.
  b = wait_for(*rigs[0], shared.path(), [](const json& v) { return settled(v, 2, 3, 1e6); }, 2);
  INFO(b.dump(2));
  REQUIRE(b["jobs"].size() == 2);
  for (const auto& j : b["jobs"]) {
    CHECK(j["share"]["requests-in-flight"] == 3);
    CHECK(j["share"]["bytes-per-second"].get<double>() == Approx(0.5e6));
  }

  for (int i = 0; i < 2; ++i) {
    auto r = jobs[i]->wait();
    INFO(r.err);
    CHECK(r.exit_code == 0);
    auto summary = parse_summary(r);
    CHECK(summary["host-budget"]["jobs-peak"] == 3);
    CHECK(summary["host-budget"]["requests-in-flight"]["min"] == 2);
    check_exact_mirror(*rigs[i]);
  }
  auto stats = proxy.stats();
  // Together never faster than the limit: the bytes over the span they were sent in (a loaded
  // machine only makes it slower).
  CHECK(double(stats.bytes_up) / (stats.last_end - stats.first_start) <= 1.05e6);
  auto rerun = rigs[2]->sync();
  INFO(rerun.err);
  CHECK(rerun.exit_code == 0);
  check_exact_mirror(*rigs[2]);
}

TEST_CASE("sync --all syncs every datastore of datastore.cfg into the prefix of its name, one JSON document for all",
          "[s3][budget]") {
  TempDir tmp;
  std::vector<std::unique_ptr<SyncRig>> rigs;
  std::ofstream cfg(tmp.sub("datastore.cfg"));
  for (std::uint64_t i = 0; i < 3; ++i) {
    rigs.push_back(std::make_unique<SyncRig>(one_vm(200 + i)));
    rigs[i]->bucket = rigs[0]->bucket;  // one bucket, a prefix per datastore
    rigs[i]->prefix = "store" + std::to_string(i + 1);
    cfg << "datastore: " << rigs[i]->prefix << "\n\tpath " << rigs[i]->root << "\n\n";
  }
  cfg.close();
  auto r = run_command({s3sync_bin(), "sync", "--all", "s3://" + rigs[0]->bucket, "--config", rigs[0]->conf,
                        "--output", "json"},
                       rigs[0]->env({"PBS_S3SYNC_DATASTORE_CFG=" + tmp.sub("datastore.cfg")}));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["command"] == "sync --all");
  CHECK(j["exit-code"] == 0);
  REQUIRE(j["jobs"].size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(j["jobs"][i]["exit-code"] == 0);
    CHECK(j["jobs"][i]["target"] == "s3://" + rigs[0]->bucket + "/store" + std::to_string(i + 1));
    CHECK(j["jobs"][i]["snapshots"]["uploaded"] == 1);
    check_exact_mirror(*rigs[i]);
  }
}

TEST_CASE("sync --all refuses a target whose PREFIX would put every datastore into one prefix", "[s3][budget]") {
  TempDir tmp;
  SyncRig a(one_vm(300)), b(one_vm(301));
  std::ofstream(tmp.sub("datastore.cfg")) << "datastore: a\n\tpath " << a.root << "\n\ndatastore: b\n\tpath " << b.root
                                          << "\n";
  auto r = run_command({s3sync_bin(), "sync", "--all", "s3://" + a.bucket + "/shared", "--config", a.conf},
                       a.env({"PBS_S3SYNC_DATASTORE_CFG=" + tmp.sub("datastore.cfg")}));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("would both sync into s3://" + a.bucket + "/shared"));
  CHECK(a.remote().empty());
}
