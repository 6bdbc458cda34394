// The restore plan and executor against the in-memory bucket: round trip, one fetch per shared
// chunk, resuming from what is on disk, stopping at a full disk or a refusal. No S3 server.
#include <cerrno>
#include <set>

#include "datastore/datastore_writer.h"
#include "datastore/local_verify.h"
#include "executor_rig.h"
#include "remote/key_layout.h"
#include "remote/listing.h"
#include "restore/restore_executor.h"
#include "restore/restore_plan.h"

using namespace pbs;
using namespace pbs::test;

namespace {

std::string all_errors(const restore::RestoreSummary& s) {
  std::string out;
  for (const auto& e : s.errors) out += e.object + ": " + e.message + "\n";
  return out;
}

// A disk that fills up after `room` chunk files.
class FullDisk final : public datastore::WriterInterface {
 public:
  FullDisk(const datastore::DatastoreWriter& real, std::size_t room) : real_(real), room_(room) {}
  const datastore::Datastore& datastore() const override { return real_.datastore(); }
  Result<bool> has_chunk(const Digest& d) const override { return real_.has_chunk(d); }
  Status write_chunk(const Digest& d, std::span<const std::uint8_t> blob) const override {
    if (written_ == room_) return errno_error(ENOSPC, "write", real_.datastore().chunk_path(d));
    ++written_;
    return real_.write_chunk(d, blob);
  }
  Status write_group_file(const datastore::GroupRef& g, std::string_view name,
                          std::span<const std::uint8_t> bytes) const override {
    return real_.write_group_file(g, name, bytes);
  }
  Status write_snapshot_file(const datastore::SnapshotRef& s, std::string_view name,
                             std::span<const std::uint8_t> bytes, bool synced) const override {
    return real_.write_snapshot_file(s, name, bytes, synced);
  }
  Status sync() const override { return real_.sync(); }

 private:
  const datastore::DatastoreWriter& real_;
  std::size_t room_;
  mutable std::size_t written_ = 0;
};

restore::LocalView empty_local() {
  return {[](const datastore::SnapshotRef&, const remote::RemoteFile&) { return false; },
          [](const datastore::GroupRef&, std::string_view) { return false; }};
}

void check_verifies(const std::string& root) {
  auto report = must(datastore::verify_datastore(must(datastore::Datastore::open(root)), {}));
  CHECK(report.ok());
}

s3::ObjectInfo object(std::uint64_t size = 10, std::string etag = "") {
  s3::ObjectInfo o;
  o.size = size;
  o.etag = std::move(etag);
  return o;
}

}  // namespace

TEST_CASE("restore: a synced datastore comes back byte for byte, each shared chunk fetched once",
          "[executor][restore]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::string into = rig.tmp.sub("restored");
  auto s = rig.restore(into);
  INFO(all_errors(s));
  CHECK(s.complete());
  CHECK(s.snapshots_restored == snapshots_in(small_datastore()));
  auto chunks = local_chunk_keys(rig.root);
  CHECK(s.chunks_fetched == chunks.size());
  for (const auto& k : chunks) {
    INFO(k);
    CHECK(rig.s3.count(s3::Op::get_object, k) == 1);
    CHECK(read_bytes(into + "/" + k) == read_bytes(rig.root + "/" + k));
  }
  for (const auto& k : rig.remote_keys(remote::kContentDir)) {
    INFO(k);
    std::string rel = k.substr(remote::kContentDir.size());
    if (rel.ends_with(".namespace")) continue;  // markers become directories
    CHECK(read_bytes(into + "/" + rel) == read_bytes(rig.root + "/" + rel));
  }
  check_verifies(into);
}

TEST_CASE("restore: an interrupted restore resumes from what is on disk and fetches nothing twice",
          "[executor][restore]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto chunks = local_chunk_keys(rig.root);
  std::string into = rig.tmp.sub("restored");
  restore::RestoreOptions options;
  options.interrupted = [&] { return rig.s3.count(s3::Op::get_object, "/.chunks/") >= chunks.size() / 2; };
  auto first = rig.restore(into, options);
  CHECK(first.outcome.stop == run::StopCause::interrupted);
  CHECK(first.snapshots_restored < snapshots_in(small_datastore()));
  check_verifies(into);  // what it wrote is whole

  auto second = rig.restore(into);
  INFO(all_errors(second));
  CHECK(second.complete());
  CHECK(second.snapshots_present == first.snapshots_restored);
  CHECK(first.snapshots_restored + second.snapshots_restored == snapshots_in(small_datastore()));
  CHECK(first.chunks_fetched + second.chunks_fetched == chunks.size());
  for (const auto& k : chunks) CHECK(rig.s3.count(s3::Op::get_object, k) == 1);
  check_verifies(into);
}

TEST_CASE("restore: a full disk stops the run at the first failed write, and the rerun finishes", "[executor][restore]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto chunks = local_chunk_keys(rig.root);
  std::string into = rig.tmp.sub("restored");
  auto catalog = must(remote::load_catalog(rig.s3, rig.remote));
  auto plan = must(restore::make_restore_plan(catalog, {}, empty_local()));
  REQUIRE(plan.snapshots.size() == snapshots_in(small_datastore()));
  auto writer = must(datastore::DatastoreWriter::open_or_create(into));
  FullDisk disk(writer, 2);
  restore::RestoreSummary summary;
  std::size_t gets_before = rig.s3.count(s3::Op::get_object, "/.chunks/");
  {
    restore::RestoreExecutor executor(rig.s3, rig.remote, disk, summary, nullptr);
    executor.run(plan, nullptr);
  }
  CHECK(summary.outcome.stop == run::StopCause::local);
  CHECK(summary.snapshots_restored == 0);
  CHECK(summary.snapshots_failed == snapshots_in(small_datastore()));
  std::size_t space_errors = 0;
  for (const auto& e : summary.errors) space_errors += e.message.find("No space left on device") != std::string::npos;
  CHECK(space_errors == 1);
  CHECK_THAT(all_errors(summary), Catch::Contains(into + "/.chunks/"));
  // In flight when the disk filled up: at most the submit depth after the third chunk.
  CHECK(rig.s3.count(s3::Op::get_object, "/.chunks/") - gets_before <= 3 + transfer::submit_depth(rig.s3));

  auto rerun = rig.restore(into);
  CHECK(rerun.complete());
  CHECK(rerun.chunks_present == 2);
  CHECK(rerun.chunks_fetched == chunks.size() - 2);
  check_verifies(into);
}

TEST_CASE("restore: a refused chunk download stops the run with the remote as cause", "[executor][restore]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  FakeS3::Fault f;
  f.match = op_is(s3::Op::get_object, "/.chunks/");
  f.status = 403;
  f.code = "AccessDenied";
  rig.s3.fault(f);
  auto s = rig.restore(rig.tmp.sub("restored"));
  CHECK(s.outcome.stop == run::StopCause::remote);
  CHECK(s.snapshots_restored == 0);
  CHECK_THAT(all_errors(s), Catch::Contains("the server refused this run"));
  CHECK(rig.s3.count(s3::Op::get_object, "/.chunks/") <= transfer::submit_depth(rig.s3));
}

TEST_CASE("restore plan: selection, --latest, incomplete and already restored snapshots", "[restore][plan]") {
  remote::RemoteCatalog catalog;
  const char* t1 = "2026-11-01T02:00:00Z";
  const char* t2 = "2026-11-02T02:00:00Z";
  const char* t3 = "2026-11-03T02:00:00Z";
  auto add = [&](const std::string& rel, const std::string& etag = "") { catalog.add(".cnt/" + rel, object(10, etag)); };
  add(std::string("vm/100/") + t1 + "/index.json.blob", std::string(32, 'a'));
  add(std::string("vm/100/") + t1 + "/drive-scsi0.img.fidx");
  add(std::string("vm/100/") + t2 + "/index.json.blob");
  add(std::string("vm/100/") + t3 + "/drive-scsi0.img.fidx");  // never completed
  add("vm/100/owner");
  add(std::string("ct/200/") + t1 + "/index.json.blob");
  add("ct/200/owner");
  add("ct/200/notes");
  add(std::string("ns/a/vm/300/") + t2 + "/index.json.blob");
  add("ns/a/.namespace");
  auto view = empty_local();

  auto all = must(restore::make_restore_plan(catalog, {}, view));
  CHECK(all.selected == 4);
  REQUIRE(all.snapshots.size() == 4);
  for (std::size_t i = 1; i < all.snapshots.size(); ++i) CHECK(all.snapshots[i - 1]->ref.time <= all.snapshots[i]->ref.time);
  CHECK(all.namespaces.size() == 1);
  CHECK(all.group_files.size() == 3);  // the groups with owner/notes: vm/100 owner, ct/200 owner and notes

  restore::RestoreSelection latest;
  latest.latest = true;
  latest.max_depth = 0;
  auto newest = must(restore::make_restore_plan(catalog, latest, view));
  REQUIRE(newest.snapshots.size() == 2);  // vm/100 at t2 (t3 is incomplete) and ct/200; ns/a is deeper
  std::set<std::string> names;
  for (const auto* s : newest.snapshots) names.insert(s->ref.name());
  CHECK(names == std::set<std::string>{std::string("vm/100/") + t2, std::string("ct/200/") + t1});

  restore::RestoreSelection one;
  one.snapshot = must(datastore::parse_snapshot({}, std::string("vm/100/") + t3));
  auto none = restore::make_restore_plan(catalog, one, view);
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == Errc::not_found);

  // vm/100 at t1 is on disk with the same manifest: skipped; its owner is on disk already.
  restore::RestoreSelection group;
  group.group = must(datastore::parse_group({}, "vm/100"));
  restore::LocalView restored = view;
  restored.has_snapshot = [](const datastore::SnapshotRef& ref, const remote::RemoteFile& m) {
    return ref.time_string() == "2026-11-01T02:00:00Z" && m.etag == std::string(32, 'a');
  };
  restored.has_group_file = [](const datastore::GroupRef&, std::string_view name) { return name == "owner"; };
  auto rest = must(restore::make_restore_plan(catalog, group, restored));
  CHECK(rest.selected == 2);
  CHECK(rest.present == 1);
  REQUIRE(rest.snapshots.size() == 1);
  CHECK(rest.snapshots[0]->ref.time_string() == t2);
  CHECK(rest.group_files.empty());
}

TEST_CASE("restore: the progress line knows the total from the indexes read first, and ends at it",
          "[executor][restore]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::vector<run::RunProgress> ticks;
  restore::RestoreOptions options;
  options.on_progress = [&](const run::RunProgress& p) { ticks.push_back(p); };
  auto s = rig.restore(rig.tmp.sub("restored"), options);
  CHECK(s.complete());
  REQUIRE(ticks.size() > 2);
  // Once a chunk has come, the line has a total beyond what came, so a percent and an ETA.
  auto early = std::find_if(ticks.begin(), ticks.end(), [](const auto& p) { return p.chunks_moved > 0; });
  REQUIRE(early != ticks.end());
  CHECK(early->bytes_total > early->bytes);
  CHECK(ticks.back().bytes_total == ticks.back().bytes);
  CHECK(ticks.back().chunks_moved == s.chunks_fetched);
}
