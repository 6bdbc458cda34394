#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "datagen.h"
#include "datastore/datastore.h"
#include "datastore/datastore_writer.h"
#include "datastore/digest_set.h"
#include "datastore/inventory.h"
#include "test_support.h"

using namespace pbs;
using namespace pbs::datastore;
using pbs::test::must;
using pbs::test::TempDir;

namespace {
mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
}  // namespace

TEST_CASE("the writer creates the layout PBS requires", "[writer]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto w = must(DatastoreWriter::open_or_create(root));
  CHECK(mode_of(root) == 0755);
  CHECK(mode_of(root + "/.chunks") == 0750);
  CHECK(mode_of(root + "/.lock") == 0644);
  std::size_t dirs = 0;
  for (const auto& e : std::filesystem::directory_iterator(root + "/.chunks")) {
    REQUIRE(e.is_directory());
    ++dirs;
  }
  CHECK(dirs == 65536);
  CHECK(mode_of(root + "/.chunks/0000") == 0750);
  CHECK(mode_of(root + "/.chunks/ffff") == 0750);
  CHECK(mode_of(root + "/.chunks/a0b1") == 0750);

  SECTION("files and directories get PBS's modes; no temp files stay behind") {
    auto snap = must(parse_snapshot(*Namespace::parse("a"), "vm/100/2026-11-01T02:00:00Z"));
    must(w.create_namespace(snap.group.ns));
    must(w.write_group_file(snap.group, "owner", as_bytes("root@pam\n")));
    auto blob = encode_blob(as_bytes("conf"), true);
    must(w.write_snapshot_file(snap, "qemu-server.conf.blob", blob));
    std::string dir = root + "/" + snap.rel_dir();
    CHECK(mode_of(dir) == 0755);
    CHECK(mode_of(root + "/ns/a") == 0755);
    CHECK(mode_of(dir + "/qemu-server.conf.blob") == 0644);
    CHECK(mode_of(root + "/ns/a/vm/100/owner") == 0644);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
    CHECK(entries == 1);
    Digest d = sha256(as_bytes("x"));
    must(w.write_chunk(d, encode_blob(as_bytes("x"), true)));
    CHECK(must(w.has_chunk(d)));
    CHECK(mode_of(w.datastore().chunk_path(d)) == 0644);
  }
  SECTION("bad names and bad bytes are refused before they reach the disk") {
    auto snap = must(parse_snapshot(Namespace{}, "vm/100/2026-11-01T02:00:00Z"));
    auto blob = encode_blob(as_bytes("conf"), true);
    CHECK_FALSE(w.write_snapshot_file(snap, "../escape.blob", blob));
    CHECK_FALSE(w.write_snapshot_file(snap, "notes.txt", blob));
    CHECK_FALSE(w.write_snapshot_file(snap, ".hidden.blob", blob));
    CHECK_FALSE(w.write_group_file(snap.group, "../../x", blob));
    auto not_index = w.write_snapshot_file(snap, "drive.img.fidx", blob);
    REQUIRE_FALSE(not_index);
    CHECK_THAT(not_index.error().message(), Catch::Contains("drive.img.fidx"));
    auto bad_blob = blob;
    bad_blob.back() ^= 1;
    CHECK_FALSE(w.write_snapshot_file(snap, "x.blob", bad_blob));
    CHECK_FALSE(w.write_snapshot_file(snap, ".protected", blob));
    CHECK_FALSE(std::filesystem::exists(root + "/escape.blob"));
    CHECK_FALSE(std::filesystem::exists(root + "/vm/100/2026-11-01T02:00:00Z/x.blob"));
  }
  SECTION("reopening an existing datastore keeps it") {
    auto again = must(DatastoreWriter::open_or_create(root));
    CHECK(again.datastore().root() == root);
  }
}

TEST_CASE("the writer refuses a non-empty directory that is not a datastore", "[writer]") {
  TempDir tmp;
  std::string dir = tmp.sub("other");
  std::filesystem::create_directories(dir + "/data");
  auto r = DatastoreWriter::open_or_create(dir);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message(), Catch::Contains("not a PBS datastore"));
}

TEST_CASE("a restore target that cannot be a directory is a bad argument that names it", "[writer]") {
  TempDir tmp;
  std::ofstream(tmp.sub("afile")) << "x";
  ::symlink(tmp.sub("nowhere").c_str(), tmp.sub("dangling").c_str());
  struct Case {
    std::string path, expect;
  };
  for (const Case& c : {Case{tmp.sub("afile/sub"), "afile is not a directory"}, Case{"", "the datastore path is empty"},
                        Case{tmp.sub("dangling"), "dangling: a symbolic link to " + tmp.sub("nowhere") + ", which does not exist"},
                        Case{tmp.sub("afile"), "exists and is not a directory"}}) {
    INFO(c.path);
    auto r = DatastoreWriter::open_or_create(c.path);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::invalid_argument);
    CHECK_THAT(r.error().message(), Catch::Contains(c.expect));
  }
  CHECK_FALSE(std::filesystem::exists(tmp.sub("nowhere")));
}

TEST_CASE("a shared lock on .lock keeps an exclusive locker (PBS GC) out", "[writer]") {
  TempDir tmp;
  auto w = must(DatastoreWriter::open_or_create(tmp.sub("s")));
  auto lock = must(w.lock_shared());
  CHECK(lock.held());
  std::string lock_path = w.datastore().path(".lock");
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(lock_path.c_str(), O_RDWR);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    _exit(::fcntl(fd, F_SETLK, &fl) == 0 ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WEXITSTATUS(status) == 1);  // GC's try_exclusive_lock would fail
}

TEST_CASE("walking a generated datastore: stable order, strays skipped", "[walker]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto stats = must(testgen::generate(root, {}));
  auto store = must(Datastore::open(root));

  auto nss = must(store.namespaces());
  std::vector<std::string> names;
  for (const auto& ns : nss) names.push_back(ns.name());
  CHECK(names == std::vector<std::string>{"", "empty", "prod", "prod/db"});
  CHECK(must(store.namespaces({}, 0)).size() == 1);
  CHECK(must(store.namespaces(*Namespace::parse("prod"), 0)).size() == 1);
  CHECK(must(store.namespaces(*Namespace::parse("prod"))).size() == 2);
  CHECK_FALSE(store.namespaces(*Namespace::parse("nope")));

  std::vector<std::string> groups;
  std::size_t finished = 0, unfinished = 0, protected_count = 0;
  WalkVisitor v;
  v.on_group = [&](const GroupRef& g, std::vector<SnapshotInfo>&& snaps) -> Status {
    groups.push_back(g.rel_dir());
    for (std::size_t i = 1; i < snaps.size(); ++i) CHECK(snaps[i - 1].ref.time < snaps[i].ref.time);
    for (const auto& s : snaps) {
      (s.finished ? finished : unfinished)++;
      protected_count += s.is_protected;
      for (const auto& f : s.files) {
        INFO(f);
        CHECK(snapshot_file_kind(f));
        CHECK(f.find(".tmp") == std::string::npos);
      }
    }
    return {};
  };
  must(store.walk({}, {}, v));
  CHECK(groups == std::vector<std::string>{"ct/201", "vm/100", "ns/prod/host/host-1.example.com",
                                           "ns/prod/vm/101", "ns/prod/ns/db/ct/200",
                                           "ns/prod/ns/db/vm/900"});
  CHECK(finished == stats.snapshots);
  CHECK(unfinished == stats.unfinished_snapshots);
  CHECK(protected_count == 1);
  CHECK(*must(store.owner(must(parse_group({}, "vm/100")))) == "root@pam");
}

TEST_CASE("the inventory agrees with the generator's own counts", "[inventory]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  testgen::GenConfig cfg;
  cfg.seed = GENERATE(1, 7);
  auto stats = must(testgen::generate(root, cfg));
  auto inv = must(build_inventory(must(Datastore::open(root))));
  CHECK(inv.problems.empty());
  CHECK(inv.namespaces.size() == stats.namespaces);
  CHECK(inv.groups.size() == stats.groups);
  CHECK(inv.snapshots == stats.snapshots);
  CHECK(inv.unfinished_snapshots == stats.unfinished_snapshots);
  CHECK(inv.unique_chunks == stats.unique_chunks);
  CHECK(inv.unique_chunk_bytes == stats.unique_chunk_bytes);
  CHECK(inv.logical_bytes == stats.logical_bytes);
  CHECK(inv.missing_chunks == 0);
  CHECK(inv.dedup_ratio() > 1.0);  // successive snapshots share most chunks
  std::size_t encrypted = 0;
  for (const auto& g : inv.groups) {
    for (const auto& s : g.snapshots) encrypted += s.encrypted;
  }
  CHECK(encrypted == cfg.snapshots);
}

TEST_CASE("chunks are shared between snapshots and between groups", "[generator]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto stats = must(testgen::generate(root, {}));
  CHECK(stats.chunk_refs > 2 * stats.unique_chunks);
  auto store = must(Datastore::open(root));
  auto a = must(store.read_index(must(parse_snapshot({}, "vm/100/2026-11-01T02:00:00Z")),
                                 "drive-scsi0.img.fidx"));
  auto b = must(store.read_index(
      must(parse_snapshot(*Namespace::parse("prod"), "vm/101/2026-11-01T02:10:00Z")),
      "drive-scsi0.img.fidx"));
  CHECK(a.digests[0] == b.digests[0]);  // shared base image
  CHECK(a.digests.back() == b.digests.back());  // trailing zero run
}

TEST_CASE("generator mutations: new snapshots share chunks, prune removes", "[generator]") {
  TempDir tmp;
  std::string root = tmp.sub("store");
  auto stats = must(testgen::generate(root, {}));
  auto added = must(testgen::add_snapshots(root, 0.05, 9));
  CHECK(added.paths.size() == stats.groups);
  auto inv = must(build_inventory(must(Datastore::open(root))));
  CHECK(inv.snapshots == stats.snapshots + stats.groups);
  CHECK(inv.unique_chunks > stats.unique_chunks);
  CHECK(inv.unique_chunks < stats.unique_chunks + stats.chunk_refs / 5);
  auto pruned = must(testgen::prune(root, 1));
  CHECK_FALSE(pruned.paths.empty());
  auto after = must(build_inventory(must(Datastore::open(root))));
  CHECK(after.snapshots == stats.groups + 1);  // one per group, plus the protected one
}

TEST_CASE("digest sets hold each digest once, including the all-zero one", "[digest_set]") {
  DigestSet set;
  for (int i = 0; i < 10000; ++i) CHECK(set.insert(sha256(std::to_string(i))));
  for (int i = 0; i < 10000; i += 3) CHECK_FALSE(set.insert(sha256(std::to_string(i))));
  CHECK(set.size() == 10000);
  CHECK_FALSE(set.contains(Digest{}));
  CHECK(set.insert(Digest{}));
  CHECK_FALSE(set.insert(Digest{}));
  CHECK(set.contains(Digest{}));
  CHECK(set.size() == 10001);
  CHECK(set.to_vector().size() == 10001);
  CHECK(set.contains(sha256("9999")));
  CHECK_FALSE(set.contains(sha256("10000")));
}
