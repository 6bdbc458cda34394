// sync's half of the gc interlock on its own, against the in-memory bucket and its virtual clock:
// every outcome of the gate, the touch of old reused chunks, and the recheck.
#include "fake_s3.h"
#include "push/gc_interlock.h"
#include "records/gc_state.h"
#include "records/record_keys.h"
#include "remote/key_layout.h"
#include "test_support.h"
#include "util/file_io.h"

using namespace pbs;
using namespace pbs::test;
using Gate = push::GcInterlock::Gate;

namespace {

struct InterlockRig {
  FakeS3 s3;
  remote::Remote remote{"bucket", "store1"};
  push::PutSettings put;
  std::vector<run::ObjectError> errors;
  run::RunStop stop{run::RunKind::sync, run::LocalFaultPolicy::fail_snapshots, nullptr, errors};
  push::SyncSummary summary;
  int wakes = 0;
  push::GcInterlock gc{s3, remote, put, stop, summary, [this] { ++wakes; }};

  // Asks until the gate gives an answer other than wait, running the requests it needs.
  Gate settle() {
    for (int i = 0; i < 10; ++i) {
      Gate g = gc.gate();
      if (g != Gate::wait) return g;
      s3.run();
    }
    FAIL("the gate keeps waiting");
    return Gate::wait;
  }
  std::size_t reads() const { return s3.count(s3::Op::get_object, std::string(records::kGcStateKey)); }
  void state(const records::GcState& st) {
    std::string text = records::format_gc_state(st);
    s3.put(remote.key(records::kGcStateKey), {text.begin(), text.end()});
  }
};

Digest digest(std::uint8_t n) {
  Digest d{};
  d[0] = n;
  d[31] = 1;
  return d;
}

}  // namespace

TEST_CASE("gc interlock: no gc-state opens the gate after one read, read again after new reuse and after a minute",
          "[gc][interlock]") {
  InterlockRig rig;
  CHECK(rig.settle() == Gate::open);
  CHECK(rig.reads() == 1);
  CHECK(rig.gc.gate() == Gate::open);  // nothing changed: no new read
  CHECK(rig.reads() == 1);
  rig.gc.reused(digest(1), rig.s3.now_epoch());  // young: not touched
  CHECK(rig.gc.gate() == Gate::wait);
  CHECK(rig.settle() == Gate::open);
  CHECK(rig.reads() == 2);
  rig.gc.reused(digest(1), rig.s3.now_epoch());  // the same chunk again is no new reuse
  CHECK(rig.gc.gate() == Gate::open);
  rig.s3.advance(61);
  CHECK(rig.gc.gate() == Gate::wait);
  CHECK(rig.settle() == Gate::open);
  CHECK(rig.reads() == 3);
  CHECK(rig.s3.count(s3::Op::copy_object) == 0);
}

TEST_CASE("gc interlock: a held lease closes the gate, one that ran out does not", "[gc][interlock]") {
  InterlockRig rig;
  records::GcState running;
  running.running = true;
  running.host = "gc-host";
  running.lease_expires = rig.s3.now_epoch() + 600;
  rig.state(running);
  CHECK(rig.settle() == Gate::closed);
  CHECK(rig.gc.closed_reason() == "a gc is running on the target (host gc-host)");

  InterlockRig later;
  running.lease_expires = later.s3.now_epoch() - 1;
  later.state(running);
  CHECK(later.settle() == Gate::open);
}

TEST_CASE("gc interlock: a gc finished since the run began means recheck, one long before does not",
          "[gc][interlock]") {
  InterlockRig recent;
  records::GcState done;
  done.finished = recent.s3.now_epoch() - 60;  // within the clock margin of the run's start
  recent.state(done);
  CHECK(recent.settle() == Gate::recheck);
  REQUIRE(recent.summary.notices.size() == 1);
  CHECK_THAT(recent.summary.notices[0], Catch::Contains("a gc ran during this sync"));
  CHECK(recent.gc.gate() == Gate::recheck);  // it stays: every later manifest is rechecked too

  InterlockRig old;
  done.finished = old.s3.now_epoch() - 7200;
  old.state(done);
  CHECK(old.settle() == Gate::open);
}

TEST_CASE("gc interlock: an old reused chunk is touched, and a failed touch means recheck", "[gc][interlock]") {
  InterlockRig rig;
  FakeS3::Fault f;
  f.match = op_is(s3::Op::copy_object);
  f.status = 500;
  f.code = "InternalError";
  rig.s3.fault(f);
  rig.s3.put(rig.remote.key(remote::chunk_rel_key(digest(2))), {1, 2, 3});
  rig.gc.reused(digest(2), rig.s3.now_epoch() - 13 * 3600);
  CHECK(rig.gc.gate() == Gate::wait);  // the touch is in flight
  CHECK(rig.settle() == Gate::recheck);
  CHECK(rig.s3.count(s3::Op::copy_object) == 1);
  CHECK(rig.summary.chunks_touched == 0);
  CHECK_THAT(rig.summary.notices.at(0), Catch::Contains("renewing a reused chunk failed"));

  InterlockRig ok;
  ok.s3.put(ok.remote.key(remote::chunk_rel_key(digest(2))), {1, 2, 3});
  ok.gc.reused(digest(2), std::nullopt);  // age unknown (a 412): touched
  CHECK(ok.settle() == Gate::open);
  CHECK(ok.summary.chunks_touched == 1);
}

TEST_CASE("gc interlock: gc-state that cannot be read closes the gate, and a refusal stops the run",
          "[gc][interlock]") {
  InterlockRig rig;
  FakeS3::Fault f;
  f.match = op_is(s3::Op::get_object, std::string(records::kGcStateKey));
  f.status = 403;
  f.code = "AccessDenied";
  rig.s3.fault(f);
  CHECK(rig.settle() == Gate::closed);
  CHECK_THAT(rig.gc.closed_reason(), Catch::StartsWith("the gc state could not be read"));
  CHECK(rig.stop.outcome().stop == run::StopCause::remote);
}

TEST_CASE("gc interlock: a recheck sends again only what is gone", "[gc][interlock]") {
  InterlockRig rig;
  TempDir tmp;
  std::vector<push::GcInterlock::RecheckItem> items;
  for (const char* name : {"a", "b", "c"}) {
    std::string path = tmp.sub(name);
    must(write_file_atomic(path, std::vector<std::uint8_t>{'x'}));
    std::string rel = ".cnt/vm/100/" + std::string(name);
    items.push_back({rel, path, std::nullopt});
    if (std::string(name) != "b") rig.s3.put(rig.remote.key(rel), {'x'});
  }
  items.push_back({".cnt/vm/100/d", tmp.sub("gone-locally"), std::nullopt});
  int ok = 0, missing = 0, failed = 0;
  rig.gc.recheck(items, [&](std::optional<run::ObjectError> e, bool missing_locally) {
    (missing_locally ? missing : e ? failed : ok)++;
  });
  rig.s3.run();
  CHECK(ok == 3);
  CHECK(missing == 1);
  CHECK(failed == 0);
  CHECK(rig.s3.count(s3::Op::head_object) == 4);
  CHECK(rig.s3.count(s3::Op::put_object, ".cnt/vm/100/b") == 1);
  CHECK(rig.s3.count(s3::Op::put_object) == 1);
  CHECK(rig.summary.files_uploaded == 1);
}
