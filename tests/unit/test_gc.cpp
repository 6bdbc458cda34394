// gc on a plain (unversioned) bucket against the in-memory bucket and its virtual clock: the grace
// period, what complete snapshots reference, leftovers of incomplete snapshots, dry runs, the
// gc-state lease, and stopping between deletion batches.
#include <algorithm>

#include "gc/gc_job.h"
#include "bill/price_table.h"
#include "gc/min_storage.h"
#include "records/gc_state.h"
#include "records/record_keys.h"
#include "records/retention_record.h"
#include "remote/bucket_features.h"
#include "remote/key_layout.h"
#include "remote_fixtures.h"
#include "report/gc_printer.h"
#include "retention/lock_policy.h"
#include "retention/retention_pass.h"
#include "util/duration.h"

using namespace pbs;
using namespace pbs::test;

namespace {

std::string state_key(const ExecutorRig& rig) { return rig.remote.key(records::kGcStateKey); }

}  // namespace

TEST_CASE("gc: a stray chunk as old as the grace period is deleted, one a second younger is kept", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto referenced = referenced_remotely(rig);
  mid_second(rig.s3);
  std::int64_t cutoff = rig.s3.now_epoch() - gc::kDefaultGraceSeconds;
  std::string old = put_stray_chunk(rig, 1, cutoff);
  std::string young = put_stray_chunk(rig, 2, cutoff + 1);
  auto s = run_gc_on(rig);
  CHECK(s.chunks_listed == referenced.size() + 2);
  CHECK(s.chunks_referenced == referenced.size());
  CHECK(s.chunks_deleted == 1);
  CHECK(s.chunks_young == 1);
  CHECK(s.objects_deleted == 1);
  CHECK(s.bytes_freed == 101);
  CHECK_FALSE(rig.has(old));
  CHECK(rig.has(young));
  CHECK(s.errors.empty());
}

TEST_CASE("gc: chunks that complete snapshots reference are kept however old they are", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto before = remote_chunk_keys(rig);
  rig.s3.advance(90 * kDay);
  auto s = run_gc_on(rig);
  CHECK(s.snapshots_referencing == rig.manifests().size());
  CHECK(s.snapshots_referencing == 9);
  CHECK(s.chunks_referenced == before.size());
  CHECK(s.chunks_deleted == 0);
  CHECK(s.objects_deleted == 0);
  CHECK(rig.s3.count(s3::Op::delete_objects) == 0);
  CHECK(remote_chunk_keys(rig) == before);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("gc: an incomplete snapshot's files and own chunks stay inside the grace period and go after it", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto [manifest, own] = snapshot_with_own_chunks(rig);
  rig.s3.objects.erase(rig.remote.key(manifest));  // a run that never finished this snapshot
  auto files = snapshot_files(rig, manifest);
  REQUIRE(!files.empty());

  rig.s3.advance(3600);
  auto early = run_gc_on(rig);
  CHECK(early.incomplete_kept == 1);
  CHECK(early.incomplete_removed == 0);
  CHECK(early.chunks_young == own.size());
  CHECK(early.objects_deleted == 0);

  rig.s3.advance(gc::kDefaultGraceSeconds);
  auto late = run_gc_on(rig);
  CHECK(late.incomplete_removed == 1);
  CHECK(late.chunks_deleted == own.size());
  CHECK(late.objects_deleted == own.size() + files.size());
  for (const auto& f : files) CHECK_FALSE(rig.has(f));
  for (const auto& c : own) CHECK_FALSE(rig.has(c));
  CHECK(rig.manifests().size() == 8);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("gc: a dry run counts what it would delete and writes and deletes nothing", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::string stray = put_stray_chunk(rig, 1, rig.s3.now_epoch() - 2 * kDay);
  auto keys = rig.s3.keys();
  std::size_t puts = rig.s3.count(s3::Op::put_object);
  gc::GcOptions o;
  o.dry_run = true;
  auto s = run_gc_on(rig, o);
  CHECK(s.dry_run);
  CHECK(s.chunks_deleted == 1);
  CHECK(s.objects_deleted == 0);
  CHECK(rig.s3.keys() == keys);
  CHECK(rig.s3.count(s3::Op::put_object) == puts);  // not even gc-state
  CHECK(rig.s3.count(s3::Op::delete_objects) == 0);
  CHECK(rig.has(stray));
}

TEST_CASE("gc: gc-state holds a lease while gc deletes and says finished afterwards", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  put_stray_chunk(rig, 1, rig.s3.now_epoch() - 2 * kDay);
  std::vector<records::GcState> written;
  bool leased_while_deleting = false;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op == s3::Op::put_object && r.key == state_key(rig)) written.push_back(must(records::parse_gc_state(text_of(*r.body))));
    if (r.op == s3::Op::delete_objects) {
      auto now = must(records::parse_gc_state(text_of(rig.s3.objects.at(state_key(rig)).body)));
      leased_while_deleting = now.holds_lease(rig.s3.now_epoch());
    }
  };
  gc::GcOptions o;
  o.host = "gc-host";
  o.pid = 4242;
  o.lease_seconds = 600;
  auto s = run_gc_on(rig, o);
  CHECK(s.objects_deleted == 1);
  CHECK(leased_while_deleting);
  REQUIRE(written.size() == 3);  // at the start, before the one batch, at the end
  CHECK(written[0].running);
  CHECK(written[0].host == "gc-host");
  CHECK(written[0].pid == 4242);
  CHECK(written[0].lease_expires == written[0].started + 600);
  CHECK_FALSE(written[2].running);
  CHECK(written[2].lease_expires == 0);
  CHECK(written[2].finished >= written[0].started);
  auto stored = must(records::parse_gc_state(text_of(rig.s3.objects.at(state_key(rig)).body)));
  CHECK_FALSE(stored.holds_lease(rig.s3.now_epoch()));
}

TEST_CASE("gc: a running gc's lease refuses a second gc until it expires", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::string stray = put_stray_chunk(rig, 1, rig.s3.now_epoch() - 2 * kDay);
  records::GcState other;
  other.running = true;
  other.host = "other-host";
  other.pid = 7;
  other.started = rig.s3.now_epoch();
  other.lease_expires = rig.s3.now_epoch() + 600;
  std::string text = records::format_gc_state(other);
  rig.s3.put(state_key(rig), {text.begin(), text.end()});
  std::size_t lists = rig.s3.count(s3::Op::list_objects);

  auto refused = gc::run_gc(rig.s3, rig.remote, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == Errc::locked);
  CHECK(refused.error().message().find("other-host") != std::string::npos);
  CHECK(rig.s3.count(s3::Op::list_objects) == lists);  // nothing listed, nothing deleted
  CHECK(rig.has(stray));

  rig.s3.advance(601);
  auto s = run_gc_on(rig);
  CHECK(s.objects_deleted == 1);
  CHECK_FALSE(rig.has(stray));
}

TEST_CASE("gc: interrupted between batches, it stops after the first 10000 deletions and says so", "[gc]") {
  ExecutorRig rig;
  std::int64_t old = rig.s3.now_epoch() - 2 * kDay;
  for (unsigned i = 0; i < 10001; ++i) put_stray_chunk(rig, i, old);
  int polls = 0;
  gc::GcOptions o;
  o.interrupted = [&] { return ++polls > 1; };
  auto s = run_gc_on(rig, o);
  CHECK(s.chunks_deleted == 10001);
  CHECK(s.interrupted);
  CHECK(s.objects_deleted == 10000);
  CHECK(rig.s3.count(s3::Op::delete_objects) == 10);
  CHECK(remote_chunk_keys(rig).size() == 1);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].message.find("interrupted") != std::string::npos);
  auto stored = must(records::parse_gc_state(text_of(rig.s3.objects.at(state_key(rig)).body)));
  CHECK_FALSE(stored.running);  // no lease left to hold syncs back

  auto rest = run_gc_on(rig);
  CHECK(rest.objects_deleted == 1);
  CHECK(remote_chunk_keys(rig).empty());
}

TEST_CASE("gc: a per-key failure of DeleteObjects is reported with its key and the rest is deleted", "[gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::int64_t old = rig.s3.now_epoch() - 2 * kDay;
  std::string stuck = put_stray_chunk(rig, 1, old);
  std::string gone = put_stray_chunk(rig, 2, old);
  FakeS3::DeleteFault f;
  f.match = [&](const std::string& key, const std::string&) { return key == rig.remote.key(stuck); };
  rig.s3.delete_fault(f);
  auto s = run_gc_on(rig);
  CHECK(s.objects_deleted == 1);
  REQUIRE(s.errors.size() == 1);
  CHECK(s.errors[0].object == rig.remote.key(stuck));
  CHECK(s.errors[0].message.find("InternalError") != std::string::npos);
  CHECK(rig.has(stuck));
  CHECK_FALSE(rig.has(gone));
}

TEST_CASE("gc: a stray chunk younger than the minimum storage duration stays until it has passed", "[gc][min-storage]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  mid_second(rig.s3);
  std::int64_t now = rig.s3.now_epoch();
  std::string ten_days = put_stray_chunk(rig, 1, now - 10 * kDay);
  std::string hundred_days = put_stray_chunk(rig, 2, now - 100 * kDay);
  gc::GcOptions wasabi;
  wasabi.min_storage_days = 90;  // MIN_STORAGE_DAYS=90: every object, whatever its class
  auto s = run_gc_on(rig, wasabi);
  CHECK(s.chunks_min_storage == 1);
  CHECK(s.bytes_min_storage == 101);
  CHECK(s.chunks_deleted == 1);
  CHECK(rig.has(ten_days));
  CHECK_FALSE(rig.has(hundred_days));
  CHECK(report::gc_json(s, 0)["chunks-min-storage"] == 1);
  // What deleting it now would still bill: 101 bytes for the 80 days left of its 90, at Wasabi's price.
  CHECK(s.byte_days_min_storage.at("STANDARD") == Approx(101.0 * 80).epsilon(0.001));
  CHECK(report::gc_json(s, 0)["early-deletion-cost"].is_null());  // no price table: no figure
  s.prices = bill::preset("wasabi");
  CHECK(report::gc_json(s, 0)["early-deletion-cost"].get<double>() == Approx(101.0 * 80 / 1e9 / 30 * 0.00699).epsilon(0.001));
  CHECK(report::gc_text(s).find("deleting them now would still bill $") != std::string::npos);
  // Its minimum over, the next gc deletes it.
  rig.s3.advance(81 * kDay);
  auto later = run_gc_on(rig, wasabi);
  CHECK(later.chunks_min_storage == 0);
  CHECK_FALSE(rig.has(ten_days));

  // Each class's own minimum, as AWS bills them; STANDARD and unknown classes have none.
  gc::MinStorage m{1000 * kDay, std::nullopt};
  CHECK(m.holds("STANDARD_IA", 1000 * kDay - 29 * kDay));
  CHECK_FALSE(m.holds("STANDARD_IA", 1000 * kDay - 30 * kDay));
  CHECK(m.holds("GLACIER_IR", 1000 * kDay - 89 * kDay));
  CHECK(m.holds("DEEP_ARCHIVE", 1000 * kDay - 179 * kDay));
  CHECK_FALSE(m.holds("STANDARD", 1000 * kDay - kDay));
  CHECK_FALSE(m.holds("", 1000 * kDay));
  CHECK(gc::min_storage_days("GLACIER", 0) == 0);  // MIN_STORAGE_DAYS=0: none, whatever the class
  CHECK(m.days_left("STANDARD_IA", 1000 * kDay - 29 * kDay) == Approx(1));
  CHECK(m.days_left("STANDARD_IA", 1000 * kDay - 31 * kDay) == 0);
}
