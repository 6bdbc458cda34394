// gc on a versioned bucket (locked or not) against the in-memory bucket: versions and delete
// markers are deleted by version id, what snapshots still need (as their newest real versions
// say) stays, and versions under Object Lock retention are counted, not failed.
#include <algorithm>

#include <pugixml.hpp>

#include "gc/gc_job.h"
#include "records/record_keys.h"
#include "records/retention_record.h"
#include "remote/bucket_features.h"
#include "remote/key_layout.h"
#include "remote_fixtures.h"
#include "retention/lock_policy.h"
#include "retention/retention_pass.h"
#include "util/duration.h"

using namespace pbs;
using namespace pbs::test;

namespace {

// A synced datastore in a versioned bucket.
void versioned_sync(ExecutorRig& rig) {
  rig.s3.versioning = "Enabled";
  REQUIRE(rig.sync().complete());
}

std::size_t version_count(const ExecutorRig& rig, const std::string& rel) { return rig.s3.versions(rig.remote.key(rel)).size(); }

}  // namespace

TEST_CASE("versioned gc: every version and marker of a stray chunk past the grace is deleted by version id",
          "[gc][versions]") {
  ExecutorRig rig;
  versioned_sync(rig);
  std::int64_t now = rig.s3.now_epoch();
  std::string hidden = put_stray_chunk(rig, 1, now - 3 * kDay);
  rig.s3.put_version(rig.remote.key(hidden), {1, 2}, now - 3 * kDay + 60);
  rig.s3.add_delete_marker(rig.remote.key(hidden), now - 2 * kDay);
  std::string plain = put_stray_chunk(rig, 2, now - 2 * kDay);
  std::string young = put_stray_chunk(rig, 3, now - 3600);
  std::vector<std::pair<std::string, std::string>> sent;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op != s3::Op::delete_objects) return;
    pugi::xml_document doc;
    doc.load_buffer(r.body->data(), r.body->size());
    for (auto o : doc.child("Delete").children("Object")) sent.emplace_back(o.child("Key").text().as_string(), o.child("VersionId").text().as_string());
  };
  auto s = run_gc_on(rig);
  CHECK(s.versioned);
  CHECK(s.versions_doomed == 4);
  CHECK(s.objects_deleted == 4);
  CHECK(s.chunks_deleted == 1);  // the hidden one was no current chunk any more
  CHECK(s.chunks_young == 1);
  CHECK(version_count(rig, hidden) == 0);
  CHECK(version_count(rig, plain) == 0);
  CHECK(version_count(rig, young) == 1);
  REQUIRE(sent.size() == 4);
  for (const auto& [key, id] : sent) CHECK(id.size() == 32);  // by version id, never a marker
  CHECK(rig.s3.versioned_keys(rig.remote.key(remote::kChunksDir)).size() == remote_chunk_keys(rig).size());
}

TEST_CASE("versioned gc: old noncurrent copies of a referenced chunk go, its current and other versions stay",
          "[gc][versions]") {
  ExecutorRig rig;
  versioned_sync(rig);
  std::string chunk = *referenced_remotely(rig).begin();
  std::string key = rig.remote.key(chunk);
  auto body = rig.s3.objects.at(key).body;
  std::int64_t now = rig.s3.now_epoch();
  std::string copy = rig.s3.put_version(key, body, now - 3 * kDay);
  rig.s3.put_version(key, {9, 9, 9}, now - 3 * kDay);  // other bytes: not a copy, kept
  rig.s3.put_version(key, body, now - 3600);                // a copy inside the grace: kept
  auto s = run_gc_on(rig);
  CHECK(s.versions_redundant == 1);
  CHECK(s.objects_deleted == 1);
  CHECK(s.chunks_deleted == 0);
  auto left = rig.s3.versions(key);
  REQUIRE(left.size() == 3);
  CHECK(std::none_of(left.begin(), left.end(), [&](const FakeS3::Object& o) { return o.version_id == copy; }));
  CHECK(left.front().body == body);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("versioned gc: a manifest hidden by a young delete marker still keeps its chunks and its snapshot",
          "[gc][versions]") {
  ExecutorRig rig;
  versioned_sync(rig);
  auto [manifest, own] = snapshot_with_own_chunks(rig);
  rig.s3.advance(3 * kDay);  // every chunk version is past the grace now
  rig.s3.add_delete_marker(rig.remote.key(manifest));
  auto s = run_gc_on(rig);
  CHECK(s.snapshots_referencing == 9);
  CHECK(s.removed_keys_purged == 0);
  CHECK(s.chunks_deleted == 0);
  CHECK(s.versions_doomed == 0);
  CHECK(s.objects_deleted == 0);
  CHECK(version_count(rig, manifest) == 2);
  for (const auto& c : own) CHECK(rig.has(c));
}

TEST_CASE("versioned gc: .cnt/ keys hidden by an old delete marker are purged with every version, and their own chunks",
          "[gc][versions]") {
  ExecutorRig rig;
  versioned_sync(rig);
  auto [manifest, own] = snapshot_with_own_chunks(rig);
  auto files = snapshot_files(rig, manifest);
  for (const auto& f : files) rig.s3.add_delete_marker(rig.remote.key(f));  // --remove-vanished
  rig.s3.advance(3 * kDay);
  auto s = run_gc_on(rig);
  CHECK(s.removed_keys_purged == files.size());
  CHECK(s.snapshots_referencing == 8);
  CHECK(s.chunks_deleted == own.size());
  CHECK(s.versions_doomed == 2 * files.size() + own.size());
  CHECK(s.objects_deleted == s.versions_doomed);
  for (const auto& f : files) CHECK(version_count(rig, f) == 0);
  for (const auto& c : own) CHECK(version_count(rig, c) == 0);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("versioned gc: a referenced chunk hidden by a delete marker is left whole and reported", "[gc][versions]") {
  ExecutorRig rig;
  versioned_sync(rig);
  std::string chunk = *referenced_remotely(rig).begin();
  rig.s3.add_delete_marker(rig.remote.key(chunk));
  rig.s3.advance(3 * kDay);
  auto s = run_gc_on(rig);
  CHECK(s.chunks_hidden == 1);
  CHECK(s.versions_doomed == 0);
  CHECK(version_count(rig, chunk) == 2);
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].find("hidden by a delete marker") != std::string::npos);
}

TEST_CASE("versioned gc: versions still under retention are counted as locked and do not fail the run",
          "[gc][versions][lock]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  std::int64_t now = rig.s3.now_epoch();
  std::string locked = stray_chunk_rel(1);
  rig.s3.put_version(rig.remote.key(locked), {1}, now - 3 * kDay, s3::Retention{"COMPLIANCE", now + 10 * kDay});
  std::string expired = stray_chunk_rel(2);
  rig.s3.put_version(rig.remote.key(expired), {2}, now - 3 * kDay, s3::Retention{"GOVERNANCE", now - kDay});
  std::string record = records::format_retention_record({"COMPLIANCE", 30, now + 20 * kDay, 0});
  rig.s3.put(rig.remote.key(records::kRetentionKey), {record.begin(), record.end()});
  auto s = run_gc_on(rig);
  CHECK(s.versions_doomed == 2);
  CHECK(s.versions_locked == 1);
  CHECK(s.objects_deleted == 1);
  CHECK(s.errors.empty());
  // The newest refused version is at most 30 days from its upload: 27 days from now.
  CHECK(s.locked_until == now + 27 * kDay);
  CHECK(version_count(rig, locked) == 1);
  CHECK(version_count(rig, expired) == 0);
}
