// One prefix, one source datastore: a second host syncing a datastore of the same name into the
// same prefix is refused before it writes; a takeover is explicit and recorded, and
// --remove-vanished never deletes what the other source wrote.
#include <chrono>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "datagen.h"
#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;

namespace {

testgen::GenConfig host_datastore(std::uint64_t seed, std::int64_t base_time) {
  testgen::GenConfig cfg;
  cfg.seed = seed;
  cfg.base_time = base_time;
  cfg.vms = 1, cfg.cts = 1, cfg.hosts = 0, cfg.snapshots = 2;
  cfg.disk_chunks = 8, cfg.archive_chunks = 6;
  cfg.namespaces = false, cfg.encrypted_group = false, cfg.extras = false;
  return cfg;
}

std::set<std::string> manifests(SyncRig& rig) {
  std::set<std::string> out;
  for (const auto& [k, o] : rig.remote()) {
    if (k.ends_with("/index.json.blob")) out.insert(k);
  }
  return out;
}

std::map<std::string, std::string> etags(SyncRig& rig) {
  std::map<std::string, std::string> out;
  for (const auto& [k, o] : rig.remote()) out[k] = o.etag + "/" + std::to_string(o.last_modified);
  return out;
}

}  // namespace

TEST_CASE("a second source into the same prefix is refused with zero writes, and a takeover is explicit",
          "[sync][owner]") {
  // Host a syncs its store1. Host b has another datastore, also named store1, and the same target.
  SyncRig a(host_datastore(1, 1793498400));
  auto first = run_command(a.argv({}), a.env({"PBS_S3SYNC_HOST=pbs-a"}));
  REQUIRE(first.exit_code == 0);
  auto a_manifests = manifests(a);
  auto source = a.get(".pbs-s3sync/source");
  auto record = nlohmann::json::parse(std::string(source.begin(), source.end()));
  CHECK(record["host"] == "pbs-a");
  CHECK(record["datastore"] == "store1");

  TempDir other;
  std::string b_root = other.sub("store1");
  must(testgen::generate(b_root, host_datastore(2, 1793498400 + 30 * 86400)));  // other snapshots
  auto b_argv = a.argv({});
  b_argv[2] = b_root;
  auto before = etags(a);
  auto refused = run_command(b_argv, a.env({"PBS_S3SYNC_HOST=pbs-b"}));
  INFO(refused.err);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("datastore 'store1' on host 'pbs-a'"));
  CHECK_THAT(refused.err, Catch::Contains("datastore 'store1' on host 'pbs-b'"));
  CHECK_THAT(refused.err, Catch::Contains("--take-over"));
  auto j = parse_summary(refused);  // the JSON document says it too
  CHECK(j["exit-code"] == 2);
  CHECK(j["error"]["kind"] == "config");
  CHECK(etags(a) == before);  // nothing written

  // Host b takes the prefix over, then prunes with --remove-vanished: a's snapshots stay.
  auto take = b_argv;
  take.push_back("--take-over");
  auto taken = run_command(take, a.env({"PBS_S3SYNC_HOST=pbs-b"}));
  INFO(taken.err);
  REQUIRE(taken.exit_code == 0);
  CHECK_THAT(parse_summary(taken)["notices"].dump(), Catch::Contains("taken over from datastore 'store1' on host 'pbs-a'"));
  source = a.get(".pbs-s3sync/source");
  record = nlohmann::json::parse(std::string(source.begin(), source.end()));
  CHECK(record["host"] == "pbs-b");
  CHECK(record["taken-over-from"] == "datastore 'store1' on host 'pbs-a'");
  CHECK(record["since"].get<std::int64_t>() > 0);

  std::size_t manifests_before = 0;
  for (const auto& [k, o] : a.remote()) manifests_before += k.ends_with("/index.json.blob");
  auto prune = b_argv;
  prune.push_back("--remove-vanished");
  auto pruned = run_command(prune, a.env({"PBS_S3SYNC_HOST=pbs-b"}));
  INFO(pruned.err);
  CHECK(pruned.exit_code == 0);
  auto p = parse_summary(pruned);
  CHECK(p["snapshots"]["removed"] == 0);
  CHECK_THAT(p["notices"].dump(), Catch::Contains("written before"));
  std::size_t manifests_after = 0;
  for (const auto& [k, o] : a.remote()) manifests_after += k.ends_with("/index.json.blob");
  CHECK(manifests_after == manifests_before);

  // What b wrote after the takeover b may remove. (Manifests written in the very second of the
  // takeover count as the previous owner's: the safe side of a one-second clock.)
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto before_added = manifests(a);
  must(testgen::add_snapshots(b_root, 0.05, 5));
  REQUIRE(run_command(b_argv, a.env({"PBS_S3SYNC_HOST=pbs-b"})).exit_code == 0);
  std::set<std::string> first_added;
  for (const auto& m : manifests(a)) {
    if (!before_added.count(m)) first_added.insert(m);
  }
  REQUIRE(first_added.size() == 2);
  must(testgen::add_snapshots(b_root, 0.05, 6));
  REQUIRE(run_command(b_argv, a.env({"PBS_S3SYNC_HOST=pbs-b"})).exit_code == 0);
  must(testgen::prune(b_root, 1));
  auto own = run_command(prune, a.env({"PBS_S3SYNC_HOST=pbs-b"}));
  CHECK(own.exit_code == 0);
  CHECK(parse_summary(own)["snapshots"]["removed"] >= 2);
  auto left = manifests(a);
  for (const auto& m : first_added) CHECK_FALSE(left.count(m));  // b's own, written after the takeover
  for (const auto& m : a_manifests) CHECK(left.count(m));        // a's, never

  // Restoring from the prefix works from any host.
  TempDir restored;
  auto r = run_command({s3sync_bin(), "restore", a.target(), restored.sub("store1"), "--config", a.conf},
                       a.env({"PBS_S3SYNC_HOST=pbs-c"}));
  CHECK(r.exit_code == 0);
}
