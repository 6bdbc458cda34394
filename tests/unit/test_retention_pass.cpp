// The Object Lock retention pass (keep_retention) on its own, against the in-memory lock bucket
// and its virtual clock: when it runs, what it extends, what counts as covered, how a chunk
// hidden by a delete marker keeps its last version locked, and when refusals stop it.
#include <algorithm>

#include "push/prefix_claim.h"
#include "records/record_keys.h"
#include "records/retention_record.h"
#include "records/source_record.h"
#include "remote/bucket_features.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "remote_fixtures.h"
#include "retention/lock_policy.h"
#include "retention/retention_pass.h"
#include "util/duration.h"

using namespace pbs;
using namespace pbs::test;

namespace {

constexpr unsigned kDays = 30;
const retention::LockPolicy kPolicy{"COMPLIANCE", kDays, kDay};

// A lock bucket holding a datastore synced with a 30-day COMPLIANCE retention.
void locked_sync(ExecutorRig& rig, FakeS3::Flavor flavor = FakeS3::Flavor::radosgw) {
  rig.s3.object_lock = true;
  rig.s3.flavor = flavor;
  push::SyncOptions o;
  o.lock = kPolicy;
  REQUIRE(rig.sync(o).complete());
}

retention::RetentionReport pass(ExecutorRig& rig, std::int64_t start, bool dry_run = false) {
  auto catalog = must(remote::load_catalog(rig.s3, rig.remote));
  return must(retention::keep_retention(rig.s3, rig.remote, kPolicy, catalog, start, dry_run));
}

records::RetentionRecord record(ExecutorRig& rig) { return must(records::read_retention_record(rig.s3, rig.remote)).value(); }

// What complete snapshots need (every snapshot is complete here): their files, group files and
// namespace markers, the source record, and every chunk.
std::vector<std::string> needed(const ExecutorRig& rig) {
  auto keys = rig.remote_keys(remote::kContentDir);
  auto chunks = rig.remote_keys(remote::kChunksDir);
  keys.insert(keys.end(), chunks.begin(), chunks.end());
  keys.emplace_back(records::kSourceKey);
  return keys;
}

std::int64_t until_of(const FakeS3::Object& o) { return o.retention ? o.retention->until : 0; }

}  // namespace

TEST_CASE("retention pass: a usual night, far from the end of coverage, extends nothing", "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  rig.s3.advance(kDay);
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
  rig.s3.advance((kDays - 1) * kDay);  // one day left, within the two-day margin
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.pass);
  CHECK(r.reason.find("ends in less than") != std::string::npos);
  CHECK(r.failures == 0);
  auto keys = needed(rig);
  CHECK(r.objects == keys.size());
  for (const auto& k : keys) {
    INFO(k);
    CHECK(until_of(rig.s3.objects.at(rig.remote.key(k))) == start + kDays * kDay);
  }
  CHECK(r.covered_until == start + kDays * kDay);
  auto moved = record(rig);
  CHECK(moved.covered_until == start + kDays * kDay);
  CHECK(moved.extended_at == start);
  CHECK(until_of(rig.s3.objects.at(rig.remote.key(records::kRetentionKey))) == start + kDays * kDay);
}

TEST_CASE("retention pass: a dry run says what it would extend and changes nothing", "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  rig.s3.advance((kDays - 1) * kDay);
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
  rig.s3.advance((kDays - 1) * kDay);
  std::int64_t start = rig.s3.now_epoch();
  std::int64_t longer = start + 2 * kDays * kDay;
  REQUIRE(rig.s3.set_retention(chunk, rig.s3.objects.at(chunk).version_id, s3::Retention{"COMPLIANCE", longer}));
  auto r = pass(rig, start);
  CHECK(r.already_longer == 1);
  CHECK(r.failures == 0);
  CHECK(r.objects == needed(rig).size());
  CHECK(until_of(rig.s3.objects.at(chunk)) == longer);  // never shortened
  CHECK(record(rig).covered_until == start + kDays * kDay);
}

TEST_CASE("retention pass: a chunk hidden by a delete marker gets its last real version extended (radosgw: 404)",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  std::string version = rig.s3.objects.at(chunk).version_id;
  rig.s3.advance((kDays - 1) * kDay);
  rig.s3.add_delete_marker(chunk);
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.hidden == 1);
  CHECK(r.missing == 0);
  CHECK(r.failures == 0);
  auto versions = rig.s3.versions(chunk);
  REQUIRE(versions.size() == 2);
  CHECK(versions[1].version_id == version);
  CHECK(until_of(versions[1]) == start + kDays * kDay);
  CHECK(record(rig).covered_until == start + kDays * kDay);
}

TEST_CASE("retention pass: on AWS a chunk hidden by a delete marker (405) also gets its last real version extended",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig, FakeS3::Flavor::aws);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * kDay);
  rig.s3.add_delete_marker(chunk);
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.hidden == 1);
  CHECK(r.failures == 0);
  CHECK(until_of(rig.s3.versions(chunk)[1]) == start + kDays * kDay);
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
  rig.s3.advance((kDays - 1) * kDay);
  auto catalog = must(remote::load_catalog(rig.s3, rig.remote));
  auto r = retention::keep_retention(rig.s3, rig.remote, kPolicy, catalog, rig.s3.now_epoch(), false);
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
  CHECK_FALSE(must(records::read_retention_record(rig.s3, rig.remote)));
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.pass);
  CHECK(r.reason.find("no retention record") != std::string::npos);
  CHECK(r.objects == needed(rig).size());
  for (const auto& k : needed(rig)) CHECK(until_of(rig.s3.objects.at(rig.remote.key(k))) == start + kDays * kDay);
  CHECK(record(rig).covered_until == start + kDays * kDay);
}

// The hidden-chunk path (retention/retention_extension.cpp) is held to the direct path's rules:
// every page of versions read, a refusal checked against the retention already held, and a
// version not known to be gone never passed over.

TEST_CASE("retention pass: a chunk hidden under more than 16 delete markers still gets its last real version extended",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * kDay);
  for (int i = 0; i < 16; ++i) rig.s3.add_delete_marker(chunk);
  std::int64_t start = rig.s3.now_epoch();
  auto r = pass(rig, start);
  CHECK(r.missing == 0);
  CHECK(r.hidden == 1);
  CHECK(until_of(rig.s3.versions(chunk).back()) == start + kDays * kDay);
}

TEST_CASE("retention pass: a hidden chunk whose last version is already locked longer counts as covered",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * kDay);
  std::int64_t start = rig.s3.now_epoch();
  REQUIRE(rig.s3.set_retention(chunk, rig.s3.objects.at(chunk).version_id,
                               s3::Retention{"COMPLIANCE", start + 2 * kDays * kDay}));
  rig.s3.add_delete_marker(chunk);
  auto r = pass(rig, start);
  CHECK(r.failures == 0);
  CHECK(r.already_longer == 1);
  CHECK(record(rig).covered_until == start + kDays * kDay);
}

TEST_CASE("retention pass: a failed version listing of a hidden chunk holds the record back",
          "[lock][retention]") {
  ExecutorRig rig;
  locked_sync(rig);
  auto before = record(rig);
  std::string chunk = rig.remote.key(*referenced_remotely(rig).begin());
  rig.s3.advance((kDays - 1) * kDay);
  rig.s3.add_delete_marker(chunk);
  FakeS3::Fault f;
  f.match = op_is(s3::Op::list_object_versions);
  f.status = 500;
  f.code = "InternalError";
  rig.s3.fault(f);
  auto r = pass(rig, rig.s3.now_epoch());
  // Not known to be gone: a failure, which holds the record back (the next run tries again).
  CHECK(r.failures == 1);
  CHECK(r.missing == 0);
  CHECK(record(rig).covered_until == before.covered_until);
}
