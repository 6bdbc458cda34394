// Remote verify, list and gc against radosgw, and the gc/sync interlock.
#include <signal.h>

#include <set>
#include <thread>

#include "datastore/datastore.h"
#include "datastore/inventory.h"
#include "gc/gc_job.h"
#include "push/sync_job.h"
#include "records/gc_state.h"
#include "records/source_record.h"
#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;

namespace {
// Removes every remote manifest (as a remote prune would): the chunks stay, referenced by nothing.
void remove_remote_manifests(SyncRig& rig) {
  std::vector<std::string> manifests;
  for (const auto& [k, o] : rig.remote()) {
    if (k.ends_with("/index.json.blob")) manifests.push_back(rig.prefix + "/" + k);
  }
  transfer::ObjectStore store(*rig.engine, rig.bucket);
  REQUIRE(store.delete_all(manifests));
}

std::string first_key(SyncRig& rig, const std::string& prefix) {
  for (const auto& [k, o] : rig.remote()) {
    if (k.starts_with(prefix)) return k;
  }
  FAIL("no remote key under " << prefix);
  return {};
}
}  // namespace

TEST_CASE("remote verify passes after a sync and names what is missing or damaged", "[verify]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  auto ok = rig.run({"verify", rig.target(), "--output", "json"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto j = parse_summary(ok);
  auto inv = must(datastore::build_inventory(must(datastore::Datastore::open(rig.root))));
  CHECK(j["snapshots"] == inv.snapshots);
  CHECK(j["snapshots-ok"] == inv.snapshots);
  CHECK(j["chunks-referenced"] == inv.unique_chunks);
  CHECK(j["chunks-missing"] == 0);

  SECTION("a deleted chunk object makes the snapshots using it incomplete") {
    std::string key = first_key(rig, ".chunks/");
    REQUIRE(rig.engine->execute(s3::delete_object(rig.bucket, rig.prefix + "/" + key)));
    auto r = rig.run({"verify", rig.target(), "--output", "json"});
    CHECK(r.exit_code == 1);
    auto jr = parse_summary(r);
    CHECK(jr["chunks-missing"] == 1);
    REQUIRE(jr["failed"].size() >= 1);
    CHECK_THAT(jr["failed"].dump(), Catch::Contains(key));
    auto text = rig.run({"verify", rig.target()});
    CHECK_THAT(text.out, Catch::Contains("INCOMPLETE"));
  }
  SECTION("--deep names a chunk whose bytes were altered; listing mode cannot see it") {
    std::string key = first_key(rig, ".chunks/");
    auto body = rig.get(key);
    body[body.size() / 2] ^= 1;
    rig.put(key, body);
    CHECK(rig.run({"verify", rig.target()}).exit_code == 0);
    auto deep = rig.run({"verify", rig.target(), "--deep", "--output", "json"});
    CHECK(deep.exit_code == 1);
    auto jd = parse_summary(deep);
    CHECK(jd["chunks-bad"] == 1);
    CHECK(jd["chunks-downloaded"] == inv.unique_chunks);
    CHECK_THAT(jd["failed"].dump(), Catch::Contains(key));
    auto sample = parse_summary(rig.run({"verify", rig.target(), "--deep", "--sample", "20", "--output", "json"}));
    CHECK(sample["chunks-downloaded"] < inv.unique_chunks);
    CHECK(sample["chunks-downloaded"] > 0);
  }
}

TEST_CASE("remote list has the shape of the local list and agrees with it", "[list]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  auto local = parse_summary(run_command({s3sync_bin(), "list", rig.root, "--output", "json"}));
  auto remote = parse_summary(rig.run({"list", rig.target(), "--output", "json"}));
  CHECK(remote["namespaces"] == local["namespaces"]);
  for (const char* k : {"namespaces", "groups", "snapshots", "logical-bytes"}) {
    INFO(k);
    CHECK(remote["totals"][k] == local["totals"][k]);
  }
  CHECK(remote["totals"]["unique-chunks"] == local["totals"]["unique-chunks"]);
  REQUIRE(remote["groups"].size() == local["groups"].size());
  for (std::size_t i = 0; i < local["groups"].size(); ++i) {
    const auto& lg = local["groups"][i];
    const auto& rg = remote["groups"][i];
    CHECK(rg["type"] == lg["type"]);
    CHECK(rg["id"] == lg["id"]);
    CHECK(rg["owner"] == lg["owner"]);
    REQUIRE(rg["snapshots"].size() == lg["snapshots"].size());
    for (std::size_t s = 0; s < lg["snapshots"].size(); ++s) {
      CHECK(rg["snapshots"][s]["time"] == lg["snapshots"][s]["time"]);
      CHECK(rg["snapshots"][s]["logical-size"] == lg["snapshots"][s]["logical-size"]);
      CHECK(rg["snapshots"][s]["protected"] == lg["snapshots"][s]["protected"]);
      CHECK(rg["snapshots"][s]["encrypted"] == lg["snapshots"][s]["encrypted"]);
    }
  }
  auto text = rig.run({"list", rig.target()});
  CHECK(text.exit_code == 0);
  CHECK_THAT(text.out, Catch::Contains("vm/100"));
}

TEST_CASE("gc after prune and remove-vanished deletes exactly the unreferenced chunks", "[gc]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  auto before = expected_objects(rig.root);
  auto pruned = must(testgen::prune(rig.root, 1));  // most of them: --max-delete says so
  REQUIRE(rig.sync({"--remove-vanished", "--max-delete", std::to_string(pruned.paths.size())}).exit_code == 0);
  auto after = expected_objects(rig.root);
  std::set<std::string> unreferenced;
  for (const auto& [k, p] : before) {
    if (k.starts_with(".chunks/") && !after.count(k)) unreferenced.insert(k);
  }
  REQUIRE_FALSE(unreferenced.empty());

  SECTION("the default grace keeps everything young") {
    auto r = rig.run({"gc", rig.target(), "--output", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto j = parse_summary(r);
    CHECK(j["chunks-deleted"] == 0);
    CHECK(j["chunks-young"] == unreferenced.size());
    for (const auto& k : unreferenced) CHECK(rig.remote().count(k));
  }
  SECTION("--grace 0: exactly the unreferenced chunks go, a referenced one never") {
    auto dry = parse_summary(rig.run({"gc", rig.target(), "--grace", "0", "--dry-run", "--output", "json"}));
    CHECK(dry["chunks-deleted"] == unreferenced.size());
    CHECK(rig.remote().count(*unreferenced.begin()));
    auto r = rig.run({"gc", rig.target(), "--grace", "0", "--output", "json"});
    REQUIRE(r.exit_code == 0);
    auto j = parse_summary(r);
    CHECK(j["chunks-deleted"] == unreferenced.size());
    auto remote = rig.remote();
    for (const auto& k : unreferenced) CHECK_FALSE(remote.count(k));
    for (const auto& [k, p] : after) CHECK(remote.count(k));
    CHECK(rig.run({"verify", rig.target()}).exit_code == 0);
    CHECK(remote.count(".pbs-s3sync/gc-state"));
  }
}

TEST_CASE("gc removes snapshots that never completed once older than the grace", "[gc]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  // A crash leftover: files of a snapshot without its manifest.
  rig.put(".cnt/vm/100/2030-01-01T00:00:00Z/drive-scsi0.img.fidx", {1, 2, 3});
  auto young = parse_summary(rig.run({"gc", rig.target(), "--output", "json"}));
  CHECK(young["incomplete-kept"] == 1);
  auto r = parse_summary(rig.run({"gc", rig.target(), "--grace", "0", "--output", "json"}));
  CHECK(r["incomplete-removed"] == 1);
  CHECK_FALSE(rig.remote().count(".cnt/vm/100/2030-01-01T00:00:00Z/drive-scsi0.img.fidx"));
}

TEST_CASE("a running gc is not started twice", "[gc]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  records::GcState running;
  running.running = true;
  running.host = "other-host";
  running.pid = 4242;
  running.lease_expires = std::time(nullptr) + 600;
  must(records::write_gc_state(*rig.engine, {rig.bucket, rig.prefix}, running));
  auto r = rig.run({"gc", rig.target()});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("other-host"));
}

TEST_CASE("SIGTERM stops gc before its next deletion batch and ends its lease", "[gc]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  remove_remote_manifests(rig);  // every chunk is now unreferenced: gc --grace 0 would delete them all
  std::size_t before = 0;
  for (const auto& [k, o] : rig.remote()) before += k.starts_with(".chunks/");
  FaultProxy proxy;              // holds one listing of .chunks/ for 2 s: the signal lands meanwhile
  proxy.rule("mode=status&status=503&code=SlowDown&retry_after=2&method=GET&path_contains=.chunks&count=1");
  BackgroundCommand gc({s3sync_bin(), "gc", rig.target(), "--grace", "0", "--config", rig.conf, "--output", "json"},
                       rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()}));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (proxy.stats().faults == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(proxy.stats().faults == 1);
  gc.kill(SIGTERM);
  auto r = gc.wait();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["interrupted"] == true);
  CHECK(j["objects-deleted"] == 0);
  std::size_t chunks = 0;
  for (const auto& [k, o] : rig.remote()) chunks += k.starts_with(".chunks/");
  CHECK(chunks == before);  // the listing waiting for its retry was given up: nothing decided, nothing deleted
  // Its lease ended: gc-state says finished, so the next gc (and any sync) goes ahead.
  auto state = must(records::read_gc_state(*rig.engine, {rig.bucket, rig.prefix}));
  REQUIRE(state);
  CHECK_FALSE(state->running);
  CHECK(rig.run({"gc", rig.target(), "--dry-run"}).exit_code == 0);
}

TEST_CASE("gc racing a sync never yields a complete snapshot with a missing chunk", "[gc][race]") {
  testgen::GenConfig cfg;
  cfg.vms = 2, cfg.cts = 1, cfg.hosts = 0, cfg.snapshots = 2, cfg.encrypted_group = false;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  // The next sync finds the chunks stored and reuses them without upload.
  remove_remote_manifests(rig);

  // The sync, in process; right before its first manifest, a gc with no grace runs to the end
  // and deletes every chunk no complete snapshot references: all the ones the sync reused.
  auto store_local = must(datastore::Datastore::open(rig.root));
  auto engine = make_engine(4);
  push::SyncOptions options;
  auto record = rig.get(std::string(records::kSourceKey));  // the same source as the binary's runs
  options.source = must(records::parse_source_record(std::string(record.begin(), record.end())));
  bool gc_ran = false;
  gc::GcSummary gc_result;
  options.upload.before_manifest = [&](const datastore::SnapshotRef&) {
    if (gc_ran) return;
    gc_ran = true;
    auto gc_engine = make_engine(4);
    gc::GcOptions g;
    g.grace_seconds = 0;
    g.host = "racer";
    gc_result = must(gc::run_gc(*gc_engine, {rig.bucket, rig.prefix}, g));
  };
  auto summary = must(push::run_sync(store_local, *engine, {rig.bucket, rig.prefix}, options, {}));
  REQUIRE(gc_ran);
  CHECK(gc_result.chunks_deleted > 0);
  INFO("errors: " << summary.errors.size());
  CHECK(summary.complete());
  CHECK(summary.chunks_reuploaded == gc_result.chunks_deleted);
  CHECK(check_no_incomplete_manifest(rig) > 0);
  CHECK(rig.run({"verify", rig.target()}).exit_code == 0);
}

TEST_CASE("sync leaves snapshots for later while a gc holds its lease", "[gc][race]") {
  testgen::GenConfig cfg;
  cfg.vms = 1, cfg.cts = 0, cfg.hosts = 0, cfg.snapshots = 2, cfg.encrypted_group = false, cfg.namespaces = false;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  remove_remote_manifests(rig);
  records::GcState running;
  running.running = true;
  running.host = "gc-host";
  running.lease_expires = std::time(nullptr) + 600;
  must(records::write_gc_state(*rig.engine, {rig.bucket, rig.prefix}, running));
  auto r = rig.sync();
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("a gc is running"));
  check_no_incomplete_manifest(rig);
  running.running = false;
  running.lease_expires = 0;
  running.finished = std::time(nullptr) - 7200;  // long before this sync: nothing to re-check
  must(records::write_gc_state(*rig.engine, {rig.bucket, rig.prefix}, running));
  auto again = rig.sync();
  CHECK(again.exit_code == 0);
  CHECK(parse_summary(again)["snapshots"]["uploaded"] == 2);
}
