// The Object Lock retention pass (keep_retention) on its own, against the in-memory lock bucket
// and its virtual clock: when it runs, what it extends, what counts as covered, how a chunk
// hidden by a delete marker keeps its last version locked, and when refusals stop it.
#include <algorithm>

#include "remote_fixtures.h"
#include "sync/object_lock.h"
#include "sync/prefix_owner.h"
#include "sync/remote_layout.h"
#include "sync/remote_listing.h"

using namespace pbs;
using namespace pbs::test;

namespace {

constexpr unsigned kDays = 30;
const sync::LockPolicy kPolicy{"COMPLIANCE", kDays, sync::kDay};

// A lock bucket holding a datastore synced with a 30-day COMPLIANCE retention.
void locked_sync(ExecutorRig& rig, FakeS3::Flavor flavor = FakeS3::Flavor::radosgw) {
  rig.s3.object_lock = true;
  rig.s3.flavor = flavor;
  sync::SyncOptions o;
  o.lock = kPolicy;
  REQUIRE(rig.sync(o).complete());
}

sync::RetentionReport pass(ExecutorRig& rig, std::int64_t start, bool dry_run = false) {
  auto catalog = must(sync::load_catalog(rig.s3, rig.remote));
  return must(sync::keep_retention(rig.s3, rig.remote, kPolicy, catalog, start, dry_run));
}

sync::RetentionRecord record(ExecutorRig& rig) { return must(sync::read_retention_record(rig.s3, rig.remote)).value(); }

// What complete snapshots need (every snapshot is complete here): their files, group files and
// namespace markers, the source record, and every chunk.
std::vector<std::string> needed(const ExecutorRig& rig) {
  auto keys = rig.remote_keys(sync::kContentDir);
  auto chunks = rig.remote_keys(sync::kChunksDir);
  keys.insert(keys.end(), chunks.begin(), chunks.end());
  keys.emplace_back(sync::kSourceKey);
  return keys;
}

std::int64_t until_of(const FakeS3::Object& o) { return o.retention ? o.retention->until : 0; }

}  // namespace

TEST_CASE("retention pass: a usual night, far from the end of coverage, extends nothing", "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  rig.s3.advance(sync::kDay);
  std::size_t puts = rig.s3.count(s3::Op::put_object);
  auto r = pass(rig, rig.s3.now_epoch());
  CHECK_FALSE(r.pass);
  CHECK(r.objects == 0);
  CHECK(r.covered_until == before.covered_until);
  CHECK(rig.s3.count(s3::Op::put_object_retention) == 0);
  CHECK(rig.s3.count(s3::Op::put_object) == puts);  // the record stays as it was
}

TEST_CASE("retention pass: near the end of coverage every object of complete snapshots is extended and the record moves",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  rig.s3.advance((kDays - 1) * sync::kDay);  // one day left, within the two-day margin
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.pass);
  CHECK(r.reason.find("ends in less than") != std::string::npos);
  CHECK(r.failures == 0);
  auto keys = needed(rig);
  CHECK(r.objects == keys.size());
  for (const auto& k : keys) {
    INFO(k);
    CHECK(until_of(rig.s3.objects.at(rig.remote.key(k))) == start + kDays * sync::kDay);
  }
  CHECK(r.covered_until == start + kDays * sync::kDay);
  auto moved = record(rig);
  CHECK(moved.covered_until == start + kDays * sync::kDay);
  CHECK(moved.extended_at == start);
  CHECK(until_of(rig.s3.objects.at(rig.remote.key(sync::kRetentionKey))) == start + kDays * sync::kDay);
}

TEST_CASE("retention pass: a dry run says what it would extend and changes nothing", "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  rig.s3.advance((kDays - 1) * sync::kDay);
  auto r = pass(rig, rig.s3.now_epoch(), true);
  CHECK(r.pass);
  CHECK(r.objects == needed(rig).size());
  CHECK(rig.s3.count(s3::Op::put_object_retention) == 0);
  CHECK(record(rig).covered_until == before.covered_until);
}

TEST_CASE("retention pass: a refusal where the object is already locked longer counts as covered", "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * sync::kDay);
  std::int64_t start = rig.s3.now_epoch();
  std::int64_t longer = start + 2 * kDays * sync::kDay;
  REQUIRE(rig.s3.set_retention(chunk, rig.s3.objects.at(chunk).version_id, s3::Retention{"COMPLIANCE", longer}));
  auto r = pass(rig, start);
  CHECK(r.already_longer == 1);
  CHECK(r.failures == 0);
  CHECK(r.objects == needed(rig).size());
  CHECK(until_of(rig.s3.objects.at(chunk)) == longer);  // never shortened
  CHECK(record(rig).covered_until == start + kDays * sync::kDay);
}

TEST_CASE("retention pass: a chunk hidden by a delete marker gets its last real version extended (radosgw: 404)",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  std::string version = rig.s3.objects.at(chunk).version_id;
  rig.s3.advance((kDays - 1) * sync::kDay);
  rig.s3.add_delete_marker(chunk);
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.hidden == 1);
  CHECK(r.missing == 0);
  CHECK(r.failures == 0);
  auto versions = rig.s3.versions(chunk);
  REQUIRE(versions.size() == 2);
  CHECK(versions[1].version_id == version);
  CHECK(until_of(versions[1]) == start + kDays * sync::kDay);
  CHECK(record(rig).covered_until == start + kDays * sync::kDay);
}

TEST_CASE("retention pass: on AWS a chunk hidden by a delete marker (405) also gets its last real version extended",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig, FakeS3::Flavor::aws);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * sync::kDay);
  rig.s3.add_delete_marker(chunk);
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.hidden == 1);
  CHECK(r.failures == 0);
  CHECK(until_of(rig.s3.versions(chunk)[1]) == start + kDays * sync::kDay);
  bool answered_405 = std::any_of(rig.s3.answered().begin(), rig.s3.answered().end(), [&](const FakeS3::Answered& a) {
    return a.op == s3::Op::put_object_retention && a.key == chunk && a.status == 405;
  });
  CHECK(answered_405);
}

TEST_CASE("retention pass: refusals of everything stop the run with access_denied and leave the record", "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  FakeS3::Fault f;
  f.match = op_is(s3::Op::put_object_retention);
  f.status = 403;
  f.code = "AccessDenied";
  rig.s3.fault(f);
  rig.s3.advance((kDays - 1) * sync::kDay);
  auto catalog = must(sync::load_catalog(rig.s3, rig.remote));
  auto r = sync::keep_retention(rig.s3, rig.remote, kPolicy, catalog, rig.s3.now_epoch(), false);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::access_denied);
  CHECK(r.error().message().find("s3:PutObjectRetention") != std::string::npos);
  CHECK(rig.s3.count(s3::Op::put_object_retention) >= 16);
  CHECK(rig.s3.count(s3::Op::put_object_retention) < needed(rig).size());
  rig.s3.clear_faults();
  CHECK(record(rig).covered_until == before.covered_until);
}

TEST_CASE("retention pass: a prefix synced before locking has no record, and its first pass locks everything",
          "[lock][retention]") {
  ExecutorRig rig;
  rig.s3.object_lock = true;
  REQUIRE(rig.sync().complete());  // no OBJECT_LOCK yet: nothing carries a retention
  CHECK_FALSE(must(sync::read_retention_record(rig.s3, rig.remote)));
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.pass);
  CHECK(r.reason.find("no retention record") != std::string::npos);
  CHECK(r.objects == needed(rig).size());
  for (const auto& k : needed(rig)) CHECK(until_of(rig.s3.objects.at(rig.remote.key(k))) == start + kDays * sync::kDay);
  CHECK(record(rig).covered_until == start + kDays * sync::kDay);
}

// The three cases below show where the pass's hidden-chunk path (extend_hidden in
// lib/sync/object_lock.cpp) differs from its direct path; each is tagged [!shouldfail] until the
// lib is fixed (then the tag goes).

TEST_CASE("retention pass: a chunk hidden under more than 16 delete markers still gets its last real version extended",
          "[lock][retention][!shouldfail]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * sync::kDay);
  for (int i = 0; i < 16; ++i) rig.s3.add_delete_marker(chunk);
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  // The version listing asks for 16 entries and never reads the next page: the version is taken
  // for gone, left to run out, and the record moves past it anyway.
  CHECK(r.missing == 0);
  CHECK(r.hidden == 1);
  CHECK(until_of(rig.s3.versions(chunk).back()) == start + kDays * sync::kDay);
}

TEST_CASE("retention pass: a hidden chunk whose last version is already locked longer counts as covered",
          "[lock][retention][!shouldfail]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * sync::kDay);
  std::int64_t start = rig.s3.now_epoch();
  REQUIRE(rig.s3.set_retention(chunk, rig.s3.objects.at(chunk).version_id,
                               s3::Retention{"COMPLIANCE", start + 2 * kDays * sync::kDay}));
  rig.s3.add_delete_marker(chunk);
  auto r = pass(rig, start);
  // The direct path asks GetObjectRetention after a refusal; the hidden path counts a failure, so
  // the record never moves and every later run is a pass.
  CHECK(r.failures == 0);
  CHECK(r.already_longer == 1);
  CHECK(record(rig).covered_until == start + kDays * sync::kDay);
}

TEST_CASE("retention pass: a failed version listing of a hidden chunk holds the record back",
          "[lock][retention][!shouldfail]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * sync::kDay);
  rig.s3.add_delete_marker(chunk);
  FakeS3::Fault f;
  f.match = op_is(s3::Op::list_object_versions);
  f.status = 500;
  f.code = "InternalError";
  rig.s3.fault(f);
  auto r = pass(rig, rig.s3.now_epoch());
  // The listing's error is taken for "missing remotely", which does not hold the record back: the
  // record moves although the version that restore needs was never extended.
  CHECK(r.failures == 1);
  CHECK(r.missing == 0);
  CHECK(record(rig).covered_until == before.covered_until);
}
