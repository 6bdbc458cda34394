// `pbs-s3sync restore` against radosgw: round trip, selections, hostile keys, resume.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <thread>

#include "datastore/datastore.h"
#include "datastore/inventory.h"
#include "datastore/local_verify.h"
#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::test;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const std::string& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Every file of every finished snapshot (and group files) in `from` is byte-identical in `to`.
void check_same_snapshots(const std::string& from, const std::string& to, std::size_t& snapshots) {
  auto src = must(datastore::Datastore::open(from));
  datastore::WalkVisitor v;
  v.on_group = [&](const datastore::GroupRef& g, std::vector<datastore::SnapshotInfo>&& snaps) -> Status {
    for (const auto& s : snaps) {
      if (!s.finished) continue;
      ++snapshots;
      for (const auto& f : s.files) {
        std::string rel = s.ref.rel_dir() + "/" + f;
        INFO(rel);
        REQUIRE(file_exists(to + "/" + rel));
        CHECK(read_bytes(to + "/" + rel) == read_bytes(from + "/" + rel));
        CHECK(mode_of(to + "/" + rel) == 0644);
      }
      CHECK(mode_of(to + "/" + s.ref.rel_dir()) == 0755);
    }
    CHECK(read_bytes(to + "/" + g.rel_dir() + "/owner") == read_bytes(from + "/" + g.rel_dir() + "/owner"));
    return {};
  };
  must(src.walk({}, {}, v));
}

std::set<std::string> chunk_files(const std::string& root) {
  std::set<std::string> out;
  for (const auto& dir : fs::directory_iterator(root + "/.chunks")) {
    for (const auto& f : fs::directory_iterator(dir.path())) out.insert(f.path().filename());
  }
  return out;
}

// Bytes the datastore's chunks take on tmpfs (whole pages).
std::uint64_t chunk_pages_bytes(const std::string& root) {
  std::uint64_t total = 0;
  for (const auto& f : fs::recursive_directory_iterator(root + "/.chunks")) {
    if (f.is_regular_file()) total += (f.file_size() + 4095) / 4096 * 4096;
  }
  return total;
}

// A restore of the rig's target into `dest`, throttled to 1 MB/s so a test can stop it midway.
std::vector<std::string> slow_restore(const SyncRig& rig, const std::string& dest) {
  return {s3sync_bin(), "restore", rig.target(), dest, "--config", rig.conf, "--output", "json",
          "--bandwidth-limit", "1M", "-j", "2"};
}

// Waits (at most 30 s) until a restore into `dest` has chunks in at least `n` chunk directories
// (creating the 65536 directories comes first).
void wait_for_chunks(const std::string& dest, std::size_t n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::size_t dirs = 0;
    if (fs::exists(dest + "/.chunks/ffff")) {
      for (const auto& d : fs::directory_iterator(dest + "/.chunks")) dirs += !fs::is_empty(d.path());
    }
    if (dirs >= n) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// After a restore into `dest` stopped midway: what is there is whole (no manifest before its
// chunks and files), and a rerun completes it without fetching again what is already there.
void check_resumes(const SyncRig& rig, const std::string& dest) {
  CHECK(must(datastore::verify_datastore(must(datastore::Datastore::open(dest)))).ok());
  std::size_t before = chunk_files(dest).size();
  auto again = rig.run({"restore", rig.target(), dest, "--output", "json"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(chunk_files(dest).size() == before + parse_summary(again)["chunks"]["fetched"].get<std::size_t>());
  CHECK(must(datastore::verify_datastore(must(datastore::Datastore::open(dest)))).ok());
  std::size_t snapshots = 0;
  check_same_snapshots(rig.root, dest, snapshots);
  CHECK(snapshots > 0);
}

std::set<std::string> finished_snapshots(const std::string& root) {
  std::set<std::string> out;
  auto store = must(datastore::Datastore::open(root));
  datastore::WalkVisitor v;
  v.on_group = [&](const datastore::GroupRef&, std::vector<datastore::SnapshotInfo>&& snaps) -> Status {
    for (const auto& s : snaps) {
      if (s.finished) out.insert(s.ref.rel_dir());
    }
    return {};
  };
  must(store.walk({}, {}, v));
  return out;
}

}  // namespace

TEST_CASE("round trip: sync, restore into an empty directory, identical and verified", "[restore]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  std::string dest = rig.tmp.sub("restored/store1");
  auto r = rig.run({"restore", rig.target(), dest, "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  auto inv = must(datastore::build_inventory(must(datastore::Datastore::open(rig.root))));
  CHECK(j["snapshots"]["restored"] == inv.snapshots);
  CHECK(j["created"] == true);

  std::size_t snapshots = 0;
  check_same_snapshots(rig.root, dest, snapshots);
  CHECK(snapshots == inv.snapshots);
  // Exactly the referenced chunks, none of the source's strays.
  auto restored = must(datastore::build_inventory(must(datastore::Datastore::open(dest))));
  CHECK(restored.unique_chunks == inv.unique_chunks);
  CHECK(chunk_files(dest).size() == inv.unique_chunks);
  CHECK(restored.namespaces.size() == inv.namespaces.size());  // the empty namespace too
  // Layout and modes as PBS makes them.
  CHECK(mode_of(dest) == 0755);
  CHECK(mode_of(dest + "/.chunks") == 0750);
  CHECK(mode_of(dest + "/.chunks/abcd") == 0750);
  CHECK(mode_of(dest + "/.lock") == 0644);
  std::size_t dirs = 0;
  for ([[maybe_unused]] const auto& d : fs::directory_iterator(dest + "/.chunks")) ++dirs;
  CHECK(dirs == 65536);
  auto verify = must(datastore::verify_datastore(must(datastore::Datastore::open(dest))));
  CHECK(verify.ok());
  CHECK(verify.snapshots == inv.snapshots);

  SECTION("a second restore fetches nothing") {
    auto again = rig.run({"restore", rig.target(), dest, "--output", "json"});
    REQUIRE(again.exit_code == 0);
    auto j2 = parse_summary(again);
    CHECK(j2["snapshots"]["present"] == inv.snapshots);
    CHECK(j2["chunks"]["fetched"] == 0);
    CHECK(j2["requests"]["by-operation"].value("GetObject", 0) == 0);
  }
}

TEST_CASE("partial restores bring back exactly what was asked", "[restore]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  auto restore = [&](std::vector<std::string> extra) {
    std::string dest = rig.tmp.sub("r" + std::to_string(extra.size()) + extra.back());
    std::replace(dest.begin() + long(rig.tmp.path().size()) + 1, dest.end(), '/', '_');
    std::vector<std::string> args{"restore", rig.target(), dest};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = rig.run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return finished_snapshots(dest);
  };
  CHECK(restore({"--group", "vm/100"}) ==
        std::set<std::string>{"vm/100/2026-11-01T02:00:00Z", "vm/100/2026-11-02T02:00:00Z", "vm/100/2026-11-03T02:00:00Z"});
  CHECK(restore({"--snapshot", "vm/100/2026-11-02T02:00:00Z"}) == std::set<std::string>{"vm/100/2026-11-02T02:00:00Z"});
  CHECK(restore({"--ns", "prod", "--snapshot", "vm/101/2026-11-01T02:10:00Z"}) ==
        std::set<std::string>{"ns/prod/vm/101/2026-11-01T02:10:00Z"});
  auto latest = restore({"--latest"});
  CHECK(latest.size() == 6);
  CHECK(latest.count("vm/100/2026-11-03T02:00:00Z"));
  CHECK(latest.count("ns/prod/ns/db/ct/200/2026-11-03T02:20:00Z"));
  auto missing = rig.run({"restore", rig.target(), rig.tmp.sub("none"), "--snapshot", "vm/100/2020-01-01T00:00:00Z"});
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.err, Catch::Contains("no complete remote snapshot"));
}

TEST_CASE("hostile keys in the bucket are refused and nothing lands outside the datastore", "[restore]") {
  testgen::GenConfig cfg;
  cfg.vms = 1, cfg.cts = 0, cfg.hosts = 0, cfg.encrypted_group = false, cfg.namespaces = false;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  std::vector<std::uint8_t> evil{'p', 'w', 'n', 'd'};
  for (const char* key : {".cnt/../../escape.blob", ".cnt/vm/100/../../../../escape2.blob",
                          ".cnt/vm/100/2026-11-01T02:00:00Z/../../../escape3.blob",
                          ".cnt/vm/100/notatime/index.json.blob", ".cnt/vm/evil id/owner",
                          ".cnt/ns/../vm/1/2026-11-01T02:00:00Z/index.json.blob"}) {
    rig.put(key, evil);
  }
  std::string sandbox = rig.tmp.sub("sandbox");
  fs::create_directories(sandbox);
  std::string dest = sandbox + "/deep/store1";
  auto r = rig.run({"restore", rig.target(), dest, "--output", "json"});
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  REQUIRE(j["errors"].size() == 1);  // one line for all of them
  CHECK_THAT(j["errors"].dump(), Catch::Contains("6 object(s)"));
  CHECK_THAT(j["errors"].dump(), Catch::Contains("notatime"));
  CHECK(j["snapshots"]["restored"] == 3);  // the real ones still come back
  // Nothing outside the datastore directory; nothing named escape anywhere.
  for (const auto& e : fs::recursive_directory_iterator(rig.tmp.path())) {
    auto p = e.path().string();
    if (p.starts_with(dest) || p.starts_with(rig.root) || p == sandbox || p == sandbox + "/deep") continue;
    if (p == rig.conf || p == rig.lock) continue;
    FAIL("unexpected path " << p);
  }
  for (const auto& e : fs::recursive_directory_iterator(dest)) {
    CHECK(e.path().filename().string().find("escape") == std::string::npos);
    CHECK(e.path().string().find("notatime") == std::string::npos);
  }
}

TEST_CASE("a chunk damaged in the bucket is never written and its snapshots fail", "[restore]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  std::string victim;
  for (const auto& [k, o] : rig.remote()) {
    if (k.starts_with(".chunks/")) {
      victim = k;
      break;
    }
  }
  auto body = rig.get(victim);
  body.back() ^= 0x40;
  rig.put(victim, body);
  std::string dest = rig.tmp.sub("restored");
  auto r = rig.run({"restore", rig.target(), dest, "--output", "json"});
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["snapshots"]["failed"] >= 1);
  CHECK_THAT(j["errors"].dump(), Catch::Contains(victim));
  CHECK_FALSE(file_exists(dest + "/" + victim));
  auto verify = must(datastore::verify_datastore(must(datastore::Datastore::open(dest))));
  CHECK(verify.ok());  // what was restored is whole
}

TEST_CASE("a full disk stops the restore with one clear error, and a rerun finishes it", "[restore]") {
  testgen::GenConfig cfg;
  cfg.disk_chunks = 100;
  SyncRig rig(cfg);
  REQUIRE(rig.sync().exit_code == 0);
  std::uint64_t needed = chunk_pages_bytes(rig.root);
  std::size_t total_chunks = chunk_files(rig.root).size();
  std::string mount = rig.tmp.sub("disk");
  SmallDisk disk(mount, needed / 3 / 4096 * 4096);
  std::string dest = mount + "/store1";

  auto r = rig.run({"restore", rig.target(), dest, "--output", "json", "-j", "4"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  std::string errors = j["errors"].dump();
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("No space left on device") || Catch::Contains("no space"));
  CHECK_THAT(errors, Catch::Contains(dest));
  CHECK_THAT(errors, Catch::Contains("local write error"));
  // It stopped: far fewer chunk requests than chunks, and one write error, not one per chunk.
  CHECK(j["requests"]["by-operation"]["GetObject"].get<std::size_t>() < total_chunks);
  CHECK(std::count(errors.begin(), errors.end(), '{') <= 1 + j["snapshots"]["selected"].get<int>());
  CHECK(j["snapshots"]["restored"].get<int>() < j["snapshots"]["selected"].get<int>());
  // Nothing half-written is left: no temp files, and every snapshot with a manifest is whole.
  for (const auto& f : fs::recursive_directory_iterator(dest)) {
    INFO(f.path());
    CHECK(f.path().filename().string().find(".tmp_") == std::string::npos);
  }
  CHECK(chunk_files(dest).size() < total_chunks);
  disk.grow(needed * 2 + (8 << 20));
  check_resumes(rig, dest);
}

TEST_CASE("access denied on chunk downloads stops the restore at once: exit 4", "[restore]") {
  SyncRig rig;
  REQUIRE(rig.sync().exit_code == 0);
  FaultProxy proxy;  // a key whose policy forbids reading chunks
  proxy.rule("mode=status&status=403&code=AccessDenied&method=GET&path_contains=.chunks/&count=1000000");
  std::string dest = rig.tmp.sub("restored");
  auto r = run_command({s3sync_bin(), "restore", rig.target(), dest, "--config", rig.conf, "--output", "json", "-j", "4"},
                       rig.env({"AWS_ENDPOINT_URL=" + proxy.endpoint()}));
  CHECK(r.exit_code == 4);
  auto j = parse_summary(r);
  std::string errors = j["errors"].dump();
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("AccessDenied"));
  CHECK_THAT(errors, Catch::Contains("the server refused this run"));
  CHECK(proxy.stats().faults <= 8);  // what was submitted when the first refusal came back
  CHECK(j["snapshots"]["restored"] == 0);
  CHECK(finished_snapshots(dest).empty());
}

TEST_CASE("a restore stopped midway (SIGINT cleanly, or SIGKILL), rerun, completes without fetching twice", "[restore]") {
  for (int sig : {SIGINT, SIGKILL}) {
    INFO("signal " << sig);
    testgen::GenConfig cfg;
    cfg.disk_chunks = 100;
    SyncRig rig(cfg);
    REQUIRE(rig.sync().exit_code == 0);
    std::string dest = rig.tmp.sub("restored");
    BackgroundCommand run(slow_restore(rig, dest), rig.env());
    wait_for_chunks(dest, 10);
    run.kill(sig);
    auto r = run.wait();
    if (sig == SIGINT) {
      INFO(r.err);
      CHECK(r.exit_code == 1);
      auto j = parse_summary(r);
      CHECK(j["interrupted"] == true);
      CHECK(j["snapshots"]["restored"].get<int>() < j["snapshots"]["selected"].get<int>());
    } else {
      CHECK(r.exit_code == 128 + SIGKILL);  // it was still running
    }
    CHECK(chunk_files(dest).size() >= 10);
    check_resumes(rig, dest);
  }
}
