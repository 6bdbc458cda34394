// The sync executor against the in-memory bucket: ordering rules, the chunk fan-in, conditional
// PUT answers, the gc gate on a virtual clock, and the stop rules. No S3 server.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "datastore/index_file.h"
#include "datastore/local_scan.h"
#include "datastore/manifest.h"
#include "executor_rig.h"
#include "records/gc_state.h"
#include "transfer/prefetched_reads.h"
#include "records/record_keys.h"
#include "records/source_record.h"
#include "remote/key_layout.h"
#include "transfer/request_interface.h"

using namespace pbs;
using namespace pbs::test;
using datastore::SnapshotRef;

namespace {

bool is_manifest_put(const s3::Request& r) {
  return r.op == s3::Op::put_object && r.key.ends_with("/" + std::string(datastore::kManifestName));
}

SnapshotRef snapshot_of(const ExecutorRig& rig, const std::string& key) {
  std::string rel = key.substr(rig.remote.prefix.size() + 1 + remote::kContentDir.size());
  return must(remote::parse_content_key(rel)).snapshot;
}

// What is missing remotely of everything the local snapshot's manifest will name.
std::vector<std::string> missing_pieces(const ExecutorRig& rig, const SnapshotRef& snap) {
  auto store = rig.store();
  auto m = must(store.read_manifest(snap));
  std::vector<std::string> missing;
  auto need = [&](const std::string& rel) {
    if (!rig.has(rel)) missing.push_back(rel);
  };
  need(remote::group_file_rel_key(snap.group, datastore::kOwnerName));
  for (const auto& f : m.files) {
    need(remote::snapshot_file_rel_key(snap, f.filename));
    auto kind = datastore::snapshot_file_kind(f.filename);
    if (!kind || !datastore::is_index_kind(*kind)) continue;
    for (const auto& d : must(store.read_index(snap, f.filename)).digests) need(remote::chunk_rel_key(d));
  }
  return missing;
}

// Deletes every remote manifest: the next sync finds all chunks stored but no snapshot complete,
// so it reuses chunks without uploading them (what the gc interlock guards).
void drop_remote_manifests(ExecutorRig& rig) {
  for (const auto& k : rig.manifests()) rig.s3.objects.erase(rig.remote.key(k));
}

void put_gc_state(ExecutorRig& rig, const records::GcState& state) {
  std::string text = records::format_gc_state(state);
  rig.s3.put(rig.remote.key(records::kGcStateKey), {text.begin(), text.end()});
}

std::string all_errors(const push::SyncSummary& s) {
  std::string out;
  for (const auto& e : s.errors) out += e.object + ": " + e.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("sync: each manifest is sent only once all it names is stored, oldest first, in any completion order",
          "[executor][sync]") {
  for (std::uint64_t seed : {1, 2, 3, 4, 5, 6, 7, 8}) {
    INFO("completion order seed " << seed);
    ExecutorRig rig;
    rig.s3.shuffle = true;
    rig.s3.reseed(seed);
    std::vector<std::int64_t> order;
    std::vector<std::string> early;
    rig.s3.on_submit = [&](const s3::Request& r) {
      if (!is_manifest_put(r)) return;
      auto snap = snapshot_of(rig, r.key);
      for (const auto& m : missing_pieces(rig, snap)) early.push_back(snap.rel_dir() + " before " + m);
      order.push_back(snap.time);
    };
    auto s = rig.sync();
    INFO(all_errors(s));
    CHECK(s.complete());
    CHECK(s.snapshots_uploaded == snapshots_in(small_datastore()));
    CHECK(early.empty());
    CHECK(order.size() == snapshots_in(small_datastore()));
    CHECK(std::is_sorted(order.begin(), order.end()));
    check_remote_snapshots_whole(rig);
  }
}

TEST_CASE("sync: a chunk shared by three snapshots is sent once", "[executor][sync]") {
  ExecutorRig rig;
  auto chunks = local_chunk_keys(rig.root);
  // The generator's snapshots of a group share most chunks: make sure some chunk has three users.
  REQUIRE(std::any_of(chunks.begin(), chunks.end(), [&](const auto& k) { return snapshots_using(rig.root, k).size() >= 3; }));

  auto s = rig.sync();
  CHECK(s.complete());
  CHECK(s.chunks_uploaded == chunks.size());
  CHECK(rig.s3.count(s3::Op::put_object, "/.chunks/") == chunks.size());
  for (const auto& k : chunks) {
    INFO(k);
    CHECK(rig.s3.count(s3::Op::put_object, k) == 1);
  }
}

TEST_CASE("sync: 412 on a conditional PUT means stored, and the chunk is not sent again", "[executor][sync]") {
  ExecutorRig rig;
  auto chunks = local_chunk_keys(rig.root);
  std::string raced = chunks.front();
  // Another host stores the chunk between our listing and our PUT.
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op == s3::Op::put_object && r.key.ends_with(raced) && !rig.has(raced)) {
      rig.s3.put(rig.remote.key(raced), read_bytes(rig.root + "/" + raced));
    }
  };
  auto s = rig.sync();
  CHECK(s.complete());
  CHECK(s.chunks_present == 1);
  CHECK(s.chunks_uploaded == chunks.size() - 1);
  REQUIRE(rig.s3.count(s3::Op::put_object, raced) == 1);
  for (const auto& a : rig.s3.answered()) {
    if (a.op == s3::Op::put_object && a.key.ends_with(raced)) CHECK(a.status == 412);
  }
  CHECK(s.chunks_touched == 1);  // its age is unknown: renewed against gc
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: a 501 to If-None-Match switches it off, and every chunk is stored", "[executor][sync]") {
  ExecutorRig rig;
  auto chunks = local_chunk_keys(rig.root);
  FakeS3::Fault f;
  f.match = [](const s3::Request& r) {
    return r.op == s3::Op::put_object &&
           std::any_of(r.headers.begin(), r.headers.end(), [](const auto& h) { return h.first == "If-None-Match"; });
  };
  f.status = 501;
  f.code = "NotImplemented";
  rig.s3.fault(f);
  auto s = rig.sync();
  INFO(all_errors(s));
  CHECK(s.complete());
  CHECK(s.chunks_uploaded == chunks.size());
  for (const auto& k : chunks) CHECK(rig.has(k));
  std::size_t refused = 0;
  for (const auto& a : rig.s3.answered()) refused += a.if_none_match;
  CHECK(refused >= 1);
  CHECK(refused <= transfer::submit_depth(rig.s3));  // only those in flight when the first 501 came
  REQUIRE(s.notices.size() == 1);
  CHECK_THAT(s.notices[0], Catch::Contains("conditional PUT"));
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync gate: a gc holding its lease leaves every snapshot for the next run", "[executor][gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  drop_remote_manifests(rig);
  records::GcState running;
  running.running = true;
  running.host = "gc-host";
  running.lease_expires = rig.s3.now_epoch() + 600;
  put_gc_state(rig, running);
  auto s = rig.sync();
  CHECK(s.snapshots_failed == snapshots_in(small_datastore()));
  CHECK(s.outcome.stop == run::StopCause::none);  // exit 1: nothing refused, the next run completes them
  CHECK_THAT(all_errors(s), Catch::Contains("a gc is running on the target (host gc-host)"));
  CHECK(rig.manifests().empty());
  // Once the lease ran out, the same gc-state no longer holds anything back.
  rig.s3.advance(601);
  auto again = rig.sync();
  CHECK(again.complete());
  CHECK(again.snapshots_uploaded == snapshots_in(small_datastore()));
}

TEST_CASE("sync gate: a gc that finished during the run has every object checked again and re-sent",
          "[executor][gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  drop_remote_manifests(rig);
  auto chunks = rig.remote_keys(remote::kChunksDir);
  REQUIRE(chunks.size() > 3);
  push::SyncOptions options;
  int manifests = 0;
  options.upload.before_manifest = [&](const SnapshotRef&) {
    // The first manifest went up after a clear read of gc-state. Then, a minute later, a gc on
    // another host deletes three chunks this run reused, and says it finished just now.
    if (++manifests != 2) return;
    rig.s3.advance(61);
    auto kept = referenced_remotely(rig);  // what a real gc keeps: chunks of complete snapshots
    int deleted = 0;
    for (const auto& k : chunks) {
      if (deleted < 3 && !kept.count(k)) {
        rig.s3.objects.erase(rig.remote.key(k));
        ++deleted;
      }
    }
    REQUIRE(deleted == 3);
    records::GcState done;
    done.finished = rig.s3.now_epoch();
    put_gc_state(rig, done);
  };
  auto s = rig.sync(options);
  INFO(all_errors(s));
  CHECK(s.complete());
  CHECK(manifests == int(snapshots_in(small_datastore())));
  CHECK(s.chunks_reuploaded == 3);
  CHECK(rig.s3.count(s3::Op::head_object) >= chunks.size());
  CHECK_THAT(s.notices.front(), Catch::Contains("a gc ran during this sync"));
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync gate: with no gc ever run and nothing reused, one read of gc-state opens the gate",
          "[executor][gc]") {
  ExecutorRig rig;
  auto s = rig.sync();
  CHECK(s.complete());
  CHECK(s.snapshots_uploaded == snapshots_in(small_datastore()));
  CHECK(rig.s3.count(s3::Op::get_object, std::string(records::kGcStateKey)) == 1);
  CHECK(rig.s3.count(s3::Op::head_object) == 0);
}

TEST_CASE("sync gate: gc-state is read again once the last read is a minute old", "[executor][gc]") {
  ExecutorRig rig;
  push::SyncOptions options;
  options.upload.before_manifest = [&](const SnapshotRef&) { rig.s3.advance(61); };
  auto s = rig.sync(options);
  CHECK(s.complete());
  CHECK(rig.s3.count(s3::Op::get_object, std::string(records::kGcStateKey)) == snapshots_in(small_datastore()));
}

TEST_CASE("sync gate: a gc-state that does not parse is no lease, and everything is checked again",
          "[executor][gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  drop_remote_manifests(rig);
  rig.s3.put(rig.remote.key(records::kGcStateKey), {'{', 'g', 'a', 'r'});
  auto s = rig.sync();
  CHECK(s.complete());
  REQUIRE_FALSE(s.notices.empty());
  CHECK_THAT(s.notices.front(), Catch::Contains("does not parse"));
  CHECK(rig.s3.count(s3::Op::head_object, "/.chunks/") > 0);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: a reused chunk older than 12 h is touched, a young one is not", "[executor][gc]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  drop_remote_manifests(rig);
  auto chunks = rig.remote_keys(remote::kChunksDir);
  std::size_t old = chunks.size() / 2;
  for (std::size_t i = 0; i < old; ++i) rig.s3.objects[rig.remote.key(chunks[i])].modified -= 13 * 3600;
  auto s = rig.sync();
  CHECK(s.complete());
  CHECK(s.chunks_touched == old);
  CHECK(rig.s3.count(s3::Op::copy_object) == old);
}

TEST_CASE("sync: a refusal stops the run, what is in flight drains and no manifest goes up", "[executor][stop]") {
  ExecutorRig rig;
  FakeS3::Fault f;
  f.match = op_is(s3::Op::put_object, "/.chunks/");
  f.status = 403;
  f.code = "AccessDenied";
  rig.s3.fault(f);
  auto s = rig.sync();
  CHECK(s.outcome.stop == run::StopCause::remote);
  CHECK(rig.manifests().empty());
  CHECK(rig.s3.count(s3::Op::put_object, "/.chunks/") <= transfer::submit_depth(rig.s3));
  CHECK(s.snapshots_failed == snapshots_in(small_datastore()));
  CHECK_THAT(all_errors(s), Catch::Contains("the server refused this run"));
}

TEST_CASE("sync: a manifest that completes while the run drains after an interrupt counts as uploaded",
          "[executor][stop]") {
  ExecutorRig rig;
  bool interrupt = false;
  rig.s3.on_submit = [&](const s3::Request& r) { interrupt = interrupt || is_manifest_put(r); };
  push::SyncOptions options;
  options.upload.interrupted = [&] { return interrupt; };
  auto s = rig.sync(options);
  CHECK(s.outcome.stop == run::StopCause::interrupted);
  CHECK(rig.manifests().size() == 1);
  CHECK(s.snapshots_uploaded == 1);
  CHECK(s.snapshots_failed == snapshots_in(small_datastore()) - 1);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: an interrupt stops cleanly, and the rerun sends nothing twice", "[executor][stop]") {
  ExecutorRig rig;
  auto chunks = local_chunk_keys(rig.root);
  push::SyncOptions options;
  options.upload.interrupted = [&] { return rig.s3.count(s3::Op::put_object, "/.chunks/") >= chunks.size() / 2; };
  auto first = rig.sync(options);
  CHECK(first.outcome.stop == run::StopCause::interrupted);
  CHECK(first.snapshots_uploaded + first.snapshots_failed == snapshots_in(small_datastore()));
  CHECK(first.snapshots_failed > 0);
  CHECK_THAT(all_errors(first), Catch::Contains("interrupted"));
  check_remote_snapshots_whole(rig);

  auto second = rig.sync();
  CHECK(second.complete());
  CHECK(first.snapshots_uploaded + second.snapshots_uploaded == snapshots_in(small_datastore()));
  for (const auto& k : chunks) {
    INFO(k);
    CHECK(rig.s3.count(s3::Op::put_object, k) == 1);
  }
}

TEST_CASE("sync --mode full with nothing to send completes all of 40 snapshots", "[executor][sync]") {
  testgen::GenConfig c = small_datastore();
  c.vms = 1, c.cts = 0, c.hosts = 0, c.snapshots = 40, c.disk_chunks = 4, c.namespaces = false;
  ExecutorRig rig(c);
  REQUIRE(rig.sync().complete());
  std::size_t puts = rig.s3.count(s3::Op::put_object);
  push::SyncOptions full;
  full.mode = push::SyncMode::full;
  auto s = rig.sync(full);
  INFO(all_errors(s));
  CHECK(s.complete());
  CHECK(s.snapshots_updated == 40);
  CHECK(s.snapshots_failed == 0);
  CHECK(rig.s3.count(s3::Op::put_object) == puts);
}

TEST_CASE("sync --mode full repairs a chunk that differs in size and one gone remotely, and touches nothing else",
          "[executor][sync]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto chunks = local_chunk_keys(rig.root);
  REQUIRE(chunks.size() > 3);
  std::string damaged = rig.remote.key(chunks[1]), gone = rig.remote.key(chunks[2]);
  rig.s3.objects.at(damaged).body.resize(10);
  rig.s3.objects.erase(gone);
  std::size_t puts = rig.s3.count(s3::Op::put_object, "/.chunks/");
  push::SyncOptions full;
  full.mode = push::SyncMode::full;
  auto s = rig.sync(full);
  INFO(all_errors(s));
  CHECK(s.complete());
  CHECK(s.chunks_uploaded == 2);
  CHECK(s.chunks_present == chunks.size() - 2);
  CHECK(rig.s3.count(s3::Op::put_object, "/.chunks/") == puts + 2);
  CHECK(rig.s3.count(s3::Op::put_object, chunks[1]) == 2);  // sent again over the short one
  CHECK(rig.s3.count(s3::Op::put_object, chunks[2]) == 2);
  CHECK(rig.s3.objects.at(damaged).body.size() > 10);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: an unreadable local chunk fails only the snapshots that need it, not the run",
          "[executor][stop]") {
  ExecutorRig rig;
  auto chunks = local_chunk_keys(rig.root);
  // The last chunk of the newest snapshot of one group: few snapshots need it.
  std::string path = rig.root + "/" + chunks.back();
  FakeS3::Fault f;
  f.match = op_is(s3::Op::put_object, chunks.back());
  f.local = true;
  f.error = Error(Errc::permission_denied, path + ": open failed: Permission denied (running as backup)");
  rig.s3.fault(f);
  auto users = snapshots_using(rig.root, chunks.back());
  REQUIRE_FALSE(users.empty());
  auto s = rig.sync();
  CHECK(s.outcome.stop == run::StopCause::none);
  CHECK(s.snapshots_failed == users.size());
  CHECK(s.snapshots_uploaded == snapshots_in(small_datastore()) - users.size());
  for (const auto& m : rig.manifests()) {
    auto snap = must(remote::parse_content_key(m.substr(remote::kContentDir.size()))).snapshot;
    CHECK_FALSE(users.count(snap.rel_dir()));
  }
  CHECK_THAT(all_errors(s), Catch::Contains(path + ": open failed: Permission denied (running as backup)"));
  CHECK_THAT(all_errors(s), Catch::Contains("could not be read locally"));
  CHECK(rig.s3.count(s3::Op::put_object, chunks.back()) == 0);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: a damaged chunk file is never sent, its snapshots fail, the others complete", "[executor][sync]") {
  ExecutorRig rig;
  auto damaged = must(testgen::corrupt_chunk(rig.root, testgen::ChunkDamage::flip_byte, 5));
  REQUIRE(damaged.paths.size() == 1);
  auto s = rig.sync();
  CHECK(s.outcome.stop == run::StopCause::none);
  CHECK(s.snapshots_failed >= 1);
  CHECK(s.snapshots_uploaded > 0);
  CHECK_FALSE(rig.has(damaged.paths[0]));
  CHECK(rig.s3.refused_locally() == 1);  // checked once, however many snapshots need it
  CHECK_THAT(all_errors(s), Catch::Contains("failed its local check"));
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: a snapshot pruned locally during the run is skipped with a notice", "[executor][sync]") {
  testgen::GenConfig c = small_datastore();
  c.namespaces = false;
  ExecutorRig rig(c);
  auto store = rig.store();
  auto groups = must(store.groups({}));
  REQUIRE_FALSE(groups.empty());
  auto snaps = must(store.snapshots(groups.front()));
  SnapshotRef victim = snaps.back().ref;
  bool pruned = false;
  rig.s3.on_answer = [&](const s3::Request& r) {
    if (!pruned && r.key.find(victim.rel_dir()) != std::string::npos) {
      pruned = true;
      std::filesystem::remove_all(rig.root + "/" + victim.rel_dir());
    }
  };
  auto s = rig.sync();
  INFO(all_errors(s));
  CHECK(pruned);
  CHECK(s.complete());
  CHECK(s.snapshots_vanished == 1);
  CHECK_THAT(s.notices.front(), Catch::Contains("vanished locally"));
  CHECK_FALSE(rig.has(remote::snapshot_file_rel_key(victim, datastore::kManifestName)));
}

TEST_CASE("sync: group owners are stored before the first manifest is sent", "[executor][sync]") {
  ExecutorRig rig;
  std::size_t owners_at_first_manifest = 0;
  bool seen = false;
  rig.s3.shuffle = true;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (seen || !is_manifest_put(r)) return;
    seen = true;
    owners_at_first_manifest = std::size_t(std::count_if(rig.s3.objects.begin(), rig.s3.objects.end(),
                                                         [](const auto& o) { return o.first.ends_with("/owner"); }));
  };
  REQUIRE(rig.sync().complete());
  CHECK(owners_at_first_manifest == 3);
}

TEST_CASE("sync --dry-run sends no write and estimates the objects the real run sends", "[executor][sync]") {
  ExecutorRig rig;
  push::SyncOptions dry;
  dry.dry_run = true;
  auto plan = rig.sync(dry);
  CHECK(rig.s3.count(s3::Op::put_object) == 0);
  CHECK(rig.s3.objects.empty());
  auto real = rig.sync();
  CHECK(real.complete());
  CHECK(plan.planned_objects == rig.s3.count(s3::Op::put_object));
  // What the real run uploaded of the datastore, and the prefix's source record.
  std::size_t record = rig.s3.objects.at(rig.remote.key(records::kSourceKey)).body.size();
  CHECK(plan.planned_bytes == real.chunk_bytes_uploaded + real.file_bytes_uploaded + record);
}

TEST_CASE("sync --remove-vanished deletes manifests in a batch before the other files, most of them only when told", "[executor][sync]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  must(testgen::prune(rig.root, 1));
  std::vector<std::string> batches;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op == s3::Op::delete_objects) batches.emplace_back(r.body->begin(), r.body->end());
  };
  push::SyncOptions options;
  options.remove_vanished = true;
  // Six of nine is more than the safety net lets go without an explicit count.
  auto refused = rig.sync(options);
  CHECK_FALSE(refused.complete());
  CHECK(refused.snapshots_removed == 0);
  CHECK(refused.snapshots_not_removed == 6);
  CHECK(batches.empty());
  CHECK(rig.manifests().size() == 9);
  options.max_delete = 6;
  auto s = rig.sync(options);
  CHECK(s.complete());
  CHECK(s.snapshots_removed == 6);
  REQUIRE(batches.size() == 2);
  CHECK(batches[0].find(".fidx") == std::string::npos);
  CHECK(batches[0].find(".didx") == std::string::npos);
  CHECK(batches[1].find(std::string(datastore::kManifestName)) == std::string::npos);
  CHECK(rig.manifests().size() == 3);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync --remove-vanished removes up to half of the remote snapshots without being told", "[executor][sync]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  auto pruned = must(testgen::prune(rig.root, 2));
  REQUIRE(pruned.paths.size() == 3);  // three of nine
  push::SyncOptions options;
  options.remove_vanished = true;
  auto s = rig.sync(options);
  CHECK(s.complete());
  CHECK(s.snapshots_removed == 3);
  CHECK(rig.manifests().size() == 6);
  check_remote_snapshots_whole(rig);
}

namespace {

// Requests of one run, by operation, and the chunk PUTs with If-None-Match among them.
struct RunRequests {
  std::size_t total = 0, lists = 0, heads = 0, chunk_puts = 0, conditional_chunk_puts = 0;
};
RunRequests requests_since(const ExecutorRig& rig, std::size_t from) {
  RunRequests r;
  const auto& a = rig.s3.answered();
  for (std::size_t i = from; i < a.size(); ++i) {
    ++r.total;
    r.lists += a[i].op == s3::Op::list_objects;
    r.heads += a[i].op == s3::Op::head_object;
    bool chunk_put = a[i].op == s3::Op::put_object && a[i].key.find("/.chunks/") != std::string::npos;
    r.chunk_puts += chunk_put;
    r.conditional_chunk_puts += chunk_put && a[i].if_none_match;
  }
  return r;
}

// Chunk and other objects the datastore has that the bucket does not.
std::pair<std::size_t, std::size_t> new_objects(const ExecutorRig& rig) {
  std::size_t chunks = 0, files = 0;
  for (const auto& k : local_chunk_keys(rig.root)) chunks += !rig.has(k);
  auto store = rig.store();
  auto scan = must(datastore::scan_local(store, {}));
  for (const auto& g : scan.groups) {
    for (const auto& s : g.snapshots) {
      for (const auto& f : std::filesystem::directory_iterator(store.path(s.ref.rel_dir()))) {
        files += f.is_regular_file() && !rig.has(remote::snapshot_file_rel_key(s.ref, f.path().filename().string()));
      }
    }
  }
  return {chunks, files};
}

}  // namespace

TEST_CASE("sync, the normal night: new chunks go up at once with If-None-Match, no listing, no HEAD",
          "[executor][presence]") {
  auto cfg = small_datastore();
  cfg.disk_chunks = 200;
  ExecutorRig rig(cfg);
  REQUIRE(rig.sync().complete());
  must(testgen::add_snapshots(rig.root, 0.02, 5));
  auto [chunks, files] = new_objects(rig);
  REQUIRE(chunks > 0);
  std::size_t from = rig.s3.answered().size();
  auto s = rig.sync();
  CHECK(s.complete());
  CHECK(s.chunk_check == "conditional-put");
  CHECK(s.chunks_uploaded == chunks);
  auto r = requests_since(rig, from);
  INFO(chunks << " new chunks, " << files << " new files, " << r.total << " requests");
  CHECK(r.heads == 0);
  CHECK(r.chunk_puts == chunks);
  CHECK(r.conditional_chunk_puts == chunks);
  CHECK(r.lists == 1);  // the `.cnt/` catalog only
  CHECK(r.total <= chunks + files + 8);  // with the GETs of the encryption and retention records
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: the chunks of a snapshot left incomplete remotely are asked about first, the rest sent at once",
          "[executor][presence]") {
  auto cfg = small_datastore();
  cfg.disk_chunks = 40;
  ExecutorRig rig(cfg);
  REQUIRE(rig.sync().complete());
  // An interrupted run: the newest snapshot of one group has its chunks and indexes, no manifest.
  auto manifests = rig.manifests();
  std::string dropped = manifests.back();
  rig.s3.objects.erase(rig.remote.key(dropped));
  must(testgen::add_snapshots(rig.root, 0.05, 9));
  auto [chunks, files] = new_objects(rig);
  std::size_t from = rig.s3.answered().size();
  auto s = rig.sync();
  INFO(all_errors(s));
  CHECK(s.complete());
  CHECK(s.chunk_check == "head");
  auto r = requests_since(rig, from);
  CHECK(r.heads > 0);
  CHECK(s.chunks_present >= r.heads / 2);  // what was asked about was mostly stored
  CHECK(r.chunk_puts == chunks);           // nothing stored was sent again
  CHECK(r.lists == 1);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: a prefix that holds chunks but no complete snapshot is checked before anything is sent",
          "[executor][presence]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  for (const auto& k : rig.remote_keys(remote::kContentDir)) rig.s3.objects.erase(rig.remote.key(k));
  std::size_t stored = rig.remote_keys(remote::kChunksDir).size();
  std::size_t from = rig.s3.answered().size();
  auto s = rig.sync();
  CHECK(s.complete());
  CHECK(s.chunk_check != "conditional-put");
  CHECK(s.chunks_present == stored);
  CHECK(requests_since(rig, from).chunk_puts == 0);
  check_remote_snapshots_whole(rig);
}

TEST_CASE("sync: without If-None-Match every chunk is asked about first, so none is sent twice",
          "[executor][presence]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  drop_remote_manifests(rig);
  must(testgen::add_snapshots(rig.root, 0.05, 3));
  auto [chunks, files] = new_objects(rig);
  push::SyncOptions o;
  o.upload.put.if_none_match = false;
  std::size_t from = rig.s3.answered().size();
  auto s = rig.sync(o);
  CHECK(s.complete());
  auto r = requests_since(rig, from);
  CHECK(r.conditional_chunk_puts == 0);
  CHECK(r.chunk_puts == chunks);
}

TEST_CASE("sync --dry-run estimates one request per new chunk on the normal night", "[executor][presence]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  must(testgen::add_snapshots(rig.root, 0.05, 4));
  auto [chunks, files] = new_objects(rig);
  push::SyncOptions o;
  o.dry_run = true;
  auto dry = rig.sync(o);
  std::size_t from = rig.s3.answered().size();
  auto real = rig.sync();
  CHECK(dry.chunk_check == "conditional-put");
  CHECK(dry.planned_objects == chunks + files);
  auto r = requests_since(rig, from);
  CHECK(dry.planned_requests >= r.chunk_puts + files);
  CHECK(real.complete());
}

TEST_CASE("sync: the one-key probe of .chunks/ refused stops the run before any chunk is sent", "[executor][presence]") {
  ExecutorRig rig;
  FakeS3::Fault f;
  f.match = [](const s3::Request& r) {
    if (r.op != s3::Op::list_objects) return false;
    return std::any_of(r.query.begin(), r.query.end(),
                       [](const auto& q) { return q.second.find("/.chunks/") != std::string::npos; });
  };
  f.status = 403;
  f.code = "AccessDenied";
  rig.s3.fault(f);
  auto store = rig.store();
  auto r = push::run_sync(store, rig.s3, rig.remote, {}, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::access_denied);
  CHECK(rig.s3.count(s3::Op::put_object, "/.chunks/") == 0);
  CHECK(rig.manifests().empty());
}

TEST_CASE("the estimate's bytes come from every chunk up to a limit, beyond from a uniform 1 in 2^k sample", "[presence]") {
  CHECK(push::estimate_sample_rate(1000) == 1);
  CHECK(push::estimate_sample_rate(push::kExactEstimateChunks) == 1);
  CHECK(push::estimate_sample_rate(push::kExactEstimateChunks + 1) == 2);
  CHECK(push::estimate_sample_rate(10'600'000) == 128);
  CHECK(push::estimate_sample_rate(std::size_t(1) << 40) == 65536);
  for (std::uint32_t rate : {1u, 16u, 128u}) {
    std::size_t in = 0, n = 400'000;
    for (std::size_t i = 0; i < n; ++i) in += push::in_estimate_sample(sha256(std::to_string(i)), rate);
    double expected = double(n) / rate;
    CHECK(std::abs(double(in) - expected) < 0.08 * expected);
  }
}

TEST_CASE("a plain no-op asks its start questions at once: every request goes before the first answer comes",
          "[executor][noop]") {
  ExecutorRig rig;
  REQUIRE(rig.sync().complete());
  std::size_t submitted = 0, before_first_answer = 0;
  bool answered = false;
  rig.s3.on_submit = [&](const s3::Request&) {
    ++submitted;
    if (!answered) ++before_first_answer;
  };
  rig.s3.on_answer = [&](const s3::Request&) { answered = true; };
  std::size_t from = rig.s3.answered().size();
  auto s = rig.sync();
  REQUIRE(s.complete());
  CHECK(s.chunks_uploaded + s.files_uploaded == 0);
  INFO(nlohmann::json(s.counters.requests).dump());
  // .in-use, the catalog, and the source, encryption and retention records: one round trip.
  CHECK(rig.s3.answered().size() - from == 5);
  CHECK(submitted == 5);
  CHECK(before_first_answer == 5);
}

TEST_CASE("SSE=AES256 (SSE-S3, which radosgw 16 does not serve) goes with every PUT and copy, the class with chunks only",
          "[executor][sse]") {
  ExecutorRig rig;
  std::vector<s3::Request> writes;
  rig.s3.on_submit = [&](const s3::Request& r) {
    if (r.op == s3::Op::put_object || r.op == s3::Op::copy_object) writes.push_back(r);
  };
  push::SyncOptions o;
  o.upload.put.sse = "AES256";
  o.upload.put.storage_class = "GLACIER_IR";
  REQUIRE(rig.sync(o).complete());
  auto header = [](const s3::Request& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  REQUIRE_FALSE(writes.empty());
  std::size_t chunks = 0;
  for (const auto& w : writes) {
    INFO(w.key);
    CHECK(header(w, "x-amz-server-side-encryption") == "AES256");
    bool chunk = w.key.find("/.chunks/") != std::string::npos;
    chunks += chunk;
    CHECK(header(w, "x-amz-storage-class") == (chunk ? "GLACIER_IR" : ""));
  }
  CHECK(chunks > 0);
  // A touch (a copy onto itself) keeps both: without them the copy would drop to STANDARD, unencrypted.
  s3::PutOptions put;
  put.sse = "aws:kms";
  put.sse_kms_key_id = "k1";
  put.storage_class = "STANDARD_IA";
  auto touch = s3::touch_object("b", "k", put);
  CHECK(header(touch, "x-amz-server-side-encryption") == "aws:kms");
  CHECK(header(touch, "x-amz-server-side-encryption-aws-kms-key-id") == "k1");
  CHECK(header(touch, "x-amz-storage-class") == "STANDARD_IA");
}

TEST_CASE("a prefetched read answers the same read once, and a write to its object makes it go again", "[prefetch]") {
  FakeS3 s3;
  s3.put("a", {'o', 'l', 'd'});
  s3.put("b", {'b'});
  transfer::PrefetchedReads reads(s3);
  reads.prefetch(s3::get_object("bucket", "a"));
  reads.prefetch(s3::get_object("bucket", "b"));
  CHECK(reads.outstanding() == 0);  // nobody asked for them yet
  // Taken, not sent again.
  auto b = must(reads.execute(s3::get_object("bucket", "b")));
  CHECK(b.body == std::vector<std::uint8_t>{'b'});
  // A write to `a` before anyone read it: the old answer would be stale.
  must(reads.execute(s3::put_object("bucket", "a", std::make_shared<const std::vector<std::uint8_t>>(
                                                      std::vector<std::uint8_t>{'n', 'e', 'w'}))));
  auto a = must(reads.execute(s3::get_object("bucket", "a")));
  CHECK(a.body == std::vector<std::uint8_t>{'n', 'e', 'w'});
  CHECK(reads.taken() == 1);
  // Two prefetches, the PUT and the GET of `a` sent again.
  CHECK(s3.answered().size() == 4);

  // A run that fails early drops its PrefetchedReads with reads still on the wire; the engine's
  // later loop must not reach into it (ASan checks).
  {
    transfer::PrefetchedReads gone(s3);
    gone.prefetch(s3::get_object("bucket", "b"));
  }
  s3.run();
  CHECK(s3.answered().size() == 5);
}
