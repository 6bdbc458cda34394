// `pbs-s3sync extract` against radosgw: a VM disk, a pxar stream and a config back from the
// bucket without PBS, checked against an independent reader of the source datastore
// (tests/tools/pbs_archive_reader.py); bad input; an interrupted extract continued.
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "s3_support.h"
#include "sync_rig.h"
#include "test_support.h"
#include "transfer/object_store.h"
#include "util/hex.h"

using namespace pbs;
using namespace pbs::test;
namespace fs = std::filesystem;

namespace {

testgen::GenConfig plain_config(unsigned disk_chunks = 32) {
  testgen::GenConfig cfg;
  cfg.encrypted_group = false;
  cfg.disk_chunks = disk_chunks;
  return cfg;
}

struct Reference {
  std::string path;
  nlohmann::json stats;  // size, chunks, zero-chunks
};

// The archive as the independent reader reads it from the source datastore.
Reference reference(const SyncRig& rig, const std::string& snapshot_dir, const std::string& archive) {
  Reference ref{rig.tmp.sub("reference-" + archive), {}};
  auto r = run_command({"/usr/bin/python3", std::string(PBS_TESTS_DIR) + "/tools/pbs_archive_reader.py", rig.root, snapshot_dir,
                        archive, ref.path});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  ref.stats = nlohmann::json::parse(r.out);
  return ref;
}

// The newest snapshot directory of a group of the source ("vm/100", "ns/a/ct/200").
std::string newest_snapshot(const SyncRig& rig, const std::string& group) {
  std::string newest;
  for (const auto& e : fs::directory_iterator(rig.root + "/" + group)) {
    if (e.is_directory() && fs::exists(e.path() / "index.json.blob")) newest = std::max(newest, e.path().filename().string());
  }
  REQUIRE(!newest.empty());
  return group + "/" + newest;
}

std::uint64_t allocated_bytes(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return std::uint64_t(st.st_blocks) * 512;
}

CommandResult extract(const SyncRig& rig, std::vector<std::string> args) {
  args.insert(args.begin(), {"extract", rig.target()});
  args.insert(args.end(), {"--output", "json"});
  return rig.run(args);
}

std::string write_passphrase(const SyncRig& rig, const std::string& name, const std::string& text) {
  std::string path = rig.tmp.sub(name);
  std::ofstream(path) << text << "\n";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  return path;
}

}  // namespace

TEST_CASE("extract gives the VM disk image byte for byte, sparse where the disk had zero chunks", "[extract]") {
  SyncRig rig(plain_config());
  REQUIRE(rig.sync().exit_code == 0);
  std::string snap = newest_snapshot(rig, "vm/100");
  auto ref = reference(rig, snap, "drive-scsi0.img.fidx");
  REQUIRE(ref.stats["zero-chunks"].get<int>() > 0);
  std::string out = rig.tmp.sub("disk.raw");
  auto r = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["complete"] == true);
  CHECK(j["snapshot"] == snap);
  CHECK(j["archive"] == "drive-scsi0.img.fidx");
  CHECK(read_bytes(out) == read_bytes(ref.path));
  CHECK_FALSE(file_exists(out + ".part"));
  CHECK(j["chunks"]["zero"] == ref.stats["zero-chunks"]);
  CHECK(j["chunks"]["total"] == ref.stats["chunks"]);
  // Zero chunks are neither fetched nor written: holes.
  std::size_t zero = j["chunks"]["zero"].get<std::size_t>();
  CHECK(j["requests"]["by-operation"]["GetObject"].get<std::size_t>() <=
        j["chunks"]["total"].get<std::size_t>() - zero + 3);  // + manifest and index
  auto written = j["bytes-written"].get<std::uint64_t>();
  CHECK(written < fs::file_size(out));
  CHECK(allocated_bytes(out) <= written + 4096);
  CHECK((fs::status(out).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));

  SECTION("to standard output: the same bytes, the report on stderr") {
    auto s = rig.run({"extract", rig.target(), "vm/100/" + snap.substr(snap.rfind('/') + 1), "drive-scsi0.img.fidx", "-"});
    REQUIRE(s.exit_code == 0);
    CHECK(std::vector<std::uint8_t>(s.out.begin(), s.out.end()) == read_bytes(ref.path));
    CHECK_THAT(s.err, Catch::Contains("drive-scsi0.img.fidx"));
  }
  SECTION("the VM's config, decoded") {
    auto c = rig.run({"extract", rig.target(), "vm/100/latest", "qemu-server.conf", "-", "-q"});
    REQUIRE(c.exit_code == 0);
    auto conf = reference(rig, snap, "qemu-server.conf.blob");
    CHECK(std::vector<std::uint8_t>(c.out.begin(), c.out.end()) == read_bytes(conf.path));
  }
  SECTION("list --snapshot shows the archives with their sizes") {
    auto l = rig.run({"list", rig.target(), "--snapshot", "vm/100/latest", "--output", "json"});
    REQUIRE(l.exit_code == 0);
    auto lj = parse_summary(l);
    CHECK(lj["snapshot"] == snap);
    bool disk = false;
    for (const auto& a : lj["archives"]) {
      if (a["archive"] == "drive-scsi0.img.fidx") {
        disk = true;
        CHECK(a["size"] == ref.stats["size"]);
        CHECK(a["kind"] == "disk image");
      }
    }
    CHECK(disk);
  }
}

TEST_CASE("extract gives a container's pxar streams byte for byte", "[extract]") {
  SyncRig rig(plain_config());
  REQUIRE(rig.sync().exit_code == 0);
  std::string snap = newest_snapshot(rig, "ns/prod/ns/db/ct/200");  // the generator puts it there
  for (const auto& e : fs::directory_iterator(rig.root + "/" + snap)) {
    std::string name = e.path().filename();
    if (!name.ends_with(".didx")) continue;
    INFO(name);
    auto ref = reference(rig, snap, name);
    std::string out = rig.tmp.sub(name + ".out");
    auto r = extract(rig, {"ct/200/latest", name, out, "--ns", "prod/db"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_bytes(out) == read_bytes(ref.path));
  }
}

TEST_CASE("extract from an encrypted prefix decrypts to the source image, and a wrong passphrase writes nothing",
          "[extract]") {
  SyncRig rig(plain_config());
  std::string pass = write_passphrase(rig, "pass", "correct horse battery staple");
  REQUIRE(rig.sync({"--encrypt", "--passphrase-file", pass}).exit_code == 0);
  std::string snap = newest_snapshot(rig, "vm/100");
  auto ref = reference(rig, snap, "drive-scsi0.img.fidx");
  std::string out = rig.tmp.sub("disk.raw");
  auto r = extract(rig, {"vm/100/latest", "drive-scsi0.img", out, "--passphrase-file", pass});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_summary(r);
  CHECK(j["encrypted"] == true);
  CHECK(j["chunks"]["zero"] == ref.stats["zero-chunks"]);
  CHECK(read_bytes(out) == read_bytes(ref.path));

  std::string wrong = write_passphrase(rig, "wrong", "not the passphrase");
  std::string out2 = rig.tmp.sub("disk2.raw");
  auto w = extract(rig, {"vm/100/latest", "drive-scsi0.img", out2, "--passphrase-file", wrong});
  CHECK(w.exit_code == 2);
  CHECK_THAT(w.err, Catch::Contains("does not open the key"));
  CHECK_FALSE(file_exists(out2));
  CHECK_FALSE(file_exists(out2 + ".part"));
  auto none = extract(rig, {"vm/100/latest", "drive-scsi0.img", out2});
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("is encrypted") && Catch::Contains("--passphrase-file"));
  CHECK_FALSE(file_exists(out2 + ".part"));
}

TEST_CASE("extract refuses what it cannot stand behind, before writing anything", "[extract]") {
  SyncRig rig(plain_config());
  REQUIRE(rig.sync().exit_code == 0);
  std::string snap = newest_snapshot(rig, "vm/100");
  std::string out = rig.tmp.sub("out.raw");
  SECTION("a snapshot that is not there names the ones that are") {
    auto r = extract(rig, {"vm/100/2020-01-01T00:00:00Z", "drive-scsi0.img", out});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("no such snapshot") && Catch::Contains(snap.substr(snap.rfind('/') + 1)));
  }
  SECTION("an archive not in the manifest lists those that are") {
    auto r = extract(rig, {"vm/100/latest", "drive-virtio9.img", out});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("drive-scsi0.img.fidx") && Catch::Contains("qemu-server.conf.blob"));
  }
  SECTION("a snapshot not complete remotely") {
    std::string rel = ".cnt/" + snap + "/index.json.blob";
    must(transfer::ObjectStore(*rig.engine, rig.bucket).delete_all({rig.prefix + "/" + rel}));
    auto r = extract(rig, {snap, "drive-scsi0.img", out});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("not complete remotely"));
  }
  SECTION("an existing OUTPUT, unless --force") {
    std::ofstream(out) << "precious";
    auto r = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--force"));
    CHECK(read_bytes(out).size() == 8);
    auto f = extract(rig, {"vm/100/latest", "drive-scsi0.img", out, "--force"});
    CHECK(f.exit_code == 0);
    CHECK(read_bytes(out) == read_bytes(reference(rig, snap, "drive-scsi0.img.fidx").path));
  }
  CHECK_FALSE(file_exists(out + ".part"));
}

TEST_CASE("a damaged or missing chunk is named with its offset, the output is kept as .part, a rerun finishes it",
          "[extract]") {
  SyncRig rig(plain_config());
  REQUIRE(rig.sync().exit_code == 0);
  std::string snap = newest_snapshot(rig, "vm/100");
  auto ref = reference(rig, snap, "drive-scsi0.img.fidx");
  // The first chunk of the disk: damaged in the bucket, then removed.
  auto index = read_bytes(rig.root + "/" + snap + "/drive-scsi0.img.fidx");
  std::string hex = to_hex(std::span(index).subspan(4096, 32));
  std::string rel = ".chunks/" + hex.substr(0, 4) + "/" + hex;
  auto good = rig.get(rel);
  auto bad = good;
  bad.back() ^= 0x20;
  rig.put(rel, bad);
  std::string out = rig.tmp.sub("disk.raw");
  auto r = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  CHECK(j["complete"] == false);
  std::string errors = j["errors"].dump();
  CHECK_THAT(errors, Catch::Contains(hex) && Catch::Contains("at offset 0"));
  CHECK_THAT(j["notices"].dump(), Catch::Contains(".part") && Catch::Contains("not complete"));
  CHECK_FALSE(file_exists(out));
  CHECK(file_exists(out + ".part"));

  must(transfer::ObjectStore(*rig.engine, rig.bucket).delete_all({rig.prefix + "/" + rel}));
  auto m = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
  CHECK(m.exit_code == 1);
  CHECK_THAT(parse_summary(m)["errors"].dump(), Catch::Contains("missing remotely"));
  CHECK(parse_summary(m)["chunks"]["fetched"] == 0);  // all the others were in place already

  rig.put(rel, good);
  auto fixed = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
  INFO(fixed.err);
  REQUIRE(fixed.exit_code == 0);
  auto fj = parse_summary(fixed);
  CHECK(fj["resumed"] == true);
  CHECK(fj["chunks"]["fetched"] == 1);
  CHECK(read_bytes(out) == read_bytes(ref.path));
}

TEST_CASE("an extract interrupted (SIGINT, or SIGKILL) and run again is byte-identical and fetches nothing twice "
          "beyond what was in flight", "[extract]") {
  for (int sig : {SIGINT, SIGKILL}) {
    INFO("signal " << sig);
    SyncRig rig(plain_config(160));
    REQUIRE(rig.sync().exit_code == 0);
    std::string snap = newest_snapshot(rig, "vm/100");
    auto ref = reference(rig, snap, "drive-scsi0.img.fidx");
    std::string out = rig.tmp.sub("disk.raw");
    const int parallel = 2;
    BackgroundCommand run({s3sync_bin(), "extract", rig.target(), "vm/100/latest", "drive-scsi0.img", out, "--config",
                           rig.conf, "--output", "json", "--bandwidth-limit", "400k", "-j", std::to_string(parallel)},
                          rig.env());
    auto t0 = std::chrono::steady_clock::now();
    while (!(file_exists(out + ".part") && allocated_bytes(out + ".part") > 512 * 1024) &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    run.kill(sig);
    auto first = run.wait();
    std::size_t fetched_before = 0;
    if (sig == SIGINT) {
      INFO(first.err);
      CHECK(first.exit_code == 1);
      auto j = parse_summary(first);
      CHECK(j["interrupted"] == true);
      CHECK(j["complete"] == false);
      fetched_before = j["chunks"]["fetched"].get<std::size_t>();
      CHECK(fetched_before > 0);
    } else {
      CHECK(first.exit_code == 128 + SIGKILL);
    }
    REQUIRE(file_exists(out + ".part"));
    CHECK_FALSE(file_exists(out));
    auto again = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    auto j = parse_summary(again);
    CHECK(j["resumed"] == true);
    CHECK(read_bytes(out) == read_bytes(ref.path));
    std::size_t in_place = j["chunks"]["in-place"].get<std::size_t>();
    CHECK(in_place > 0);
    // What the first run wrote is not fetched again (SIGINT: its in-flight chunks were finished).
    if (sig == SIGINT) CHECK(in_place + parallel >= fetched_before);
    CHECK(j["chunks"]["fetched"].get<std::size_t>() + in_place + j["chunks"]["zero"].get<std::size_t>() +
              j["chunks"]["repeated"].get<std::size_t>() ==
          j["chunks"]["total"].get<std::size_t>());
  }
}

TEST_CASE("a full disk stops the extract with one clear error, and with room a rerun finishes it", "[extract]") {
  SyncRig rig(plain_config(160));
  REQUIRE(rig.sync().exit_code == 0);
  std::string snap = newest_snapshot(rig, "vm/100");
  auto ref = reference(rig, snap, "drive-scsi0.img.fidx");
  std::string mount = rig.tmp.sub("disk");
  SmallDisk disk(mount, 2 << 20);
  std::string out = mount + "/disk.raw";
  auto r = extract(rig, {"vm/100/latest", "drive-scsi0.img", out, "-j", "4"});
  CHECK(r.exit_code == 1);
  auto j = parse_summary(r);
  std::string errors = j["errors"].dump();
  INFO(errors);
  CHECK_THAT(errors, Catch::Contains("No space left on device") || Catch::Contains("no space"));
  CHECK_THAT(errors, Catch::Contains(out + ".part"));
  CHECK(std::count(errors.begin(), errors.end(), '{') == 1);
  CHECK(j["complete"] == false);
  disk.grow(64 << 20);
  auto again = extract(rig, {"vm/100/latest", "drive-scsi0.img", out});
  REQUIRE(again.exit_code == 0);
  CHECK(read_bytes(out) == read_bytes(ref.path));
}
