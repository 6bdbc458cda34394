// Object Lock and versioned buckets on radosgw: what every written object carries, how many
// versions reruns leave, retention that follows the data.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <set>

#include "remote/key_layout.h"
#include "remote/listing.h"
#include "retention/lock_policy.h"
#include "retention/retention_pass.h"
#include "s3/xml.h"
#include "sync_rig.h"
#include "util/duration.h"
#include "util/calendar.h"

using namespace pbs;
using namespace pbs::test;

namespace {

const std::vector<std::string> kLock = {"--object-lock", "governance", "--object-lock-days", "3"};

testgen::GenConfig small_plain() {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 60;
  cfg.archive_chunks = 30;
  cfg.encrypted_group = false;
  return cfg;
}

struct Versions {
  std::map<std::string, std::vector<std::string>> of;  // key (relative to the prefix) -> version ids
  std::size_t delete_markers = 0;
};

Versions versions(SyncRig& rig) {
  transfer::ObjectStore store(*rig.engine, rig.bucket);
  s3::ListOptions o;
  o.prefix = rig.prefix + "/";
  o.versions = true;
  auto all = store.list_all(o);
  REQUIRE(all);
  Versions v;
  for (const auto& obj : *all) {
    if (obj.delete_marker) {
      ++v.delete_markers;
      continue;
    }
    v.of[obj.key.substr(o.prefix.size())].push_back(obj.version_id);
  }
  return v;
}

// The lock on the current version of `rel`: mode and retain-until.
std::pair<std::string, std::int64_t> lock_of(SyncRig& rig, const std::string& rel) {
  auto r = rig.engine->execute(s3::head_object(rig.bucket, rig.prefix + "/" + rel));
  REQUIRE(r);
  REQUIRE(r->status == 200);
  auto until = parse_rfc3339(r->header("x-amz-object-lock-retain-until-date").value_or(""));
  return {r->header("x-amz-object-lock-mode").value_or(""), until ? *until : 0};
}

std::size_t chunk_versions_over_one(const Versions& v) {
  std::size_t n = 0;
  for (const auto& [k, ids] : v.of) n += k.starts_with(".chunks/") && ids.size() != 1;
  return n;
}

}  // namespace

TEST_CASE("a locked sync into a bucket without Object Lock is refused with how to make one, writing nothing",
          "[lock]") {
  SyncRig rig(small_plain());
  auto r = rig.sync(kLock);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("object-lock-enabled-for-bucket") != std::string::npos);
  CHECK(rig.remote().empty());
}

TEST_CASE("every object a locked sync writes is locked for N days, and reruns add no chunk version", "[lock]") {
  SyncRig rig(small_plain(), true);
  std::int64_t t0 = std::time(nullptr);
  auto r = rig.sync(kLock);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["versioned-bucket"] == true);
  CHECK(j["object-lock"]["mode"] == "GOVERNANCE");
  check_exact_mirror(rig);

  auto v = versions(rig);
  REQUIRE(v.of.size() > 50);
  CHECK(v.delete_markers == 0);
  for (const auto& [key, ids] : v.of) {
    INFO(key);
    CHECK(ids.size() == 1);
    auto [mode, until] = lock_of(rig, key);
    CHECK(mode == "GOVERNANCE");
    CHECK(until >= t0 + 3 * kDay - 5);
  }

  auto noop = rig.sync(kLock);
  REQUIRE(noop.exit_code == 0);
  CHECK(parse_summary(noop)["requests"]["by-operation"].value("PutObject", 0) == 0);
  CHECK(versions(rig).of == v.of);

  must(testgen::add_snapshots(rig.root, 0.02, 5));
  auto after = rig.sync(kLock);
  REQUIRE(after.exit_code == 0);
  CHECK(parse_summary(after)["chunks"]["uploaded"] > 0);
  auto v2 = versions(rig);
  CHECK(chunk_versions_over_one(v2) == 0);
  for (const auto& [key, ids] : v.of) CHECK(v2.of.at(key) == ids);  // nothing written before changed
  check_exact_mirror(rig);
}

TEST_CASE("an unlocked sync into a versioned bucket does not rely on If-None-Match: no second chunk version",
          "[lock]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync().exit_code == 0);
  // An interrupted snapshot's leftovers: its manifest gone, its chunks stored.
  auto first = versions(rig);
  std::string manifest;
  for (const auto& [k, ids] : first.of) {
    if (k.ends_with("/index.json.blob")) manifest = k;
  }
  REQUIRE(!manifest.empty());
  REQUIRE(rig.engine->execute(s3::on_version(s3::delete_object(rig.bucket, rig.prefix + "/" + manifest),
                                             first.of.at(manifest).front())));
  auto r = rig.sync();
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["uploaded"] == 1);
  CHECK(j["chunks"]["uploaded"] == 0);
  must(testgen::add_snapshots(rig.root, 0.02, 9));
  REQUIRE(rig.sync().exit_code == 0);
  CHECK(chunk_versions_over_one(versions(rig)) == 0);
  check_exact_mirror(rig);
}

TEST_CASE("retention follows the data: later, what complete snapshots need is extended and an orphan is not",
          "[lock]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync(kLock).exit_code == 0);
  std::string orphan = ".chunks/ffff/" + std::string(64, 'f');
  std::int64_t now = rig.engine->now_epoch();
  s3::PutOptions po;
  po.retention = s3::Retention{"GOVERNANCE", now + 3 * kDay};
  auto body = std::make_shared<const std::vector<std::uint8_t>>(3, std::uint8_t(7));
  REQUIRE(rig.engine->execute(s3::put_object(rig.bucket, rig.prefix + "/" + orphan, body, po)));
  auto orphan_before = lock_of(rig, orphan).second;

  remote::Remote remote{rig.bucket, rig.prefix};
  auto catalog = remote::load_catalog(*rig.engine, remote);
  REQUIRE(catalog);
  retention::LockPolicy policy{"GOVERNANCE", 3, kDay};
  // A day and a half on (the clock offset stands for the time passed): coverage ends within the
  // margin of 2 days, so this run extends.
  std::int64_t later = now + 36 * 3600;
  auto kept = retention::keep_retention(*rig.engine, remote, policy, *catalog, later, false);
  REQUIRE(kept);
  CHECK(kept->pass);
  CHECK(kept->failures == 0);
  CHECK(kept->covered_until == later + 3 * kDay);
  for (const auto& [key, path] : expected_objects(rig.root)) {
    INFO(key);
    CHECK(lock_of(rig, key).second == later + 3 * kDay);
  }
  CHECK(lock_of(rig, orphan).second == orphan_before);
  CHECK(chunk_versions_over_one(versions(rig)) == 0);  // retention is set on the version, not a copy

  auto again = retention::keep_retention(*rig.engine, remote, policy, *catalog, later + 3600, false);
  REQUIRE(again);
  CHECK_FALSE(again->pass);
}

TEST_CASE("after an attack hid every chunk and overwrote every manifest, restore --point-in-time brings back the "
          "datastore as it was", "[lock][pitr]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync(kLock).exit_code == 0);
  std::string before = rig.tmp.sub("store-at-time");
  std::filesystem::copy(rig.root, before, std::filesystem::copy_options::recursive);
  std::int64_t time = rig.engine->now_epoch();
  while (rig.engine->now_epoch() <= time + 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Life goes on after TIME: a new snapshot.
  must(testgen::add_snapshots(rig.root, 0.02, 11));
  REQUIRE(rig.sync(kLock).exit_code == 0);

  // The attack, with the host's credentials: a delete marker over every chunk, garbage over every
  // manifest. The lock keeps the versions; the current view is ruined.
  std::vector<std::string> chunks;
  for (const auto& [k, o] : rig.remote()) {
    if (k.starts_with(".chunks/")) chunks.push_back(rig.prefix + "/" + k);
    if (k.ends_with("/index.json.blob")) rig.put(k, {'g', 'a', 'r', 'b', 'a', 'g', 'e'});
  }
  transfer::ObjectStore store(*rig.engine, rig.bucket);
  auto deleted = store.delete_all(chunks);
  REQUIRE(deleted);
  REQUIRE(deleted->failures.empty());
  for (const auto& [k, o] : rig.remote()) CHECK_FALSE(k.starts_with(".chunks/"));
  CHECK(rig.run({"verify", rig.target()}).exit_code == 1);

  std::string when = "@" + std::to_string(time);
  auto listed = rig.run({"list", rig.target(), "--point-in-time", when, "--output", "json"});
  INFO(listed.err);
  REQUIRE(listed.exit_code == 0);
  auto verified = rig.run({"verify", rig.target(), "--point-in-time", when, "--deep"});
  INFO(verified.out << verified.err);
  CHECK(verified.exit_code == 0);

  std::string restored = rig.tmp.sub("restored");
  auto r = rig.run({"restore", rig.target(), restored, "--point-in-time", when, "--output", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  check_restored_identical(before, restored);
  std::set<std::string> want, got;
  for (const auto& [k, p] : expected_objects(before)) want.insert(k);
  for (const auto& [k, p] : expected_objects(restored)) got.insert(k);
  CHECK(got == want);  // the snapshot made after TIME is not in it
}

namespace {
// An orphan chunk object (no snapshot references it), locked until `until` when given.
std::string put_orphan(SyncRig& rig, char fill, std::optional<s3::Retention> lock) {
  std::string rel = ".chunks/" + std::string(4, fill) + "/" + std::string(64, fill);
  s3::PutOptions po;
  po.retention = std::move(lock);
  auto body = std::make_shared<const std::vector<std::uint8_t>>(5, std::uint8_t(fill));
  REQUIRE(rig.engine->execute(s3::put_object(rig.bucket, rig.prefix + "/" + rel, body, po)));
  return rel;
}
}  // namespace

TEST_CASE("gc on a versioned bucket deletes the versions of what nothing needs, not just keys", "[lock][gc]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync().exit_code == 0);
  auto pruned = must(testgen::prune(rig.root, 1));
  REQUIRE(!pruned.paths.empty());
  // Delete markers over their files (most snapshots: --max-delete says so).
  REQUIRE(rig.sync({"--remove-vanished", "--max-delete", std::to_string(pruned.paths.size())}).exit_code == 0);
  std::string orphan = put_orphan(rig, 'e', std::nullopt);
  auto before = versions(rig);
  REQUIRE(before.delete_markers > 0);

  auto dry = rig.run({"gc", rig.target(), "--grace", "0", "--dry-run", "--output", "json"});
  REQUIRE(dry.exit_code == 0);
  CHECK(versions(rig).of == before.of);

  auto r = rig.run({"gc", rig.target(), "--grace", "0", "--output", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["versioned-bucket"] == true);
  CHECK(j["versions"]["removed-keys-purged"] > 0);
  CHECK(j["versions"]["to-delete"] == parse_summary(dry)["versions"]["to-delete"]);
  auto after = versions(rig);
  CHECK(after.delete_markers == 0);  // the removed snapshots' keys are gone, markers and versions
  CHECK(after.of.count(orphan) == 0);
  for (const auto& [key, path] : expected_objects(rig.root)) {
    INFO(key);
    REQUIRE(after.of.count(key));
    CHECK(after.of.at(key).size() == 1);
  }
  CHECK(rig.run({"verify", rig.target()}).exit_code == 0);
}

TEST_CASE("gc on a locked bucket removes only versions whose retention ended, and never fails on the locked ones",
          "[lock][gc]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync(kLock).exit_code == 0);
  std::int64_t now = rig.engine->now_epoch();
  std::string expiring = put_orphan(rig, 'a', s3::Retention{"GOVERNANCE", now + 2});
  std::string compliance = put_orphan(rig, 'c', s3::Retention{"COMPLIANCE", now + 2 * kDay});
  auto compliance_until = lock_of(rig, compliance).second;
  while (rig.engine->now_epoch() <= now + 3) std::this_thread::sleep_for(std::chrono::milliseconds(200));

  auto r = rig.run({"gc", rig.target(), "--grace", "0", "--output", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["errors"].empty());
  CHECK(j["versions"]["locked"] == 1);
  CHECK(j["versions"]["locked-until"] >= compliance_until);
  auto after = versions(rig);
  CHECK(after.of.count(expiring) == 0);
  REQUIRE(after.of.count(compliance) == 1);
  CHECK(lock_of(rig, compliance) == std::pair<std::string, std::int64_t>{"COMPLIANCE", compliance_until});
  CHECK(chunk_versions_over_one(after) == 0);
  CHECK(rig.run({"verify", rig.target()}).exit_code == 0);
}

TEST_CASE("gc keeps what a manifest hidden by a young delete marker references", "[lock][gc]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync().exit_code == 0);
  auto before = versions(rig);
  std::size_t hidden = 0;
  for (const auto& [k, ids] : before.of) {
    if (!k.ends_with("/index.json.blob")) continue;
    REQUIRE(rig.engine->execute(s3::delete_object(rig.bucket, rig.prefix + "/" + k)));  // a marker, as an attacker makes
    ++hidden;
  }
  REQUIRE(hidden > 0);
  auto r = rig.run({"gc", rig.target(), "--grace", "1h", "--output", "json"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["versions"]["removed-keys-purged"] == 0);
  CHECK(j["chunks-deleted"] == 0);
  auto after = versions(rig);
  after.of.erase(".pbs-s3sync/gc-state");  // gc's own lease record
  CHECK(after.of == before.of);  // every version still there
}

TEST_CASE("a pass extends the last real version of a referenced chunk hidden by a delete marker", "[lock]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync(kLock).exit_code == 0);
  std::string chunk;
  for (const auto& [k, o] : rig.remote()) {
    if (k.starts_with(".chunks/")) chunk = k;
  }
  REQUIRE(!chunk.empty());
  std::string version = versions(rig).of.at(chunk).front();
  REQUIRE(rig.engine->execute(s3::delete_object(rig.bucket, rig.prefix + "/" + chunk)));
  remote::Remote remote{rig.bucket, rig.prefix};
  auto catalog = remote::load_catalog(*rig.engine, remote);
  REQUIRE(catalog);
  std::int64_t later = rig.engine->now_epoch() + 36 * 3600;
  auto kept = retention::keep_retention(*rig.engine, remote, {"GOVERNANCE", 3, kDay}, *catalog, later, false);
  REQUIRE(kept);
  CHECK(kept->hidden == 1);
  CHECK(kept->failures == 0);
  CHECK(kept->covered_until == later + 3 * kDay);
  auto head = rig.engine->execute(s3::on_version(s3::head_object(rig.bucket, rig.prefix + "/" + chunk), version));
  REQUIRE(head);
  REQUIRE(head->status == 200);
  auto until = parse_rfc3339(head->header("x-amz-object-lock-retain-until-date").value_or(""));
  REQUIRE(until);
  CHECK(*until == later + 3 * kDay);
}

TEST_CASE("after OBJECT_LOCK_DAYS is lowered, objects locked longer count as covered: the pass ends, once", "[lock]") {
  SyncRig rig(small_plain(), true);
  REQUIRE(rig.sync(kLock).exit_code == 0);  // 3 days
  remote::Remote remote{rig.bucket, rig.prefix};
  auto catalog = remote::load_catalog(*rig.engine, remote);
  REQUIRE(catalog);
  retention::LockPolicy shorter{"GOVERNANCE", 2, kDay / 2};
  std::int64_t now = rig.engine->now_epoch();
  auto kept = retention::keep_retention(*rig.engine, remote, shorter, *catalog, now, false);
  REQUIRE(kept);
  CHECK(kept->pass);  // the record claims more than 2 days
  CHECK(kept->failures == 0);
  CHECK(kept->already_longer == kept->objects);
  CHECK(kept->covered_until == now + 2 * kDay);
  auto next = retention::keep_retention(*rig.engine, remote, shorter, *catalog, now + 60, false);
  REQUIRE(next);
  CHECK_FALSE(next->pass);
}
